// SourceDigests: the manifest of OUTDIR/current as a cache of file digests, trusted only
// for files whose stat() is unchanged and that were last modified in an earlier second
// than the manifest was written (a file changed in that same second is read again, as
// git does with "racily clean" index entries).
#include "postline/artifact/source_digests.h"

#include <sys/stat.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "layout.h"
#include "postline/artifact/sha256.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"

namespace postline::artifact {

namespace {

using Json = nlohmann::json;

std::time_t parseIsoTime(const std::string& text) {
    std::tm tm{};
    if (!::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
    return ::timegm(&tm);
}

std::string tableKey(const std::string& type, const std::string& source, bool aliasFormat) {
    return base::cat(type, "|", source, "|", aliasFormat ? "a" : "");
}

}  // namespace

base::Result<FileStamp> stampOf(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return base::errnoError("stat " + path);
    return FileStamp{static_cast<long long>(st.st_size),
                     static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec,
                     static_cast<long long>(st.st_ino)};
}

SourceDigests SourceDigests::forOutput(const std::string& outDir) {
    SourceDigests digests;
    auto target = layout::currentTarget(outDir);
    if (!target) return digests;
    auto text = base::readFile(base::cat(outDir, "/", *target, "/", layout::kManifest));
    if (!text) return digests;
    Json manifest = Json::parse(*text, nullptr, false);
    if (!manifest.is_object()) return digests;
    try {
        digests.created_ = parseIsoTime(manifest.at("created").get<std::string>());
        for (const Json& input : manifest.at("inputs")) {
            if (!input.contains("mtime_ns") || !input.contains("inode")) continue;
            Recorded r{input.at("sha256").get<std::string>(),
                       FileStamp{input.at("size").get<long long>(), input.at("mtime_ns").get<long long>(),
                                 input.at("inode").get<long long>()}};
            digests.recorded_[input.at("path").get<std::string>()] = std::move(r);
        }
        for (const Json& table : manifest.at("tables"))
            digests.tables_.insert(tableKey(table.at("type").get<std::string>(), table.at("source").get<std::string>(),
                                            table.value("alias_format", false)));
    } catch (const Json::exception&) {
        return SourceDigests{};
    }
    return digests;
}

base::Result<std::string> SourceDigests::digest(const std::string& path) {
    if (auto it = taken_.find(path); it != taken_.end()) return it->second.sha256;
    auto stamp = stampOf(path);
    if (!stamp) return base::errnoError("open " + path, stamp.error().errnum);
    if (auto it = recorded_.find(path); it != recorded_.end()) {
        const FileStamp& was = it->second.stamp;
        if (was.size == stamp->size && was.mtimeNs == stamp->mtimeNs && was.inode == stamp->inode &&
            stamp->mtimeNs / 1000000000LL < static_cast<long long>(created_)) {
            taken_[path] = Recorded{it->second.sha256, *stamp};
            return it->second.sha256;
        }
    }
    auto computed = sha256File(path);
    if (!computed) return computed.error();
    taken_[path] = Recorded{*computed, *stamp};
    return *computed;
}

FileStamp SourceDigests::stamp(const std::string& path) const {
    auto it = taken_.find(path);
    return it == taken_.end() ? FileStamp{} : it->second.stamp;
}

bool SourceDigests::unchanged(const std::string& type, const std::string& source, bool aliasFormat) {
    return tables_.count(tableKey(type, source, aliasFormat)) && unchangedInput(source);
}

bool SourceDigests::unchangedInput(const std::string& path) {
    auto it = recorded_.find(path);
    if (it == recorded_.end()) return false;
    auto now = digest(path);
    return now && *now == it->second.sha256;
}

}  // namespace postline::artifact
