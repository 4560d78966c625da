// The SHA-256 of input files, taken from the generation in use when a file is provably
// the one it recorded (same size, modification time and inode, last modified before that
// generation was made), computed otherwise. Lets a recompile tell unchanged table
// sources without reading them, both for linting and for reusing their tables.
#pragma once

#include <ctime>
#include <map>
#include <set>
#include <string>

#include "postline/base/result.h"

namespace postline::artifact {

// What stat() says about a file, as the manifest records it.
struct FileStamp {
    long long size = 0;
    long long mtimeNs = 0;
    long long inode = 0;
};

class SourceDigests {
public:
    // The inputs and tables that OUTDIR/current's manifest records (none when there is no
    // readable current generation: every digest is then computed).
    static SourceDigests forOutput(const std::string& outDir);

    // The digest of `path` (remembered for later calls). Errors: "open PATH: ERRNO", ...
    base::Result<std::string> digest(const std::string& path);
    // The stamp of `path` when its digest was taken (zeros if it was never taken).
    FileStamp stamp(const std::string& path) const;

    // True when the generation in use built a table of `type` from `source` (in aliases(5)
    // format or not) and the source's digest is the one it recorded.
    bool unchanged(const std::string& type, const std::string& source, bool aliasFormat);
    // True when the generation in use recorded `path` as an input (main.cf, master.cf, a
    // table source) and its digest is still the one recorded.
    bool unchangedInput(const std::string& path);

private:
    struct Recorded {
        std::string sha256;
        FileStamp stamp;
    };
    std::map<std::string, Recorded> recorded_;  // path -> what the manifest says
    std::set<std::string> tables_;              // "type|source|alias"
    std::time_t created_ = 0;
    std::map<std::string, Recorded> taken_;  // path -> what this process found
};

// stat() of a path. Error: "stat PATH: ERRNO".
base::Result<FileStamp> stampOf(const std::string& path);

}  // namespace postline::artifact
