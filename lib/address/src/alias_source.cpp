// aliases(5) record parsing, after the input loop of Postfix's postalias/postalias.c:
// tokenize each logical line, require `name: value`, require a local name, and turn the
// name into internal form and the value into external form.
#include "postline/address/alias_source.h"

#include <span>

#include "postline/address/tokens.h"
#include "postline/base/logical_lines.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/utf8.h"

namespace postline::address {

AliasLine parseAliasLine(std::string_view line) {
    AliasLine result;
    TokenList tokens = scanTokens(line);
    if (tokens.empty()) return result;

    // The first ':' splits name from value; both sides must be non-empty and the name
    // must be a single address (no ','). An empty value is written as "".
    std::optional<size_t> colon = findOperator(tokens, ':');
    if (!colon || *colon == 0 || *colon + 1 == tokens.size()) {
        result.status = AliasLineStatus::NeedPair;
        return result;
    }
    std::span<const Token> name(tokens.data(), *colon);
    std::span<const Token> value(tokens.data() + *colon + 1, tokens.size() - *colon - 1);
    if (containsOperator(name, ',')) {
        result.status = AliasLineStatus::NeedPair;
        return result;
    }
    // The name must be local; an '@' or '%' inside quotes is part of the local part.
    if (containsOperator(name, '@') || containsOperator(name, '%')) {
        result.status = AliasLineStatus::NotLocal;
        return result;
    }
    result.status = AliasLineStatus::Ok;
    result.key = internalize(name);
    result.value = externalize(value);
    return result;
}

std::string_view aliasLineProblem(AliasLineStatus status) {
    switch (status) {
        case AliasLineStatus::NeedPair:
            return "need name:value pair";
        case AliasLineStatus::NotLocal:
            return "name must be local";
        case AliasLineStatus::Ok:
        case AliasLineStatus::Empty:
            break;
    }
    return {};
}

namespace {

bool allAscii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

}  // namespace

base::Status readAliasSource(std::string_view text, const std::string& path, const AliasSourceOptions& options,
                             const AliasRecordFn& record) {
    base::LogicalLineReader reader(text, path);
    std::string line;
    int lineno = 0;
    while (reader.next(line, lineno)) {
        if (options.checkUtf8 && !allAscii(line) && !maps::validUtf8(line)) {
            base::msgWarn(base::cat(path, ", line ", lineno, ": non-UTF-8 input \"", line, "\" -- ignoring this line"));
            continue;
        }
        AliasLine parsed = parseAliasLine(line);
        if (parsed.status == AliasLineStatus::Empty) continue;
        if (parsed.status != AliasLineStatus::Ok) {
            base::msgWarn(base::cat(path, ", line ", lineno, ": ", aliasLineProblem(parsed.status)));
            continue;
        }
        if (base::Status st = record(parsed.key, parsed.value, lineno); !st) return st;
    }
    return {};
}

}  // namespace postline::address
