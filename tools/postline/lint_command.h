// `postline lint`: runs lib/lint over a configuration directory and prints the report.
#pragma once

#include <string>
#include <vector>

namespace postline::tools {

struct LintCommandOptions {
    std::string configDir;             // -c DIR; empty: $MAIL_CONFIG, then /etc/postfix
    std::string format = "text";       // text | json | sarif
    bool warningsAreErrors = false;    // --werror
    std::vector<std::string> disable;  // --disable RULE (repeatable)
    std::string compiledDir;           // --compiled OUTDIR; empty: CONFIG_DIR/compiled
    std::string root;                  // --root DIR: stands for "/" (lint::LintOptions::root)
};

// Exit status: 0 no errors (warnings allowed unless --werror), 1 errors found, 2 the
// linter could not run (unknown rule or format, unreadable configuration directory).
int runLint(const LintCommandOptions& options);

}  // namespace postline::tools
