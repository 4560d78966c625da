// routeSmtpArguments(): smtpd's reading of MAIL FROM and RCPT TO in front of
// routeRecipient(), so that what a client writes (comments, phrases, a source route,
// several addresses, an overlong line) reaches the restrictions and cleanup as smtpd
// extracts it.
#include "postline/simulate/smtpd_route.h"

#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/base/strings.h"
#include "postline/policy/smtpd_command.h"
#include "postline/policy/smtpd_restrictions.h"

namespace postline::simulate {

namespace {

// The argument is just the address in <>: nothing to say about how smtpd read it.
bool plain(std::string_view argument, const std::string& address) {
    return base::trim(argument) == "<" + (address.empty() ? address : address::quoteLocalPart(address)) + ">";
}

}  // namespace

RouteReport routeSmtpArguments(address::RoutingContext& context, std::string_view mailArgument,
                               std::string_view rcptArgument, policy::SmtpdRestrictions* smtpd) {
    policy::SmtpdCommandResult mail = policy::smtpdMailFrom(context, mailArgument);
    policy::SmtpdCommandResult rcpt;
    if (mail.ok) rcpt = policy::smtpdRcptTo(context, rcptArgument, mail.address, mail.smtputf8);
    RouteReport report;
    if (mail.ok && rcpt.ok) {
        // smtpd's restrictions (and smtpd_helo_required) run inside routeRecipient().
        report = routeRecipient(context, mail.address, rcpt.address, smtpd);
        if (report.smtpd.stage != "MAIL FROM") {
            address::Steps shown;
            if (!plain(mailArgument, mail.address)) shown.push_back(mail.step);
            if (!plain(rcptArgument, rcpt.address)) shown.push_back(rcpt.step);
            report.smtpd.steps.insert(report.smtpd.steps.begin(), shown.begin(), shown.end());
        }
        report.input = rcpt.address;
        return report;
    }
    // What the client wrote, without the <> around it.
    std::string_view written = base::trim(rcptArgument);
    if (written.size() >= 2 && written.front() == '<' && written.back() == '>')
        written = written.substr(1, written.size() - 2);
    report.input = std::string(written);
    report.sender = mail.address;
    const policy::SmtpdCommandResult* rcptSeen = mail.ok ? &rcpt : nullptr;
    if (smtpd) {
        report.smtpd = smtpd->check(mail.address, rcpt.address, &mail, rcptSeen);
    } else {
        const policy::SmtpdCommandResult& failed = mail.ok ? rcpt : mail;
        if (mail.ok) report.smtpd.steps.push_back(mail.step);
        report.smtpd.steps.push_back(failed.step);
        report.smtpd.reply = policy::softBounced(context, failed.reply);
        report.smtpd.stage = failed.step.stage;
    }
    policy::RecipientCheck& r = report.smtpd;
    if (r.verdict == policy::RecipientCheck::Verdict::Accept) {
        // Without a session the failed command is the reply.
        r.code = std::stoi(r.reply.substr(0, 3));
        r.dsn = r.reply.substr(4, r.reply.find(' ', 4) - 4);
        r.verdict =
            r.code / 100 == 4 ? policy::RecipientCheck::Verdict::Defer : policy::RecipientCheck::Verdict::Reject;
    }
    report.verdict = r.verdict == policy::RecipientCheck::Verdict::Reject ? Verdict::Reject : Verdict::Defer;
    report.reason = r.reply;
    return report;
}

}  // namespace postline::simulate
