// Generation::openCurrent(): follows OUTDIR/current, locks that generation's directory
// as in use and reads its config.json. A generation directory never changes once named,
// so what was read stays consistent however many compiles run afterwards, and compile
// does not remove it while a copy of the Generation holds the lock (tables are opened
// from it later). Temporary directories are never looked at: only `current` decides.
#include "postline/artifact/generation.h"

#include <unistd.h>

#include <cerrno>
#include <memory>

#include <nlohmann/json.hpp>

#include "layout.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"

namespace postline::artifact {

namespace {

using Json = nlohmann::json;

// The shared lock on a generation's directory (layout::lockGenerationInUse), released
// when the last copy of the Generation is gone.
struct UseLock {
    explicit UseLock(int fd) : fd(fd) {}
    UseLock(const UseLock&) = delete;
    UseLock& operator=(const UseLock&) = delete;
    ~UseLock() { ::close(fd); }
    int fd;
};

Setting settingOf(const Json& j) {
    return Setting{j.value("value", ""), j.value("expanded", ""), j.value("origin", "")};
}

}  // namespace

base::Result<Generation> Generation::openCurrent(const std::string& outDir) {
    Generation g;
    g.outDir_ = outDir;
    // current can move on, and the generation it named be pruned, between reading the
    // link and locking the directory: then the link is followed again. Each retry needs
    // a whole compile to have happened meanwhile, so a few are plenty.
    for (int attempt = 1;; ++attempt) {
        auto target = layout::currentTarget(outDir);
        if (!target) return base::Error{base::cat("no compiled generation in ", outDir, ": ", target.error().message)};
        g.target_ = *target;
        g.number_ = layout::generationNumber(*target);
        if (g.number_ < 1 || target->find('/') != std::string::npos)
            return base::Error{base::cat(outDir, "/", layout::kCurrent, " points at ", *target, ", not a generation")};
        g.path_ = base::cat(outDir, "/", *target);
        auto fd = layout::lockGenerationInUse(g.path_);
        if (fd) {
            g.inUse_ = std::make_shared<const UseLock>(*fd);
            break;
        }
        if (fd.error().errnum != ENOENT || attempt == 3) return fd.error();
    }
    std::string file = base::cat(g.path_, "/", layout::kGraph);
    auto text = base::readFile(file);
    if (!text) return base::Error{base::cat(file, ": ", text.error().message), text.error().errnum};
    Json graph = Json::parse(*text, nullptr, false);
    if (graph.is_discarded() || !graph.is_object()) return base::Error{file + ": not a JSON document"};
    try {
        g.configDir_ = graph.value("config_directory", "");
        for (const auto& [name, value] : graph.at("parameters").items()) g.parameters_[name] = settingOf(value);
        for (const Json& s : graph.at("services")) {
            Service service;
            service.name = s.at("service").get<std::string>();
            service.type = s.at("type").get<std::string>();
            for (std::string_view field :
                 {"service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command"})
                service.fields.push_back(s.at(std::string(field)).get<std::string>());
            service.args = s.at("arguments").get<std::vector<std::string>>();
            for (const auto& [name, value] : s.at("overrides").items()) service.overrides[name] = settingOf(value);
            service.origin = s.value("origin", "");
            g.services_.push_back(std::move(service));
        }
        for (const Json& t : graph.at("tables")) {
            CompiledTable table;
            table.reference = t.at("reference").get<std::string>();
            table.type = t.at("type").get<std::string>();
            table.source = t.at("source").is_string() ? t["source"].get<std::string>() : "";
            table.compiled = t.at("compiled").is_string();
            std::string open = t.at("open").get<std::string>();
            // "hash:tables/ID" is relative to the generation directory.
            table.spec =
                table.compiled ? base::cat(table.type, ":", g.path_, "/", open.substr(table.type.size() + 1)) : open;
            g.tables_.push_back(std::move(table));
        }
    } catch (const Json::exception& e) {
        return base::Error{base::cat(file, ": not a configuration graph: ", e.what())};
    }
    return g;
}

std::optional<std::string> Generation::parameter(std::string_view name) const {
    auto it = parameters_.find(name);
    if (it == parameters_.end()) return std::nullopt;
    return it->second.expanded;
}

std::optional<std::string> Generation::serviceParameter(std::string_view service, std::string_view type,
                                                        std::string_view name) const {
    for (const Service& s : services_) {
        if (s.name != service || s.type != type) continue;
        if (auto it = s.overrides.find(name); it != s.overrides.end()) return it->second.expanded;
    }
    return parameter(name);
}

std::optional<std::string> Generation::tableSpec(std::string_view reference) const {
    while (reference.starts_with("proxy:") && reference.find(':', 6) != std::string_view::npos)
        reference.remove_prefix(6);
    for (const CompiledTable& table : tables_)
        if (table.reference == reference) return table.spec;
    return std::nullopt;
}

std::vector<std::vector<std::string>> Generation::serviceFields() const {
    std::vector<std::vector<std::string>> out;
    out.reserve(services_.size());
    for (const auto& service : services_) out.push_back(service.fields);
    return out;
}

bool Generation::changed() const {
    auto target = layout::currentTarget(outDir_);
    return !target || *target != target_;
}

}  // namespace postline::artifact
