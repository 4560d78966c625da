// The attribute lists of the XCLIENT and XFORWARD commands as Postfix's smtpd reads
// them (smtpd/smtpd.c xclient_cmd and xforward_cmd, smtpd_xforward.c; XCLIENT_README,
// XFORWARD_README): xtext decoding, censoring, the checks of each attribute and the 501
// replies. Pure functions: what the session does with the values is its own business.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postline::smtp {

// xtext_unquote(): "+HH" escapes decoded; nullopt when a '+' is not followed by two hex
// digits (smtpd then uses the value as it was sent).
std::optional<std::string> xtextUnquote(std::string_view text);

// What smtpd knows of the client that XCLIENT may override (SMTPD_STATE's name, addr,
// port, helo_name, protocol, ...). Unknown values are "unknown", as in Postfix.
struct XclientIdentity {
    std::string name = "unknown";
    std::string reverseName = "unknown";
    // SMTPD_PEER_CODE_*: 2 ok, 4 temporary failure, 5 permanent failure.
    int nameStatus = 2, reverseStatus = 2;
    std::string address;     // printable address, or "unknown"
    std::string rfcAddress;  // "IPv6:..." for an IPv6 address (rfc_addr), else as address
    int family = 2;          // AF_INET 2, AF_INET6 10
    std::string port = "unknown";
    std::optional<std::string> helo;  // nullopt: no HELO
    std::string protocol = "SMTP";
    std::optional<std::string> login;  // the SASL login XCLIENT gave
    std::string serverAddress = "unknown", serverPort = "unknown";
};

// The address families inet_protocols enables: an address of another family is bad
// syntax to XCLIENT and XFORWARD (normalize_mailhost_addr()).
inline constexpr unsigned kFamilyIpv4 = 1u << 0, kFamilyIpv6 = 1u << 1;
// inet_protocols ("all", "ipv4", "ipv6", "ipv4, ipv6") as such a mask.
unsigned inetFamilies(std::string_view inetProtocols);

// One XCLIENT command's outcome: `error` is the 501 reply ("" on success); on success
// `identity` is the new client and the got* flags say which of HELO, PROTO and LOGIN
// the command named (the others are reset).
struct XclientResult {
    std::string error;
    XclientIdentity identity;
    bool gotHelo = false, gotProto = false, gotLogin = false;
};

// `args`: the command's arguments after the word XCLIENT (at least one). `current`: the
// client before the command. On an error nothing of `current` is changed (Postfix keeps
// the attributes that came before the bad one; Postline drops the whole command).
XclientResult applyXclient(const std::vector<std::string>& args, const XclientIdentity& current,
                           unsigned families = kFamilyIpv4 | kFamilyIpv6);

// What XFORWARD has told about the upstream client for the next message (SMTPD_STATE's
// xforward member). `flags` holds kInit once a command was accepted.
struct XforwardState {
    static constexpr unsigned kInit = 1u << 0, kName = 1u << 1, kAddress = 1u << 2, kProto = 1u << 3, kHelo = 1u << 4,
                              kIdent = 1u << 5, kDomain = 1u << 6, kPort = 1u << 7;
    static constexpr unsigned kClientMask = kName | kAddress | kProto | kHelo | kPort;

    unsigned flags = 0;
    std::string name = "unknown", address = "unknown", rfcAddress = "unknown", port = "unknown";
    std::string namaddr = "unknown", protocol = "unknown";
    std::optional<std::string> helo, ident;
    std::optional<std::string> domain;  // rewrite context: "local" or "remote"

    // HAVE_FORWARDED_CLIENT_ATTR: the client attributes replace the session's.
    bool haveClient() const { return (flags & kClientMask) != 0; }
};

// One XFORWARD command: "" and `state` updated on success, else the 501 reply and
// `state` unchanged.
std::string applyXforward(const std::vector<std::string>& args, XforwardState& state,
                          unsigned families = kFamilyIpv4 | kFamilyIpv6);

// The EHLO lines for the two commands (ehlo_cmd's XCLIENT and XFORWARD keywords).
inline constexpr const char* kXclientEhlo = "XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT";
inline constexpr const char* kXforwardEhlo = "XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT";

}  // namespace postline::smtp
