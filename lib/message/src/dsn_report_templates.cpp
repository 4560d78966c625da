// Notice templates: Postfix 3.7's built-in texts as `postconf -b` prints them
// (bounce/bounce_templates.c), a bounce_template_file read as bounce_templates_load()
// and bounce_template_parse_buffer() read it, and the $name expansion of
// bounce_template.c's lookup (time parameters in whole units).
#include "dsn_report_templates.h"

#include <string>

#include "postline/config/expand.h"
#include "postline/message/header_opts.h"

namespace postline::message {
namespace {

const std::vector<std::string> kFailureText = {
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

const std::vector<std::string> kDelayText = {
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

const std::vector<std::string> kSuccessText = {
    "This is the mail system at host $myhostname.",
    "",
    "Your message was successfully delivered to the destination(s)",
    "listed below. If the message was delivered to mailbox you will",
    "receive no further notifications. Otherwise you may still receive",
    "notifications of mail delivery errors from other systems.",
    "",
    "                   The mail system",
};

const std::vector<std::string> kVerifyText = {
    "This is the mail system at host $myhostname.", "", "Enclosed is the mail delivery report that you requested.", "",
    "                   The mail system",
};

DsnTemplate builtIn(std::string name, std::string subject, std::string postmasterSubject,
                    const std::vector<std::string>& text) {
    DsnTemplate t;
    t.name = std::move(name);
    t.obsoleteFrom = "MAILER-DAEMON (Mail Delivery System)";
    t.standardFrom = "Mail Delivery System <MAILER-DAEMON>";
    t.subject = std::move(subject);
    t.postmasterSubject = std::move(postmasterSubject);
    t.text = text;
    return t;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool isAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool allAscii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}
bool allSpace(std::string_view s) {
    for (char c : s)
        if (!isSpace(c)) return false;
    return true;
}
bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::vector<std::string> splitLines(std::string_view text) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t nl = text.find('\n', start);
        out.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return out;
}

// bounce_template_parse_buffer(): false (with a warning) when the template is unusable.
bool parseTemplate(DsnTemplate& t, std::string_view buffer, const std::function<void(const std::string&)>& warn) {
    auto ignore = [&](const std::string& why) {
        if (warn) warn(t.origin + ": " + why + " in " + t.name + " template -- ignoring this template");
        return false;
    };
    std::vector<std::string> lines = splitLines(buffer);
    size_t i = 0;
    for (; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        size_t hlen = isHeader(line);
        if (hlen == 0) break;
        std::string label = line.substr(0, hlen);
        size_t v = hlen;
        while (v < line.size() && (line[v] == ':' || isSpace(line[v]))) ++v;
        std::string value = line.substr(v);
        if (value.empty()) return ignore("empty \"" + label + "\" header value");
        if (!allAscii(value)) return ignore("non-ASCII \"" + label + "\" header value");
        if (equalsIgnoreCase(label, "charset")) {
            t.charset = value;
        } else if (equalsIgnoreCase(label, "from")) {
            t.standardFrom = t.obsoleteFrom = value;
        } else if (equalsIgnoreCase(label, "subject")) {
            t.subject = value;
        } else if (equalsIgnoreCase(label, "postmaster-subject")) {
            if (t.postmasterSubject.empty()) return ignore("inapplicable \"" + label + "\" header label");
            t.postmasterSubject = value;
        } else {
            return ignore("unknown \"" + label + "\" header label");
        }
    }
    while (i < lines.size() && allSpace(lines[i])) ++i;
    if (i >= lines.size()) {
        if (warn) warn(t.origin + ": missing message text in " + t.name + " template -- ignoring this template");
        return false;
    }
    std::vector<std::string> text(lines.begin() + static_cast<long>(i), lines.end());
    bool eightBit = false;
    for (const std::string& l : text) eightBit = eightBit || !allAscii(l);
    if (eightBit) {
        if (equalsIgnoreCase(t.charset, "us-ascii")) {
            if (warn) {
                warn(t.origin + ": 8-bit message text in " + t.name + " template");
                warn("please specify a charset value other than us-ascii");
                warn("-- ignoring this template for now");
            }
            return false;
        }
        t.encoding = "8bit";
    }
    t.text = std::move(text);
    return true;
}

// split_nameval(): "name = value"; nullptr or Postfix's complaint.
const char* splitNameValue(std::string_view line, std::string& name, std::string& value) {
    size_t n = 0;
    while (n < line.size() && isSpace(line[n])) ++n;
    if (n == line.size() || line[n] == '=') return "missing attribute name";
    size_t e = n;
    while (e < line.size() && !isSpace(line[e]) && line[e] != '=') ++e;
    size_t c = e;
    while (c < line.size() && isSpace(line[c])) ++c;
    if (c == line.size() || line[c] != '=') return "missing '=' after attribute name";
    name = std::string(line.substr(n, e - n));
    size_t v = c + 1;
    while (v < line.size() && isSpace(line[v])) ++v;
    size_t end = line.size();
    while (end > v && isSpace(line[end - 1])) --end;
    value = std::string(line.substr(v, end - v));
    return nullptr;
}

}  // namespace

DsnTemplates builtInDsnTemplates() {
    // The success and verify notices have no postmaster copy, hence no such subject.
    return {
        builtIn("failure", "Undelivered Mail Returned to Sender", "Postmaster Copy: Undelivered Mail", kFailureText),
        builtIn("delay", "Delayed Mail (still being retried)", "Postmaster Warning: Delayed Mail", kDelayText),
        builtIn("success", "Successful Mail Delivery Report", "", kSuccessText),
        builtIn("verify", "Mail Delivery Status Report", "", kVerifyText)};
}

const DsnTemplate& DsnTemplates::forKind(DsnReportKind kind) const {
    switch (kind) {
        case DsnReportKind::Delay:
            return delay;
        case DsnReportKind::Success:
            return success;
        case DsnReportKind::Verify:
            return verify;
        case DsnReportKind::Failure:
            break;
    }
    return failure;
}

base::Result<DsnTemplates> loadDsnTemplates(std::string_view content, const std::string& path,
                                            const std::function<void(const std::string&)>& warn) {
    DsnTemplates ts = builtInDsnTemplates();
    std::vector<std::string> lines = splitLines(content);
    if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the last newline
    // As bounce_templates_load() counts: the first line is "line 2", and a here-document
    // is reported at its end marker.
    int lineno = 1;
    for (size_t i = 0; i < lines.size(); ++i) {
        ++lineno;
        const std::string& line = lines[i];
        if (allSpace(line) || line[line.find_first_not_of(" \t\n\v\f\r")] == '#') continue;
        std::string name, value;
        if (const char* err = splitNameValue(line, name, value))
            return base::Error{path + ", line " + std::to_string(lineno) + ": " + err + ": \"" + line + "\""};
        if (value.size() >= 2 && value[0] == '<' && value[1] == '<') {
            size_t m = 2;
            while (m < value.size() && isSpace(value[m])) ++m;
            if (m == value.size())
                return base::Error{path + ", line " + std::to_string(lineno) + ": missing end marker after <<"};
            if (!isAlnum(value[m]))
                return base::Error{path + ", line " + std::to_string(lineno) + ": malformed end marker after <<"};
            std::string marker = value.substr(m);
            std::string body;
            bool ended = false;
            while (++i < lines.size()) {
                ++lineno;
                if (lines[i] == marker) {
                    ended = true;
                    break;
                }
                if (!body.empty()) body += '\n';
                body += lines[i];
            }
            if (!ended && warn)
                warn(path + ", line " + std::to_string(lineno) + ": missing \"" + marker + "\" end marker");
            value = body;
        }
        DsnTemplate* target = nullptr;
        DsnTemplates fresh = builtInDsnTemplates();
        DsnTemplate candidate;
        if (name == "failure_template") {
            target = &ts.failure;
            candidate = fresh.failure;
        } else if (name == "delay_template") {
            target = &ts.delay;
            candidate = fresh.delay;
        } else if (name == "success_template") {
            target = &ts.success;
            candidate = fresh.success;
        } else if (name == "verify_template") {
            target = &ts.verify;
            candidate = fresh.verify;
        }
        if (target == nullptr) {
            if (warn)
                warn(path + ", line " + std::to_string(lineno) + ": unknown template name: " + name +
                     " -- ignoring this template");
            continue;
        }
        candidate.origin = path;
        if (parseTemplate(candidate, value, warn)) *target = std::move(candidate);
    }
    return ts;
}

TemplateExpansion expandTemplateText(const DsnTemplate& t, const DsnReport& r) {
    TemplateExpansion out;
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
    const Param params[] = {{"delay_warning_time", r.delayWarningTime},
                            {"maximal_queue_lifetime", r.maximalQueueLifetime}};
    std::string fatal;
    config::MacroLookup lookup = [&](std::string_view key) -> std::optional<std::string> {
        for (const Param& p : params) {
            if (key.size() <= p.name.size() || key.substr(0, p.name.size()) != p.name || key[p.name.size()] != '_')
                continue;
            std::string_view suffix = key.substr(p.name.size() + 1);
            for (const Unit& u : kUnits) {
                if (suffix != u.suffix) continue;
                // The parameters are ints in Postfix, and so is the quotient.
                int result = static_cast<int>(p.seconds / u.divisor);
                std::string k(key), s(u.suffix);
                if (result > 999 && u.divisor < 86400) {
                    out.warnings.push_back(t.origin + ": excessive result \"" + std::to_string(result) + "\" in " +
                                           t.name + " template conversion of parameter \"" + k + "\"");
                    out.warnings.push_back("please increase time unit \"" + s + "\" of \"" + k + "\" in " + t.name +
                                           " template");
                    out.warnings.push_back("for instructions see the bounce(5) manual");
                } else if (result == 0 && p.seconds != 0 && u.divisor > 1) {
                    out.warnings.push_back(t.origin + ": zero result in " + t.name +
                                           " template conversion of parameter \"" + k + "\"");
                    out.warnings.push_back("please reduce time unit \"" + s + "\" of \"" + k + "\" in " + t.name +
                                           " template");
                    out.warnings.push_back("for instructions see the bounce(5) manual");
                }
                return std::to_string(result);
            }
            if (fatal.empty())
                fatal = t.origin + ": unrecognized suffix \"" + std::string(suffix) + "\" in parameter \"" +
                        std::string(key) + "\"";
            return std::nullopt;
        }
        if (key == "myhostname") return r.myhostname;
        if (r.parameter) return r.parameter(key);
        return std::nullopt;
    };
    for (const std::string& line : t.text) {
        config::MacroResult m = config::macroExpand(line, 0, lookup);
        if (!fatal.empty()) {
            out.error = fatal;
            return out;
        }
        if (m.error) {
            out.error = t.origin + ": bad $name syntax in " + t.name + " template: " + line;
            return out;
        }
        if (m.undef) {
            out.error = t.origin + ": undefined $name in " + t.name + " template: " + line;
            return out;
        }
        out.lines.push_back(std::move(m.text));
    }
    return out;
}

}  // namespace postline::message
