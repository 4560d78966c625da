// Tables that cannot be read offline: the database and network types (mysql:, pgsql:,
// ldap:, sqlite:, socketmap:, tcp:, memcache:, nis:) that Postfix's dict_open reaches
// through client libraries or sockets. A lookup in one is undecidable offline, like a
// DNS query without an answer, unless the caller gives the answer (`postline trace
// --lookup TABLE=KEY=VALUE`, as --dns gives DNS answers).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/maps/dict.h"

namespace postline::address {

// True for the types above.
bool isExternalTableType(std::string_view type);

// The answers given for external tables, and the lookups that had none. One set is in
// use per thread: an ExternalLookups object is in use from its construction to its
// destruction (the previous one returns); without one, a set without answers is.
class ExternalLookups {
public:
    ExternalLookups();
    ~ExternalLookups();
    ExternalLookups(const ExternalLookups&) = delete;
    ExternalLookups& operator=(const ExternalLookups&) = delete;

    // "TABLE=KEY=VALUE". TABLE is the table as the configuration names it (a proxy:
    // prefix is ignored) or "*" for every external table; KEY is the lookup key
    // (compared as the table folds keys) or "*" for every key that has no answer of its
    // own; an empty VALUE means "not found". Errors name the bad part.
    base::Status addAnswer(std::string_view spec);

    // The answer for `key` in `table` (TYPE:NAME without proxy:): a given answer, or
    // nullopt when there is none (the lookup is recorded as undecided).
    std::optional<maps::Lookup> answer(const maps::Dict& table, std::string_view key);

    // The undecided lookups recorded since the last call, each as `TABLE lookup of "KEY"`.
    std::vector<std::string> takeUndecided();

private:
    struct Answer {
        std::string table;  // TYPE:NAME, or "*"
        std::string key;    // or "*"
        std::string value;  // empty: not found
    };
    std::vector<Answer> answers_;
    std::vector<std::string> undecided_;
    ExternalLookups* previous_ = nullptr;
    bool installed_ = true;
    struct NotInstalled {};
    explicit ExternalLookups(NotInstalled) : installed_(false) {}
    friend ExternalLookups& externalLookups();
};

// The set in use on this thread.
ExternalLookups& externalLookups();

// Opens an external table (`type` one of isExternalTableType's): every lookup asks
// externalLookups(), and one without an answer is a temporary error whose text starts
// with "undecidable offline: ". Database types take fixed-string keys (their usual
// queries, %s); socketmap: and tcp: are pattern tables, as Postfix opens them.
std::unique_ptr<maps::Dict> openExternalTable(std::string_view type, std::string_view name, uint32_t flags);

}  // namespace postline::address
