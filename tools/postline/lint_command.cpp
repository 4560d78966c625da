// runLint(): options to lint::LintOptions, findings to stdout in the chosen format.
#include "lint_command.h"

#include <cstdio>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/lint/linter.h"
#include "postline/lint/report.h"
#include "postline/lint/rules.h"

namespace postline::tools {

namespace {

constexpr int kCannotRun = 2;

int cannotRun(std::string_view why) {
    base::msgError(why);
    return kCannotRun;
}

}  // namespace

int runLint(const LintCommandOptions& options) {
    base::setProgramName("postline lint");
    if (options.format != "text" && options.format != "json" && options.format != "sarif")
        return cannotRun(base::cat("unknown report format: ", options.format, " (use text, json or sarif)"));
    lint::LintOptions lintOptions;
    lintOptions.configDir = options.configDir.empty() ? config::defaultConfigDirectory() : options.configDir;
    lintOptions.compiledDir = options.compiledDir;
    lintOptions.root = options.root;
    for (const std::string& rule : options.disable) {
        if (!lint::findRule(rule)) return cannotRun(base::cat("--disable: unknown rule: ", rule));
        lintOptions.disabledRules.insert(rule);
    }
    // What the table code warns about becomes findings (lib/lint captures it); what is
    // left, such as main.cf's own read warnings, goes to stderr as Postfix prints it.
    auto findings = lint::lintConfiguration(lintOptions);
    if (!findings) return cannotRun(findings.error().message);
    // With --root, the findings name files under the root (a repository checkout), and
    // SARIF locations are relative to it: the repository's own paths.
    std::string sarifBase = options.root.empty() ? lintOptions.configDir : options.root;
    std::string report = options.format == "json"    ? lint::formatJson(*findings)
                         : options.format == "sarif" ? lint::formatSarif(*findings, POSTLINE_VERSION, sarifBase)
                                                     : lint::formatText(*findings);
    std::fwrite(report.data(), 1, report.size(), stdout);
    std::fflush(stdout);
    return lint::hasErrors(*findings, options.warningsAreErrors) ? 1 : 0;
}

}  // namespace postline::tools
