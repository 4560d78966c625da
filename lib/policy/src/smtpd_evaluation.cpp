// smtpd_check.c offline, the engine: smtpd_check_reject()'s reply rules (code and
// status validation, defer_if_reject, soft_bounce, warn_if_reject), check_table_result()
// for access(5) values, the access table lookups (check_access, check_domain_access,
// check_addr_access, check_mail_access), generic_checks() and the per-command drivers
// with their defer_if_permit bookkeeping. Where Postfix longjmp()s out of a stage
// (table failures, configuration errors), the status kAbort unwinds it.
#include "smtpd_evaluation.h"

namespace postline::policy {

int SmtpdEvaluation::tableResult(const std::string& table, const std::string& value, const std::string& datum,
                                 const std::string& replyName, const std::string& replyClass, const std::string& defAcl,
                                 const std::string& restriction, const std::string& key,
                                 std::vector<std::string> tried) {
    using Kind = AccessAction::Kind;
    AccessAction a = parseAccessAction(value);
    std::string what = "key \"" + key + "\" -> " + value;
    auto done = [&](int status, std::string extra = {}) {
        return finish(restriction, status, extra.empty() ? what : what + " (" + extra + ")", table, key,
                      std::move(tried));
    };
    auto deferDsn = [&](const char* def) { return dsnSplit(def, a.text); };
    auto rejected = [&](const std::string& text, const char* fallback) {
        return "<" + replyName + ">: " + replyClass + " rejected: " + (text.empty() ? fallback : text);
    };
    // A client/HELO action that changes the message has no message to change when
    // those restrictions run at connect time (smtpd_delay_reject = no).
    auto notInClientHelo = [&](const char* action) {
        if (!sender) {
            warn("access table " + table + ": with smtpd_delay_reject=no, action " + action +
                 " is always skipped in Client host or Helo command restrictions");
            return false;
        }
        return true;
    };
    switch (a.kind) {
        case Kind::Dunno:
            return done(kDunno);
        case Kind::Reject: {
            auto d = deferDsn("5.7.1");
            int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("access_map_reject_code")),
                                 smtpdDsnFix(d.dsn, replyClass), rejected(d.text, "Access denied"));
            return done(st);
        }
        case Kind::Defer: {
            auto d = deferDsn("4.7.1");
            int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("access_map_defer_code")),
                                 smtpdDsnFix(d.dsn, replyClass), rejected(d.text, "Access denied"));
            return done(st);
        }
        case Kind::Hangup:
            return cannotDecide(restriction, "HANGUP drops the connection without a reply (a test feature)");
        case Kind::Info:
        case Kind::Warn:
            actions.push_back(address::lowercase(a.command) + ": " + a.text);
            return done(kDunno, "logged: " + address::lowercase(a.command) + ": " + a.text);
        case Kind::Filter:
            if (!notInClientHelo("FILTER")) return done(kDunno, "skipped");
            if (a.text.empty() || a.text.find(':') == std::string::npos) {
                warn("access table " + table + " entry \"" + datum + "\" " +
                     (a.text.empty() ? "has FILTER entry without value" : "requires transport:destination"));
                return done(kDunno);
            }
            actions.push_back("FILTER " + a.text);
            return done(kDunno, "<" + replyName + ">: " + replyClass + " triggers FILTER " + a.text);
        case Kind::Hold: {
            if (!notInClientHelo("HOLD")) return done(kDunno, "skipped");
            std::string log = "<" + replyName + ">: " + replyClass + " " +
                              (a.text.empty() ? std::string("triggers HOLD action") : a.text);
            actions.push_back("HOLD " + log);
            return done(kDunno, log);
        }
        case Kind::Discard: {
            if (!notInClientHelo("DISCARD")) return done(kDunno, "skipped");
            std::string log = "<" + replyName + ">: " + replyClass + " " +
                              (a.text.empty() ? std::string("triggers DISCARD action") : a.text);
            actions.push_back("DISCARD " + log);
            discard = true;
            return done(kOk, log);
        }
        case Kind::Redirect:
        case Kind::Bcc: {
            const char* word = a.kind == Kind::Redirect ? "REDIRECT" : "BCC";
            if (!notInClientHelo(word)) return done(kDunno, "skipped");
            if (a.text.find('@') == std::string::npos) {
                warn("access table " + table + " entry \"" + datum + "\" requires user@domain target");
                return done(kDunno);
            }
            actions.push_back(std::string(word) + " " + a.text);
            return done(kDunno, "<" + replyName + ">: " + replyClass + " triggers " + word + " " + a.text);
        }
        case Kind::DeferIfPermit: {
            auto d = deferDsn("4.7.1");
            int st = deferIfPermitOr(true, static_cast<int>(context.getLong("access_map_defer_code")),
                                     smtpdDsnFix(d.dsn, replyClass), rejected(d.text, "Service unavailable"));
            return done(st, st == kDunno ? "defer if permitted later" : "");
        }
        case Kind::DeferIfReject: {
            auto d = deferDsn("4.7.1");
            deferIf(deferIfReject, ErrorClass::Policy, static_cast<int>(context.getLong("access_map_defer_code")),
                    smtpdDsnFix(d.dsn, replyClass), rejected(d.text, "Service unavailable"));
            return done(kDunno, "defer if rejected later");
        }
        case Kind::Prepend:
            if (!notInClientHelo("PREPEND")) return done(kDunno, "skipped");
            if (where == "END-OF-MESSAGE") {
                warn("access table " + table + ": action PREPEND must be used before smtpd_end_of_data_restrictions");
                return done(kDunno);
            }
            if (a.text.empty() || a.text.find(':') == std::string::npos || a.text[0] == ':' ||
                a.text.find_first_of(" \t") < a.text.find(':')) {
                warn("access table " + table + " entry \"" + datum + "\" requires header: text");
                return done(kDunno);
            }
            actions.push_back("PREPEND " + a.text);
            return done(kDunno, "header " + a.text);
        case Kind::Ok:
            return done(kOk);
        case Kind::Code: {
            std::string def = a.command.substr(0, 1) + ".7.1";
            auto d = dsnSplit(def, a.text);
            int st = rejectReply(ErrorClass::Policy, a.code, smtpdDsnFix(d.dsn, replyClass),
                                 rejected(d.text, "Access denied"));
            return done(st);
        }
        case Kind::Restrictions:
            break;
    }
    if (value.find(':') != std::string::npos) {
        warn("access table " + table + " has entry with lookup table: " + value);
        warn("do not specify lookup tables inside SMTPD access maps");
        warn("define a restriction class and specify its name instead.");
        return done(serverError());
    }
    if (recursion > 100) {
        warn("access table " + table + " entry " + value + " causes unreasonable recursion");
        return done(serverError());
    }
    auto nested = splitRestrictions(value);
    if (nested.empty()) {
        warn("access table " + table + " entry " + value + " has empty value");
        return done(kOk);
    }
    addStep(restriction, what + " (restrictions follow)", address::StepStatus::Decided, table, key, std::move(tried));
    std::string saved = list;
    list = table;
    int st = generic(nested, replyName, replyClass, defAcl);
    list = saved;
    return st;
}

int SmtpdEvaluation::checkAccess(const std::string& restriction, const std::string& table, const std::string& name,
                                 bool& found, const std::string& replyName, const std::string& replyClass,
                                 const std::string& defAcl) {
    auto& maps = owner.accessTable(table);
    auto hit = maps.find(name);
    for (auto& w : hit.warnings) warn(w);
    if (hit.isFound() || hit.isError()) {
        found = true;
        return tableResult(table, hit.isFound() ? hit.value : "451 4.3.5 Server configuration error", name, replyName,
                           replyClass, defAcl, restriction, name, {name});
    }
    found = false;
    return finish(restriction, kDunno, "not found (keys: \"" + name + "\")", table, name, {name});
}

int SmtpdEvaluation::checkDomainAccess(const std::string& restriction, const std::string& table,
                                       const std::string& domain, bool& found, const std::string& replyName,
                                       const std::string& replyClass, const std::string& defAcl) {
    auto& maps = owner.accessTable(table);
    bool parent = address::matchesParentStyle(context.config(), "smtpd_access_maps");
    std::vector<std::string> tried;
    uint32_t flags = 0;
    bool numeric = validHostAddress(domain);
    size_t start = 0;
    while (start < domain.size()) {
        std::string probe = domain.substr(start);
        tried.push_back(probe);
        auto hit = maps.find(probe, flags);
        for (auto& w : hit.warnings) warn(w);
        if (hit.isFound() || hit.isError()) {
            found = true;
            return tableResult(table, hit.isFound() ? hit.value : "451 4.3.5 Server configuration error", domain,
                               replyName, replyClass, defAcl, restriction, probe, tried);
        }
        if (numeric) break;  // no subdomain magic for numerical host names
        auto dot = domain.find('.', start + 1);
        if (dot == std::string::npos) break;
        start = parent ? dot + 1 : dot;
        flags = maps::flag::kFixed;
    }
    found = false;
    std::string keys;
    for (auto& k : tried) keys += (keys.empty() ? "\"" : " \"") + k + "\"";
    return finish(restriction, kDunno, "not found (keys: " + keys + ")", table, domain, tried);
}

int SmtpdEvaluation::checkAddrAccess(const std::string& restriction, const std::string& table,
                                     const std::string& address, bool& found, const std::string& replyName,
                                     const std::string& replyClass, const std::string& defAcl) {
    auto& maps = owner.accessTable(table);
    char delim = address.find(':') != std::string::npos ? ':' : '.';
    std::string addr = address;
    std::vector<std::string> tried;
    uint32_t flags = 0;
    while (true) {
        tried.push_back(addr);
        auto hit = maps.find(addr, flags);
        for (auto& w : hit.warnings) warn(w);
        if (hit.isFound() || hit.isError()) {
            found = true;
            return tableResult(table, hit.isFound() ? hit.value : "451 4.3.5 Server configuration error", address,
                               replyName, replyClass, defAcl, restriction, addr, tried);
        }
        flags = maps::flag::kFixed;
        auto cut = addr.rfind(delim);
        if (cut == std::string::npos) break;
        addr.resize(cut);
    }
    found = false;
    std::string keys;
    for (auto& k : tried) keys += (keys.empty() ? "\"" : " \"") + k + "\"";
    return finish(restriction, kDunno, "not found (keys: " + keys + ")", table, address, tried);
}

int SmtpdEvaluation::checkMailAccess(const std::string& restriction, const std::string& table, const std::string& addr,
                                     const std::string& replyName, const std::string& replyClass,
                                     const std::string& defAcl) {
    bool isSender = replyClass == kSenderClass;
    address::Resolution res = resolve(isSender ? recipient.value_or("") : sender.value_or(""), addr);
    if (res.fail) return finish(restriction, dictRetry(addr), "address resolver failure");
    if (res.recipient.find('@') == std::string::npos) {
        warn("check_mail_access: no @domain in address: " + res.recipient);
        return finish(restriction, kDunno, res.recipient);
    }
    bool parent = address::matchesParentStyle(context.config(), "smtpd_access_maps");
    address::AddrFindOptions opt;
    opt.strategy = address::strategy::kFull | address::strategy::kNoExt | address::strategy::kDomain |
                   address::strategy::kLocalpartAt | (parent ? address::strategy::kPdms : address::strategy::kPddmds);
    auto& maps = owner.accessTable(table);
    auto f = address::findAddress(context, maps, res.recipient, opt, restriction);
    for (auto& w : f.step.warnings) warn(w);
    if (f.isFound()) {
        int st = tableResult(table, f.value, res.recipient, replyName, replyClass, defAcl, restriction, f.step.key,
                             f.step.tried);
        // A source-routed recipient is too suspicious for OK.
        if (st == kOk && !context.getBool("allow_untrusted_routing") && res.routed && replyClass == kRecipientClass) {
            addStep(restriction, "OK ignored: source-routed recipient (allow_untrusted_routing = no) => DUNNO");
            return kDunno;
        }
        return st;
    }
    if (f.isError())
        return tableResult(table, "451 4.3.5 Server configuration error", res.recipient, replyName, replyClass, defAcl,
                           restriction, res.recipient, f.step.tried);
    std::string keys;
    for (auto& k : f.step.tried) keys += (keys.empty() ? "\"" : " \"") + k + "\"";
    return finish(restriction, kDunno, "not found (keys: " + keys + ")", table, res.recipient, f.step.tried);
}

int SmtpdEvaluation::generic(const std::vector<std::string>& restrictions, const std::string& replyName,
                             const std::string& replyClass, const std::string& defAcl) {
    int status = kDunno;
    int saved = recursion++;
    for (long i = 0; i < static_cast<long>(restrictions.size()); ++i) {
        if (discard) break;
        std::string name = restrictions[static_cast<size_t>(i)];
        if (ieq(name, "warn_if_reject")) {
            if (!warnIfReject) warnIfReject = recursion;
            addStep(name, "the next restriction only warns");
            continue;
        }
        if (name.find(':') != std::string::npos) {
            if (defAcl.empty()) {
                warn(
                    "specify one of (check_client_access, check_reverse_client_hostname_access, "
                    "check_helo_access, check_sender_access, check_recipient_access, check_etrn_access) before " +
                    replyClass + " restriction \"" + name + "\"");
                status = finish(name, serverError(), "");
                break;
            }
            name = defAcl;
            --i;
        }
        status = dispatch(restrictions, i, name, replyName, replyClass, defAcl);
        if (status == kAbort || status == kUndecided) break;
        if (warnIfReject >= recursion) warnIfReject = 0;
        if (status != kDunno) break;
        if (deferIfPermit.active && deferIfReject.active) break;
    }
    recursion = saved;
    if (warnIfReject >= recursion) warnIfReject = 0;
    return status;
}

int SmtpdEvaluation::stage(const char* parameter, const std::string& replyName, const char* replyClass,
                           const char* defAcl) {
    recursion = 0;
    warnIfReject = 0;
    deferIfReject.active = false;
    auto restrictions = splitRestrictions(context.get(parameter));
    if (restrictions.empty()) return kDunno;
    list = topList = parameter;
    int st = generic(restrictions, replyName, replyClass, defAcl);
    return st == kAbort ? kReject : st;
}

int SmtpdEvaluation::checkClient() {
    deferIfPermit.active = false;
    int st = stage("smtpd_client_restrictions", session.namaddr(), kClientClass, "check_client_access");
    dipClient = deferIfPermit.active;
    return st;
}

int SmtpdEvaluation::checkHelo() {
    if (!session.helo) return kDunno;
    deferIfPermit.active = dipClient;
    int st = stage("smtpd_helo_restrictions", *session.helo, kHeloClass, "check_helo_access");
    dipHelo = deferIfPermit.active;
    return st;
}

int SmtpdEvaluation::checkMail() {
    deferIfPermit.active = dipClient || dipHelo;
    senderChecked = false;
    int st = stage("smtpd_sender_restrictions", *sender, kSenderClass, "check_sender_access");
    dipSender = deferIfPermit.active;
    if (st == kUndecided) return st;
    if (context.getBool("smtpd_reject_unlisted_sender") && st != kReject && !senderChecked && !discard &&
        !sender->empty()) {
        list = topList = "smtpd_reject_unlisted_sender";
        st = rcptMaps("reject_unlisted_sender", *sender, true);
        if (st == kAbort) st = kReject;
    }
    return st;
}

int SmtpdEvaluation::checkRcpt() {
    recipientChecked = false;
    deferIfPermit.active = dipSender;
    recursion = 0;
    warnIfReject = 0;
    deferIfReject.active = false;
    bool relayFirst = context.getBool("smtpd_relay_before_recipient_restrictions");
    const char* order[2] = {relayFirst ? "smtpd_relay_restrictions" : "smtpd_recipient_restrictions",
                            relayFirst ? "smtpd_recipient_restrictions" : "smtpd_relay_restrictions"};
    int st = kDunno;
    for (const char* parameter : order) {
        auto restrictions = splitRestrictions(context.get(parameter));
        st = kDunno;
        if (!restrictions.empty()) {
            list = topList = parameter;
            st = generic(restrictions, *recipient, kRecipientClass, "check_recipient_access");
        }
        if (st == kUndecided) return st;
        if (st == kAbort) st = kReject;
        if (st == kReject) break;
    }
    if (st != kReject && deferIfPermit.active) {
        list = topList = "defer_if_permit";
        st = rejectReply(deferIfPermit.cls, deferIfPermit.code, deferIfPermit.dsn, deferIfPermit.reason);
        addStep("", "a permit becomes a deferral after an earlier temporary problem => " + reply,
                address::StepStatus::Reject);
    }
    if (context.getBool("smtpd_reject_unlisted_recipient") && st != kReject && !recipientChecked && !discard) {
        list = topList = "smtpd_reject_unlisted_recipient";
        st = rcptMaps("reject_unlisted_recipient", *recipient, false);
        if (st == kAbort) st = kReject;
    }
    return st;
}

int SmtpdEvaluation::checkData(const char* parameter, const char* command, const char* replyClass) {
    where = command;
    deferIfPermit.active = false;
    recursion = 0;
    warnIfReject = 0;
    deferIfReject.active = false;
    auto restrictions = splitRestrictions(context.get(parameter));
    int st = kDunno;
    if (!restrictions.empty()) {
        list = parameter;
        st = generic(restrictions, command, replyClass, "");
    }
    if (st == kUndecided) return st;
    if (st == kAbort) st = kReject;
    if (st != kReject && deferIfPermit.active) {
        list = topList = "defer_if_permit";
        st = rejectReply(deferIfPermit.cls, deferIfPermit.code, deferIfPermit.dsn, deferIfPermit.reason);
        addStep("", "a permit becomes a deferral after an earlier temporary problem => " + reply,
                address::StepStatus::Reject);
    }
    return st;
}

// smtpd_check_etrn() after the delayed client and HELO lists: smtpd_etrn_restrictions,
// then a permit turned into a deferral by an earlier defer_if_permit.
int SmtpdEvaluation::checkEtrn() {
    deferIfPermit.active = dipClient || dipHelo;
    int st = stage("smtpd_etrn_restrictions", *etrnDomain, kEtrnClass, "check_etrn_access");
    if (st == kUndecided) return st;
    if (st != kReject && deferIfPermit.active) {
        list = topList = "defer_if_permit";
        st = rejectReply(deferIfPermit.cls, deferIfPermit.code, deferIfPermit.dsn, deferIfPermit.reason);
        addStep("", "a permit becomes a deferral after an earlier temporary problem => " + reply,
                address::StepStatus::Reject);
    }
    return st;
}
}  // namespace postline::policy
