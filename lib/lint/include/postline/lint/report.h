// The three report formats of `postline lint`: compiler-style text, a JSON document
// (schemas/lint-report.schema.json) and SARIF 2.1.0 for code-scanning services.
#pragma once

#include <string>
#include <vector>

#include "postline/lint/diagnostic.h"

namespace postline::lint {

// One line per finding, "FILE:LINE: SEVERITY: MESSAGE [RULE]" (":LINE" left out for a
// whole-file finding, ":LINE:COLUMN" when the column is known), then an indented
// "hint: ..." line when there is a hint, then "N errors, N warnings" when anything was found.
std::string formatText(const std::vector<Diagnostic>& findings);

// {"version": 1, "diagnostics": [{"rule", "severity", "file", "line", "column"?,
// "message", "hint"?}...], "summary": {"errors", "warnings", "infos"}}.
std::string formatJson(const std::vector<Diagnostic>& findings);

// A SARIF 2.1.0 log with one run of the tool "postline" (`toolVersion`), its rules from
// the catalogue and one result per finding; file names become relative URIs when they are
// inside `baseDir`.
std::string formatSarif(const std::vector<Diagnostic>& findings, const std::string& toolVersion,
                        const std::string& baseDir);

}  // namespace postline::lint
