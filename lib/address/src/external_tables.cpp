// External tables: lookups answered by the caller or undecidable offline. The key
// classes follow dict_mysql.c, dict_pgsql.c, dict_ldap.c, dict_sqlite.c,
// dict_memcache.c and dict_nis.c (fixed-string for a full-key query), dict_sockmap.c
// and dict_tcp.c (pattern).
#include "postline/address/external_tables.h"

#include <array>

namespace postline::address {

namespace {

constexpr std::array<std::string_view, 8> kExternalTypes = {"ldap",  "memcache",  "mysql",  "nis",
                                                            "pgsql", "socketmap", "sqlite", "tcp"};

thread_local ExternalLookups* current = nullptr;

class ExternalDict : public maps::Dict {
public:
    ExternalDict(std::string_view type, std::string_view name, uint32_t flags)
        : Dict(std::string(type), std::string(name),
               flags | (type == "socketmap" || type == "tcp" ? maps::flag::kPattern : maps::flag::kFixed)) {}

protected:
    maps::Lookup doLookup(std::string_view key) override {
        if (auto given = externalLookups().answer(*this, key)) return *given;
        return maps::Lookup::retry("undecidable offline: " + spec() + " lookup of \"" + std::string(key) +
                                   "\" (no --lookup answer)");
    }
};

std::string_view withoutProxy(std::string_view spec) {
    while (spec.starts_with("proxy:") && spec.find(':', 6) != std::string_view::npos) spec.remove_prefix(6);
    return spec;
}

}  // namespace

bool isExternalTableType(std::string_view type) {
    for (auto t : kExternalTypes)
        if (t == type) return true;
    return false;
}

ExternalLookups::ExternalLookups() : previous_(current) { current = this; }

ExternalLookups::~ExternalLookups() {
    if (installed_) current = previous_;
}

ExternalLookups& externalLookups() {
    thread_local ExternalLookups none{ExternalLookups::NotInstalled{}};
    return current ? *current : none;
}

base::Status ExternalLookups::addAnswer(std::string_view spec) {
    auto first = spec.find('=');
    auto second = first == std::string_view::npos ? first : spec.find('=', first + 1);
    if (second == std::string_view::npos)
        return base::Error{"bad lookup answer \"" + std::string(spec) + "\": expected TABLE=KEY=VALUE"};
    Answer a;
    a.table = std::string(withoutProxy(spec.substr(0, first)));
    a.key = std::string(spec.substr(first + 1, second - first - 1));
    a.value = std::string(spec.substr(second + 1));
    if (a.table != "*") {
        auto colon = a.table.find(':');
        if (colon == std::string::npos || !isExternalTableType(a.table.substr(0, colon)))
            return base::Error{"bad lookup answer \"" + std::string(spec) + "\": " + a.table +
                               " is not a table that needs an answer (ldap, memcache, mysql, nis, pgsql, socketmap, "
                               "sqlite or tcp)"};
    }
    if (a.key.empty()) return base::Error{"bad lookup answer \"" + std::string(spec) + "\": empty key"};
    answers_.push_back(std::move(a));
    return {};
}

std::optional<maps::Lookup> ExternalLookups::answer(const maps::Dict& table, std::string_view key) {
    std::string spec = table.spec();
    // The most specific answer wins: this table before "*", this key before "*".
    const Answer* best = nullptr;
    int bestRank = -1;
    for (const Answer& a : answers_) {
        bool tableMatch = a.table == spec, anyTable = a.table == "*";
        bool keyMatch = a.key != "*" && table.foldKey(a.key) == key, anyKey = a.key == "*";
        if (!(tableMatch || anyTable) || !(keyMatch || anyKey)) continue;
        int rank = (tableMatch ? 2 : 0) + (keyMatch ? 1 : 0);
        if (rank > bestRank) {
            best = &a;
            bestRank = rank;
        }
    }
    if (!best) {
        // Callers that never take them (lint) must not make the list grow without end.
        if (undecided_.size() < 100) undecided_.push_back(spec + " lookup of \"" + std::string(key) + "\"");
        return std::nullopt;
    }
    return best->value.empty() ? maps::Lookup::notFound() : maps::Lookup::found(best->value);
}

std::vector<std::string> ExternalLookups::takeUndecided() {
    std::vector<std::string> out;
    out.swap(undecided_);
    return out;
}

std::unique_ptr<maps::Dict> openExternalTable(std::string_view type, std::string_view name, uint32_t flags) {
    return std::make_unique<ExternalDict>(type, name, flags);
}

}  // namespace postline::address
