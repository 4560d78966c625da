// Severity names and the report order of findings.
#include "postline/lint/diagnostic.h"

#include <tuple>

namespace postline::lint {

std::string_view severityName(Severity severity) {
    switch (severity) {
        case Severity::Error:
            return "error";
        case Severity::Warning:
            return "warning";
        case Severity::Info:
            return "info";
    }
    return "error";
}

bool diagnosticLess(const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column, a.rule, a.message) <
           std::tie(b.file, b.line, b.column, b.rule, b.message);
}

}  // namespace postline::lint
