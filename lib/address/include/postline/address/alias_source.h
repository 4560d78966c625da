// The aliases(5) source format as postalias(1) reads it (postalias/postalias.c): logical
// lines of `name: value, value, ...`, tokenized as RFC 822 text so that quoted names may
// hold ':' or '@'. The key is stored in internal (unquoted) form and the value in
// external (quoted) form, with its whitespace normalized.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::address {

enum class AliasLineStatus {
    Ok,        // key and value are set
    Empty,     // no tokens at all (nothing to do, no warning)
    NeedPair,  // no ':' with something on both sides, or a ',' before the ':'
    NotLocal,  // the name contains an unquoted '@' or '%'
};

struct AliasLine {
    AliasLineStatus status = AliasLineStatus::Empty;
    std::string key;    // internal form, not case-folded (the table folds)
    std::string value;  // external form: "a, \"|cmd arg\", /file, :include:/list"
};

// Parses one logical line (comments and continuations already handled).
AliasLine parseAliasLine(std::string_view line);

// The warning Postfix prints for a rejected line, without the "FILE, line N: " prefix:
// "need name:value pair" or "name must be local"; empty for Ok and Empty.
std::string_view aliasLineProblem(AliasLineStatus status);

struct AliasSourceOptions {
    // SMTPUTF8 is active for the table: a line that is not valid UTF-8 is skipped with
    // "PATH, line N: non-UTF-8 input "LINE" -- ignoring this line".
    bool checkUtf8 = false;
};

// Called for each accepted record with its first physical line number. A failed Status
// stops the reading and is returned by readAliasSource.
using AliasRecordFn = std::function<base::Status(const std::string& key, const std::string& value, int line)>;

// Reads a whole aliases(5) source. `path` names the source in warnings ("aliases",
// "stdin"). Rejected lines are warned about through base::msgWarn with Postfix's texts
// ("aliases, line 8: need name:value pair") and skipped.
base::Status readAliasSource(std::string_view text, const std::string& path, const AliasSourceOptions& options,
                             const AliasRecordFn& record);

}  // namespace postline::address
