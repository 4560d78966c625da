// What the address pipeline reads: the configuration plus the tables and lists it
// names, each opened once on first use (Postfix's daemons open them at start-up, as
// trivial-rewrite and cleanup do with maps_create and domain_list_init).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "postline/address/local_domains.h"
#include "postline/address/match_list.h"
#include "postline/base/result.h"
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
    // A parameter as Postfix's daemons hold it (var_NAME): the expanded value, except
    // that myorigin starting with '/' is the first line of that file (Debian builds
    // Postfix with MYORIGIN_FROM_FILE; see myoriginValue()).
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

    // The services qmgr can hand mail to: master.cf's private unix services (qmgr
    // connects to private/NAME). Read from the configuration directory's master.cf on
    // first use; nullopt when there is none to read (then no transport is refused).
    const std::optional<std::set<std::string>>& deliveryServices();
    // Makes `services` the delivery services (a compiled generation's master.cf).
    void setDeliveryServices(std::set<std::string> services);

private:
    const config::Config& config_;
    std::map<std::string, maps::MapList, std::less<>> maps_;
    std::map<std::string, MatchList, std::less<>> lists_;
    std::unique_ptr<LocalDomains> local_;
    bool servicesRead_ = false;
    std::optional<std::set<std::string>> services_;
};

// myorigin as Postfix's daemons use it: a value starting with '/' names a file whose
// first line, trimmed, is the domain (mail_params.c read_param_from_file, compiled in by
// Debian). Errors are Postfix's fatal texts: "PATH: No such file or directory",
// "myorigin file PATH is empty". Other values are returned as they are.
base::Result<std::string> myoriginValue(const config::Config& config);

// The master.cf services that qmgr can deliver to (see RoutingContext::deliveryServices).
std::set<std::string> deliveryServicesOf(const std::vector<std::vector<std::string>>& entries);

}  // namespace postline::address
