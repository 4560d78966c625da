// Checks a routing test case (route_case.h) against the route the address pipeline
// computed (route.h): each expectation that does not hold becomes a mismatch naming
// what was expected, what happened, and the trace step that decided it.
#pragma once

#include <string>
#include <vector>

#include "postline/simulate/route.h"
#include "postline/simulate/route_case.h"

namespace postline::simulate {

struct CaseMismatch {
    std::string what;  // "result", "recipients", "transport of a@x", "mailbox", ...
    std::string expected;
    std::string actual;
    // The steps that decided, as trace prints them ("PHASE STAGE: ..."); may be empty.
    std::vector<std::string> decidedBy;
};

std::vector<CaseMismatch> checkRouteCase(const CaseExpectation& expect, const RouteReport& report);

// Address equality as routing tests use it: the local part exactly, the domain without
// regard to case.
bool sameAddress(const std::string& a, const std::string& b);

}  // namespace postline::simulate
