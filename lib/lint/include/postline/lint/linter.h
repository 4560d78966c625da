// Linting a Postfix configuration directory: main.cf, master.cf and every table they
// reference, with the rules of rules.h. What `postline lint` runs, and what `postline
// compile` runs before it writes anything.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "postline/base/result.h"
#include "postline/lint/diagnostic.h"

namespace postline::lint {

// Whether a table's source is known to hold exactly what an earlier run checked without
// errors (postline compile: a source of the generation in use whose SHA-256 is the same).
using KnownSourceFn = std::function<bool(const std::string& type, const std::string& source, bool aliasFormat)>;
// Whether a file (main.cf) holds exactly what that earlier run read.
using KnownFileFn = std::function<bool(const std::string& path)>;

struct LintOptions {
    std::string configDir = "/etc/postfix";
    std::set<std::string, std::less<>> disabledRules;  // --disable RULE
    // When set and true for a table, the checks of its lines (table-format,
    // table-duplicate, pattern-error, pattern-shadowed) are skipped: they depend on the
    // content only, and the caller has their findings from the earlier run.
    KnownSourceFn knownSource;
    // When set and true for main.cf, and knownSource is true for every table of
    // virtual_alias_maps, the virtual alias expansion rules (virtual-alias-loop,
    // virtual-alias-limit) are skipped: they read nothing else, and their findings are
    // errors, so the earlier run that compiled found none.
    KnownFileFn knownFile;
    // The output directory of postline compile whose current generation is compared with
    // the configuration (rule restart-required); "" for CONFIG_DIR/compiled.
    std::string compiledDir;
    // Built-in defaults to use instead of Postfix's, by name (config::Config::addDefault):
    // a host whose Postfix has other defaults, or a test that must not read the host's
    // /etc/aliases (the alias_maps default).
    std::map<std::string, std::string> defaults;
    // --root DIR: a directory that stands for "/" (a checkout of a configuration
    // repository): configDir, and every absolute path the configuration names (tables,
    // /file/name list entries, TLS files, :include: files), are read under it. Findings
    // name the files where they were read. Postfix's own programs (daemon_directory) are
    // not looked for under it.
    std::string root;
};

// All findings, sorted (diagnosticLess). An error result means the linter could not run
// at all (the directory or its main.cf cannot be read); problems inside the files are
// findings, not errors.
base::Result<std::vector<Diagnostic>> lintConfiguration(const LintOptions& options);

// True when any finding is an error (or, with `warningsAreErrors`, a warning).
bool hasErrors(const std::vector<Diagnostic>& findings, bool warningsAreErrors);

}  // namespace postline::lint
