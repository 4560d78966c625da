// smtpd_check.c offline, the restrictions by name: the dispatch of generic_checks()
// and the checks behind permit_auth_destination, reject_unauth_destination,
// reject_unknown_*, reject_non_fqdn_*, reject_invalid_helo_hostname, the unlisted
// sender/recipient checks and the SASL sender login checks.
#include <algorithm>

#include "smtpd_evaluation.h"

namespace postline::policy {

int SmtpdEvaluation::permitAuthDestination(const std::string& restriction, const std::string& rcpt, bool record) {
    address::Resolution res = resolve(sender.value_or(""), rcpt);
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
        why = res.recipient.substr(at + 1) + " is a final destination (" + address::addressClassName(res.addressClass) +
              " class)";
    } else if (res.addressClass == address::AddressClass::Relay) {
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
    // A resolver (table) failure is reject_dict_retry()'s 451, never a relay denial.
    int auth = permitAuthDestination(restriction, rcpt, false);
    if (auth == kAbort) return kAbort;
    if (auth == kOk) return finish(restriction, kDunno, "authorized destination", "", rcpt);
    int st = rejectReply(ErrorClass::Policy, code, dsn, "<" + rcpt + ">: Relay access denied");
    return finish(restriction, st, "not a local, virtual or relay destination", "", rcpt);
}

int SmtpdEvaluation::rejectUnknownHostname(const std::string& restriction, const std::string& name) {
    auto answer = session.facts().dnsLookup(name, DnsQuery::Host);
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
    address::Resolution res = resolve(isSender ? recipient.value_or("") : sender.value_or(""), addr);
    if (res.fail) return finish(restriction, dictRetry(addr), "address resolver failure");
    auto at = res.recipient.rfind('@');
    if (at == std::string::npos) return finish(restriction, kDunno, res.recipient + " has no domain", "", addr);
    std::string domain = res.recipient.substr(at + 1);
    if (finalClass(res))
        return finish(restriction, kDunno,
                      domain + " is a final destination (" + address::addressClassName(res.addressClass) + " class)",
                      "", addr);
    if (domain.size() > 1 && domain.front() == '[' && domain.back() == ']')
        return finish(restriction, kDunno, domain + " is an address literal", "", addr);
    auto answer = session.facts().dnsLookup(domain, DnsQuery::MailHost);
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
    if (test.empty() || !address::validHostname(test) || test.find('.') == std::string::npos) {
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
    bool bad = fqdn ? (!address::validHostname(test) || test.find('.') == std::string::npos)
                    : (!address::validHostname(test) && !validHostAddress(test));
    if (!bad) return finish(restriction, kDunno, fqdn ? "fully qualified" : "valid host name", "", helo);
    int st = rejectReply(ErrorClass::Policy, static_cast<int>(code), "5.5.2",
                         prefix + (fqdn ? "need fully-qualified hostname" : "Invalid name"));
    return finish(restriction, st, fqdn ? "not a fully-qualified host name" : "not a valid host name", "", helo);
}

// check_rcpt_maps() through the recipient check (recipient_check.h), replied through
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
    address::Resolution res = resolve(recipient.value_or(""), from);
    if (res.fail) return finish(restriction, dictRetry(from), "address resolver failure");
    auto f = address::findAddress(context, owners, res.recipient, {}, "smtpd_sender_login_maps");
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

namespace {

// check_policy_service()'s request attributes, in Postfix's order: what the checks
// know, then what smtpd put in the session (policy_context is the client's to fill).
PolicyRequest policyRequest(const SmtpdSession& s, const std::string& where, const std::optional<std::string>& sender,
                            const std::optional<std::string>& recipient, address::RoutingContext& context) {
    bool counted = where == "DATA" || where == "BDAT" || where == "END-OF-MESSAGE";
    PolicyRequest r = {
        {"request", "smtpd_access_policy"},
        {"protocol_state", where == "BDAT" ? "DATA" : where},
        {"protocol_name", "SMTP"},
        {"client_address", s.clientAddress},
        {"client_name", s.clientName},
        {"client_port", ""},
        {"reverse_client_name", s.reverseName},
        {"server_address", ""},
        {"server_port", ""},
        {"helo_name", s.helo.value_or("")},
        {"sender", sender.value_or("")},
        {"recipient", recipient.value_or("")},
        {"recipient_count", "0"},
        {"queue_id", ""},
        {"instance", ""},
        {"size", "0"},
        {"etrn_domain", ""},
        {"stress", ""},
        {"sasl_method", ""},
        {"sasl_username", s.saslUsername},
        {"sasl_sender", ""},
        {"ccert_subject", ""},
        {"ccert_issuer", ""},
        {"ccert_fingerprint", ""},
        {"ccert_pubkey_fingerprint", ""},
        {"encryption_protocol", ""},
        {"encryption_cipher", ""},
        {"encryption_keysize", "0"},
        {"policy_context", ""},
        {"compatibility_level", context.get("compatibility_level")},
        {"mail_version", context.get("mail_version")},
    };
    for (const auto& attribute : s.policyAttributes) {
        // A named pair, not a structured binding: clang 14 refuses to capture those.
        const std::string& name = attribute.first;
        const std::string& value = attribute.second;
        if (name == "recipient_count" && !counted) continue;  // 0 before DATA, as smtpd sends it
        auto it = std::find_if(r.begin(), r.end(), [&](const auto& a) { return a.first == name; });
        if (it != r.end())
            it->second = value;
        else
            r.emplace_back(name, value);
    }
    return r;
}

// find_dnsxl_domain()'s names that are never looked up: why, or nullptr.
const char* dnsListSkip(const std::string& what) {
    auto at = what.rfind('@');
    std::string domain = at == std::string::npos ? what : what.substr(at + 1);
    if (at != std::string::npos && !domain.empty() && domain[0] == '[') return "an address literal";
    if (domain.empty()) return "no domain";
    auto dot = domain.rfind('.');
    std::string_view suffix =
        dot == std::string::npos ? std::string_view(domain) : std::string_view(domain).substr(dot + 1);
    if (!suffix.empty() && suffix.find_first_not_of("0123456789") == std::string_view::npos)
        return "a numerical last label";
    for (char c : domain)
        if (static_cast<unsigned char>(c) >= 0x80) return nullptr;  // IDNA first: looked up
    if (!address::validHostname(domain)) return "not a valid host name";
    return nullptr;
}

}  // namespace

// check_server_access(): the name servers, mail exchangers or addresses of a name need
// DNS, but an address literal is its own mail exchanger and address.
int SmtpdEvaluation::serverAccess(const std::string& restriction, const std::string& name, const std::string& table,
                                  const std::string& defAcl) {
    const auto& s = session;
    std::string n = address::lowercase(name);
    std::string target, replyName;
    const char* cls;
    if (base::startsWith(n, "check_client_")) {
        target = s.clientName, replyName = s.namaddr(), cls = kClientClass;
    } else if (base::startsWith(n, "check_reverse_client_")) {
        target = replyName = s.reverseName, cls = kReverseClientClass;
    } else if (base::startsWith(n, "check_helo_")) {
        target = replyName = *s.helo, cls = kHeloClass;
    } else if (base::startsWith(n, "check_sender_")) {
        target = replyName = *sender, cls = kSenderClass;
    } else {
        target = replyName = *recipient, cls = kRecipientClass;
    }
    auto at = target.rfind('@');
    std::string domain = at == std::string::npos ? target : target.substr(at + 1);
    // forbid_allowlist(): these lookups may not whitelist.
    auto forbidAllowlist = [&](int st) {
        if (st == kOk && !discard) {
            warn("restriction " + name + " returns OK for " + target);
            warn("this is not allowed for security reasons");
            warn("use DUNNO instead of OK if you want to make an exception");
            return finish(restriction, serverError(), "");
        }
        return st;
    };
    if (domain.empty() || domain[0] != '[') {
        int st = serverAccessByDns(restriction, n, target, domain, table, replyName, cls, defAcl);
        return st == kUndecided ? st : forbidAllowlist(st);
    }
    if (n.find("_ns_") != std::string::npos)
        return finish(restriction, kDunno, domain + " is an address literal: no name servers", "", target);
    std::string inner = domain.size() > 1 && domain.back() == ']' ? domain.substr(1, domain.size() - 2) : "";
    if (inner.empty() || !validMailhostAddress(inner))
        return finish(restriction, kDunno, domain + " is not a valid address literal", "", target);
    std::string bare = ieq(inner.substr(0, 5), "IPv6:") ? inner.substr(5) : inner;
    bool found = false;
    return forbidAllowlist(checkAddrAccess(restriction, table, bare, found, replyName, cls, defAcl));
}

// reject_rbl_*, reject_rhsbl_*, permit_dnswl_client, permit_rhswl_client: what is
// looked up needs DNS; what smtpd skips is decided here.
int SmtpdEvaluation::dnsList(const std::string& name, const std::string& listDomain) {
    const auto& s = session;
    std::string n = address::lowercase(name), label = name + " " + listDomain;
    std::string what;
    if (n == "reject_rbl_client" || n == "reject_rbl" || n == "permit_dnswl_client") {
        what = s.clientAddress;
    } else if (n == "reject_rhsbl_client" || n == "permit_rhswl_client") {
        if (s.clientName == "unknown") return finish(label, kDunno, "the client has no name");
        what = s.clientName;
    } else if (n == "reject_rhsbl_reverse_client") {
        if (s.reverseName == "unknown") return finish(label, kDunno, "the client has no reverse name");
        what = s.reverseName;
    } else if (n == "reject_rhsbl_helo") {
        if (!s.helo) return finish(label, kDunno, "no HELO");
        what = *s.helo;
    } else if (n == "reject_rhsbl_sender") {
        if (!sender || sender->empty()) return finish(label, kDunno, "null or no sender");
        what = *sender;
    } else {
        if (!recipient) return finish(label, kDunno, "no recipient");
        what = *recipient;
    }
    // Allowlists never let an unauthorized recipient through: no lookup then.
    if ((n == "permit_dnswl_client" || n == "permit_rhswl_client") && where == "RCPT" && recipient) {
        int auth = permitAuthDestination(label, *recipient, false);
        if (auth == kAbort) return kAbort;
        if (auth != kOk) return finish(label, kDunno, "the recipient is not an authorized destination", "", *recipient);
    }
    if (n != "reject_rbl_client" && n != "reject_rbl" && n != "permit_dnswl_client")
        if (const char* why = dnsListSkip(what)) return finish(label, kDunno, what + ": " + why + ", not looked up");
    const char* cls = n == "reject_rhsbl_reverse_client" ? kReverseClientClass
                      : n == "reject_rhsbl_helo"         ? kHeloClass
                      : n == "reject_rhsbl_sender"       ? kSenderClass
                      : n == "reject_rhsbl_recipient"    ? kRecipientClass
                                                         : kClientClass;
    return dnsListVerdict(label, n, listDomain, what, cls);
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
        auto action = s.facts().policyQuery(*server, policyRequest(s, where, sender, recipient, context));
        if (!action)
            return cannotDecide(name + " " + *server,
                                "needs the policy server's answer (--policy " + *server + "=ACTION)");
        return tableResult(*server, *action, "policy query", replyName, replyClass, defAcl, name + " " + *server,
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
        bool temp = s.facts().dnsLookup(s.clientAddress, reverse ? DnsQuery::ClientReverse : DnsQuery::Client) ==
                    DnsAnswer::TempFail;
        int code = temp ? 450 : static_cast<int>(context.getLong("unknown_client_reject_code"));
        int st = rejectReply(ErrorClass::Policy, code, reverse ? "4.7.1" : "4.7.25",
                             std::string("Client host rejected: cannot find your ") +
                                 (reverse ? "reverse hostname" : "hostname") + ", [" + s.clientAddress + "]");
        return finish(name, st, temp ? "name lookup failed temporarily" : "the client has no name", "", s.namaddr());
    }
    if (ieq(name, "permit_inet_interfaces")) {
        const std::string& peer = s.socketAddress.empty() ? s.clientAddress : s.socketAddress;
        auto r = context.localDomains().check("[" + peer + "]");
        bool own = r.locality == address::Locality::Local && base::startsWith(r.reason, "inet_interfaces");
        return finish(name, own ? kOk : kDunno,
                      own ? peer + " is an inet_interfaces address" : peer + " is not an inet_interfaces address",
                      "inet_interfaces", peer);
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
        return serverAccess(label(), name, table, defAcl);
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
        return dnsList(name, r[static_cast<size_t>(i)]);
    }
    if (ieq(name, "reject_maps_rbl")) {
        warn("support for restriction \"reject_maps_rbl\" will be removed from " + context.get("mail_name") +
             "; use \"reject_rbl_client domain-name\" instead");
        auto domains = splitRestrictions(context.get("maps_rbl_domains"));
        if (domains.empty()) return finish(name, kDunno, "maps_rbl_domains is empty");
        return cannotDecide(name, "needs a DNS list lookup in " + domains.front());
    }

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
        int auth = permitAuthDestination(name, *recipient, false);
        if (auth == kAbort) return kAbort;
        if (auth == kOk) return finish(name, kOk, "final or relay destination", "", *recipient);
        address::Resolution res = resolve(sender.value_or(""), *recipient);
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
        auto& relay = context.list("relay_domains", address::MatchKind::Host);
        if (relay.match(s.clientName).matched)
            return finish(name, kOk, "client " + s.clientName + " is in relay_domains", "relay_domains", s.clientName);
        int auth = permitAuthDestination(name, *recipient, false);
        if (auth == kAbort) return kAbort;
        if (auth == kOk) return finish(name, kOk, "authorized destination", "", *recipient);
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
        if (sender && sender->empty() && s.recipientCount > (where == "RCPT" ? 0 : 1)) {
            int st =
                rejectReply(ErrorClass::Policy, static_cast<int>(context.getLong("multi_recipient_bounce_reject_code")),
                            "5.5.3", "<" + replyName + ">: " + replyClass + " rejected: Multi-recipient bounce");
            return finish(name, st, "");
        }
        return finish(name, kDunno, s.recipientCount ? "not a bounce to several recipients" : "one recipient");
    }
    if (ieq(name, "reject_unverified_recipient")) {
        if (!hasRecipient) return finish(name, kDunno, "no recipient");
        return cannotDecide(name, "address verification probes the recipient's mail server");
    }
    if (mapCommand("check_etrn_access")) {
        if (bad) return bad;
        if (!etrnDomain) return finish(label(), kDunno, "no ETRN in a message");
        return checkDomainAccess(label(), table, *etrnDomain, found, *etrnDomain, kEtrnClass, defAcl);
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

}  // namespace postline::policy
