// Writing a compiled generation (`postline compile`): OUTDIR/gen-N/ with manifest.json,
// config.json and tables/, built in a hidden temporary directory, renamed into place
// only when complete, then made current by replacing the OUTDIR/current symlink.
// docs/compile.md describes the layout and the two JSON documents.
#pragma once

#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/artifact/source_digests.h"
#include "postline/base/result.h"
#include "postline/config/config.h"
#include "postline/maps/table_build.h"

namespace postline::artifact {

// Fills a table from an aliases(5) source (postalias's parser lives in lib/address, which
// this layer may not use; the program passes it in). `config` is the configuration
// being compiled (myhostname goes into the YP_MASTER_NAME record).
using AliasSourceFn = std::function<base::Status(maps::TableWriter& writer, std::string_view text,
                                                 const std::string& sourceName, const config::Config& config)>;

struct CompileOptions {
    std::string configDir;    // the Postfix configuration directory
    std::string outDir;       // where gen-N/ and current live; created when missing
    std::string toolVersion;  // recorded in the manifest
    AliasSourceFn addAliasSource;
    std::time_t now = 0;      // creation time recorded in the manifest (0: the current time)
    int keepGenerations = 3;  // complete generations kept (current included); older ones are removed
    // Digests of the inputs, shared with the caller (who may have used them to lint);
    // null: compile() makes its own from OUTDIR/current's manifest.
    SourceDigests* digests = nullptr;
    // More documents for the generation, as (file name, contents), e.g. the lint report.
    std::vector<std::pair<std::string, std::string>> documents;
    // Built-in defaults to use instead of Postfix's, by name, as lint::LintOptions::defaults
    // (config::Config::addDefault): the tables they name are compiled as Postfix's would be.
    std::map<std::string, std::string> defaults;
    // postline --root DIR: DIR stands for "/". main.cf, master.cf and the table sources
    // named by absolute paths are read under it (config::underRoot); the generation's
    // table references and in-line or external specs stay as the configuration names
    // them, so that it opens on the host the configuration is for.
    std::string root;
};

struct CompileSummary {
    int generation = 0;
    std::string path;                   // OUTDIR/gen-N
    size_t tablesBuilt = 0;             // indexed tables built from their source
    size_t tablesCopied = 0;            // text tables validated and copied
    size_t tablesReused = 0;            // linked from the previous generation
    std::vector<std::string> warnings;  // what table builds warned about ("FILE, line N: TEXT")
};

// Compiles `options.configDir` into a new generation and makes it current. The caller
// lints first; compile() only refuses what it cannot build. Errors name the file (and
// line) at fault: a main.cf or master.cf Postfix cannot parse, an unreadable table
// source, a table that cannot be opened or built, a pattern table with a bad rule, an
// output directory that cannot be written, another compile holding OUTDIR/.lock. On any
// error the previous generation stays current and nothing of the new one is left.
base::Result<CompileSummary> compile(const CompileOptions& options);

// The default output directory for a configuration: CONFIG_DIR/compiled.
std::string defaultOutputDirectory(const std::string& configDir);

}  // namespace postline::artifact
