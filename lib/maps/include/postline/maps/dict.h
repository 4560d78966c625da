// The lookup-table interface (Postfix's DICT, util/dict.h): every table type is a Dict.
// Lookups are three-way — found, not found, or an error that is either temporary
// (Retry: defer the mail) or a configuration error — never an exception.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::maps {

enum class DictStatus { Found, NotFound, Retry, ConfigError };

struct Lookup {
    DictStatus status = DictStatus::NotFound;
    std::string value;  // the result when Found
    std::string error;  // what went wrong when Retry or ConfigError
    // The error is one that Postfix's table code makes fatal in whatever program reads the
    // table (a database read error: dict_db, dict_lmdb): the message stands on its own.
    bool fatal = false;

    static Lookup found(std::string value) { return {DictStatus::Found, std::move(value), {}}; }
    static Lookup notFound() { return {}; }
    static Lookup retry(std::string why) { return {DictStatus::Retry, {}, std::move(why)}; }
    static Lookup configError(std::string why) { return {DictStatus::ConfigError, {}, std::move(why)}; }
    static Lookup fatalError(std::string why) { return {DictStatus::Retry, {}, std::move(why), true}; }

    bool isFound() const { return status == DictStatus::Found; }
    bool isError() const { return status == DictStatus::Retry || status == DictStatus::ConfigError; }
};

// Dict flags; the meanings (and the names in comments) are Postfix's DICT_FLAG_*.
namespace flag {
inline constexpr uint32_t kDupWarn = 1u << 0;       // DUP_WARN: warn on duplicate, keep first
inline constexpr uint32_t kDupIgnore = 1u << 1;     // DUP_IGNORE: keep first silently (-w)
inline constexpr uint32_t kDupReplace = 1u << 2;    // DUP_REPLACE: last one wins (-r)
inline constexpr uint32_t kTryNoNull = 1u << 3;     // TRY0NULL: keys/values without trailing NUL
inline constexpr uint32_t kTryNull = 1u << 4;       // TRY1NULL: keys/values with trailing NUL
inline constexpr uint32_t kFixed = 1u << 5;         // FIXED: fixed-string keys (hash, texthash, inline…)
inline constexpr uint32_t kPattern = 1u << 6;       // PATTERN: keys are patterns (regexp, pcre, cidr)
inline constexpr uint32_t kLock = 1u << 7;          // LOCK: shared lock around each lookup
inline constexpr uint32_t kFoldFix = 1u << 8;       // FOLD_FIX: fold keys of fixed-string tables
inline constexpr uint32_t kFoldMul = 1u << 9;       // FOLD_MUL: fold keys of every table
inline constexpr uint32_t kNoRegsub = 1u << 10;     // NO_REGSUB: no $n substitution in results
inline constexpr uint32_t kUtf8Request = 1u << 11;  // UTF8_REQUEST: SMTPUTF8 on: check and fold UTF-8
inline constexpr uint32_t kBulkUpdate = 1u << 12;   // BULK_UPDATE: a full rebuild (postmap, postalias)
inline constexpr uint32_t kMultiWriter = 1u << 13;  // MULTI_WRITER: concurrent updates allowed
inline constexpr uint32_t kNoUnauth = 1u << 14;     // the table was opened by an untrusted user
}  // namespace flag

// How a table is opened (O_RDONLY, O_RDWR, O_RDWR|O_CREAT, O_RDWR|O_CREAT|O_TRUNC).
enum class OpenMode { Read, Write, Create, Rebuild };

using ForEachFn = std::function<bool(std::string_view key, std::string_view value)>;

class Dict {
public:
    Dict(std::string type, std::string name, uint32_t flags);
    virtual ~Dict();
    Dict(const Dict&) = delete;
    Dict& operator=(const Dict&) = delete;

    const std::string& type() const { return type_; }
    const std::string& name() const { return name_; }
    std::string spec() const { return type_ + ":" + name_; }
    // The name a table uses for itself in its own diagnostics; Berkeley DB tables say
    // "NAME.db" there (dict_db.c stores the file name as the table name).
    virtual std::string diagnosticName() const { return name_; }
    // TYPE:diagnosticName(), how Postfix's commands name an open table in most messages.
    std::string diagnosticSpec() const { return type_ + ":" + diagnosticName(); }
    uint32_t flags() const { return flags_; }
    // Changes flags between operations, as Postfix callers do (postalias writes its YP_*
    // records without NUL and without folding). Backends honour the flags of each call.
    void setFlags(uint32_t flags) { flags_ = flags; }

    // Looks a key up. Keys are folded first when the flags ask for it (FOLD_FIX on a
    // FIXED table, or FOLD_MUL): ASCII lowercase, or full Unicode case folding when
    // UTF8_REQUEST is set. With UTF8_REQUEST, a malformed UTF-8 key is a miss (with
    // Postfix's warning) and a malformed stored value is a configuration error.
    Lookup lookup(std::string_view key);

    // Adds or replaces an entry; duplicates follow the DUP_* flags with Postfix's
    // warnings. Tables that cannot be updated return an error naming the table.
    base::Status update(std::string_view key, std::string_view value);

    // A hint before a bulk load: about `entries` updates will follow. Tables that collect
    // a rebuild in memory size their index once instead of growing it step by step.
    virtual void expectEntries(size_t entries) { (void)entries; }

    // Deletes an entry: true when something was deleted.
    base::Result<bool> remove(std::string_view key);

    // Visits every entry in the table's own order (postmap -s); `fn` returns false to stop.
    // A type without sequential access fails with errnum ENOTSUP and the complete message
    // "table TYPE:NAME: sequence operation is not supported".
    base::Status forEach(const ForEachFn& fn);

    // Finishes the table: a rebuild is made durable and becomes visible atomically.
    // Called by the owner once all updates are done; the destructor of an unclosed
    // rebuild discards it, so a failed build never replaces a good table.
    base::Status close();

    // The key as this table will see it after folding (exposed for tests and callers
    // that cache keys).
    std::string foldKey(std::string_view key) const;

protected:
    virtual Lookup doLookup(std::string_view key) = 0;
    virtual base::Status doUpdate(std::string_view key, std::string_view value);
    virtual base::Result<bool> doRemove(std::string_view key);
    virtual base::Status doForEach(const ForEachFn& fn);
    virtual base::Status doClose();

    bool wantsFold() const;

private:
    // The key folded into foldBuf_ (or `key` itself when there is nothing to fold): a
    // build or a batch of queries folds one key per call without allocating each time.
    std::string_view folded(std::string_view key);

    std::string type_;
    std::string name_;
    uint32_t flags_;
    bool closed_ = false;
    std::string foldBuf_;
};

}  // namespace postline::maps
