// What the address pipeline reads: the configuration plus the tables and lists it
// names, each opened once on first use (Postfix's daemons open them at start-up, as
// trivial-rewrite and cleanup do with maps_create and domain_list_init).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "postline/address/local_domains.h"
#include "postline/address/match_list.h"
#include "postline/maps/map_list.h"

namespace postline::config {
class Config;
}

namespace postline::address {

class RoutingContext {
public:
    explicit RoutingContext(const config::Config& config);
    RoutingContext(const RoutingContext&) = delete;
    RoutingContext& operator=(const RoutingContext&) = delete;

    const config::Config& config() const { return config_; }
    std::string get(std::string_view name) const;
    bool getBool(std::string_view name) const;
    long getLong(std::string_view name) const;

    // The table list of a parameter, opened read-only with FOLD_FIX (and UTF8_REQUEST
    // when smtputf8_enable is on) plus `extraFlags` on first use.
    maps::MapList& maps(std::string_view parameter, uint32_t extraFlags = 0);
    // The flags maps() opens tables with.
    uint32_t tableFlags(uint32_t extraFlags = 0) const;
    // Makes `tables` the table list of `parameter` from now on, instead of what the
    // configuration names (lint: tables read from their sources, not from the indexed
    // files beside them, which may be missing or older).
    void setMaps(std::string_view parameter, maps::MapList tables);
    // A domain or string list parameter (host lists follow parent_domain_matches_subdomains).
    MatchList& list(std::string_view parameter, MatchKind kind);
    LocalDomains& localDomains();

private:
    const config::Config& config_;
    std::map<std::string, maps::MapList, std::less<>> maps_;
    std::map<std::string, MatchList, std::less<>> lists_;
    std::unique_ptr<LocalDomains> local_;
};

}  // namespace postline::address
