// The names of record types and lookup results, null MX detection, and reverse-lookup
// names (in-addr.arpa / ip6.arpa), as Postfix's dns_strtype.c and the resolver's
// PTR queries build them. No c-ares here.
#include <arpa/inet.h>

#include <cstdio>

#include "postline/dns/resolver.h"

namespace postline::dns {

const char* recordTypeName(RecordType type) {
    switch (type) {
        case RecordType::A:
            return "A";
        case RecordType::AAAA:
            return "AAAA";
        case RecordType::MX:
            return "MX";
        case RecordType::PTR:
            return "PTR";
        case RecordType::TXT:
            return "TXT";
        case RecordType::NS:
            return "NS";
    }
    return "?";
}

const char* statusName(Status status) {
    switch (status) {
        case Status::Found:
            return "found";
        case Status::NxDomain:
            return "nxdomain";
        case Status::NoData:
            return "nodata";
        case Status::TempFail:
            return "tempfail";
        case Status::Failed:
            return "failed";
        case Status::Malformed:
            return "malformed";
    }
    return "?";
}

bool Answer::nullMx() const {
    if (type != RecordType::MX || status != Status::Found) return false;
    for (const auto& r : mx)
        if (r.exchange.empty()) return true;
    return false;
}

std::optional<std::string> reverseLookupName(std::string_view address) {
    std::string text(address);
    unsigned char bytes[16];
    char buf[8];
    std::string out;
    if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
        for (int i = 3; i >= 0; --i) {
            std::snprintf(buf, sizeof buf, "%u.", bytes[i]);
            out += buf;
        }
        return out + "in-addr.arpa";
    }
    if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
        static const char hex[] = "0123456789abcdef";
        for (int i = 15; i >= 0; --i) {
            out += hex[bytes[i] & 0xf];
            out += '.';
            out += hex[bytes[i] >> 4];
            out += '.';
        }
        return out + "ip6.arpa";
    }
    return std::nullopt;
}

}  // namespace postline::dns
