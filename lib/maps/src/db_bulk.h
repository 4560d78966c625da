// Private helpers shared by the indexed-file backends (hash, btree, lmdb): the in-memory
// entry set of a full rebuild (postmap/postalias without -i), the trailing-NUL choice of
// util/dict_db.c and util/dict_lmdb.c, the "older than source file" check, and the
// temporary file that a rebuild writes before it is renamed over the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"

namespace postline::maps::backend {

// The entries of a rebuild, kept in memory until close() writes them out in one pass.
// Keys and values are the exact bytes that go to disk (a trailing NUL included when the
// flags ask for one), so "k" and "k\0" are different keys, as in the database.
class BulkTable {
public:
    BulkTable();

    // Inserts a new entry, or (when `replace`) overwrites the value of an existing one.
    // Returns false when the key was present and kept (the caller reports the duplicate).
    bool add(std::string_view key, std::string_view value, bool replace);
    // The value stored under `key`, if any.
    bool find(std::string_view key, std::string_view* value) const;
    // Deletes `key`; true when it was present.
    bool erase(std::string_view key);

    size_t size() const { return live_; }
    // Key plus value bytes of the live entries.
    uint64_t payloadBytes() const { return payload_; }

    // Indices of the live entries in insertion order, or sorted by key bytes as memcmp()
    // with the shorter key first on a tie (Berkeley DB's and LMDB's default order).
    std::vector<uint32_t> insertionOrder() const;
    std::vector<uint32_t> sortedOrder() const;
    std::string_view key(uint32_t index) const;
    std::string_view value(uint32_t index) const;

private:
    struct Entry {
        uint64_t keyOff;
        uint64_t valueOff;
        uint32_t keyLen;
        uint32_t valueLen;
        uint32_t hash;
        bool live;
    };
    size_t findSlot(std::string_view key, uint32_t hash) const;
    void grow();
    uint64_t append(std::string_view bytes);

    std::vector<char> arena_;
    std::vector<Entry> entries_;
    std::vector<uint32_t> slots_;  // open addressing: entry index + 1, 0 = empty
    size_t live_ = 0;
    uint64_t payload_ = 0;
};

// Applies Postfix's write rule for the trailing NUL: neither TRY flag (or both) means
// "undecided", which becomes TRY1NULL for the handle (DB_NO_TRAILING_NULL and
// LMDB_NO_TRAILING_NULL are not defined on any platform). Returns true when the key and
// value get a NUL appended, and updates the Dict's flags as Postfix does.
bool decideWriteNull(Dict& dict);

// Appends one NUL to `text` when `withNull`; the result is the byte string to store.
std::string storedBytes(std::string_view text, bool withNull);

// A stored value or key as Postfix hands it to callers: copied up to the first NUL
// (vstring_strncpy), so a stored trailing NUL is invisible.
std::string_view visibleBytes(std::string_view stored);

// Warns "database TABLE is older than source file SOURCE" when the source file exists,
// is newer than `tableMtime`, and did not change in the last 100 seconds.
void warnIfOlderThanSource(const std::string& source, const std::string& table, int64_t tableMtime);

// The main.cf value of an integer parameter, or `fallback` without a configuration.
int64_t configNumber(const OpenContext& context, std::string_view name, int64_t fallback);

// A temporary file beside a table that is being rebuilt. Removed by the destructor
// unless commit() renamed it over the table.
class TempTableFile {
public:
    explicit TempTableFile(std::string target);
    ~TempTableFile();
    TempTableFile(const TempTableFile&) = delete;
    TempTableFile& operator=(const TempTableFile&) = delete;

    const std::string& path() const { return path_; }
    const std::string& target() const { return target_; }
    // Removes a leftover file of that name (a previous crash of a process with our pid).
    void clear();
    // fsync(temp), rename(temp, target), fsync(directory).
    base::Status commit();

private:
    std::string target_;
    std::string path_;
    bool done_ = false;
};

}  // namespace postline::maps::backend
