// namadr_list_match (global/namadr_list.c over util/match_list.c with match_hostname
// and match_hostaddr from util/match_ops.c).
#include "postline/address/host_address_list.h"

#include <arpa/inet.h>

#include <cstring>

#include "list_items.h"
#include "postline/address/address_parts.h"
#include "postline/address/table_open.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/maps/registry.h"

namespace postline::address {

namespace {

bool isTablePattern(std::string_view p) { return !p.empty() && p[0] != '[' && p.find(':') != std::string_view::npos; }

std::string_view stripBrackets(std::string_view p) {
    if (p.size() >= 2 && p.front() == '[' && p.back() == ']') return p.substr(1, p.size() - 2);
    return p;
}

struct Binary {
    int family = 0;
    unsigned char bytes[16] = {};
    int size() const { return family == AF_INET ? 4 : 16; }
};

std::optional<Binary> toBinary(std::string_view text) {
    std::string s(stripBrackets(text));
    Binary b;
    if (inet_pton(AF_INET, s.c_str(), b.bytes) == 1) {
        b.family = AF_INET;
        return b;
    }
    if (inet_pton(AF_INET6, s.c_str(), b.bytes) == 1) {
        b.family = AF_INET6;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(b.bytes, mapped, 12) == 0) {
            std::memmove(b.bytes, b.bytes + 12, 4);
            b.family = AF_INET;
        }
        return b;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> normalizeHostAddress(std::string_view text) {
    auto b = toBinary(text);
    if (!b) return std::nullopt;
    char out[INET6_ADDRSTRLEN] = {};
    inet_ntop(b->family, b->bytes, out, sizeof out);
    return std::string(out);
}

bool addressInNetwork(std::string_view addr, std::string_view network) {
    auto slash = network.rfind('/');
    std::string_view net = slash == std::string_view::npos ? network : network.substr(0, slash);
    auto a = toBinary(addr);
    auto n = toBinary(net);
    if (!a || !n || a->family != n->family) return false;
    int bits = a->size() * 8;
    if (slash != std::string_view::npos) {
        std::string len(network.substr(slash + 1));
        if (len.empty() || len.find_first_not_of("0123456789") != std::string::npos) return false;
        bits = std::stoi(len);
        if (bits > a->size() * 8) return false;
    }
    for (int i = 0; i < a->size(); ++i) {
        int keep = bits >= 8 ? 8 : bits > 0 ? bits : 0;
        bits -= keep;
        unsigned char mask = static_cast<unsigned char>(keep == 0 ? 0 : 0xff << (8 - keep));
        if ((a->bytes[i] & mask) != (n->bytes[i] & mask)) return false;
    }
    return true;
}

HostAddressList::HostAddressList(HostAddressList&&) noexcept = default;
HostAddressList& HostAddressList::operator=(HostAddressList&&) noexcept = default;
HostAddressList::~HostAddressList() = default;

HostAddressList HostAddressList::create(std::string title, std::string_view text, bool parentStyle,
                                        uint32_t dictFlags) {
    HostAddressList list;
    list.title_ = std::move(title);
    list.parentStyle_ = parentStyle;
    list.parse(text, dictFlags | maps::flag::kFoldFix);
    return list;
}

HostAddressList HostAddressList::fromParameter(const config::Config& config, std::string_view name) {
    uint32_t flags = listDictFlags(config);
    return create(std::string(name), config.get(name), matchesParentStyle(config, name), flags);
}

void HostAddressList::parse(std::string_view text, uint32_t dictFlags) {
    forEachListItem(
        title_, text,
        [&](bool positive, std::string_view p) {
            Entry& e = addListEntry(entries_, positive, p);
            e.pattern = isTablePattern(p) ? std::string(p) : lowercase(p);
            if (isTablePattern(p)) {
                // As every table lib/address opens: proxy: and unix:passwd.byname too.
                auto opened = openAddressTable(p, dictFlags, {});
                if (opened)
                    e.dict = std::shared_ptr<maps::Dict>(std::move(*opened));
                else
                    e.openError = opened.error().message;
            }
        },
        [&](bool positive, std::string_view p, std::string error) {
            Entry& e = addListEntry(entries_, positive, p);
            e.pattern = std::string(p);
            e.openError = std::move(error);
        });
}

MatchResult HostAddressList::match(std::string_view rawName, std::string_view addr) {
    MatchResult r;
    std::string name = lowercase(rawName);
    auto decide = [&](const Entry& e, std::string key) {
        r.matched = e.positive;
        r.pattern = e.written;
        r.key = std::move(key);
        return r;
    };
    auto fail = [&](const Entry& e, std::string why) {
        r.error = true;
        r.pattern = e.written;
        r.errorText = std::move(why);
        return r;
    };
    bool addrLike = !addr.empty() && addr.find_first_not_of("0123456789./:abcdefABCDEF") == std::string_view::npos;
    for (auto& e : entries_) {
        if (!e.openError.empty()) return fail(e, e.pattern + ": " + e.openError);
        if (e.dict) {
            // match_hostname: the name, then its parents (only fixed tables see those).
            size_t start = 0;
            while (!name.empty()) {
                if (start == 0 || (e.dict->flags() & maps::flag::kFixed)) {
                    std::string probe = name.substr(start);
                    auto got = e.dict->lookup(probe);
                    if (got.isFound()) return decide(e, probe);
                    if (got.isError()) return fail(e, e.pattern + ": table lookup problem");
                }
                auto dot = name.find('.', start + 1);
                if (dot == std::string::npos) break;
                start = parentStyle_ ? dot + 1 : dot;
            }
            // match_hostaddr: the address itself.
            if (addrLike) {
                auto got = e.dict->lookup(addr);
                if (got.isFound()) return decide(e, std::string(addr));
                if (got.isError()) return fail(e, e.pattern + ": table lookup problem");
            }
            continue;
        }
        const std::string& pat = e.pattern;
        if (name == pat) return decide(e, name);
        if (parentStyle_) {
            if (name.size() > pat.size() && name.compare(name.size() - pat.size(), pat.size(), pat) == 0 &&
                name[name.size() - pat.size() - 1] == '.')
                return decide(e, name);
        } else if (!pat.empty() && pat[0] == '.') {
            if (name.size() > pat.size() && name.compare(name.size() - pat.size(), pat.size(), pat) == 0)
                return decide(e, name);
        }
        if (addrLike && (pat[0] == '[' || base::isDigit(pat[0]) || pat.find(':') != std::string::npos) &&
            addressInNetwork(addr, pat))
            return decide(e, std::string(addr));
    }
    return r;
}

}  // namespace postline::address
