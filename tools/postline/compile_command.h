// `postline compile`: lints a configuration directory and, when it has no errors, writes
// a new compiled generation (lib/artifact) and makes it current.
#pragma once

#include <string>
#include <vector>

namespace postline::tools {

struct CompileCommandOptions {
    std::string configDir;             // -c DIR; empty: $MAIL_CONFIG, then /etc/postfix
    std::string outDir;                // -o OUTDIR; empty: CONFIG_DIR/compiled
    std::string root;                  // --root DIR: stands for "/" (lint::LintOptions::root)
    std::vector<std::string> disable;  // --disable RULE: lint rules left out, as postline lint's
};

// Exit status: 0 a new generation is current; 1 refused: the linter found errors (they
// are printed as `postline lint` prints them) and nothing was written; 2 could not run or
// could not compile (unreadable configuration, a table that cannot be built, an output
// directory that cannot be written or is locked): the previous generation stays current.
int runCompile(const CompileCommandOptions& options);

}  // namespace postline::tools
