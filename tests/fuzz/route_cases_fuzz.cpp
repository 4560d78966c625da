// Routing test files (`postline test`, docs/routing-tests.md): the input is a test
// file; each case's session (client, HELO, SASL, DNS and policy answers) is built as the
// test command builds it, and the input read as an address file (`trace --addresses`).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "postline/simulate/route_case.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string_view text = fuzz::asText(data, size);
    auto cases = simulate::parseRouteCases(text, "routing.tests");
    if (cases) {
        for (const simulate::RouteCase& c : *cases) {
            if (c.line < 1) std::abort();
            (void)simulate::caseSession(c.input);
            (void)simulate::caseVerdictName(c.expect.verdict);
        }
    }
    (void)simulate::addressLines(text);
    return 0;
}
