// The output directory's layout: gen-N/ (complete generations), .gen-N.tmp/ (one being
// built), current -> gen-N (the generation in use), .lock (held while compiling).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::artifact::layout {

inline constexpr std::string_view kCurrent = "current";
inline constexpr std::string_view kManifest = "manifest.json";
inline constexpr std::string_view kGraph = "config.json";
inline constexpr std::string_view kTables = "tables";

// "gen-N" for N, and N for "gen-N" (-1 for anything else, temporary directories included).
std::string generationName(int number);
int generationNumber(std::string_view name);

// The target of OUTDIR/current ("gen-N"). Error: "readlink OUTDIR/current: ERRNO".
base::Result<std::string> currentTarget(const std::string& outDir);

// The numbers of the complete generations in OUTDIR, ascending.
base::Result<std::vector<int>> generations(const std::string& outDir);

// Points OUTDIR/current at `target` atomically: a symlink under a temporary name,
// renamed over current, then the directory is synced.
base::Status switchCurrent(const std::string& outDir, const std::string& target);

// Removes a directory tree; errors are ignored (the caller removes leftovers only).
void removeTree(const std::string& path);

// Creates `path` and its missing parents (mode 0755). Error: "mkdir PATH: ERRNO".
base::Status makeDirectories(const std::string& path);

// fsync of a directory. Error: "fsync PATH: ERRNO".
base::Status syncDirectory(const std::string& path);

// A generation in use: every reader of a generation (Generation::openCurrent) holds a
// shared flock on its directory for as long as it may open its tables, which daemons do
// lazily (at a table's first lookup, long after they loaded the generation). Pruning
// takes the lock exclusively and skips a generation it cannot lock.
// lockGenerationInUse: the locked directory's descriptor (close-on-exec), or an error
// whose errnum is ENOENT when the directory is gone or was removed while we waited.
base::Result<int> lockGenerationInUse(const std::string& path);
// Removes the generation directory `path` unless a reader holds it; false when one does
// (it stays for a later compile to remove).
bool removeUnusedGeneration(const std::string& path);

// An exclusive, non-blocking flock on OUTDIR/.lock, held until destruction.
class CompileLock {
public:
    // Error: "OUTDIR is being compiled by another process" or the open error.
    static base::Result<CompileLock> acquire(const std::string& outDir);
    CompileLock(CompileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    CompileLock& operator=(CompileLock&&) = delete;
    ~CompileLock();

private:
    explicit CompileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace postline::artifact::layout
