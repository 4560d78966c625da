// compile(): lock OUTDIR, build gen-N in a hidden temporary directory (tables, then
// config.json, then manifest.json), rename it to gen-N, switch current, prune old
// generations. Every failure before the switch, an exception included, removes the
// temporary directory, so the current generation is never touched and no half generation
// is ever named gen-N.
#include "postline/artifact/compiler.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "graph.h"
#include "layout.h"
#include "postline/artifact/sha256.h"
#include "postline/base/files.h"
#include "postline/base/json_dump.h"
#include "postline/base/strings.h"
#include "postline/maps/root_redirect.h"
#include "tables.h"

namespace postline::artifact {

namespace {

using Json = nlohmann::ordered_json;

std::string isoTime(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::vector<std::string> splitLines(std::string_view text) {
    std::vector<std::string> lines;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        lines.emplace_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return lines;
}

// Removes the temporary generation unless it was renamed into place.
class TemporaryGeneration {
public:
    explicit TemporaryGeneration(std::string path) : path_(std::move(path)) {}
    ~TemporaryGeneration() {
        if (!path_.empty()) layout::removeTree(path_);
    }
    const std::string& path() const { return path_; }
    void release() { path_.clear(); }

private:
    std::string path_;
};

// The build keys of the current generation's tables, so that unchanged tables are linked.
std::map<std::string, ReusableTable> previousTables(const std::string& outDir) {
    std::map<std::string, ReusableTable> out;
    auto target = layout::currentTarget(outDir);
    if (!target) return out;
    int number = layout::generationNumber(*target);
    std::string dir = base::cat(outDir, "/", *target);
    auto text = base::readFile(base::cat(dir, "/", layout::kManifest));
    if (number < 1 || !text) return out;
    Json manifest = Json::parse(*text, nullptr, false);
    if (manifest.is_discarded() || !manifest.contains("tables") || !manifest["tables"].is_array()) return out;
    for (const Json& table : manifest["tables"]) {
        if (!table.is_object() || !table.contains("build_key") || !table["build_key"].is_string()) continue;
        ReusableTable reusable{number, dir, {}};
        for (const Json& file : table.value("files", Json::array()))
            if (file.is_string()) reusable.files.push_back(file.get<std::string>());
        if (!reusable.files.empty()) out.emplace(table["build_key"].get<std::string>(), std::move(reusable));
    }
    return out;
}

Json inputRecord(const std::string& path, std::string_view kind, const std::string& sha256, const FileStamp& stamp) {
    return Json{
        {"path", path},        {"kind", kind}, {"sha256", sha256}, {"size", stamp.size}, {"mtime_ns", stamp.mtimeNs},
        {"inode", stamp.inode}};
}

base::Result<Json> inputEntry(SourceDigests& digests, const std::string& path, std::string_view kind) {
    auto digest = digests.digest(path);
    if (!digest) return digest.error();
    return inputRecord(path, kind, *digest, digests.stamp(path));
}

base::Status writeDocument(const std::string& path, const Json& doc) {
    return base::writeFileAtomically(path, base::dumpJson(doc, 2) + "\n", 0644);
}

// Complete generations beyond the newest `keep` are removed; current never is, nor one
// that a process still reads (a later compile removes it).
void pruneGenerations(const std::string& outDir, int keep, int current) {
    auto numbers = layout::generations(outDir);
    if (!numbers || keep < 1) return;
    size_t excess = numbers->size() > size_t(keep) ? numbers->size() - size_t(keep) : 0;
    for (size_t i = 0; i < excess; ++i)
        if ((*numbers)[i] != current)
            layout::removeUnusedGeneration(base::cat(outDir, "/", layout::generationName((*numbers)[i])));
}

// Temporary generations left by a compile that crashed (the lock is ours, so no other
// compile is writing them).
void removeLeftovers(const std::string& outDir) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(outDir, ignored)) {
        std::string name = entry.path().filename().string();
        if (name.starts_with(".gen-") && name.ends_with(".tmp")) layout::removeTree(entry.path().string());
    }
}

}  // namespace

std::string defaultOutputDirectory(const std::string& configDir) { return configDir + "/compiled"; }

namespace {

// The compile itself; compile() below turns an exception into an error, after the
// unwinding has removed the temporary generation.
base::Result<CompileSummary> compileGeneration(const CompileOptions& options) {
    auto config = config::Config::load(options.configDir, options.root);
    if (!config) return config.error();
    for (const auto& [name, value] : options.defaults) config->addDefault(name, value);
    std::string readDir = config::underRoot(options.root, options.configDir);
    std::string mainPath = readDir + "/main.cf";
    std::string masterPath = readDir + "/master.cf";
    std::vector<config::MasterEntry> master;
    std::vector<std::string> masterLines;
    bool haveMaster = false;
    if (auto text = base::readFile(masterPath)) {
        auto parsed = config::parseMasterCf(*text, masterPath);
        if (!parsed) return parsed.error();
        master = std::move(*parsed);
        masterLines = splitLines(*text);
        haveMaster = true;
    } else if (text.error().errnum != ENOENT) {
        return text.error();
    }

    if (auto made = layout::makeDirectories(options.outDir); !made) return made.error();
    auto lock = layout::CompileLock::acquire(options.outDir);
    if (!lock) return lock.error();
    removeLeftovers(options.outDir);
    auto existing = layout::generations(options.outDir);
    if (!existing) return existing.error();
    int number = existing->empty() ? 1 : existing->back() + 1;

    TemporaryGeneration temporary(base::cat(options.outDir, "/.", layout::generationName(number), ".tmp"));
    if (::mkdir(temporary.path().c_str(), 0755) != 0) return base::errnoError("mkdir " + temporary.path());
    std::string tablesDir = base::cat(temporary.path(), "/", layout::kTables);
    if (::mkdir(tablesDir.c_str(), 0755) != 0) return base::errnoError("mkdir " + tablesDir);

    SourceDigests ownDigests;
    if (!options.digests) ownDigests = SourceDigests::forOutput(options.outDir);
    SourceDigests& digests = options.digests ? *options.digests : ownDigests;
    CompileSummary summary;
    std::vector<PlannedTable> tables = planTables(*config, master, masterPath, masterLines);
    if (!options.root.empty())
        for (PlannedTable& table : tables)
            if (maps::tableNamesFile(table.spec.type))
                table.spec.name = config::underRoot(options.root, table.spec.name);
    if (auto built = buildTables(tables, temporary.path(), *config, previousTables(options.outDir), digests,
                                 options.addAliasSource, summary.warnings);
        !built)
        return built.error();

    Json inputs = Json::array();
    auto mainEntry = inputEntry(digests, mainPath, "main.cf");
    if (!mainEntry) return mainEntry.error();
    inputs.push_back(std::move(*mainEntry));
    if (haveMaster) {
        auto masterEntry = inputEntry(digests, masterPath, "master.cf");
        if (!masterEntry) return masterEntry.error();
        inputs.push_back(std::move(*masterEntry));
    }
    Json tableRecords = Json::array();
    for (const PlannedTable& table : tables) {
        if (table.action == "built") ++summary.tablesBuilt;
        if (table.action == "copied") ++summary.tablesCopied;
        if (table.action == "reused") ++summary.tablesReused;
        if (table.sourceSha256.empty()) continue;
        inputs.push_back(inputRecord(table.spec.name, "table-source", table.sourceSha256, table.stamp));
        Json record{{"id", table.id},
                    {"reference", table.reference},
                    {"type", table.spec.type},
                    {"alias_format", table.aliasFormat},
                    {"source", table.spec.name},
                    {"source_sha256", table.sourceSha256},
                    {"build_key", table.buildKey},
                    {"files", table.files},
                    {"action", table.action}};
        if (table.reusedFrom) record["reused_from"] = table.reusedFrom;
        tableRecords.push_back(std::move(record));
    }

    for (const auto& [name, contents] : options.documents)
        if (auto written = base::writeFileAtomically(base::cat(temporary.path(), "/", name), contents, 0644); !written)
            return written.error();
    GraphInput graphInput{*config, master, masterPath, masterLines, tables, number};
    if (auto written = writeDocument(base::cat(temporary.path(), "/", layout::kGraph), buildGraph(graphInput));
        !written)
        return written.error();
    Json manifest;
    manifest["format"] = 1;
    manifest["generation"] = number;
    manifest["tool"] = Json{{"name", "postline"}, {"version", options.toolVersion}};
    manifest["created"] = isoTime(options.now ? options.now : std::time(nullptr));
    manifest["config_directory"] = options.configDir;
    manifest["inputs"] = std::move(inputs);
    manifest["tables"] = std::move(tableRecords);
    // The manifest is written last: a generation directory with a manifest is complete.
    if (auto written = writeDocument(base::cat(temporary.path(), "/", layout::kManifest), manifest); !written)
        return written.error();
    if (auto synced = layout::syncDirectory(tablesDir); !synced) return synced.error();
    if (auto synced = layout::syncDirectory(temporary.path()); !synced) return synced.error();

    summary.generation = number;
    std::string name = layout::generationName(number);
    summary.path = base::cat(options.outDir, "/", name);
    if (::rename(temporary.path().c_str(), summary.path.c_str()) != 0)
        return base::errnoError(base::cat("rename ", temporary.path(), " to ", summary.path));
    temporary.release();
    if (auto switched = layout::switchCurrent(options.outDir, name); !switched) {
        // gen-N is complete but not current; the next compile numbers past it.
        return switched.error();
    }
    pruneGenerations(options.outDir, options.keepGenerations, number);
    return summary;
}

}  // namespace

base::Result<CompileSummary> compile(const CompileOptions& options) {
    try {
        return compileGeneration(options);
    } catch (const std::exception& e) {
        return base::Error{base::cat("compile ", options.outDir, ": ", e.what())};
    }
}

}  // namespace postline::artifact
