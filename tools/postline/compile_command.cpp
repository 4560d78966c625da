// runCompile(): lint (lib/lint), then compile (lib/artifact) with postalias's aliases(5)
// reader from lib/address, then one summary line.
#include "compile_command.h"

#include <cstdio>
#include <ctime>

#include "postline/address/alias_table.h"
#include "postline/artifact/compiler.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/lint/linter.h"
#include "postline/lint/report.h"

namespace postline::tools {

namespace {

constexpr int kRefused = 1;
constexpr int kCannotCompile = 2;

void writeOut(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

base::Status addAliases(maps::TableWriter& writer, std::string_view text, const std::string& sourceName,
                        const config::Config& config) {
    address::AliasTableOptions options;
    options.masterName = config.get("myhostname");
    options.now = std::time(nullptr);
    return address::addAliasTable(writer, text, sourceName, options);
}

}  // namespace

int runCompile(const CompileCommandOptions& options) {
    base::setProgramName("postline compile");
    std::string configDir = options.configDir.empty() ? config::defaultConfigDirectory() : options.configDir;

    // The tables are built from their sources here, so whether NAME.db next to a source
    // is missing or older than it does not matter to a compile.
    lint::LintOptions lintOptions;
    lintOptions.configDir = configDir;
    lintOptions.disabledRules = {"table-not-built", "table-stale"};
    auto findings = lint::lintConfiguration(lintOptions);
    if (!findings) {
        base::msgError(findings.error().message);
        return kCannotCompile;
    }
    writeOut(lint::formatText(*findings));
    if (lint::hasErrors(*findings, false)) {
        base::msgError("the configuration has errors; nothing was compiled");
        return kRefused;
    }

    artifact::CompileOptions compileOptions;
    compileOptions.configDir = configDir;
    compileOptions.outDir = options.outDir.empty() ? artifact::defaultOutputDirectory(configDir) : options.outDir;
    compileOptions.toolVersion = POSTLINE_VERSION;
    compileOptions.addAliasSource = addAliases;
    auto summary = artifact::compile(compileOptions);
    if (!summary) {
        base::msgError(summary.error().message);
        base::msgError("nothing was compiled; the current generation is unchanged");
        return kCannotCompile;
    }
    for (const std::string& warning : summary->warnings) base::msgWarn(warning);
    size_t tables = summary->tablesBuilt + summary->tablesCopied + summary->tablesReused;
    writeOut(base::cat("generation ", summary->generation, ": ", summary->path, " (", tables,
                       " table files: ", summary->tablesBuilt, " built, ", summary->tablesCopied, " copied, ",
                       summary->tablesReused, " reused)\n"));
    return 0;
}

}  // namespace postline::tools
