// SmtpdRestrictions: the access tables and mynetworks one configuration opens, the
// start-up check for relay protection, one message's evaluation from the client stage
// to end-of-data (smtpd_check_rcpt, smtpd_check_data, smtpd_check_eod), and ETRN's
// (smtpd_check_etrn).
#include "postline/policy/smtpd_restrictions.h"

#include "smtpd_evaluation.h"

namespace postline::policy {

SmtpdRestrictions::SmtpdRestrictions(address::RoutingContext& context, SmtpdSession session)
    : context_(context), session_(std::move(session)) {}

SmtpdRestrictions::~SmtpdRestrictions() = default;

maps::MapList& SmtpdRestrictions::accessTable(const std::string& spec) {
    auto it = tables_.find(spec);
    if (it != tables_.end()) return it->second;
    uint32_t flags = maps::flag::kFoldFix | maps::flag::kLock;
    if (context_.getBool("smtputf8_enable")) flags |= maps::flag::kUtf8Request;
    maps::OpenContext open;
    open.config = &context_.config();
    return tables_.emplace(spec, address::openAddressTables(spec, spec, flags, open)).first->second;
}

address::HostAddressList& SmtpdRestrictions::mynetworks() {
    if (!mynetworks_)
        mynetworks_ = std::make_unique<address::HostAddressList>(
            address::HostAddressList::fromParameter(context_.config(), "mynetworks"));
    return *mynetworks_;
}

namespace {

// Postfix refuses to start without relay protection in one of the RCPT lists.
bool hasRequired(address::RoutingContext& context, const std::vector<std::string>& restrictions, int depth) {
    static const char* required[] = {"reject_unauth_destination", "defer_unauth_destination", "reject", "defer",
                                     "defer_if_permit",           "check_relay_domains"};
    auto classes = splitRestrictions(context.get("smtpd_restriction_classes"));
    for (size_t i = 0; i < restrictions.size(); ++i) {
        const std::string& r = restrictions[i];
        if (ieq(r, "warn_if_reject") && i + 1 < restrictions.size()) {
            ++i;
            continue;
        }
        if (ieq(r, "permit")) return false;
        for (auto* q : required)
            if (ieq(r, q)) return true;
        if (depth < 100)
            for (auto& c : classes)
                if (c == r && hasRequired(context, splitRestrictions(context.get(c)), depth + 1)) return true;
    }
    return false;
}

// The verdict of an evaluation that ended with status `st` at `stage`: its steps and
// actions, and the reply of a reject or defer ("undecidable…" when a fact was missing).
void concludeCheck(RecipientCheck& out, SmtpdEvaluation& ev, int st, std::string stage,
                   std::string_view undecidablePrefix) {
    out.steps = std::move(ev.steps);
    out.actions = std::move(ev.actions);
    out.discard = ev.discard;
    out.stage = std::move(stage);
    if (st == kUndecided) {
        out.verdict = RecipientCheck::Verdict::Defer;
        out.undecidable = true;
        out.reply = std::string(undecidablePrefix) + ev.undecidable;
    } else if (st == kReject) {
        out.reply = ev.reply;
        out.code = std::stoi(ev.reply.substr(0, 3));
        out.dsn = ev.reply.substr(4, ev.reply.find(' ', 4) - 4);
        out.verdict = out.code / 100 == 4 ? RecipientCheck::Verdict::Defer : RecipientCheck::Verdict::Reject;
    }
}

}  // namespace

std::string SmtpdRestrictions::relayProtectionError() {
    if (hasRequired(context_, splitRestrictions(context_.get("smtpd_recipient_restrictions")), 0) ||
        hasRequired(context_, splitRestrictions(context_.get("smtpd_relay_restrictions")), 0))
        return "";
    return "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working "
           "instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit or "
           "check_relay_domains";
}

RecipientCheck SmtpdRestrictions::checkLive(LiveStage stage, std::string_view sender, std::string_view recipient) {
    RecipientCheck out;
    SmtpdEvaluation ev{*this, context_, session_, std::string(sender), std::string(recipient)};
    auto conclude = [&](int st, std::string decided) {
        concludeCheck(out, ev, st, std::move(decided), "undecidable: ");
        return out;
    };
    bool delay = context_.getBool("smtpd_delay_reject");
    auto failed = [](int st) { return st == kUndecided || st == kReject; };
    switch (stage) {
        case LiveStage::Connect:
        case LiveStage::Helo:
        case LiveStage::Mail: {
            if (delay) return out;
            ev.where = stage == LiveStage::Connect ? "CONNECT" : stage == LiveStage::Helo ? "HELO" : "MAIL";
            if (stage != LiveStage::Mail) ev.sender.reset();
            ev.recipient.reset();
            int st = stage == LiveStage::Connect ? ev.checkClient()
                     : stage == LiveStage::Helo  ? ev.checkHelo()
                                                 : ev.checkMail();
            return conclude(failed(st) ? st : kDunno, ev.topList);
        }
        case LiveStage::Rcpt: {
            if (ieq(recipient, "postmaster")) return out;
            ev.where = "RCPT";
            if (delay)
                for (auto run :
                     {&SmtpdEvaluation::checkClient, &SmtpdEvaluation::checkHelo, &SmtpdEvaluation::checkMail})
                    if (int st = (ev.*run)(); failed(st)) return conclude(st, ev.topList);
            ev.where = "RCPT";
            int st = ev.checkRcpt();
            return conclude(failed(st) ? st : kDunno, failed(st) ? ev.topList : "RCPT");
        }
        case LiveStage::Etrn: {
            ev.where = "ETRN";
            ev.sender.reset();
            ev.recipient.reset();
            ev.etrnDomain = std::string(recipient);
            if (delay)
                for (auto run : {&SmtpdEvaluation::checkClient, &SmtpdEvaluation::checkHelo})
                    if (int st = (ev.*run)(); failed(st)) return conclude(st, ev.topList);
            int st = ev.checkEtrn();
            return conclude(failed(st) ? st : kDunno, failed(st) ? ev.topList : "ETRN");
        }
        case LiveStage::Data:
        case LiveStage::EndOfData: {
            if (recipient.empty()) ev.recipient.reset();
            bool data = stage == LiveStage::Data;
            int st = data ? ev.checkData("smtpd_data_restrictions", "DATA", kDataClass)
                          : ev.checkData("smtpd_end_of_data_restrictions", "END-OF-MESSAGE", kEndOfDataClass);
            return conclude(failed(st) ? st : kDunno, data ? "DATA" : "END-OF-MESSAGE");
        }
    }
    return out;
}

RecipientCheck SmtpdRestrictions::check(std::string_view sender, std::string_view recipient,
                                        const SmtpdCommandResult* mail, const SmtpdCommandResult* rcpt) {
    RecipientCheck out;
    SmtpdEvaluation ev{*this, context_, session_, std::string(sender), std::string(recipient)};
    auto conclude = [&](int st, std::string stage) {
        concludeCheck(out, ev, st, std::move(stage), "undecidable offline: ");
        return out;
    };
    // A command's own reply (smtpd_chat_reply): no restriction rules apply to it.
    auto commandReply = [&](const char* command, std::string reply) {
        ev.reply = softBounced(context_, std::move(reply));
        return conclude(kReject, command);
    };
    if (!hasRequired(context_, splitRestrictions(context_.get("smtpd_recipient_restrictions")), 0) &&
        !hasRequired(context_, splitRestrictions(context_.get("smtpd_relay_restrictions")), 0)) {
        ev.undecidable =
            "smtpd would not start: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify "
            "at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, "
            "defer_if_permit or check_relay_domains";
        ev.list = "smtpd";
        ev.addStep("", "fatal: " + ev.undecidable.substr(ev.undecidable.find(": ") + 2), address::StepStatus::Error);
        return conclude(kUndecided, "smtpd");
    }
    bool delay = context_.getBool("smtpd_delay_reject");
    struct Stage {
        const char* where;
        int (SmtpdEvaluation::*run)();
    };
    // One early stage, at its own command (smtpd_delay_reject = no) or at RCPT TO.
    auto early = [&](const Stage& s) {
        ev.where = delay ? "RCPT" : s.where;
        if (!delay && std::string_view(s.where) != "MAIL") ev.sender.reset();
        if (!delay && std::string_view(s.where) == "MAIL") ev.sender = std::string(sender);
        std::optional<std::string> savedRcpt = ev.recipient;
        if (!delay) ev.recipient.reset();
        int st = (ev.*s.run)();
        ev.recipient = savedRcpt;
        ev.sender = std::string(sender);
        return st;
    };
    const Stage connect{"CONNECT", &SmtpdEvaluation::checkClient}, helo{"HELO", &SmtpdEvaluation::checkHelo},
        from{"MAIL", &SmtpdEvaluation::checkMail};
    if (!delay)
        for (auto* s : {&connect, &helo})
            if (int st = early(*s); st == kUndecided || st == kReject) return conclude(st, ev.topList);
    // mail_cmd(): HELO first, then the sender argument.
    if (context_.getBool("smtpd_helo_required") && !session_.helo) {
        ev.list = "MAIL FROM";
        ev.addStep("", "no HELO/EHLO before MAIL FROM (smtpd_helo_required = yes)", address::StepStatus::Reject);
        return commandReply("MAIL FROM", "503 5.5.1 Error: send HELO/EHLO first");
    }
    for (const SmtpdCommandResult* command : {mail, rcpt}) {
        if (!command) continue;
        ev.steps.push_back(command->step);
        if (!command->ok) return commandReply(command->step.stage.c_str(), command->reply);
        if (command == mail && !delay)
            if (int st = early(from); st == kUndecided || st == kReject) return conclude(st, ev.topList);
    }
    if (!mail && !delay)
        if (int st = early(from); st == kUndecided || st == kReject) return conclude(st, ev.topList);
    // RFC 5321 section 3.6: "postmaster" without a domain is always accepted.
    if (ieq(recipient, "postmaster")) {
        ev.list = "smtpd_recipient_restrictions";
        ev.addStep("", "<postmaster> is always accepted");
        return conclude(kDunno, "RCPT");
    }
    if (delay)
        for (auto* s : {&connect, &helo, &from})
            if (int st = early(*s); st == kUndecided || st == kReject) return conclude(st, ev.topList);
    ev.where = "RCPT";
    int st = ev.checkRcpt();
    if (st == kUndecided || st == kReject) return conclude(st, ev.topList);
    if (ev.discard) return conclude(kDunno, "RCPT");
    st = ev.checkData("smtpd_data_restrictions", "DATA", kDataClass);
    if (st == kUndecided || st == kReject) return conclude(st, "DATA");
    st = ev.checkData("smtpd_end_of_data_restrictions", "END-OF-MESSAGE", kEndOfDataClass);
    if (st == kUndecided || st == kReject) return conclude(st, "END-OF-MESSAGE");
    return conclude(kDunno, "RCPT");
}

}  // namespace postline::policy
