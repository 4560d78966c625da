// smtpd_check.c offline: generic_checks() and the restrictions it dispatches to, the
// per-command drivers (smtpd_check_client/helo/mail/rcpt/data/eod) with their
// defer_if_permit bookkeeping, and smtpd_check_reject()'s reply rules (code and status
// validation, defer_if_reject, soft_bounce, warn_if_reject). Where Postfix longjmp()s
// out of a stage (table failures, configuration errors), the status kAbort unwinds it.
#include "postline/address/smtpd_restrictions.h"

#include "postline/address/access_action.h"
#include "postline/address/addr_find.h"
#include "postline/address/address_parts.h"
#include "postline/address/resolve.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/address/smtpd_reply.h"
#include "postline/address/table_open.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"

namespace postline::address {

namespace {

// generic_checks() results, plus the two ways out of a stage.
constexpr int kDunno = 0;
constexpr int kOk = 1;
constexpr int kReject = 2;
constexpr int kAbort = 3;      // the reply is set; the stage ends with it (Postfix's longjmp)
constexpr int kUndecided = 4;  // the outcome needs what an offline check does not have

// MAIL_ERROR_* classes that matter here: warn_if_reject cannot soften the last three.
enum class ErrorClass { Policy, Bounce, Protocol, Software, Resource, Data };

struct DeferState {
    bool active = false;
    ErrorClass cls = ErrorClass::Policy;
    int code = 0;
    std::string dsn;
    std::string reason;
};

bool ieq(std::string_view a, std::string_view b) { return base::equalsIgnoreCase(a, b); }

std::vector<std::string> splitRestrictions(std::string_view text) { return maps::splitMapSpecs(text); }

// printable(): control characters become spaces.
std::string printable(std::string s) {
    for (auto& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return s;
}

// Truncates "name." (not "name..") as dup_if_truncate() does.
std::string dropTrailingDot(std::string_view name) {
    if (name.size() > 1 && name.back() == '.' && name[name.size() - 2] != '.')
        return std::string(name.substr(0, name.size() - 1));
    return std::string(name);
}

bool validHostAddress(std::string_view text) { return normalizeHostAddress(text).has_value(); }

// valid_mailhost_addr: an address, or "IPv6:" and an IPv6 address.
bool validMailhostAddress(std::string_view text) {
    if (text.size() > 5 && ieq(text.substr(0, 5), "IPv6:")) {
        auto n = normalizeHostAddress(text.substr(5));
        return n && n->find(':') != std::string::npos;
    }
    return validHostAddress(text) && text.find(':') == std::string_view::npos;
}

}  // namespace

// One evaluation: SMTPD_STATE's restriction fields for one message.
struct SmtpdEvaluation {
    SmtpdEvaluation(SmtpdRestrictions& o, RoutingContext& c, const SmtpdSession& s, std::string from, std::string to)
        : owner(o), context(c), session(s), sender(std::move(from)), recipient(std::move(to)) {}

    SmtpdRestrictions& owner;
    RoutingContext& context;
    const SmtpdSession& session;
    std::optional<std::string> sender;
    std::optional<std::string> recipient;
    std::string where;    // the command being checked: CONNECT, HELO, MAIL, RCPT, DATA, END-OF-MESSAGE
    std::string list;     // the restriction list or class being evaluated (step stage)
    std::string topList;  // the parameter whose evaluation is under way
    int recursion = 0;
    int warnIfReject = 0;
    DeferState deferIfPermit, deferIfReject;
    bool dipClient = false, dipHelo = false, dipSender = false;
    bool discard = false;
    bool senderChecked = false, recipientChecked = false;
    std::string reply;        // error_text
    std::string undecidable;  // why the outcome is unknown offline
    Steps steps;
    std::vector<std::string> pendingWarnings;
    std::vector<std::string> actions;

    void warn(std::string text) { pendingWarnings.push_back(std::move(text)); }

    void addStep(std::string restriction, std::string what, StepStatus status = StepStatus::Decided,
                 std::string table = {}, std::string key = {}, std::vector<std::string> tried = {}) {
        Step s;
        s.stage = list;
        s.table = std::move(table);
        s.key = std::move(key);
        s.result = restriction.empty() ? std::move(what) : restriction + ": " + what;
        s.status = status;
        s.tried = std::move(tried);
        s.warnings = std::move(pendingWarnings);
        pendingWarnings.clear();
        steps.push_back(std::move(s));
    }

    // smtpd_check_reject(): formats and validates the reply; returns kReject, or kDunno
    // when warn_if_reject turns it into a warning.
    int rejectReply(ErrorClass cls, int code, std::string dsn, const std::string& text) {
        bool warnOnly =
            warnIfReject && cls != ErrorClass::Software && cls != ErrorClass::Resource && cls != ErrorClass::Data;
        std::string out = base::cat(code, " ", dsn, " ", text);
        if (code < 400 || code > 599) {
            warn("SMTP reply code configuration error: " + out);
            out = "450 4.7.1 Service unavailable";
        }
        if (!dsnValid(std::string_view(out).substr(4))) {
            warn("DSN detail code configuration error: " + out);
            out = "450 4.7.1 Service unavailable";
        }
        if (out.size() > 510) out.resize(510);
        out = printable(std::move(out));
        if (!warnOnly && deferIfReject.active && out[0] == '5') {
            warnIfReject = 0;
            deferIfReject.active = false;
            return rejectReply(deferIfReject.cls, deferIfReject.code, deferIfReject.dsn, deferIfReject.reason);
        }
        if (context.getBool("soft_bounce") && out[0] == '5') out[0] = '4';
        out[4] = out[0];
        reply = out;
        if (warnOnly) warn("reject_warning: " + out);
        return warnOnly ? kDunno : kReject;
    }

    // defer_if(): remembers the first reason of a conditional deferral.
    static void deferIf(DeferState& d, ErrorClass cls, int code, std::string dsn, std::string reason) {
        if (d.active) return;
        d = {true, cls, code, std::move(dsn), std::move(reason)};
    }

    // DEFER_IF_PERMIT with a tempfail action: "defer_if_permit" postpones the
    // decision, "defer" (or warn_if_reject) replies now.
    int deferIfPermitOr(bool postpone, int code, std::string dsn, std::string text) {
        if (!warnIfReject && postpone) {
            deferIf(deferIfPermit, ErrorClass::Policy, code, std::move(dsn), std::move(text));
            return kDunno;
        }
        return rejectReply(ErrorClass::Policy, code, std::move(dsn), text);
    }

    bool tempfailPostpones(const char* parameter) {
        std::string act = context.get(parameter);
        if (ieq(act, "defer_if_permit")) return true;
        if (!ieq(act, "defer")) warn("bad configuration: " + std::string(parameter) + " = " + act);
        return false;
    }

    // reject_dict_retry() and reject_server_error(): reply and leave the stage.
    int dictRetry(std::string_view replyName) {
        rejectReply(ErrorClass::Data, 451, "4.3.0", "<" + std::string(replyName) + ">: Temporary lookup failure");
        return kAbort;
    }
    int serverError() {
        rejectReply(ErrorClass::Software, 451, "4.3.5", "Server configuration error");
        return kAbort;
    }
    int cannotDecide(std::string restriction, std::string why) {
        undecidable = restriction + ": " + why;
        addStep(restriction, "UNDECIDABLE offline: " + why, StepStatus::Error);
        return kUndecided;
    }

    // Records a restriction's outcome as a step; reject steps carry the reply.
    int finish(const std::string& restriction, int status, std::string what, std::string table = {},
               std::string key = {}, std::vector<std::string> tried = {}) {
        if (status == kReject || status == kAbort) {
            addStep(restriction, what.empty() ? reply : what + " => " + reply, StepStatus::Reject, std::move(table),
                    std::move(key), std::move(tried));
        } else if (status != kUndecided) {
            const char* verdict = status == kOk ? "OK" : "DUNNO";
            addStep(restriction, what.empty() ? verdict : what + " => " + verdict, StepStatus::Decided,
                    std::move(table), std::move(key), std::move(tried));
        }
        return status;
    }

    // The resolved form of an address (smtpd_resolve_addr): rewritten in the local
    // context, resolved, and case-folded.
    Resolution resolve(std::string_view otherSender, std::string_view address) {
        RewriteSettings local = RewriteSettings::local(context.config());
        std::string from = rewriteAddress(otherSender, local);
        Resolution r = resolveAddress(context, from, rewriteAddress(address, local));
        r.recipient = lowercase(r.recipient);
        return r;
    }
    static bool finalClass(const Resolution& r) {
        return r.addressClass == AddressClass::Local || r.addressClass == AddressClass::VirtualAlias ||
               r.addressClass == AddressClass::VirtualMailbox;
    }

    int generic(const std::vector<std::string>& restrictions, const std::string& replyName,
                const std::string& replyClass, const std::string& defAcl);
    int tableResult(const std::string& table, const std::string& value, const std::string& datum,
                    const std::string& replyName, const std::string& replyClass, const std::string& defAcl,
                    const std::string& restriction, const std::string& key, std::vector<std::string> tried);

    // Table lookups; `restriction` names the step.
    int checkAccess(const std::string& restriction, const std::string& table, const std::string& name, bool& found,
                    const std::string& replyName, const std::string& replyClass, const std::string& defAcl);
    int checkDomainAccess(const std::string& restriction, const std::string& table, const std::string& domain,
                          bool& found, const std::string& replyName, const std::string& replyClass,
                          const std::string& defAcl);
    int checkAddrAccess(const std::string& restriction, const std::string& table, const std::string& address,
                        bool& found, const std::string& replyName, const std::string& replyClass,
                        const std::string& defAcl);
    int checkMailAccess(const std::string& restriction, const std::string& table, const std::string& addr,
                        const std::string& replyName, const std::string& replyClass, const std::string& defAcl);

    int permitAuthDestination(const std::string& restriction, const std::string& rcpt, bool record);
    int rejectUnauthDestination(const std::string& restriction, const std::string& rcpt, int code, const char* dsn);
    int rejectUnknownAddress(const std::string& restriction, const std::string& addr, const std::string& cls);
    int rejectUnknownHostname(const std::string& restriction, const std::string& name);
    int rejectNonFqdnAddress(const std::string& restriction, const std::string& addr, const std::string& cls);
    int rejectInvalidHost(const std::string& restriction, bool fqdn);
    int rcptMaps(const std::string& restriction, const std::string& address, bool senderClass);
    int loginMismatch(const std::string& restriction, bool authenticated, bool allowUnknown);
    int dispatch(const std::vector<std::string>& r, long& i, std::string name, const std::string& replyName,
                 const std::string& replyClass, const std::string& defAcl);

    // Stage drivers.
    int stage(const char* parameter, const std::string& replyName, const char* replyClass, const char* defAcl);
    int checkClient();
    int checkHelo();
    int checkMail();
    int checkRcpt();
    int checkData(const char* parameter, const char* command, const char* replyClass);
};

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
            actions.push_back(lowercase(a.command) + ": " + a.text);
            return done(kDunno, "logged: " + lowercase(a.command) + ": " + a.text);
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
    addStep(restriction, what + " (restrictions follow)", StepStatus::Decided, table, key, std::move(tried));
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
    bool parent = matchesParentStyle(context.config(), "smtpd_access_maps");
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
    Resolution res = resolve(isSender ? recipient.value_or("") : sender.value_or(""), addr);
    if (res.fail) return finish(restriction, dictRetry(addr), "address resolver failure");
    if (res.recipient.find('@') == std::string::npos) {
        warn("check_mail_access: no @domain in address: " + res.recipient);
        return finish(restriction, kDunno, res.recipient);
    }
    bool parent = matchesParentStyle(context.config(), "smtpd_access_maps");
    AddrFindOptions opt;
    opt.strategy = strategy::kFull | strategy::kNoExt | strategy::kDomain | strategy::kLocalpartAt |
                   (parent ? strategy::kPdms : strategy::kPddmds);
    auto& maps = owner.accessTable(table);
    auto f = findAddress(context, maps, res.recipient, opt, restriction);
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

int SmtpdEvaluation::permitAuthDestination(const std::string& restriction, const std::string& rcpt, bool record) {
    Resolution res = resolve(sender.value_or(""), rcpt);
    if (res.fail) return finish(restriction, dictRetry(rcpt), "address resolver failure");
    std::string why;
    int st = kDunno;
    auto at = res.recipient.rfind('@');
    if (at == std::string::npos) {
        st = kOk;
        why = res.recipient + " has no domain";
    } else if (!context.getBool("allow_untrusted_routing") && res.routed) {
        why = res.recipient + " is source-routed (allow_untrusted_routing = no)";
    } else if (finalClass(res)) {
        st = kOk;
        why =
            res.recipient.substr(at + 1) + " is a final destination (" + addressClassName(res.addressClass) + " class)";
    } else if (res.addressClass == AddressClass::Relay) {
        st = kOk;
        why = res.recipient.substr(at + 1) + " is in relay_domains";
    } else {
        why = res.recipient.substr(at + 1) + " is neither a final destination nor in relay_domains";
    }
    if (record) return finish(restriction, st, why, "", rcpt);
    return st == kOk ? kOk : kDunno;
}

int SmtpdEvaluation::rejectUnauthDestination(const std::string& restriction, const std::string& rcpt, int code,
                                             const char* dsn) {
    if (permitAuthDestination(restriction, rcpt, false) == kOk)
        return finish(restriction, kDunno, "authorized destination", "", rcpt);
    int st = rejectReply(ErrorClass::Policy, code, dsn, "<" + rcpt + ">: Relay access denied");
    return finish(restriction, st, "not a local, virtual or relay destination", "", rcpt);
}

int SmtpdEvaluation::rejectUnknownHostname(const std::string& restriction, const std::string& name) {
    auto answer = session.dnsAnswer(name);
    if (!answer)
        return cannotDecide(restriction, "needs a DNS answer for " + name + " (--dns " + name +
                                             "=found|notfound|tempfail|nullmx|malformed)");
    std::string what = "DNS " + name + ": " + dnsAnswerName(*answer);
    if (*answer == DnsAnswer::Found || *answer == DnsAnswer::NullMx) return finish(restriction, kDunno, what);
    std::string prefix = "<" + name + ">: " + kHeloClass + " rejected: ";
    int st;
    if (*answer == DnsAnswer::TempFail)
        st = deferIfPermitOr(tempfailPostpones("unknown_helo_hostname_tempfail_action"), 450, "4.7.1",
                             prefix + "Host not found");
    else
        st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("unknown_hostname_reject_code")), "4.7.1",
                         prefix + (*answer == DnsAnswer::Malformed ? "Malformed DNS server reply" : "Host not found"));
    return finish(restriction, st, what);
}

int SmtpdEvaluation::rejectUnknownAddress(const std::string& restriction, const std::string& addr,
                                          const std::string& cls) {
    bool isSender = cls == kSenderClass;
    Resolution res = resolve(isSender ? recipient.value_or("") : sender.value_or(""), addr);
    if (res.fail) return finish(restriction, dictRetry(addr), "address resolver failure");
    auto at = res.recipient.rfind('@');
    if (at == std::string::npos) return finish(restriction, kDunno, res.recipient + " has no domain", "", addr);
    std::string domain = res.recipient.substr(at + 1);
    if (finalClass(res))
        return finish(restriction, kDunno,
                      domain + " is a final destination (" + addressClassName(res.addressClass) + " class)", "", addr);
    if (domain.size() > 1 && domain.front() == '[' && domain.back() == ']')
        return finish(restriction, kDunno, domain + " is an address literal", "", addr);
    auto answer = session.dnsAnswer(domain);
    if (!answer)
        return cannotDecide(restriction, "needs a DNS answer for " + domain + " (--dns " + domain +
                                             "=found|notfound|tempfail|nullmx|malformed)");
    std::string what = "DNS " + domain + ": " + dnsAnswerName(*answer);
    std::string prefix = "<" + addr + ">: " + cls + " rejected: ";
    int st = kDunno;
    switch (*answer) {
        case DnsAnswer::Found:
            break;
        case DnsAnswer::NullMx:
            st = rejectReply(ErrorClass::Policy, isSender ? 550 : 556, isSender ? "4.7.27" : "4.1.10",
                             prefix + "Domain " + domain + " does not accept mail (nullMX)");
            break;
        case DnsAnswer::NotFound:
        case DnsAnswer::Malformed:
            st = rejectReply(
                ErrorClass::Policy, static_cast<int>(context.getLong("unknown_address_reject_code")),
                isSender ? "4.1.8" : "4.1.2",
                prefix + (*answer == DnsAnswer::Malformed ? "Malformed DNS server reply" : "Domain not found"));
            break;
        case DnsAnswer::TempFail:
            st = deferIfPermitOr(tempfailPostpones("unknown_address_tempfail_action"), 450,
                                 isSender ? "4.1.8" : "4.1.2", prefix + "Domain not found");
            break;
    }
    return finish(restriction, st, what, "", addr);
}

int SmtpdEvaluation::rejectNonFqdnAddress(const std::string& restriction, const std::string& addr,
                                          const std::string& cls) {
    auto at = addr.rfind('@');
    std::string domain = at == std::string::npos ? "" : addr.substr(at + 1);
    if (domain.size() > 1 && domain.front() == '[' && domain.back() == ']')
        return finish(restriction, kDunno, domain + " is an address literal", "", addr);
    std::string test = dropTrailingDot(domain);
    if (test.empty() || !validHostname(test) || test.find('.') == std::string::npos) {
        int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("non_fqdn_reject_code")), "4.5.2",
                             "<" + addr + ">: " + cls + " rejected: need fully-qualified address");
        return finish(restriction, st, "\"" + domain + "\" is not a fully-qualified domain", "", addr);
    }
    return finish(restriction, kDunno, domain + " is fully qualified", "", addr);
}

// reject_invalid_helo_hostname (fqdn false) and reject_non_fqdn_helo_hostname.
int SmtpdEvaluation::rejectInvalidHost(const std::string& restriction, bool fqdn) {
    const std::string& helo = *session.helo;
    std::string prefix = "<" + helo + ">: " + kHeloClass + " rejected: ";
    long code = context.getLong(fqdn ? "non_fqdn_reject_code" : "invalid_hostname_reject_code");
    if (!helo.empty() && helo[0] == '[') {
        std::string inner = helo.size() > 2 && helo.back() == ']' ? helo.substr(1, helo.size() - 2) : helo;
        if (validMailhostAddress(inner)) return finish(restriction, kDunno, "valid address literal", "", helo);
        int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("invalid_hostname_reject_code")),
                             "5.5.2", prefix + "invalid ip address");
        return finish(restriction, st, "invalid address literal", "", helo);
    }
    std::string test = dropTrailingDot(helo);
    bool bad = fqdn ? (!validHostname(test) || test.find('.') == std::string::npos)
                    : (!validHostname(test) && !validHostAddress(test));
    if (!bad) return finish(restriction, kDunno, fqdn ? "fully qualified" : "valid host name", "", helo);
    int st = rejectReply(ErrorClass::Policy, static_cast<int>(code), "5.5.2",
                         prefix + (fqdn ? "need fully-qualified hostname" : "Invalid name"));
    return finish(restriction, st, fqdn ? "not a fully-qualified host name" : "not a valid host name", "", helo);
}

// check_rcpt_maps() through lib/address's recipient check, replied through
// smtpd_check_reject() (so soft_bounce, warn_if_reject and defer_if_reject apply).
int SmtpdEvaluation::rcptMaps(const std::string& restriction, const std::string& address, bool senderClass) {
    bool& checked = senderClass ? senderChecked : recipientChecked;
    if (checked) return finish(restriction, kDunno, "already checked for this address", "", address);
    if (!warnIfReject) checked = true;
    std::string other = senderClass ? recipient.value_or("") : sender.value_or("");
    RecipientCheck r = checkRecipient(context, other, address, senderClass);
    // The table lookups show under their own names; the reply is this restriction's step.
    for (auto& s : r.steps)
        if (s.stage != "smtpd_recipient_check") steps.push_back(std::move(s));
    if (r.verdict == RecipientCheck::Verdict::Accept)
        return finish(restriction, kDunno, "known, or not checked for its address class", "", address);
    if (r.code == 451) return finish(restriction, dictRetry(address), "table lookup failure", "", address);
    const char* cls = senderClass ? kSenderClass : kRecipientClass;
    std::string prefix = base::cat(r.code, " ", r.dsn, " ");
    std::string text = r.reply.rfind(prefix, 0) == 0 ? r.reply.substr(prefix.size()) : r.reply;
    (void)cls;
    int st = rejectReply(ErrorClass::Bounce, r.code, r.dsn, text);
    return finish(restriction, st, "unknown address", "", address);
}

int SmtpdEvaluation::loginMismatch(const std::string& restriction, bool authenticated, bool allowUnknown) {
    const std::string& from = *sender;
    auto& owners = context.maps("smtpd_sender_login_maps");
    if (owners.empty()) return finish(restriction, kDunno, "smtpd_sender_login_maps is empty");
    Resolution res = resolve(recipient.value_or(""), from);
    if (res.fail) return finish(restriction, dictRetry(from), "address resolver failure");
    auto f = findAddress(context, owners, res.recipient, {}, "smtpd_sender_login_maps");
    if (f.isError()) return finish(restriction, dictRetry(from), "smtpd_sender_login_maps lookup error");
    if (!authenticated) {
        if (!f.isFound()) return finish(restriction, kDunno, from + " has no owner", f.step.table, from);
        int st =
            rejectReply(ErrorClass::Policy, 553, "5.7.1", "<" + from + ">: Sender address rejected: not logged in");
        return finish(restriction, st, from + " is owned by " + f.value, f.step.table, from);
    }
    if (!f.isFound() && allowUnknown) return finish(restriction, kDunno, from + " has no owner", f.step.table, from);
    if (f.isFound())
        for (auto& owner : splitRestrictions(f.value))
            if (ieq(owner, session.saslUsername))
                return finish(restriction, kDunno, from + " is owned by " + owner, f.step.table, from);
    int st = rejectReply(ErrorClass::Policy, 553, "5.7.1",
                         "<" + from + ">: Sender address rejected: not owned by user " + session.saslUsername);
    return finish(restriction, st, f.isFound() ? from + " is owned by " + f.value : from + " has no owner",
                  f.step.table, from);
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

int SmtpdEvaluation::dispatch(const std::vector<std::string>& r, long& i, std::string name,
                              const std::string& replyName, const std::string& replyClass, const std::string& defAcl) {
    const auto& s = session;
    auto next = [&]() -> const std::string* {
        return i + 1 < static_cast<long>(r.size()) ? &r[static_cast<size_t>(i + 1)] : nullptr;
    };
    // is_map_command(): the name, then a type:table argument.
    std::string table;
    int bad = kDunno;
    auto mapCommand = [&](const char* command) {
        if (!ieq(name, command)) return false;
        const std::string* arg = next();
        if (!arg || arg->find(':') == std::string::npos) {
            warn(std::string("restriction ") + command + ": bad argument \"" + (arg ? *arg : name) +
                 "\": need maptype:mapname");
            bad = finish(name, serverError(), "");
            return true;
        }
        table = *arg;
        ++i;
        return true;
    };
    auto label = [&]() { return table.empty() ? name : name + " " + table; };
    auto ignoredAfter = [&](const char* what) {
        if (next() && !warnIfReject) warn("restriction `" + *next() + "' after `" + what + "' is ignored");
    };
    bool found = false;
    const bool hasSender = sender.has_value() && !sender->empty();
    const bool hasRecipient = recipient.has_value() && !recipient->empty();

    // Generic restrictions.
    if (ieq(name, "permit")) {
        ignoredAfter("permit");
        return finish(name, kOk, "");
    }
    if (ieq(name, "defer")) {
        ignoredAfter("defer");
        int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("defer_code")), "4.3.2",
                             "<" + replyName + ">: " + replyClass + " rejected: Try again later");
        return finish(name, st, "");
    }
    if (ieq(name, "reject")) {
        ignoredAfter("reject");
        int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("reject_code")), "5.7.1",
                             "<" + replyName + ">: " + replyClass + " rejected: Access denied");
        return finish(name, st, "");
    }
    if (ieq(name, "reject_unauth_pipelining")) return finish(name, kDunno, "no pipelining in an offline check");
    if (ieq(name, "check_policy_service")) {
        const std::string* server = next();
        if (!server || server->find(':') == std::string::npos) {
            warn("restriction check_policy_service must be followed by transport:server");
            return finish(name, serverError(), "");
        }
        ++i;
        auto it = s.policy.find(*server);
        if (it == s.policy.end()) it = s.policy.find("*");
        if (it == s.policy.end())
            return cannotDecide(name + " " + *server,
                                "needs the policy server's answer (--policy " + *server + "=ACTION)");
        return tableResult(*server, it->second, "policy query", replyName, replyClass, defAcl, name + " " + *server,
                           "policy query", {});
    }
    if (ieq(name, "defer_if_permit")) {
        int st = deferIfPermitOr(true, 450, "4.7.0",
                                 "<" + replyName + ">: " + replyClass + " rejected: defer_if_permit requested");
        return finish(name, st, st == kDunno ? "defer if permitted later" : "");
    }
    if (ieq(name, "defer_if_reject")) {
        deferIf(deferIfReject, ErrorClass::Policy, 450, "4.7.0",
                "<" + replyName + ">: " + replyClass + " rejected: defer_if_reject requested");
        return finish(name, kDunno, "defer if rejected later");
    }
    if (ieq(name, "sleep")) {
        const std::string* arg = next();
        if (!arg || arg->empty() || arg->find_first_not_of("0123456789") != std::string::npos) {
            warn("restriction sleep must be followed by number");
            return finish(name, serverError(), "");
        }
        ++i;
        return finish(name + " " + *arg, kDunno, "pause (not taken offline)");
    }
    if (ieq(name, "reject_plaintext_session")) {
        int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("plaintext_reject_code")), "4.7.1",
                             "Session encryption is required");
        return finish(name, st, "the session is not encrypted (no TLS offline)");
    }

    // Client name and address.
    if (ieq(name, "reject_unknown_client_hostname") || ieq(name, "reject_unknown_client") ||
        ieq(name, "reject_unknown_reverse_client_hostname")) {
        bool reverse = ieq(name, "reject_unknown_reverse_client_hostname");
        const std::string& known = reverse ? s.reverseName : s.clientName;
        if (known != "unknown") return finish(name, kDunno, "client name " + known, "", s.namaddr());
        bool temp = s.dnsAnswer(s.clientAddress) == DnsAnswer::TempFail;
        int code = temp ? 450 : static_cast<int>(context.getLong("unknown_client_reject_code"));
        int st = rejectReply(ErrorClass::Policy, code, reverse ? "4.7.1" : "4.7.25",
                             std::string("Client host rejected: cannot find your ") +
                                 (reverse ? "reverse hostname" : "hostname") + ", [" + s.clientAddress + "]");
        return finish(name, st, temp ? "name lookup failed temporarily" : "the client has no name", "", s.namaddr());
    }
    if (ieq(name, "permit_inet_interfaces")) {
        auto r = context.localDomains().check("[" + s.clientAddress + "]");
        bool own = r.locality == Locality::Local && base::startsWith(r.reason, "inet_interfaces");
        return finish(name, own ? kOk : kDunno,
                      own ? s.clientAddress + " is an inet_interfaces address"
                          : s.clientAddress + " is not an inet_interfaces address",
                      "inet_interfaces", s.clientAddress);
    }
    if (ieq(name, "permit_mynetworks")) {
        auto m = owner.mynetworks().match(s.clientName, s.clientAddress);
        if (m.error) {
            warn("mynetworks: " + m.errorText);
            return finish(name, dictRetry(replyName), "mynetworks lookup error", "mynetworks", s.namaddr());
        }
        if (m.matched) return finish(name, kOk, s.namaddr() + " matches " + m.pattern, "mynetworks", s.namaddr());
        return finish(name, kDunno,
                      s.namaddr() + (m.pattern.empty() ? " is not in mynetworks" : " excluded by " + m.pattern),
                      "mynetworks", s.namaddr());
    }
    if (mapCommand("check_client_access")) {
        if (bad) return bad;
        int st = checkDomainAccess(label(), table, s.clientName, found, s.namaddr(), kClientClass, defAcl);
        if (st != kDunno || found) return st;
        return checkAddrAccess(label(), table, s.clientAddress, found, s.namaddr(), kClientClass, defAcl);
    }
    if (mapCommand("check_reverse_client_hostname_access")) {
        if (bad) return bad;
        int st = checkDomainAccess(label(), table, s.reverseName, found, s.reverseName, kReverseClientClass, defAcl);
        if (st == kDunno && !found)
            st = checkAddrAccess(label(), table, s.clientAddress, found, s.reverseName, kReverseClientClass, defAcl);
        if (st == kOk && !discard) {
            warn("restriction " + name + " returns OK for " + s.reverseName);
            warn("this is not allowed for security reasons");
            warn("use DUNNO instead of OK if you want to make an exception");
            return finish(name, serverError(), "");
        }
        return st;
    }
    if (mapCommand("check_sasl_access")) {
        if (bad) return bad;
        if (!context.getBool("smtpd_sasl_auth_enable")) {
            warn("restriction `" + name + "' ignored: no SASL support");
            return finish(label(), kDunno, "smtpd_sasl_auth_enable = no");
        }
        if (s.saslUsername.empty()) return finish(label(), kDunno, "not authenticated");
        return checkAccess(label(), table, s.saslUsername, found, printable(s.saslUsername), kSaslClass, defAcl);
    }
    if (mapCommand("check_ccert_access")) {
        if (bad) return bad;
        if (!context.getBool("smtpd_tls_ask_ccert"))
            warn("check_ccert_access is requested, but \"smtpd_tls_ask_ccert = no\"");
        return finish(label(), kDunno, "no client certificate (no TLS offline)");
    }
    for (const char* dnsAcl :
         {"check_client_ns_access", "check_client_mx_access", "check_client_a_access",
          "check_reverse_client_hostname_ns_access", "check_reverse_client_hostname_mx_access",
          "check_reverse_client_hostname_a_access", "check_helo_ns_access", "check_helo_mx_access",
          "check_helo_a_access", "check_sender_ns_access", "check_sender_mx_access", "check_sender_a_access",
          "check_recipient_ns_access", "check_recipient_mx_access", "check_recipient_a_access"}) {
        if (!mapCommand(dnsAcl)) continue;
        if (bad) return bad;
        std::string_view n = name;
        bool applies = base::startsWith(n, "check_client_")           ? s.clientName != "unknown"
                       : base::startsWith(n, "check_reverse_client_") ? s.reverseName != "unknown"
                       : base::startsWith(n, "check_helo_")           ? s.helo.has_value()
                       : base::startsWith(n, "check_sender_")         ? hasSender
                                                                      : hasRecipient;
        if (!applies) return finish(label(), kDunno, "nothing to look up");
        return cannotDecide(label(), "needs DNS lookups of name servers, mail exchangers or addresses");
    }
    for (const char* rbl :
         {"reject_rbl_client", "reject_rbl", "permit_dnswl_client", "reject_rhsbl_client", "permit_rhswl_client",
          "reject_rhsbl_reverse_client", "reject_rhsbl_helo", "reject_rhsbl_sender", "reject_rhsbl_recipient"}) {
        if (!ieq(name, rbl)) continue;
        if (!next()) {
            warn("restriction " + name + " requires domain name argument");
            return finish(name, kDunno, "no domain");
        }
        ++i;
        return cannotDecide(name + " " + r[static_cast<size_t>(i)], "needs a DNS list lookup");
    }
    if (ieq(name, "reject_maps_rbl")) return cannotDecide(name, "needs a DNS list lookup");

    // HELO/EHLO.
    if (mapCommand("check_helo_access")) {
        if (bad) return bad;
        if (!s.helo) return finish(label(), kDunno, "no HELO");
        return checkDomainAccess(label(), table, *s.helo, found, *s.helo, kHeloClass, defAcl);
    }
    if (ieq(name, "reject_invalid_helo_hostname") || ieq(name, "reject_invalid_hostname")) {
        if (!s.helo) return finish(name, kDunno, "no HELO");
        return rejectInvalidHost(name, false);
    }
    if (ieq(name, "reject_non_fqdn_helo_hostname") || ieq(name, "reject_non_fqdn_hostname")) {
        if (!s.helo) return finish(name, kDunno, "no HELO");
        return rejectInvalidHost(name, true);
    }
    if (ieq(name, "reject_unknown_helo_hostname") || ieq(name, "reject_unknown_hostname")) {
        if (!s.helo) return finish(name, kDunno, "no HELO");
        if ((*s.helo)[0] == '[') return rejectInvalidHost(name, false);
        return rejectUnknownHostname(name, *s.helo);
    }
    if (ieq(name, "permit_naked_ip_address")) {
        warn(
            "restriction permit_naked_ip_address is deprecated. Use permit_mynetworks or permit_sasl_authenticated "
            "instead");
        if (!s.helo) return finish(name, kDunno, "no HELO");
        if (s.helo->find_first_not_of("0123456789.:") == std::string::npos) {
            if (!validMailhostAddress(*s.helo)) {
                int st =
                    rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("invalid_hostname_reject_code")),
                                "5.5.2", "<" + *s.helo + ">: " + kHeloClass + " rejected: invalid ip address");
                return finish(name, st, "invalid address", "", *s.helo);
            }
            return finish(name, kOk, "HELO is a bare address", "", *s.helo);
        }
        return finish(name, kDunno, "HELO is not a bare address", "", *s.helo);
    }

    // Sender address.
    if (mapCommand("check_sender_access")) {
        if (bad) return bad;
        if (!sender) return finish(label(), kDunno, "no MAIL FROM");
        if (hasSender) return checkMailAccess(label(), table, *sender, *sender, kSenderClass, defAcl);
        return checkAccess(label(), table, context.get("smtpd_null_access_lookup_key"), found, *sender, kSenderClass,
                           defAcl);
    }
    if (ieq(name, "reject_unknown_sender_domain") || ieq(name, "reject_unknown_address")) {
        if (!hasSender) return finish(name, kDunno, "null or no sender");
        return rejectUnknownAddress(name, *sender, kSenderClass);
    }
    if (ieq(name, "reject_unverified_sender")) {
        if (!hasSender) return finish(name, kDunno, "null or no sender");
        return cannotDecide(name, "address verification probes the sender's mail server");
    }
    if (ieq(name, "reject_non_fqdn_sender")) {
        if (!hasSender) return finish(name, kDunno, "null or no sender");
        return rejectNonFqdnAddress(name, *sender, kSenderClass);
    }
    if (ieq(name, "reject_authenticated_sender_login_mismatch") || ieq(name, "reject_known_sender_login_mismatch") ||
        ieq(name, "reject_unauthenticated_sender_login_mismatch")) {
        if (!context.getBool("smtpd_sasl_auth_enable")) {
            warn("restriction `" + name + "' ignored: no SASL support");
            return finish(name, kDunno, "smtpd_sasl_auth_enable = no");
        }
        if (!hasSender) return finish(name, kDunno, "null or no sender");
        bool loggedIn = !s.saslUsername.empty();
        if (ieq(name, "reject_authenticated_sender_login_mismatch"))
            return loggedIn ? loginMismatch(name, true, false) : finish(name, kDunno, "not authenticated");
        if (ieq(name, "reject_unauthenticated_sender_login_mismatch"))
            return loggedIn ? finish(name, kDunno, "authenticated") : loginMismatch(name, false, false);
        return loginMismatch(name, loggedIn, true);
    }
    if (ieq(name, "reject_sender_login_mismatch")) {
        std::string saved = list;
        list = name;
        int st = generic({"reject_authenticated_sender_login_mismatch", "reject_unauthenticated_sender_login_mismatch"},
                         replyName, replyClass, defAcl);
        list = saved;
        return st;
    }
    if (ieq(name, "reject_unlisted_sender")) {
        if (!hasSender) return finish(name, kDunno, "null or no sender");
        return rcptMaps(name, *sender, true);
    }

    // Recipient address.
    if (mapCommand("check_recipient_access")) {
        if (bad) return bad;
        if (!recipient) return finish(label(), kDunno, "no recipient");
        return checkMailAccess(label(), table, *recipient, *recipient, kRecipientClass, defAcl);
    }
    if (ieq(name, "permit_mx_backup")) {
        if (!recipient) return finish(name, kDunno, "no recipient");
        if (permitAuthDestination(name, *recipient, false) == kOk)
            return finish(name, kOk, "final or relay destination", "", *recipient);
        Resolution res = resolve(sender.value_or(""), *recipient);
        auto at = res.recipient.rfind('@');
        std::string domain = at == std::string::npos ? "" : res.recipient.substr(at + 1);
        if ((!context.getBool("allow_untrusted_routing") && res.routed) || (!domain.empty() && domain[0] == '['))
            return finish(name, kDunno, "source-routed or address literal", "", *recipient);
        return cannotDecide(name, "needs the MX records of " + domain);
    }
    if (ieq(name, "permit_auth_destination")) {
        if (!recipient) return finish(name, kDunno, "no recipient");
        return permitAuthDestination(name, *recipient, true);
    }
    if (ieq(name, "reject_unauth_destination") || ieq(name, "defer_unauth_destination")) {
        if (!recipient) return finish(name, kDunno, "no recipient");
        long code = context.getLong("relay_domains_reject_code");
        bool deferring = ieq(name, "defer_unauth_destination");
        return rejectUnauthDestination(name, *recipient, static_cast<int>(deferring ? code - 100 : code),
                                       deferring ? "4.7.1" : "5.7.1");
    }
    if (ieq(name, "check_relay_domains")) {
        warn("support for restriction \"check_relay_domains\" will be removed from " + context.get("mail_name") +
             "; use \"reject_unauth_destination\" instead");
        ignoredAfter("check_relay_domains");
        if (!recipient) return finish(name, kDunno, "no recipient");
        auto& relay = context.list("relay_domains", MatchKind::Host);
        if (relay.match(s.clientName).matched)
            return finish(name, kOk, "client " + s.clientName + " is in relay_domains", "relay_domains", s.clientName);
        if (permitAuthDestination(name, *recipient, false) == kOk)
            return finish(name, kOk, "authorized destination", "", *recipient);
        int st = rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("relay_domains_reject_code")),
                             "5.7.1", "<" + *recipient + ">: " + kRecipientClass + " rejected: Relay access denied");
        return finish(name, st, "not a local, virtual or relay destination", "", *recipient);
    }
    if (ieq(name, "permit_sasl_authenticated")) {
        if (!context.getBool("smtpd_sasl_auth_enable")) return finish(name, kDunno, "smtpd_sasl_auth_enable = no");
        if (s.saslUsername.empty()) return finish(name, kDunno, "not authenticated");
        return finish(name, kOk, "authenticated as " + s.saslUsername, "", s.saslUsername);
    }
    if (ieq(name, "permit_tls_all_clientcerts") || ieq(name, "permit_tls_clientcerts"))
        return finish(name, kDunno, "no client certificate (no TLS offline)");
    if (ieq(name, "reject_unknown_recipient_domain")) {
        if (!recipient) return finish(name, kDunno, "no recipient");
        return rejectUnknownAddress(name, *recipient, kRecipientClass);
    }
    if (ieq(name, "reject_non_fqdn_recipient")) {
        if (!recipient) return finish(name, kDunno, "no recipient");
        return rejectNonFqdnAddress(name, *recipient, kRecipientClass);
    }
    if (ieq(name, "check_recipient_maps") || ieq(name, "reject_unlisted_recipient")) {
        if (!hasRecipient) return finish(name, kDunno, "no recipient");
        return rcptMaps(name, *recipient, false);
    }
    if (ieq(name, "reject_multi_recipient_bounce")) {
        // smtpd counts the recipients accepted before this one (RCPT) or all of them
        // (DATA and later) and rejects a null sender with more than one; a trace has one.
        return finish(name, kDunno, "one recipient");
    }
    if (ieq(name, "reject_unverified_recipient")) {
        if (!hasRecipient) return finish(name, kDunno, "no recipient");
        return cannotDecide(name, "address verification probes the recipient's mail server");
    }
    if (mapCommand("check_etrn_access")) {
        if (bad) return bad;
        return finish(label(), kDunno, "no ETRN in a message");
    }

    // Restriction classes.
    for (auto& cls : splitRestrictions(context.get("smtpd_restriction_classes"))) {
        if (cls != name) continue;
        std::string value = context.get(cls);
        if (value.empty()) {
            warn("restriction class `" + cls + "' needs a definition");
            return finish(name, serverError(), "");
        }
        addStep(name, "restriction class: " + value);
        std::string saved = list;
        list = cls;
        int st = generic(splitRestrictions(value), replyName, replyClass, defAcl);
        list = saved;
        return st;
    }
    warn("unknown smtpd restriction: \"" + name + "\"");
    return finish(name, serverError(), "");
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
        addStep("", "a permit becomes a deferral after an earlier temporary problem => " + reply, StepStatus::Reject);
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
        addStep("", "a permit becomes a deferral after an earlier temporary problem => " + reply, StepStatus::Reject);
    }
    return st;
}

SmtpdRestrictions::SmtpdRestrictions(RoutingContext& context, SmtpdSession session)
    : context_(context), session_(std::move(session)) {}

SmtpdRestrictions::~SmtpdRestrictions() = default;

maps::MapList& SmtpdRestrictions::accessTable(const std::string& spec) {
    auto it = tables_.find(spec);
    if (it != tables_.end()) return it->second;
    uint32_t flags = maps::flag::kFoldFix | maps::flag::kLock;
    if (context_.getBool("smtputf8_enable")) flags |= maps::flag::kUtf8Request;
    maps::OpenContext open;
    open.config = &context_.config();
    return tables_.emplace(spec, openAddressTables(spec, spec, flags, open)).first->second;
}

HostAddressList& SmtpdRestrictions::mynetworks() {
    if (!mynetworks_)
        mynetworks_ =
            std::make_unique<HostAddressList>(HostAddressList::fromParameter(context_.config(), "mynetworks"));
    return *mynetworks_;
}

namespace {

// Postfix refuses to start without relay protection in one of the RCPT lists.
bool hasRequired(RoutingContext& context, const std::vector<std::string>& restrictions, int depth) {
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

}  // namespace

RecipientCheck SmtpdRestrictions::check(std::string_view sender, std::string_view recipient) {
    RecipientCheck out;
    SmtpdEvaluation ev{*this, context_, session_, std::string(sender), std::string(recipient)};
    auto conclude = [&](int st, std::string stage) {
        out.steps = std::move(ev.steps);
        out.actions = std::move(ev.actions);
        out.discard = ev.discard;
        out.stage = std::move(stage);
        if (st == kUndecided) {
            out.verdict = RecipientCheck::Verdict::Defer;
            out.undecidable = true;
            out.reply = "undecidable offline: " + ev.undecidable;
        } else if (st == kReject) {
            out.reply = ev.reply;
            out.code = std::stoi(ev.reply.substr(0, 3));
            out.dsn = ev.reply.substr(4, ev.reply.find(' ', 4) - 4);
            out.verdict = out.code / 100 == 4 ? RecipientCheck::Verdict::Defer : RecipientCheck::Verdict::Reject;
        }
        return out;
    };
    if (!hasRequired(context_, splitRestrictions(context_.get("smtpd_recipient_restrictions")), 0) &&
        !hasRequired(context_, splitRestrictions(context_.get("smtpd_relay_restrictions")), 0)) {
        ev.undecidable =
            "smtpd would not start: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify "
            "at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, "
            "defer_if_permit or check_relay_domains";
        ev.list = "smtpd";
        ev.addStep("", "fatal: " + ev.undecidable.substr(ev.undecidable.find(": ") + 2), StepStatus::Error);
        return conclude(kUndecided, "smtpd");
    }
    // RFC 5321 section 3.6: "postmaster" without a domain is always accepted.
    if (ieq(recipient, "postmaster")) {
        ev.list = "smtpd_recipient_restrictions";
        ev.addStep("", "<postmaster> is always accepted");
        return conclude(kDunno, "RCPT");
    }
    bool delay = context_.getBool("smtpd_delay_reject");
    struct Stage {
        const char* where;
        int (SmtpdEvaluation::*run)();
    };
    const Stage early[] = {{"CONNECT", &SmtpdEvaluation::checkClient},
                           {"HELO", &SmtpdEvaluation::checkHelo},
                           {"MAIL", &SmtpdEvaluation::checkMail}};
    for (auto& s : early) {
        ev.where = delay ? "RCPT" : s.where;
        if (!delay && std::string_view(s.where) != "MAIL") ev.sender.reset();
        if (!delay && std::string_view(s.where) == "MAIL") ev.sender = std::string(sender);
        std::optional<std::string> savedRcpt = ev.recipient;
        if (!delay) ev.recipient.reset();
        int st = (ev.*s.run)();
        ev.recipient = savedRcpt;
        ev.sender = std::string(sender);
        if (st == kUndecided || st == kReject) return conclude(st, ev.topList);
    }
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

}  // namespace postline::address
