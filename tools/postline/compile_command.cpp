// runCompile(): lint (lib/lint), then compile (lib/artifact) with postalias's aliases(5)
// reader from lib/address, then one summary line.
#include "compile_command.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "postline/address/alias_table.h"
#include "postline/artifact/compiler.h"
#include "postline/artifact/generation.h"
#include "postline/artifact/source_digests.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/lint/linter.h"
#include "postline/lint/report.h"
#include "postline/lint/rules.h"

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

// The findings the generation in use recorded (its lint.json) in the given files.
std::vector<lint::Diagnostic> previousFindings(const std::string& outDir, const std::set<std::string>& files) {
    std::vector<lint::Diagnostic> out;
    auto gen = artifact::Generation::openCurrent(outDir);
    if (!gen || files.empty()) return out;
    auto text = base::readFile(gen->path() + "/lint.json");
    if (!text) return out;
    nlohmann::json report = nlohmann::json::parse(*text, nullptr, false);
    if (!report.is_object() || !report.contains("diagnostics")) return out;
    try {
        for (const nlohmann::json& d : report["diagnostics"]) {
            std::string file = d.at("file").get<std::string>();
            if (!files.count(file)) continue;
            lint::Diagnostic finding;
            finding.rule = d.at("rule").get<std::string>();
            std::string severity = d.at("severity").get<std::string>();
            finding.severity = severity == "error"     ? lint::Severity::Error
                               : severity == "warning" ? lint::Severity::Warning
                                                       : lint::Severity::Info;
            finding.file = file;
            finding.line = d.at("line").get<int>();
            finding.column = d.value("column", 0);
            finding.message = d.at("message").get<std::string>();
            finding.hint = d.value("hint", "");
            out.push_back(std::move(finding));
        }
    } catch (const nlohmann::json::exception&) {
        return {};
    }
    return out;
}

}  // namespace

int runCompile(const CompileCommandOptions& options) {
    base::setProgramName("postline compile");
    std::string configDir = options.configDir.empty() ? config::defaultConfigDirectory() : options.configDir;

    // The tables are built from their sources here, so whether NAME.db next to a source
    // is missing or older than it does not matter to a compile.
    std::string outDir = options.outDir.empty()
                             ? artifact::defaultOutputDirectory(config::underRoot(options.root, configDir))
                             : options.outDir;
    // A table source that the generation in use compiled, unchanged since: its lines
    // are not checked again, and its findings are the ones that generation recorded.
    artifact::SourceDigests digests = artifact::SourceDigests::forOutput(outDir);
    std::set<std::string> knownSources;
    lint::LintOptions lintOptions;
    lintOptions.configDir = configDir;
    lintOptions.disabledRules = {"table-not-built", "table-stale"};
    lintOptions.root = options.root;
    // An administrator may overrule a rule, as with postline lint --disable.
    for (const std::string& rule : options.disable) {
        if (!lint::findRule(rule)) {
            base::msgError(base::cat("--disable: unknown rule: ", rule));
            return kCannotCompile;
        }
        lintOptions.disabledRules.insert(rule);
    }
    lintOptions.compiledDir = outDir;
    lintOptions.knownSource = [&](const std::string& type, const std::string& source, bool aliasFormat) {
        if (!digests.unchanged(type, source, aliasFormat)) return false;
        knownSources.insert(source);
        return true;
    };
    lintOptions.knownFile = [&](const std::string& path) { return digests.unchangedInput(path); };
    auto findings = lint::lintConfiguration(lintOptions);
    if (!findings) {
        base::msgError(findings.error().message);
        return kCannotCompile;
    }
    for (lint::Diagnostic& finding : previousFindings(outDir, knownSources))
        if (!lintOptions.disabledRules.count(finding.rule)) findings->push_back(std::move(finding));
    std::sort(findings->begin(), findings->end(), lint::diagnosticLess);
    writeOut(lint::formatText(*findings));
    if (lint::hasErrors(*findings, false)) {
        base::msgError("the configuration has errors; nothing was compiled");
        return kRefused;
    }

    artifact::CompileOptions compileOptions;
    compileOptions.configDir = configDir;
    compileOptions.root = options.root;
    compileOptions.outDir = outDir;
    compileOptions.digests = &digests;
    compileOptions.documents = {{"lint.json", lint::formatJson(*findings)}};
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
