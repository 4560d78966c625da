// The built-in failure and delay notice templates, worded as Postfix 3.7 prints them
// with `postconf -b` (bounce/bounce_templates.c), and their $name expansion
// (bounce/bounce_template.c's lookup: $myhostname, and time parameters in whole units).
#include "dsn_report_templates.h"

#include <string>

namespace postline::message {
namespace {

const std::vector<std::string_view> kFailureText = {
    "This is the mail system at host $myhostname.",
    "",
    "I'm sorry to have to inform you that your message could not",
    "be delivered to one or more recipients. It's attached below.",
    "",
    "For further assistance, please send mail to postmaster.",
    "",
    "If you do so, please include this problem report. You can",
    "delete your own text from the attached returned message.",
    "",
    "                   The mail system",
};

const std::vector<std::string_view> kDelayText = {
    "This is the mail system at host $myhostname.",
    "",
    "####################################################################",
    "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #",
    "####################################################################",
    "",
    "Your message could not be delivered for more than $delay_warning_time_hours hour(s).",
    "It will be retried until it is $maximal_queue_lifetime_days day(s) old.",
    "",
    "For further assistance, please send mail to postmaster.",
    "",
    "If you do so, please include this problem report. You can",
    "delete your own text from the attached returned message.",
    "",
    "                   The mail system",
};

constexpr std::string_view kObsoleteFrom = "MAILER-DAEMON (Mail Delivery System)";
constexpr std::string_view kStandardFrom = "Mail Delivery System <MAILER-DAEMON>";

// The value of a $name the templates use, or false for a name left as written.
bool lookup(std::string_view name, std::string_view myhostname, long delayWarningTime, long maximalQueueLifetime,
            std::string& value) {
    if (name == "myhostname") {
        value = std::string(myhostname);
        return true;
    }
    struct Unit {
        std::string_view suffix;
        long divisor;
    };
    static constexpr Unit kUnits[] = {
        {"seconds", 1}, {"minutes", 60}, {"hours", 3600}, {"days", 86400}, {"weeks", 7 * 86400}};
    struct Param {
        std::string_view name;
        long seconds;
    };
    const Param params[] = {{"delay_warning_time", delayWarningTime}, {"maximal_queue_lifetime", maximalQueueLifetime}};
    for (const Param& p : params) {
        if (name.size() <= p.name.size() + 1 || name.substr(0, p.name.size()) != p.name || name[p.name.size()] != '_')
            continue;
        std::string_view suffix = name.substr(p.name.size() + 1);
        for (const Unit& u : kUnits) {
            if (suffix == u.suffix) {
                // The parameter is an int in Postfix, so the quotient is an int too.
                value = std::to_string(static_cast<int>(p.seconds / u.divisor));
                return true;
            }
        }
    }
    return false;
}

bool nameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

}  // namespace

const DsnTemplate& failureTemplate() {
    static const DsnTemplate t{"us-ascii",
                               "7bit",
                               kObsoleteFrom,
                               kStandardFrom,
                               "Undelivered Mail Returned to Sender",
                               "Postmaster Copy: Undelivered Mail",
                               kFailureText};
    return t;
}

const DsnTemplate& delayTemplate() {
    static const DsnTemplate t{"us-ascii",
                               "7bit",
                               kObsoleteFrom,
                               kStandardFrom,
                               "Delayed Mail (still being retried)",
                               "Postmaster Warning: Delayed Mail",
                               kDelayText};
    return t;
}

std::vector<std::string> expandTemplateText(const DsnTemplate& t, std::string_view myhostname, long delayWarningTime,
                                            long maximalQueueLifetime) {
    std::vector<std::string> out;
    for (std::string_view line : t.text) {
        std::string expanded;
        size_t i = 0;
        while (i < line.size()) {
            if (line[i] != '$') {
                expanded += line[i++];
                continue;
            }
            size_t start = i + 1;
            bool braced = start < line.size() && (line[start] == '{' || line[start] == '(');
            size_t nameStart = braced ? start + 1 : start;
            size_t end = nameStart;
            while (end < line.size() && nameChar(line[end])) ++end;
            std::string_view name = line.substr(nameStart, end - nameStart);
            size_t after = braced ? end + 1 : end;
            std::string value;
            if (!name.empty() && (!braced || end < line.size()) &&
                lookup(name, myhostname, delayWarningTime, maximalQueueLifetime, value)) {
                expanded += value;
                i = after;
            } else {
                expanded += line[i++];
            }
        }
        out.push_back(std::move(expanded));
    }
    return out;
}

}  // namespace postline::message
