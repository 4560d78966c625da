// RoutingContext: lazily opened tables and lists of one configuration.
#include "postline/address/routing_context.h"

#include <cstring>

#include "postline/address/table_open.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/config/master_cf.h"

namespace postline::address {

RoutingContext::RoutingContext(const config::Config& config) : config_(config) {}

std::string RoutingContext::get(std::string_view name) const {
    if (name == "myorigin") {
        auto origin = myoriginValue(config_);
        if (origin) return *origin;
    }
    return config_.get(name);
}
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

const std::optional<std::set<std::string>>& RoutingContext::deliveryServices() {
    if (servicesRead_) return services_;
    servicesRead_ = true;
    std::string path = config_.configDirectory() + "/master.cf";
    auto text = base::readFile(path);
    if (!text) return services_;
    // An unparsable master.cf stops Postfix altogether; the entries before the bad line
    // are what trace can still go by.
    std::vector<std::vector<std::string>> entries;
    for (auto& e : config::scanMasterCf(*text).entries) entries.push_back(e.argv);
    services_ = deliveryServicesOf(entries);
    return services_;
}

void RoutingContext::setDeliveryServices(std::set<std::string> services) {
    servicesRead_ = true;
    services_ = std::move(services);
}

std::set<std::string> deliveryServicesOf(const std::vector<std::vector<std::string>>& entries) {
    // qmgr's mail_connect(MAIL_CLASS_PRIVATE, transport): master makes private/NAME for a
    // unix service whose private field is not "n".
    std::set<std::string> out;
    for (auto& fields : entries)
        if (fields.size() >= 3 && fields[1] == "unix" && fields[2] != "n") out.insert(fields[0]);
    return out;
}

base::Result<std::string> myoriginValue(const config::Config& config) {
    std::string value = config.get("myorigin");
    if (value.empty() || value[0] != '/') return value;
    // Read once per file: daemons read it once, at start-up.
    thread_local std::map<std::string, base::Result<std::string>> cache;
    auto it = cache.find(value);
    if (it != cache.end()) return it->second;
    base::Result<std::string> result = std::string();
    auto text = base::readFile(value);
    if (!text) {
        result = base::Error{value + ": cannot open file: " + std::strerror(text.error().errnum)};
    } else {
        std::string_view first = *text;
        first = first.substr(0, first.find('\n'));
        std::string line(base::trim(first));
        if (line.empty())
            result = base::Error{"myorigin file " + value + " is empty"};
        else
            result = std::move(line);
    }
    return cache.emplace(value, std::move(result)).first->second;
}

}  // namespace postline::address
