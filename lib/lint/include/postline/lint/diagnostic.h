// A lint finding: which rule, how bad, where (file, 1-based line, column when known),
// what is wrong and how to fix it. The shape is the same for the text, JSON and SARIF
// reports (report.h) and for the test expectations in testdata/lint.
#pragma once

#include <string>
#include <string_view>

namespace postline::lint {

enum class Severity { Error, Warning, Info };

// "error", "warning", "info".
std::string_view severityName(Severity severity);

struct Diagnostic {
    std::string rule;  // e.g. "table-stale"
    Severity severity = Severity::Warning;
    std::string file;  // as the user would name it: CONFIG_DIR/main.cf, a table's source
    int line = 0;      // 1-based; 0 when the finding concerns the whole file
    int column = 0;    // 1-based; 0 when unknown
    std::string message;
    std::string hint;  // how to fix it; may be empty
};

// Sorts by file, line, column, rule (the order every report uses).
bool diagnosticLess(const Diagnostic& a, const Diagnostic& b);

}  // namespace postline::lint
