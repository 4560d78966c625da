// RoutingContext: lazily opened tables and lists of one configuration.
#include "postline/address/routing_context.h"

#include "postline/address/table_open.h"
#include "postline/config/config.h"

namespace postline::address {

RoutingContext::RoutingContext(const config::Config& config) : config_(config) {}

std::string RoutingContext::get(std::string_view name) const { return config_.get(name); }
bool RoutingContext::getBool(std::string_view name) const { return config_.getBool(name); }
long RoutingContext::getLong(std::string_view name) const { return config_.getLong(name); }

maps::MapList& RoutingContext::maps(std::string_view parameter, uint32_t extraFlags) {
    auto it = maps_.find(parameter);
    if (it != maps_.end()) return it->second;
    maps::OpenContext open;
    open.config = &config_;
    auto tables = openAddressTables(std::string(parameter), config_.get(parameter), tableFlags(extraFlags), open);
    return maps_.emplace(std::string(parameter), std::move(tables)).first->second;
}

uint32_t RoutingContext::tableFlags(uint32_t extraFlags) const {
    uint32_t flags = maps::flag::kFoldFix | extraFlags;
    if (config_.getBool("smtputf8_enable")) flags |= maps::flag::kUtf8Request;
    return flags;
}

void RoutingContext::setMaps(std::string_view parameter, maps::MapList tables) {
    maps_.insert_or_assign(std::string(parameter), std::move(tables));
}

MatchList& RoutingContext::list(std::string_view parameter, MatchKind kind) {
    auto it = lists_.find(parameter);
    if (it != lists_.end()) return it->second;
    return lists_.emplace(std::string(parameter), MatchList::fromParameter(config_, parameter, kind)).first->second;
}

LocalDomains& RoutingContext::localDomains() {
    if (!local_) local_ = std::make_unique<LocalDomains>(config_);
    return *local_;
}

}  // namespace postline::address
