// Linting a Postfix configuration directory: main.cf, master.cf and every table they
// reference, with the rules of rules.h. What `postline lint` runs, and what `postline
// compile` runs before it writes anything.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "postline/base/result.h"
#include "postline/lint/diagnostic.h"

namespace postline::lint {

struct LintOptions {
    std::string configDir = "/etc/postfix";
    std::set<std::string, std::less<>> disabledRules;  // --disable RULE
};

// All findings, sorted (diagnosticLess). An error result means the linter could not run
// at all (the directory or its main.cf cannot be read); problems inside the files are
// findings, not errors.
base::Result<std::vector<Diagnostic>> lintConfiguration(const LintOptions& options);

// True when any finding is an error (or, with `warningsAreErrors`, a warning).
bool hasErrors(const std::vector<Diagnostic>& findings, bool warningsAreErrors);

}  // namespace postline::lint
