// resolve_addr() of trivial-rewrite/resolve.c: the local-domain stripping loop over a
// token list, then the address class, transport and nexthop, each decision a step.
#include "postline/address/resolve.h"

#include <strings.h>

#include "postline/address/addr_find.h"
#include "postline/address/address_parts.h"
#include "postline/address/local_domains.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/config/config.h"

namespace postline::address {

const char* addressClassName(AddressClass c) {
    switch (c) {
        case AddressClass::Local:
            return "local";
        case AddressClass::VirtualAlias:
            return "virtual_alias";
        case AddressClass::VirtualMailbox:
            return "virtual_mailbox";
        case AddressClass::Relay:
            return "relay";
        case AddressClass::Default:
            return "default";
    }
    return "default";
}

bool validHostname(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    size_t label = 0;
    bool nonNumeric = false;
    for (size_t i = 0; i < name.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(name[i]);
        bool last = i + 1 == name.size();
        if (std::isalnum(c) || c == '_') {
            if (++label > 63) return false;
            if (!std::isdigit(c)) nonNumeric = true;
        } else if (c == '.') {
            if (label == 0 || last) return false;
            label = 0;
        } else if (c == '-') {
            nonNumeric = true;
            if (++label == 1 || last || name[i + 1] == '.') return false;
        } else {
            return false;
        }
    }
    return nonNumeric;
}

bool validHostLiteral(std::string_view literal) {
    if (literal.size() < 3 || literal.front() != '[' || literal.back() != ']') return false;
    std::string inner(literal.substr(1, literal.size() - 2));
    if (inner.size() > 5 && strncasecmp(inner.c_str(), "IPv6:", 5) == 0)
        return canonicalIp(inner.substr(5)).find(':') != std::string::npos;
    return inner.find(':') == std::string::npos && !canonicalIp(inner).empty();
}

namespace {

std::optional<size_t> rfindOp(const TokenList& t, char op) {
    for (size_t i = t.size(); i-- > 0;)
        if (t[i].isOperator(op)) return i;
    return std::nullopt;
}

Step listStep(const std::string& list, const std::string& domain, const MatchResult& m) {
    Step s;
    s.stage = list;
    s.key = domain;
    s.table = m.pattern;
    if (m.error) {
        s.status = StepStatus::Error;
        s.result = m.errorText;
        s.warnings.push_back(list + " lookup failure");
    } else {
        s.status = m.matched ? StepStatus::Found : StepStatus::NotFound;
        s.result = m.matched ? "matched " + m.pattern : (m.pattern.empty() ? "no match" : "excluded by " + m.pattern);
    }
    return s;
}

}  // namespace

Resolution resolveAddress(RoutingContext& context, std::string_view sender, std::string_view recipient) {
    Resolution r;
    const auto& config = context.config();
    RewriteSettings local = RewriteSettings::local(config);
    bool resolveNullDomain = config.getBool("resolve_null_domain");
    bool dequoted = config.getBool("resolve_dequoted_address");
    std::string myhostname = config.get("myhostname");

    TokenList tree = scanTokens(quoteLocalPart(recipient));
    TokenList savedDomain;
    bool haveSaved = false;
    bool remote = false;  // the loop stopped at a domain that is not local
    std::string localReason;
    size_t loopMax = recipient.size() + 100;
    for (size_t loop = 0;; ++loop) {
        if (loop > loopMax) {
            r.fail = true;
            r.steps.push_back(makeStep("resolve", std::string(recipient),
                                       "resolve_addr: <" + std::string(recipient) + ">: giving up after " +
                                           std::to_string(loop) + " iterations",
                                       StepStatus::Error));
            return r;
        }
        if (!tree.empty() && tree.back().isOperator('.') && rfindOp(tree, '@') && tree.size() >= 2 &&
            !tree[tree.size() - 2].isOperator('.') && !tree[tree.size() - 2].isOperator('@'))
            tree.pop_back();
        if (resolveNullDomain && !tree.empty() && tree.back().isOperator('@')) tree.pop_back();
        if (auto at = rfindOp(tree, '@')) {
            if (*at + 1 < tree.size()) {
                std::string domain = internalize(std::span<const Token>(tree).subspan(*at + 1));
                auto loc = context.localDomains().check(domain);
                if (loc.locality == Locality::Error) {
                    r.fail = true;
                    Step s = makeStep("mydestination", domain, loc.reason, StepStatus::Error);
                    r.steps.push_back(std::move(s));
                    return r;
                }
                if (loc.locality == Locality::NotLocal) {
                    remote = true;
                    break;
                }
                localReason = loc.reason;
            }
            savedDomain.assign(tree.begin() + static_cast<long>(*at), tree.end());
            haveSaved = true;
            tree.resize(*at);
        }
        if (rfindOp(tree, '@') || (local.swapBangpath && rfindOp(tree, '!')) ||
            (local.percentHack && rfindOp(tree, '%'))) {
            rewriteTokens(tree, local);
            continue;
        }
        if (dequoted && tree.size() == 1 && tree[0].type == TokenType::QuotedString) {
            std::string text = tree[0].text;
            size_t op = text.rfind('@');
            if (op == std::string::npos && local.percentHack) op = text.rfind('%');
            if (op == std::string::npos && local.swapBangpath) op = text.rfind('!');
            if (op != std::string::npos) {
                if (text[op] == '%') text[op] = '@';
                if (text[op] == '@') text = quoteLocalPart(text);
                tree = scanTokens(text);
                rewriteTokens(tree, local);
                continue;
            }
        }
        if (tree.size() == 1 && tree[0].type == TokenType::QuotedString && tree[0].text.empty()) tree.clear();
        if (tree.empty()) {
            tree = scanTokens(config.get("empty_address_recipient"));
            continue;
        }
        if (!haveSaved) {
            tree.push_back(Token::makeOperator('@'));
            for (auto& t : scanTokens(myhostname)) tree.push_back(t);
            continue;
        }
        break;
    }
    if (!remote) {
        if (haveSaved) {
            tree.insert(tree.end(), savedDomain.begin(), savedDomain.end());
        } else {
            tree.push_back(Token::makeOperator('@'));
            for (auto& t : scanTokens(myhostname)) tree.push_back(t);
        }
    }
    r.recipient = internalize(tree);
    std::string rcptDomain = r.recipient.substr(r.recipient.rfind('@') + 1);
    if (!rcptDomain.empty() && rcptDomain[0] == '[') {
        if (!validHostLiteral(rcptDomain)) r.error = true;
    } else if (!validHostname(rcptDomain)) {
        if (config.getBool("resolve_numeric_domain") && !canonicalIp(rcptDomain).empty()) {
            r.recipient = r.recipient.substr(0, r.recipient.size() - rcptDomain.size()) + "[" + rcptDomain + "]";
            rcptDomain = "[" + rcptDomain + "]";
            auto loc = context.localDomains().check(rcptDomain);
            if (loc.locality == Locality::Local) {
                remote = false;
                localReason = loc.reason;
            } else if (loc.locality == Locality::Error) {
                r.fail = true;
                return r;
            }
        } else {
            r.error = true;
        }
    }
    if (r.recipient != recipient)
        r.steps.push_back(makeStep("resolve", std::string(recipient), r.recipient, StepStatus::Changed));
    if (r.error) {
        r.addressClass = AddressClass::Default;
        r.steps.push_back(makeStep("resolve", r.recipient, "malformed domain: " + rcptDomain, StepStatus::Reject));
        return r;
    }
    {
        size_t op = r.recipient.find_first_of("@!%");
        if (r.recipient.substr(op + 1) != rcptDomain) r.routed = true;
    }

    std::string blame;
    if (remote) {
        auto& aliasDoms = context.list("virtual_alias_domains", MatchKind::String);
        auto& mailboxDoms = context.list("virtual_mailbox_domains", MatchKind::String);
        auto& relayDoms = context.list("relay_domains", MatchKind::Host);
        auto a = aliasDoms.empty() ? MatchResult{} : aliasDoms.match(rcptDomain);
        auto m = (a.matched || a.error || mailboxDoms.empty()) ? MatchResult{} : mailboxDoms.match(rcptDomain);
        if (!aliasDoms.empty()) r.steps.push_back(listStep("virtual_alias_domains", rcptDomain, a));
        if (a.error) {
            r.fail = true;
            return r;
        }
        if (a.matched) {
            r.transport = "error";
            r.nexthop = std::string("5.1.1 User unknown") +
                        (config.getBool("show_user_unknown_table_name") ? " in virtual alias table" : "");
            r.addressClass = AddressClass::VirtualAlias;
        } else {
            if (!mailboxDoms.empty()) r.steps.push_back(listStep("virtual_mailbox_domains", rcptDomain, m));
            if (m.error) {
                r.fail = true;
                return r;
            }
            if (m.matched) {
                r.transport = config.get("virtual_transport");
                r.nexthop = rcptDomain;
                blame = "virtual_transport";
                r.addressClass = AddressClass::VirtualMailbox;
            } else {
                auto rel = relayDoms.empty() ? MatchResult{} : relayDoms.match(rcptDomain);
                if (!relayDoms.empty()) r.steps.push_back(listStep("relay_domains", rcptDomain, rel));
                if (rel.error) {
                    r.fail = true;
                    return r;
                }
                std::string senderKey;
                if (rel.matched) {
                    r.transport = config.get("relay_transport");
                    blame = "relay_transport";
                    r.addressClass = AddressClass::Relay;
                } else {
                    r.addressClass = AddressClass::Default;
                    r.transport = config.get("default_transport");
                    blame = "default_transport";
                    auto& sdt = context.maps("sender_dependent_default_transport_maps", maps::flag::kNoRegsub);
                    if (!sdt.empty()) {
                        senderKey = sender.empty() ? config.get("empty_address_default_transport_maps_lookup_key")
                                                   : std::string(sender);
                        auto f = findAddress(context, sdt, senderKey, {}, "sender_dependent_default_transport_maps");
                        if (f.isError()) {
                            f.step.warnings.push_back("sender_dependent_default_transport_maps lookup failure");
                            r.steps.push_back(f.step);
                            r.fail = true;
                            return r;
                        }
                        if (f.isFound()) {
                            if (strcasecmp(f.value.c_str(), "DUNNO") != 0) r.transport = f.value;
                            blame = "sender_dependent_default_transport_maps";
                        }
                        r.steps.push_back(f.step);
                    }
                }
                auto& sdr = context.maps("sender_dependent_relayhost_maps", maps::flag::kNoRegsub);
                std::string relayhost = config.get("relayhost");
                r.nexthop = relayhost.empty() ? rcptDomain : relayhost;
                std::string nexthopWhy = relayhost.empty() ? "recipient domain" : "relayhost";
                if (!sdr.empty()) {
                    senderKey =
                        sender.empty() ? config.get("empty_address_relayhost_maps_lookup_key") : std::string(sender);
                    auto f = findAddress(context, sdr, senderKey, {}, "sender_dependent_relayhost_maps");
                    if (f.isError()) {
                        f.step.warnings.push_back("sender_dependent_relayhost_maps lookup failure");
                        r.steps.push_back(f.step);
                        r.fail = true;
                        return r;
                    }
                    // DUNNO is no answer: relayhost, else the recipient domain.
                    if (f.isFound() && strcasecmp(f.value.c_str(), "DUNNO") != 0) {
                        r.nexthop = f.value;
                        nexthopWhy = "sender_dependent_relayhost_maps";
                    }
                    r.steps.push_back(f.step);
                }
                r.steps.push_back(makeStep("nexthop", rcptDomain, r.nexthop + " (" + nexthopWhy + ")"));
            }
        }
    } else {
        r.transport = config.get("local_transport");
        r.nexthop = rcptDomain;
        blame = "local_transport";
        r.addressClass = AddressClass::Local;
    }
    r.steps.push_back(makeStep("address_class", rcptDomain,
                               std::string(addressClassName(r.addressClass)) +
                                   (r.addressClass == AddressClass::Local ? " (" + localReason + ")" : "")));
    auto colon = r.transport.find(':');
    if (colon != std::string::npos) {
        std::string dest = r.transport.substr(colon + 1);
        r.transport.resize(colon);
        if (!dest.empty()) r.nexthop = dest;
    }
    if (r.transport.empty()) {
        r.fail = true;
        r.steps.push_back(makeStep(
            blame, r.recipient,
            "file " + config.configDirectory() + "/main.cf: parameter " + blame + ": null transport is not allowed",
            StepStatus::Error));
        return r;
    }
    if (r.addressClass != AddressClass::VirtualAlias)
        r.steps.push_back(makeStep(blame.empty() ? "transport" : blame, r.recipient, r.transport + ":" + r.nexthop));
    if (r.addressClass != AddressClass::VirtualAlias &&
        !context.maps("transport_maps", maps::flag::kNoRegsub).empty()) {
        Step t = lookupTransport(context, r.recipient, rcptDomain, r.transport, r.nexthop);
        if (t.status == StepStatus::Error) {
            t.warnings.push_back("transport_maps lookup failure");
            r.steps.push_back(std::move(t));
            r.fail = true;
            return r;
        }
        r.steps.push_back(std::move(t));
    }
    auto& relocated = context.maps("relocated_maps");
    if (!relocated.empty()) {
        auto f = findAddress(context, relocated, r.recipient, {}, "relocated_maps");
        if (f.isError()) {
            f.step.warnings.push_back("relocated_maps lookup failure");
            r.steps.push_back(f.step);
            r.fail = true;
            return r;
        }
        if (f.isFound()) {
            r.transport = "error";
            r.nexthop = "5.1.6 User has moved to " + f.value;
        }
        r.steps.push_back(f.step);
    }
    if (!config.getBool("allow_min_user") && !r.recipient.empty() && r.recipient[0] == '-') {
        r.error = true;
        r.steps.push_back(makeStep("allow_min_user", r.recipient, "address starts with '-'", StepStatus::Reject));
    }
    return r;
}

}  // namespace postline::address
