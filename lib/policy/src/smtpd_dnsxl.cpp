// DNS list lookups as smtpd_check.c makes them when the network facts can answer
// (find_dnsxl_addr, find_dnsxl_domain, rbl_match_addr with util/ip_match.c's reply
// filters such as "=127.0.0.[2..11]", rbl_reject_reply with rbl_reply_maps and
// default_rbl_reply, permit_dnswl_*'s soft failure).
#include <arpa/inet.h>

#include <cctype>
#include <cstdio>
#include <cstring>

#include "postline/base/strings.h"
#include "postline/config/expand.h"
#include "smtpd_evaluation.h"

namespace postline::policy {

namespace {

// One octet pattern of ip_match: a number, or "[" items "]" with ";"-separated
// numbers and "n..m" ranges.
struct OctetPattern {
    std::vector<std::pair<int, int>> ranges;
    bool matches(int v) const {
        for (auto& [lo, hi] : ranges)
            if (v >= lo && v <= hi) return true;
        return false;
    }
};

std::optional<int> octet(std::string_view s) {
    if (s.empty() || s.size() > 3 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    int v = std::stoi(std::string(s));
    if (v > 255) return std::nullopt;
    return v;
}

// ip_match_parse(): four fields; an error text or "".
std::string parseIpMatch(std::string_view pattern, std::vector<OctetPattern>& out) {
    std::string p(pattern);
    if (p.size() > 1 && p.front() == '[') {
        int level = 0;
        size_t end = 0;
        for (; end < p.size(); ++end) {
            if (p[end] == '[') ++level;
            if (p[end] == ']' && --level == 0) break;
        }
        if (end == p.size()) return "missing \"]\" character";
        if (end + 1 == p.size()) p = p.substr(1, end - 1);
    }
    if (p.empty()) return "empty address pattern";
    size_t i = 0;
    while (true) {
        OctetPattern field;
        if (i < p.size() && p[i] == '[') {
            auto close = p.find(']', i);
            if (close == std::string::npos) return "missing \"]\" character in \"" + p + "\"";
            std::string_view items(p.data() + i + 1, close - i - 1);
            if (items.empty()) return "empty address field in \"" + p + "\"";
            while (!items.empty()) {
                auto semi = items.find(';');
                std::string_view item = items.substr(0, semi);
                items = semi == std::string_view::npos ? std::string_view() : items.substr(semi + 1);
                auto dots = item.find("..");
                auto lo = octet(item.substr(0, dots));
                auto hi = dots == std::string_view::npos ? lo : octet(item.substr(dots + 2));
                if (!lo || !hi || *lo > *hi) return "bad address field \"" + std::string(item) + "\" in \"" + p + "\"";
                field.ranges.emplace_back(*lo, *hi);
                if (semi != std::string_view::npos && items.empty()) return "bad address field \"\" in \"" + p + "\"";
            }
            i = close + 1;
        } else {
            auto end = p.find('.', i);
            auto v = octet(std::string_view(p).substr(i, end == std::string::npos ? std::string::npos : end - i));
            if (!v) return "bad address field in \"" + p + "\"";
            field.ranges.emplace_back(*v, *v);
            i = end == std::string::npos ? p.size() : end;
        }
        out.push_back(std::move(field));
        if (i == p.size()) break;
        if (p[i] != '.' || out.size() == 4) return "unexpected text after address in \"" + p + "\"";
        ++i;
    }
    if (out.size() != 4) return "need four address fields in \"" + p + "\"";
    return "";
}

bool ipMatches(const std::vector<OctetPattern>& pattern, const std::string& address) {
    unsigned char b[4];
    if (inet_pton(AF_INET, address.c_str(), b) != 1) return false;
    for (int i = 0; i < 4; ++i)
        if (!pattern[static_cast<size_t>(i)].matches(b[i])) return false;
    return true;
}

// The reversed form of a client address for a DNS list: IPv4 octets, IPv6 nibbles.
std::optional<std::string> reversedAddress(const std::string& address) {
    unsigned char b[16];
    std::string out;
    char buf[8];
    if (inet_pton(AF_INET, address.c_str(), b) == 1) {
        for (int i = 3; i >= 0; --i) {
            std::snprintf(buf, sizeof buf, "%u.", b[i]);
            out += buf;
        }
        return out;
    }
    if (inet_pton(AF_INET6, address.c_str(), b) == 1) {
        for (int i = 15; i >= 0; --i) {
            std::snprintf(buf, sizeof buf, "%x.%x.", b[i] & 0xf, b[i] >> 4);
            out += buf;
        }
        return out;
    }
    return std::nullopt;
}

}  // namespace

int SmtpdEvaluation::dnsListVerdict(const std::string& label, const std::string& restriction,
                                    const std::string& listDomain, const std::string& what,
                                    const std::string& replyClass) {
    bool allow = restriction == "permit_dnswl_client" || restriction == "permit_rhswl_client";
    bool byAddress =
        restriction == "reject_rbl_client" || restriction == "reject_rbl" || restriction == "permit_dnswl_client";
    std::string query;
    if (byAddress) {
        auto rev = reversedAddress(what);
        if (!rev) return finish(label, kDunno, what + " is not an address");
        query = *rev;
    } else {
        auto at = what.rfind('@');
        query = (at == std::string::npos ? what : what.substr(at + 1)) + ".";
    }
    query += listDomain;
    std::string filter;
    if (auto eq = query.find('='); eq != std::string::npos) {
        filter = query.substr(eq + 1);
        query.resize(eq);
    }
    auto answer = session.facts().dnsListLookup(query);
    if (!answer) return cannotDecide(label, "needs a DNS list lookup of " + what);
    if (answer->status == DnsAnswer::TempFail) {
        if (allow) {
            deferIf(deferIfReject, ErrorClass::Policy, 450, "4.7.1",
                    "<" + what + ">: " + replyClass + " rejected: Service unavailable");
            return finish(label, kDunno, query + ": lookup failed temporarily (defer if rejected later)");
        }
        return finish(label, kDunno, query + ": lookup failed temporarily, not listed");
    }
    if (answer->status != DnsAnswer::Found) return finish(label, kDunno, query + ": not listed");
    if (!filter.empty()) {
        std::vector<OctetPattern> pattern;
        if (std::string err = parseIpMatch(filter, pattern); !err.empty()) {
            warn("RBL reply error: " + err);
            return finish(label, serverError(), "");
        }
        bool hit = false;
        for (const auto& a : answer->addresses) hit = hit || ipMatches(pattern, a);
        if (!hit) return finish(label, kDunno, query + ": listed, but no reply matches " + filter);
    }
    std::string found = query + ": listed" + (answer->addresses.empty() ? "" : " (" + answer->addresses.front() + ")");
    if (allow) return finish(label, kOk, found);

    // rbl_reject_reply(): the domain's template or default_rbl_reply, expanded.
    std::string domain = listDomain.substr(0, listDomain.find('='));
    std::string tmpl;
    auto& replies = context.maps("rbl_reply_maps");
    if (!context.get("rbl_reply_maps").empty()) {
        auto hit = replies.find(listDomain);
        for (auto& w : hit.warnings) warn(w);
        if (!hit.isFound() && !hit.isError() && domain != listDomain) {
            hit = replies.find(domain);
            for (auto& w : hit.warnings) warn(w);
        }
        if (hit.isError()) return finish(label, serverError(), "rbl_reply_maps lookup error");
        if (hit.isFound()) tmpl = hit.value;
    }
    std::string filterChars = base::unescapeC(context.config().raw("smtpd_expansion_filter").value_or(""));
    auto clean = [&filterChars](std::string v) {
        for (auto& c : v)
            if (filterChars.find(c) == std::string::npos) c = '_';
        return v;
    };
    auto addressPart = [](const std::optional<std::string>& addr, std::string_view suffix) -> std::string {
        if (!addr) return "";
        if (suffix.empty()) return addr->empty() ? "<>" : *addr;
        auto at = addr->rfind('@');
        if (suffix == "_name") return addr->empty() ? "<>" : at == std::string::npos ? *addr : addr->substr(0, at);
        return at == std::string::npos ? "" : addr->substr(at + 1);
    };
    const auto& s = session;
    config::MacroLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
        if (name == "rbl_code") return context.get("maps_rbl_reject_code");
        if (name == "rbl_domain") return domain;
        if (name == "rbl_reason" || name == "rbl_txt") return clean(answer->text);
        if (name == "rbl_what") return clean(what);
        if (name == "rbl_class") return replyClass;
        if (name == "server_name") return context.get("myhostname");
        if (name == "client") return clean(s.namaddr());
        if (name == "client_address") return s.clientAddress;
        if (name == "client_name") return clean(s.clientName);
        if (name == "reverse_client_name") return clean(s.reverseName);
        if (name == "helo_name") return clean(s.helo.value_or(""));
        for (const char* suffix : {"", "_name", "_domain"}) {
            if (name == std::string("sender") + suffix) return clean(addressPart(sender, suffix));
            if (name == std::string("recipient") + suffix) return clean(addressPart(recipient, suffix));
        }
        return std::nullopt;
    };
    // default_rbl_reply's $rbl_* names are not parameters: expand the raw value.
    std::string defaultReply = context.config().raw("default_rbl_reply").value_or("");
    config::MacroResult why;
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool custom = !tmpl.empty();
        why = config::macroExpand(custom ? tmpl : defaultReply, 0, lookup);
        if (!why.error && !why.undef) break;
        if (!custom) {
            warn("rbl_reject_reply: bad default rbl reply template: " + defaultReply);
            return finish(label, serverError(), "");
        }
        warn("rbl_reject_reply: bad rbl reply template for domain " + listDomain + ": " + tmpl);
        tmpl.clear();
    }
    const std::string& r = why.text;
    int st;
    if (r.size() < 4 || (r[0] != '4' && r[0] != '5') || !std::isdigit(static_cast<unsigned char>(r[1])) ||
        !std::isdigit(static_cast<unsigned char>(r[2])) || r[3] != ' ') {
        warn("rbl response code configuration error: " + r);
        st = rejectReply(ErrorClass::Policy, 450, "4.7.1", "Service unavailable");
    } else {
        DsnSplit d = dsnSplit("4.7.1", std::string_view(r).substr(4));
        st = rejectReply(ErrorClass::Policy, std::stoi(r.substr(0, 3)), smtpdDsnFix(d.dsn, replyClass),
                         d.text.empty() ? "Service unavailable" : d.text);
    }
    return finish(label, st, found);
}

}  // namespace postline::policy
