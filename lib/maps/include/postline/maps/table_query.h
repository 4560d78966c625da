// Querying, listing and deleting table entries, shared by postmap(1) and postalias(1):
// one key against a list of tables in order (-q KEY), keys from stdin or from a message
// (-q - with -b/-h/-m), a dump (-s) and deletions (-d KEY, -d -). Mirrors
// postmap/postmap.c: postmap_query(), postmap_queries(), postmap_seq(), postmap_delete[s]().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/maps/dict.h"
#include "postline/maps/message_keys.h"
#include "postline/maps/registry.h"

namespace postline::maps {

// Where results go: the caller's (buffered) standard output.
using OutputFn = std::function<void(std::string_view text)>;

struct QueryOptions {
    // Flags for opening the tables; flag::kLock is added for every open, as Postfix does.
    uint32_t dictFlags = flag::kFoldFix;
    // -F: stored values are base64 and printed decoded; a malformed one is skipped with
    // "table T:N: key K: malformed BASE64 value: FIRST30".
    bool valueIsFile = false;
    // -b/-h/-m with -q -: keys are the headers and/or body lines of a message.
    MessageKeyOptions messageKeys;
    // Between key and value in -q - and -s output: postmap "\t", postalias ":\t".
    std::string_view keySeparator = "\t";
};

// All operations report a value that is found (or printed) with Postfix's empty-value
// warnings ("table T:N: key K: empty string result is not allowed" + "table T:N should
// return NO RESULT in case of NOT FOUND"). Every error is fatal for the command:
// open errors as openDict() gives them, "table T:N: query error[: WHY]",
// "table T:N: delete error: WHY", "table T:N: sequence error: WHY",
// "can't sequence maps via the proxy service".
class TableQuery {
public:
    TableQuery(std::vector<DictSpec> specs, QueryOptions options, OpenContext context = {});

    // postmap -q KEY: each table is opened, queried and closed in turn; the first hit is
    // printed as "VALUE\n". True when found.
    base::Result<bool> query(std::string_view key, const OutputFn& out);

    // postmap -q -: every line of `input` (or, with headers/body set, every message key)
    // is looked up in the tables in order; a hit prints "KEY\tVALUE\n". Tables open
    // lazily, on their first lookup, and stay open. True when anything was found.
    base::Result<bool> queryStream(std::string_view input, const OutputFn& out);

    // postmap -s: every entry of the FIRST table as "KEY\tVALUE\n".
    base::Status dump(const OutputFn& out);

    // postmap -d KEY: deletes from every table. True when anything was deleted.
    base::Result<bool> remove(std::string_view key);

    // postmap -d -: opens every table, then calls `readInput` (the command's stdin) and
    // deletes each of its lines from each table. True when anything was deleted.
    base::Result<bool> removeStream(const std::function<std::string()>& readInput);

private:
    base::Result<std::unique_ptr<Dict>> open(const DictSpec& spec, OpenMode mode);
    bool presentable(const Dict& dict, std::string_view key, std::string& value) const;
    base::Result<bool> lookupIn(Dict& dict, std::string_view key, std::string& value, std::string_view warnAs) const;

    std::vector<DictSpec> specs_;
    QueryOptions options_;
    OpenContext context_;
};

}  // namespace postline::maps
