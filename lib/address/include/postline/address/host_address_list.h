// A list of host names and network addresses, as Postfix's namadr_list.c matches a
// client (name, address) pair: mynetworks, permit_mx_backup_networks. Entries are host
// or domain names, `.domain`, addresses (`1.2.3.4`, `[::1]`), networks (`10.0.0.0/8`,
// `[2001:db8::]/32`), `type:table` (the name and its parents, then the address, are
// keys), `/file` includes and `!` negations. Each entry is tried against the name and
// then the address; the first entry that matches decides.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/address/match_list.h"
#include "postline/maps/dict.h"

namespace postline::config {
class Config;
}

namespace postline::address {

class HostAddressList {
public:
    HostAddressList() = default;
    // `text` is the expanded parameter value; `parentStyle` as MatchKind::HostParent.
    static HostAddressList create(std::string title, std::string_view text, bool parentStyle, uint32_t dictFlags);
    static HostAddressList fromParameter(const config::Config& config, std::string_view name);

    HostAddressList(HostAddressList&&) noexcept;
    HostAddressList& operator=(HostAddressList&&) noexcept;
    ~HostAddressList();

    bool empty() const { return entries_.empty(); }
    const std::string& title() const { return title_; }
    // Matches the client `name` ("unknown" when it has none) and `addr` (printable).
    MatchResult match(std::string_view name, std::string_view addr);

private:
    struct Entry {
        std::string written;
        bool positive = true;
        std::string pattern;  // lower-case name, address, network or type:table
        std::shared_ptr<maps::Dict> dict;
        std::string openError;
    };
    // Appends the entries of list value `text` (lib/address/src/list_items.h walks it).
    void parse(std::string_view text, uint32_t dictFlags);

    std::string title_;
    bool parentStyle_ = false;
    std::vector<Entry> entries_;
};

// An IPv4 or IPv6 address in Postfix's printable form (IPv6 lower-case and compressed,
// IPv4-mapped IPv6 as plain IPv4); nullopt when `text` is not an address.
std::optional<std::string> normalizeHostAddress(std::string_view text);

// True when `addr` lies in `network` ("10.0.0.0/8", "[2001:db8::]/32", or one address).
bool addressInNetwork(std::string_view addr, std::string_view network);

}  // namespace postline::address
