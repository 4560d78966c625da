// XCLIENT and XFORWARD attribute lists (smtpd/smtpd.c xclient_cmd and xforward_cmd,
// smtpd/smtpd_xforward.c smtpd_xforward_preset): each NAME=VALUE is xtext-decoded,
// censored with printable() and checked as Postfix 3.7 checks it, in command order; the
// first bad one is the 501 reply.
#include "postline/smtp/xclient.h"

#include "postline/address/host_address_list.h"
#include "postline/address/resolve.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::smtp {

namespace {

constexpr std::string_view kUnavailable = "[UNAVAILABLE]";
constexpr std::string_view kTemporary = "[TEMPUNAVAIL]";

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// neuter() with smtpd's NEUTER_CHARACTERS: what could upset a header or a log line.
std::string neuter(std::string text) {
    for (char& c : text)
        if (std::string_view(" <>()\\\";@").find(c) != std::string_view::npos) c = '?';
    return text;
}

bool allDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!base::isDigit(c)) return false;
    return true;
}

// A port number as smtpd takes it: digits, at most five of them.
bool validPort(std::string_view s) { return allDigits(s) && s.size() <= 5; }

// normalize_mailhost_addr(): "1.2.3.4" or "IPv6:2001:db8::1" to the bare printable form
// and the family (an IPv4-mapped IPv6 address becomes IPv4); nullopt when malformed.
struct MailhostAddress {
    std::string bare, rfc;
    int family = 2;
};
std::optional<MailhostAddress> normalizeMailhostAddress(std::string_view text, unsigned families) {
    bool v6 = text.size() > 5 && base::equalsIgnoreCase(text.substr(0, 5), "IPv6:");
    std::string_view inner = v6 ? text.substr(5) : text;
    if (!v6 && inner.find(':') != std::string_view::npos) return std::nullopt;
    auto n = address::normalizeHostAddress(inner);
    if (!n) return std::nullopt;
    if (v6 && inner.find(':') == std::string_view::npos) return std::nullopt;
    MailhostAddress out;
    out.bare = *n;
    out.family = n->find(':') != std::string::npos ? 10 : 2;
    if (!(families & (out.family == 10 ? kFamilyIpv6 : kFamilyIpv4))) return std::nullopt;
    out.rfc = out.family == 10 ? "IPv6:" + *n : *n;
    return out;
}

// The attribute's name and its decoded, censored value, or the reply for a malformed
// element.
struct Element {
    std::string name, value, error;
};
Element element(std::string_view arg) {
    Element e;
    size_t eq = arg.find('=');
    if (eq == std::string_view::npos || eq + 1 == arg.size()) {
        e.error = "501 5.5.4 Error: attribute=value expected";
        return e;
    }
    std::string_view raw = arg.substr(eq + 1);
    if (raw.size() > 255) {
        e.error = "501 5.5.4 Error: attribute value too long";
        return e;
    }
    e.name = std::string(arg.substr(0, eq));
    auto decoded = xtextUnquote(raw);
    e.value = base::printable(decoded ? *decoded : std::string(raw), false);
    return e;
}

std::string bad(std::string_view attribute, std::string_view value) {
    return base::cat("501 5.5.4 Bad ", attribute, " syntax: ", value);
}

}  // namespace

std::optional<std::string> xtextUnquote(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '+') {
            out += text[i];
            continue;
        }
        int hi = i + 1 < text.size() ? hexDigit(text[i + 1]) : -1;
        int lo = i + 2 < text.size() ? hexDigit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi << 4 | lo);
        i += 2;
    }
    return out;
}

unsigned inetFamilies(std::string_view inetProtocols) {
    unsigned mask = 0;
    for (std::string_view word : base::splitAny(inetProtocols, ", \t\r\n")) {
        if (base::equalsIgnoreCase(word, "all")) mask |= kFamilyIpv4 | kFamilyIpv6;
        if (base::equalsIgnoreCase(word, "ipv4")) mask |= kFamilyIpv4;
        if (base::equalsIgnoreCase(word, "ipv6")) mask |= kFamilyIpv6;
    }
    return mask;
}

XclientResult applyXclient(const std::vector<std::string>& args, const XclientIdentity& current, unsigned families) {
    XclientResult r;
    XclientIdentity& id = r.identity;
    id = current;
    auto fail = [&](std::string reply) {
        XclientResult failed;
        failed.error = std::move(reply);
        failed.identity = current;
        return failed;
    };
    // name_code() over [UNAVAILABLE] and [TEMPUNAVAIL]: the lookup status a name stands
    // for. Attribute names and these words are compared without case, as smtpd does.
    auto peerCode = [](std::string_view v) {
        if (base::equalsIgnoreCase(v, kUnavailable)) return 5;
        if (base::equalsIgnoreCase(v, kTemporary)) return 4;
        return 2;
    };
    for (const std::string& arg : args) {
        Element e = element(arg);
        if (!e.error.empty()) return fail(e.error);
        std::string& v = e.value;
        if (base::equalsIgnoreCase(e.name, "NAME") || base::equalsIgnoreCase(e.name, "REVERSE_NAME")) {
            bool forward = base::equalsIgnoreCase(e.name, "NAME");
            int status = peerCode(v);
            if (status != 2)
                v = "unknown";
            else if (!address::validHostname(v))
                return fail(bad(forward ? "NAME" : "REVERSE_NAME", v));
            if (forward) {
                id.nameStatus = status;
                id.name = v;
            }
            if (!forward || status == 2) {
                id.reverseStatus = status;
                id.reverseName = v;
            }
        } else if (base::equalsIgnoreCase(e.name, "ADDR")) {
            if (base::equalsIgnoreCase(v, kUnavailable)) {
                id.address = id.rfcAddress = "unknown";
            } else {
                v = neuter(v);
                auto a = normalizeMailhostAddress(v, families);
                if (!a) return fail(bad("ADDR", v));
                id.address = a->bare;
                id.rfcAddress = a->rfc;
                id.family = a->family;
            }
        } else if (base::equalsIgnoreCase(e.name, "PORT") || base::equalsIgnoreCase(e.name, "DESTPORT")) {
            bool client = base::equalsIgnoreCase(e.name, "PORT");
            if (base::equalsIgnoreCase(v, kUnavailable))
                v = "unknown";
            else if (!validPort(v))
                return fail(bad(client ? "PORT" : "DESTPORT", v));
            (client ? id.port : id.serverPort) = v;
        } else if (base::equalsIgnoreCase(e.name, "HELO")) {
            if (base::equalsIgnoreCase(v, kUnavailable)) {
                id.helo.reset();
            } else {
                if (v.size() > 255) return fail(bad("HELO", v));
                id.helo = neuter(v);
            }
            r.gotHelo = true;
        } else if (base::equalsIgnoreCase(e.name, "PROTO")) {
            if (!base::equalsIgnoreCase(v, "SMTP") && !base::equalsIgnoreCase(v, "ESMTP")) return fail(bad("PROTO", v));
            id.protocol = base::equalsIgnoreCase(v, "SMTP") ? "SMTP" : "ESMTP";
            r.gotProto = true;
        } else if (base::equalsIgnoreCase(e.name, "LOGIN")) {
            if (!base::equalsIgnoreCase(v, kUnavailable)) {
                id.login = v;
                r.gotLogin = true;
            }
        } else if (base::equalsIgnoreCase(e.name, "DESTADDR")) {
            if (base::equalsIgnoreCase(v, kUnavailable)) {
                id.serverAddress = "unknown";
            } else {
                v = neuter(v);
                auto a = normalizeMailhostAddress(v, families);
                if (!a) return fail(bad("DESTADDR", v));
                id.serverAddress = a->bare;
            }
        } else {
            return fail(base::cat("501 5.5.4 Bad XCLIENT attribute name: ", e.name));
        }
    }
    if (!r.gotLogin) id.login.reset();
    return r;
}

std::string applyXforward(const std::vector<std::string>& args, XforwardState& state, unsigned families) {
    XforwardState next = state;
    if (next.flags == 0) {  // smtpd_xforward_preset()
        next = XforwardState{};
        next.flags = XforwardState::kInit;
    }
    unsigned updated = 0;
    for (const std::string& arg : args) {
        Element e = element(arg);
        if (!e.error.empty()) return e.error;
        std::string& v = e.value;
        bool unavailable = base::equalsIgnoreCase(v, kUnavailable);
        unsigned flag = 0;
        if (base::equalsIgnoreCase(e.name, "NAME")) {
            flag = XforwardState::kName;
            if (unavailable) {
                v = "unknown";
            } else {
                v = neuter(v);
                if (!address::validHostname(v)) return bad("NAME", v);
            }
            next.name = v;
        } else if (base::equalsIgnoreCase(e.name, "ADDR")) {
            flag = XforwardState::kAddress;
            if (unavailable) {
                next.address = "unknown";
            } else {
                v = neuter(v);
                auto a = normalizeMailhostAddress(v, families);
                if (!a) return bad("ADDR", v);
                next.address = a->bare;
                next.rfcAddress = a->rfc;
            }
        } else if (base::equalsIgnoreCase(e.name, "PORT")) {
            flag = XforwardState::kPort;
            if (unavailable)
                v = "unknown";
            else if (!validPort(v))
                return bad("PORT", v);
            next.port = v;
        } else if (base::equalsIgnoreCase(e.name, "HELO")) {
            flag = XforwardState::kHelo;
            if (unavailable)
                next.helo.reset();
            else
                next.helo = neuter(v);
        } else if (base::equalsIgnoreCase(e.name, "PROTO")) {
            flag = XforwardState::kProto;
            if (unavailable) {
                v = "unknown";
            } else {
                if (v.size() > 64) return bad("PROTO", v);
                v = neuter(v);
            }
            next.protocol = v;
        } else if (base::equalsIgnoreCase(e.name, "IDENT")) {
            flag = XforwardState::kIdent;
            if (unavailable)
                next.ident.reset();
            else
                next.ident = neuter(v);
        } else if (base::equalsIgnoreCase(e.name, "SOURCE")) {
            flag = XforwardState::kDomain;
            if (unavailable) v = "LOCAL";
            if (base::equalsIgnoreCase(v, "LOCAL"))
                next.domain = "local";
            else if (base::equalsIgnoreCase(v, "REMOTE"))
                next.domain = "remote";
            else
                return bad("SOURCE", v);
        } else {
            return base::cat("501 5.5.4 Bad XFORWARD attribute name: ", e.name);
        }
        updated |= flag;
    }
    next.flags |= updated;
    if (updated & (XforwardState::kName | XforwardState::kAddress | XforwardState::kPort))
        next.namaddr = next.address != "unknown" ? next.name + "[" + next.address + "]" : next.name;
    state = std::move(next);
    return "";
}

}  // namespace postline::smtp
