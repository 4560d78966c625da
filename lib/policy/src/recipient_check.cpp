// check_rcpt_maps() of smtpd_check.c, offline.
#include "postline/policy/recipient_check.h"

#include <strings.h>

#include "postline/address/addr_find.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/policy/smtpd_reply.h"

namespace postline::policy {

namespace {

RecipientCheck reject(RecipientCheck r, int code, std::string dsn, std::string_view rcpt, const std::string& text,
                      bool senderClass = false) {
    r.verdict = code / 100 == 4 ? RecipientCheck::Verdict::Defer : RecipientCheck::Verdict::Reject;
    r.code = code;
    r.dsn = dsn;
    r.reply = std::to_string(code) + " " + dsn + " <" + std::string(rcpt) +
              ">: " + (senderClass ? "Sender" : "Recipient") + " address rejected: " + text;
    address::Step s;
    s.stage = "smtpd_recipient_check";
    s.key = std::string(rcpt);
    s.result = r.reply;
    s.status = r.verdict == RecipientCheck::Verdict::Defer ? address::StepStatus::Error : address::StepStatus::Reject;
    r.steps.push_back(std::move(s));
    return r;
}

// MATCH_LEFT of smtpd_check.c: the local part of `address` is `name`, ignoring case.
bool localPartIs(const std::string& address, std::string_view name) {
    return address.size() > name.size() && address[name.size()] == '@' &&
           strncasecmp(address.c_str(), std::string(name).c_str(), name.size()) == 0;
}

}  // namespace

RecipientCheck checkRecipient(address::RoutingContext& context, std::string_view sender, std::string_view recipient,
                              bool senderClass) {
    RecipientCheck r;
    // smtpd's extract_addr() refuses, before any restriction, an address that starts
    // with '-' (it could pass for a command option later) unless allow_min_user is set,
    // and one that the resolver finds malformed (smtpd_check_addr(): a bare IP address
    // or a bad domain). MAIL FROM has its own text for these; the sender class skips them.
    auto badSyntax = [&](const std::string& why) {
        r.verdict = RecipientCheck::Verdict::Reject;
        r.code = 501;
        r.dsn = "5.1.3";
        r.reply = "501 5.1.3 Bad recipient address syntax";
        r.steps.push_back(address::makeStep("smtpd_recipient_check", std::string(recipient), r.reply + " (" + why + ")",
                                            address::StepStatus::Reject));
        return r;
    };
    if (!senderClass && !recipient.empty() && recipient[0] == '-' && !context.getBool("allow_min_user"))
        return badSyntax("allow_min_user = no");
    std::string rcpt = address::rewriteAddress(recipient, address::RewriteSettings::local(context.config()));
    address::Resolution res = address::resolveAddress(context, sender, rcpt);
    if (!senderClass && res.error) return badSyntax("malformed address");
    if (res.fail) {
        r.steps = res.steps;
        return reject(std::move(r), 451, "4.3.0", recipient, "Temporary lookup failure");
    }
    bool showTable = context.getBool("show_user_unknown_table_name");
    // Listed in a canonical or virtual alias table: accepted here, decided later.
    int problems = 0;
    for (const char* name :
         {"recipient_canonical_maps", "sender_canonical_maps", "canonical_maps", "virtual_alias_maps"}) {
        if (!senderClass && std::string_view(name) == "sender_canonical_maps") continue;
        auto& tables = context.maps(name);
        if (tables.empty()) continue;
        auto f = address::findAddress(context, tables, res.recipient, {}, name);
        if (f.isFound()) {
            f.step.result += " (recipient accepted by smtpd)";
            r.steps.push_back(std::move(f.step));
            return r;
        }
        if (f.isError()) {
            r.steps.push_back(std::move(f.step));
            ++problems;
        }
    }
    if (problems) return reject(std::move(r), 451, "4.3.0", recipient, "Temporary lookup failure");
    // Both the error and the retry transport are known to fail here (the retry
    // transport temporarily: 450 with its own text).
    if (res.transport == "error" || res.transport == "retry") {
        bool retry = res.transport == "retry";
        std::string dsn = retry ? (senderClass ? "4.1.0" : "4.1.1") : (senderClass ? "5.1.0" : "5.1.1");
        std::string text = res.nexthop;
        if (text.size() > 6 && (text[0] == '4' || text[0] == '5') && text[1] == '.' &&
            text.find(' ') != std::string::npos) {
            dsn = text.substr(0, text.find(' '));
            text = text.substr(text.find(' ') + 1);
        }
        int code = retry ? 450
                   : res.addressClass == address::AddressClass::VirtualAlias
                       ? static_cast<int>(context.getLong("unknown_virtual_alias_reject_code"))
                       : 550;
        if (dsn[0] == '4' && code / 100 == 5) code = 450;
        if (senderClass) dsn = smtpdDsnFix(dsn, kSenderClass);
        return reject(std::move(r), code, dsn, recipient, text, senderClass);
    }
    auto check = [&](const char* maps, long code, const char* what) -> std::optional<RecipientCheck> {
        auto& tables = context.maps(maps);
        if (tables.empty()) return std::nullopt;
        auto f = address::findAddress(context, tables, res.recipient, {}, maps);
        r.steps.push_back(f.step);
        if (f.isError()) return reject(r, 451, "4.3.0", recipient, "Temporary lookup failure");
        if (f.isFound()) return std::nullopt;
        return reject(r, static_cast<int>(code), senderClass ? "5.1.0" : "5.1.1", recipient,
                      showTable ? std::string("User unknown in ") + what : std::string("User unknown"), senderClass);
    };
    std::optional<RecipientCheck> out;
    if (res.addressClass == address::AddressClass::Local) {
        // Mail for these three is absorbed by qmgr or generated by bounce: always known.
        if (!localPartIs(res.recipient, context.get("double_bounce_sender")) &&
            !localPartIs(res.recipient, "postmaster") && !localPartIs(res.recipient, "mailer-daemon"))
            out = check("local_recipient_maps", context.getLong("unknown_local_recipient_reject_code"),
                        "local recipient table");
    } else if (res.addressClass == address::AddressClass::VirtualMailbox) {
        out = check("virtual_mailbox_maps", context.getLong("unknown_virtual_mailbox_reject_code"),
                    "virtual mailbox table");
    } else if (res.addressClass == address::AddressClass::Relay) {
        out = check("relay_recipient_maps", context.getLong("unknown_relay_recipient_reject_code"),
                    "relay recipient table");
    }
    if (out) return std::move(*out);
    return r;
}

}  // namespace postline::policy
