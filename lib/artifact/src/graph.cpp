// buildGraph(): parameters as `postconf` would show them (defaults, main.cf values and
// the per-service parameters of postconf_service.c), master.cf services, tables, and the
// edges that tie them together, for readers and for tools that explain a configuration.
#include "graph.h"

#include <set>

#include "postline/base/strings.h"
#include "postline/config/expand.h"
#include "postline/config/registry.h"
#include "postline/config/service_expand.h"
#include "postline/maps/table_source.h"

namespace postline::artifact {

namespace {

using Json = nlohmann::ordered_json;

std::string paramNode(std::string_view name) { return base::cat("parameter:", name); }
std::string serviceNode(const config::MasterEntry& entry) {
    return base::cat("service:", entry.name(), "/", entry.type());
}

Json edge(const std::string& from, const std::string& to, std::string_view kind) {
    return Json{{"from", from}, {"to", to}, {"kind", kind}};
}

// The names a value refers to with $name, ${name...} or $(name), both branches of
// ${name?a:b} included.
std::vector<std::string> referencedNames(const std::string& raw) {
    std::vector<std::string> names;
    if (raw.find('$') == std::string::npos) return names;
    std::set<std::string> seen;
    (void)config::macroExpand(raw, config::kMacroScan, [&](std::string_view name) -> std::optional<std::string> {
        if (seen.insert(std::string(name)).second) names.emplace_back(name);
        return std::nullopt;
    });
    return names;
}

// The transport of "transport:nexthop" ("" for ":nexthop" or a bare nexthop).
std::string transportOf(std::string_view value) {
    size_t colon = value.find(':');
    if (colon == std::string_view::npos || colon == 0) return {};
    return std::string(base::trim(value.substr(0, colon)));
}

class GraphBuilder {
public:
    explicit GraphBuilder(const GraphInput& in) : in_(in) {}

    Json build() {
        Json graph;
        graph["format"] = 1;
        graph["generation"] = in_.generation;
        graph["config_directory"] = in_.config.configDirectory();
        graph["parameters"] = parameters();
        graph["services"] = services();
        graph["tables"] = tables();
        graph["transports"] = transports();
        graph["edges"] = std::move(edges_);
        return graph;
    }

private:
    void addParameter(Json& out, const std::string& name, const std::string& raw, bool expand) {
        if (out.contains(name)) return;
        const config::Definition* def = in_.config.definition(name);
        Json entry;
        entry["value"] = raw;
        entry["expanded"] = expand ? in_.config.expand(raw) : raw;
        entry["origin"] = def ? base::cat(def->file, ":", def->line) : std::string("default");
        out[name] = std::move(entry);
        if (expand)
            for (const std::string& ref : referencedNames(raw))
                edges_.push_back(edge(paramNode(name), paramNode(ref), "references"));
    }

    Json parameters() {
        // Built-in names first (sorted), then the user's own, then per-service ones.
        Json out = Json::object();
        for (const config::ParameterInfo& p : config::builtinParameters()) {
            if (p.flags & config::kLegacy) continue;
            std::string name(p.name);
            addParameter(out, name, in_.config.raw(name).value_or(""), !(p.flags & config::kRaw));
        }
        for (const std::string& name : in_.config.definedNames())
            addParameter(out, name, in_.config.raw(name).value_or(""), true);
        for (const config::MasterEntry& entry : in_.master) {
            if (entry.argv.size() <= size_t(config::kMasterCommandField)) continue;
            std::string program = base::baseName(entry.argv[config::kMasterCommandField]);
            for (const config::ServiceParamTemplate& t : config::serviceParameterTemplates()) {
                if (t.program != program) continue;
                std::string name = base::cat(entry.name(), t.suffix);
                addParameter(out, name, in_.config.raw(name).value_or(base::cat("$", t.defaultParam)), true);
            }
        }
        return out;
    }

    Json services() {
        Json out = Json::array();
        for (const config::MasterEntry& entry : in_.master) {
            if (entry.argv.size() < size_t(config::kMasterMinFields)) continue;
            Json service;
            for (int i = 0; i < config::kMasterMinFields; ++i)
                service[std::string(config::kMasterFieldNames[i])] = entry.argv[size_t(i)];
            service["arguments"] =
                Json(std::vector<std::string>(entry.argv.begin() + config::kMasterMinFields, entry.argv.end()));
            service["origin"] = base::cat(in_.masterPath, ":", entry.line);
            Json overrides = Json::object();
            for (const auto& [name, raw] : entry.params()) {
                Json o;
                o["value"] = raw;
                o["expanded"] = config::expandForService(in_.config, entry, raw);
                o["origin"] = base::cat(in_.masterPath, ":", config::masterOptionLine(in_.masterLines, entry, name));
                overrides[name] = std::move(o);  // a later -o for the same name wins
            }
            for (const auto& [name, value] : overrides.items())
                edges_.push_back(edge(serviceNode(entry), paramNode(name), "overrides"));
            service["overrides"] = std::move(overrides);
            out.push_back(std::move(service));
        }
        return out;
    }

    Json tables() {
        Json out = Json::array();
        for (const PlannedTable& table : in_.tables) {
            Json t;
            t["reference"] = table.reference;
            t["type"] = table.spec.type;
            t["name"] = table.spec.name;
            t["kind"] = tableKindName(table.kind);
            t["alias_format"] = table.aliasFormat;
            bool hasSource = table.kind == TableKind::Indexed || table.kind == TableKind::Text;
            t["source"] = hasSource ? Json(table.spec.name) : Json(nullptr);
            t["compiled"] = table.files.empty() ? Json(nullptr) : Json(table.files.front());
            // The spec a reader opens, relative to the generation directory when compiled.
            bool missing = table.action == "missing";
            t["open"] =
                hasSource && !missing ? Json(base::cat(table.spec.type, ":tables/", table.id)) : Json(table.reference);
            if (missing) t["source_missing"] = true;
            Json uses = Json::array();
            for (const TableUse& use : table.uses) {
                Json u{{"parameter", use.parameter}, {"origin", use.origin}};
                if (!use.service.empty()) u["service"] = use.service;
                uses.push_back(std::move(u));
                Json e = edge(use.service.empty() ? paramNode(use.parameter) : base::cat("service:", use.service),
                              base::cat("table:", table.reference), "uses-table");
                if (!use.service.empty()) e["parameter"] = use.parameter;
                edges_.push_back(std::move(e));
            }
            t["used_by"] = std::move(uses);
            out.push_back(std::move(t));
        }
        return out;
    }

    // Transports named by *_transport parameters and by the values of fixed-key
    // transport tables, each with the master.cf unix service that runs it.
    Json transports() {
        std::vector<std::pair<std::string, std::string>> named;  // transport, naming node
        for (const config::ParameterInfo& p : config::builtinParameters()) {
            if (!p.name.ends_with("_transport") || (p.flags & config::kLegacy)) continue;
            std::string t = transportOf(in_.config.get(p.name));
            if (t.empty() && !in_.config.get(p.name).empty() && in_.config.get(p.name).find(':') == std::string::npos)
                t = in_.config.get(p.name);  // "local_transport = local" without a nexthop
            if (!t.empty()) named.emplace_back(t, paramNode(p.name));
        }
        for (const PlannedTable& table : in_.tables) {
            bool transportTable = false;
            for (const TableUse& use : table.uses) transportTable |= use.parameter == "transport_maps";
            if (!transportTable || table.kind != TableKind::Indexed) continue;
            auto text = base::readFile(table.spec.name);
            if (!text) continue;
            std::set<std::string> seen;
            (void)maps::forEachSourceRecord(*text, table.spec.name, false,
                                            [&](const maps::SourceRecord& record, int) -> base::Status {
                                                std::string t = transportOf(record.value);
                                                if (!t.empty() && seen.insert(t).second)
                                                    named.emplace_back(t, base::cat("table:", table.reference));
                                                return {};
                                            });
        }
        Json out = Json::array();
        std::set<std::string> listed;
        for (const auto& [transport, from] : named) {
            edges_.push_back(edge(from, base::cat("transport:", transport), "names-transport"));
            if (!listed.insert(transport).second) continue;
            const config::MasterEntry* service = nullptr;
            for (const config::MasterEntry& entry : in_.master)
                if (entry.argv.size() >= 2 && entry.name() == transport && entry.type() == "unix") service = &entry;
            Json t;
            t["name"] = transport;
            t["service"] = service ? Json(base::cat(service->name(), "/", service->type())) : Json(nullptr);
            if (service) edges_.push_back(edge(base::cat("transport:", transport), serviceNode(*service), "runs-as"));
            out.push_back(std::move(t));
        }
        return out;
    }

    const GraphInput& in_;
    Json edges_ = Json::array();
};

}  // namespace

Json buildGraph(const GraphInput& input) { return GraphBuilder(input).build(); }

}  // namespace postline::artifact
