// The state of one offline smtpd check (smtpd_check.c's SMTPD_STATE restriction
// fields) and the functions over it, shared by the files that implement it:
// smtpd_evaluation.cpp (reply rules, table lookups, generic_checks(), the per-command
// drivers) and smtpd_checks.cpp (the restrictions by name). Private to lib/policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/address/addr_find.h"
#include "postline/address/address_parts.h"
#include "postline/address/resolve.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/address/table_open.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/policy/access_action.h"
#include "postline/policy/smtpd_reply.h"
#include "postline/policy/smtpd_restrictions.h"

namespace postline::policy {

namespace smtpd_internal {

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

inline bool ieq(std::string_view a, std::string_view b) { return base::equalsIgnoreCase(a, b); }

inline std::vector<std::string> splitRestrictions(std::string_view text) { return maps::splitMapSpecs(text); }

// printable(): control characters become spaces.
inline std::string printable(std::string s) {
    for (auto& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return s;
}

// Truncates "name." (not "name..") as dup_if_truncate() does.
inline std::string dropTrailingDot(std::string_view name) {
    if (name.size() > 1 && name.back() == '.' && name[name.size() - 2] != '.')
        return std::string(name.substr(0, name.size() - 1));
    return std::string(name);
}

inline bool validHostAddress(std::string_view text) { return address::normalizeHostAddress(text).has_value(); }

// valid_mailhost_addr: an address, or "IPv6:" and an IPv6 address.
inline bool validMailhostAddress(std::string_view text) {
    if (text.size() > 5 && ieq(text.substr(0, 5), "IPv6:")) {
        auto n = address::normalizeHostAddress(text.substr(5));
        return n && n->find(':') != std::string::npos;
    }
    return validHostAddress(text) && text.find(':') == std::string_view::npos;
}

}  // namespace smtpd_internal

using namespace smtpd_internal;

// One evaluation: SMTPD_STATE's restriction fields for one message.
struct SmtpdEvaluation {
    SmtpdEvaluation(SmtpdRestrictions& o, address::RoutingContext& c, const SmtpdSession& s, std::string from,
                    std::string to)
        : owner(o), context(c), session(s), sender(std::move(from)), recipient(std::move(to)) {}

    SmtpdRestrictions& owner;
    address::RoutingContext& context;
    const SmtpdSession& session;
    std::optional<std::string> sender;
    std::optional<std::string> recipient;
    std::optional<std::string> etrnDomain;  // the ETRN argument, at the ETRN stage only
    std::string where;    // the command being checked: CONNECT, HELO, MAIL, RCPT, DATA, END-OF-MESSAGE, ETRN
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
    address::Steps steps;
    std::vector<std::string> pendingWarnings;
    std::vector<std::string> actions;

    void warn(std::string text) { pendingWarnings.push_back(std::move(text)); }

    void addStep(std::string restriction, std::string what, address::StepStatus status = address::StepStatus::Decided,
                 std::string table = {}, std::string key = {}, std::vector<std::string> tried = {}) {
        address::Step s;
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
        addStep(restriction, "UNDECIDABLE offline: " + why, address::StepStatus::Error);
        return kUndecided;
    }

    // Records a restriction's outcome as a step; reject steps carry the reply.
    int finish(const std::string& restriction, int status, std::string what, std::string table = {},
               std::string key = {}, std::vector<std::string> tried = {}) {
        if (status == kReject || status == kAbort) {
            addStep(restriction, what.empty() ? reply : what + " => " + reply, address::StepStatus::Reject,
                    std::move(table), std::move(key), std::move(tried));
        } else if (status != kUndecided) {
            const char* verdict = status == kOk ? "OK" : "DUNNO";
            addStep(restriction, what.empty() ? verdict : what + " => " + verdict, address::StepStatus::Decided,
                    std::move(table), std::move(key), std::move(tried));
        }
        return status;
    }

    // The resolved form of an address (smtpd_resolve_addr): rewritten in the local
    // context, resolved, and case-folded.
    address::Resolution resolve(std::string_view otherSender, std::string_view address) {
        address::RewriteSettings local = address::RewriteSettings::local(context.config());
        std::string from = address::rewriteAddress(otherSender, local);
        address::Resolution r = address::resolveAddress(context, from, address::rewriteAddress(address, local));
        r.recipient = address::lowercase(r.recipient);
        return r;
    }
    static bool finalClass(const address::Resolution& r) {
        return r.addressClass == address::AddressClass::Local ||
               r.addressClass == address::AddressClass::VirtualAlias ||
               r.addressClass == address::AddressClass::VirtualMailbox;
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
    // A DNS list lookup through the network facts (smtpd_dnsxl.cpp); `restriction` is
    // the lower-case name, `what` the address or name looked up.
    int dnsListVerdict(const std::string& label, const std::string& restriction, const std::string& listDomain,
                       const std::string& what, const std::string& replyClass);
    // check_server_access() for a domain name through the network facts
    // (smtpd_server_access.cpp); `n` is the lower-case restriction name.
    int serverAccessByDns(const std::string& restriction, const std::string& n, const std::string& target,
                          const std::string& domain, const std::string& table, const std::string& replyName,
                          const std::string& replyClass, const std::string& defAcl);
    int loginMismatch(const std::string& restriction, bool authenticated, bool allowUnknown);
    int serverAccess(const std::string& restriction, const std::string& name, const std::string& table,
                     const std::string& defAcl);
    int dnsList(const std::string& name, const std::string& listDomain);
    int dispatch(const std::vector<std::string>& r, long& i, std::string name, const std::string& replyName,
                 const std::string& replyClass, const std::string& defAcl);

    // Stage drivers.
    int stage(const char* parameter, const std::string& replyName, const char* replyClass, const char* defAcl);
    int checkClient();
    int checkHelo();
    int checkMail();
    int checkRcpt();
    int checkData(const char* parameter, const char* command, const char* replyClass);
    int checkEtrn();
};

}  // namespace postline::policy
