// SmtpServerSession's ETRN command (Postfix's smtpd/smtpd.c etrn_cmd, smtpd_check.c
// smtpd_check_etrn, global/flush_clnt.c flush_send_site): the syntax checks,
// smtpd_etrn_restrictions through lib/policy, then the fast flush service for a site in
// fast_flush_domains, with the replies and warnings of Postfix 3.7.
#include "postline/address/resolve.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/smtp/server_session.h"

namespace postline::smtp {

bool SmtpServerSession::etrnCmd(const std::vector<std::string>& argv) {
    if (helloRequired_ && !helo_) {
        reply("503 Error: send HELO/EHLO first");
        return false;
    }
    if (sender_) {
        reply("503 Error: MAIL transaction in progress");
        return false;
    }
    if (argv.size() != 2) {
        reply("500 Syntax: ETRN domain");
        return false;
    }
    std::string_view site = argv[1];
    if (!site.empty() && (site[0] == '@' || site[0] == '#')) site.remove_prefix(1);
    if (!address::validHostname(site) && !address::validHostLiteral(site)) {
        reply("501 Error: invalid parameter syntax");
        return false;
    }
    const std::string namaddr = restrictions_.session().namaddr();
    if (options_.standAlone) {
        base::msgWarn("do not use ETRN in \"sendmail -bs\" mode");
        reply("458 Unable to queue messages");
        return false;
    }
    // smtpd_check_etrn(): the delayed client and HELO lists, smtpd_etrn_restrictions.
    auto check = liveCheck(policy::SmtpdRestrictions::LiveStage::Etrn, "", site);
    std::vector<std::string> texts;
    for (const auto& step : check.steps) texts.push_back(step.result);
    applyActions(check.actions, texts);
    if (check.verdict != policy::RecipientCheck::Verdict::Accept) {
        std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
        logWhatsup("reject", text);
        reply(text);
        return false;
    }
    // flush_send_site(): a site outside fast_flush_domains is refused without asking the
    // service; a list that fails is a failure to reach it.
    auto& domains = context_.list("fast_flush_domains", address::MatchKind::HostParent);
    auto match = domains.match(base::lowercase(site));
    int status = match.matched ? (options_.flush ? options_.flush->sendSite(site) : FlushService::kFail)
                 : match.error ? FlushService::kFail
                               : FlushService::kDeny;
    switch (status) {
        case FlushService::kOk:
            reply("250 Queuing started");
            return true;
        case FlushService::kDeny:
            base::msgWarn(base::cat("reject: ETRN ", site.substr(0, 100), "... from ", namaddr));
            reply(base::cat("459 <", site, ">: service unavailable"));
            return false;
        case FlushService::kBad:
            base::msgWarn(base::cat("bad ETRN ", site.substr(0, 100), "... from ", namaddr));
            reply("458 Unable to queue messages");
            return false;
        default:
            base::msgWarn("unable to talk to fast flush service");
            reply("458 Unable to queue messages");
            return false;
    }
}

}  // namespace postline::smtp
