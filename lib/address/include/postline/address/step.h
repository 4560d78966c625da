// A step record: one decision of the address pipeline (which table, which key, what
// result). Every function of lib/address that decides something appends steps, so
// `postline trace` can show how an address was routed and the MTA can log it.
#pragma once

#include <string>
#include <vector>

namespace postline::address {

enum class StepStatus {
    Found,     // a table answered (result holds the value)
    NotFound,  // the tables were asked and none answered
    Changed,   // a rewrite changed the address (result holds the new one)
    Decided,   // a decision without a table (class, transport, mailbox …)
    Error,     // a temporary or configuration error: the mail would be deferred
    Reject,    // a permanent failure: the mail would be rejected or bounced
};

struct Step {
    std::string stage;   // what decided: a parameter name ("virtual_alias_maps") or a phase ("rewrite")
    std::string table;   // the table ("hash:/etc/postfix/virtual"), or empty
    std::string key;     // the key or input address
    std::string result;  // the answer, new address or decision text
    StepStatus status = StepStatus::Decided;
    std::vector<std::string> tried;     // every key asked, in order (lookups only)
    std::vector<std::string> warnings;  // Postfix's warnings raised by this step
};

using Steps = std::vector<Step>;

const char* stepStatusName(StepStatus status);

// One step as `postline trace` prints it, without indent or warnings:
// `STAGE: key "K" -> V  [TABLE]`, `STAGE: not found (keys: "A" "B")`, ...
std::string formatStep(const Step& step);

// A step without a table: what decided, on which key, with what result.
Step makeStep(std::string stage, std::string key, std::string result, StepStatus status = StepStatus::Decided);

}  // namespace postline::address
