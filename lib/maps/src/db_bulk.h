// Private helpers shared by the indexed-file backends (hash, btree, lmdb): the in-memory
// entry set of a full rebuild (postmap/postalias without -i), the trailing-NUL choice of
// util/dict_db.c and util/dict_lmdb.c, the "older than source file" check, and the
// temporary file that a rebuild writes before it is renamed over the table.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/base/result.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"

namespace postline::maps::backend {

// A growable array of trivially copyable T in anonymous memory advised for transparent
// huge pages: a million-entry build touches ~100 MB, and 4 KiB page faults and TLB
// misses would otherwise cost more than the database writes. Grows with mremap().
template <class T>
class HugeArray {
public:
    HugeArray() = default;
    explicit HugeArray(size_t n) { resize(n); }
    ~HugeArray();
    HugeArray(HugeArray&& other) noexcept { swap(other); }
    HugeArray& operator=(HugeArray&& other) noexcept {
        swap(other);
        return *this;
    }
    HugeArray(const HugeArray&) = delete;
    HugeArray& operator=(const HugeArray&) = delete;

    void swap(HugeArray& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(bytes_, other.bytes_);
    }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T* data() { return data_; }
    const T* data() const { return data_; }
    T& operator[](size_t i) { return data_[i]; }
    const T& operator[](size_t i) const { return data_[i]; }
    T* begin() { return data_; }
    T* end() { return data_ + size_; }
    const T* begin() const { return data_; }
    const T* end() const { return data_ + size_; }
    void push_back(const T& value) {
        if ((size_ + 1) * sizeof(T) > bytes_) reserveBytes(std::max(bytes_ * 2, size_t(2) << 20));
        data_[size_++] = value;
    }
    // New elements are zero bytes (fresh anonymous memory) only when the array grows.
    void resize(size_t n) {
        if (n * sizeof(T) > bytes_) reserveBytes(n * sizeof(T));
        size_ = n;
    }

private:
    void reserveBytes(size_t bytes);

    T* data_ = nullptr;
    size_t size_ = 0;
    size_t bytes_ = 0;
};

// mmap/mremap/munmap with the huge-page advice, for HugeArray and the key/value arena.
void* hugeMap(void* old, size_t oldBytes, size_t newBytes);
void hugeUnmap(void* data, size_t bytes);

template <class T>
HugeArray<T>::~HugeArray() {
    if (data_) hugeUnmap(data_, bytes_);
}

template <class T>
void HugeArray<T>::reserveBytes(size_t bytes) {
    size_t rounded = (bytes + (size_t(2) << 20) - 1) & ~((size_t(2) << 20) - 1);
    data_ = static_cast<T*>(hugeMap(data_, bytes_, rounded));
    bytes_ = rounded;
}

// The entries of a rebuild, kept in memory until close() writes them out in one pass.
// Keys and values are the exact bytes that go to disk (a trailing NUL included when the
// flags ask for one), so "k" and "k\0" are different keys, as in the database.
class BulkTable {
public:
    BulkTable();

    // Sizes the index for about `entries` keys (a hint; more may follow).
    void reserve(size_t entries);
    // Inserts a new entry, or (when `replace`) overwrites the value of an existing one.
    // With `nul`, key and value are stored with one NUL appended. Returns false when the
    // key was present and kept (the caller reports the duplicate).
    bool add(std::string_view key, std::string_view value, bool nul, bool replace);
    // The value stored under `key` (plus a NUL when `nul`), if any.
    bool find(std::string_view key, bool nul, std::string_view* value) const;
    // Deletes `key` (plus a NUL when `nul`); true when it was present.
    bool erase(std::string_view key, bool nul);

    size_t size() const { return live_; }
    // The longest key or value ever added (with its NUL), live or not.
    size_t maxItemBytes() const { return maxItem_; }
    // Key plus value bytes of the live entries.
    uint64_t payloadBytes() const { return payload_; }

    // Indices of the live entries in insertion order, or sorted by key bytes as memcmp()
    // with the shorter key first on a tie (Berkeley DB's and LMDB's default order).
    std::vector<uint32_t> insertionOrder() const;
    std::vector<uint32_t> sortedOrder() const;
    // Live entries ordered by rank(key), insertion order among equal ranks.
    std::vector<uint32_t> rankedOrder(uint32_t (*rank)(std::string_view key)) const;
    std::string_view key(uint32_t index) const;
    std::string_view value(uint32_t index) const;

private:
    struct Entry {
        const char* key;
        const char* value;
        uint32_t keyLen;
        uint32_t valueLen;
        uint32_t hash;
        bool live;
    };
    size_t findSlot(std::string_view key, bool nul, uint32_t hash) const;
    void grow();
    const char* append(std::string_view bytes, bool nul);

    std::vector<HugeArray<char>> blocks_;  // the bytes of keys and values
    size_t blockUsed_ = 0;
    HugeArray<Entry> entries_;
    // Open addressing: (hash << 32) | (entry index + 1), 0 = empty; the hash in the slot
    // spares a look at the entry for most probes.
    HugeArray<uint64_t> slots_;
    size_t live_ = 0;
    uint64_t payload_ = 0;
    size_t maxItem_ = 0;
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

// A temporary file beside a table that is being rebuilt (.NAME.PID.tmp). Removed by the
// destructor unless commit() renamed it over the table; by SIGHUP, SIGINT, SIGQUIT or
// SIGTERM (when still at their default action), before the process dies of the signal;
// and by a later build of the same table once the process of its PID is gone. The same
// holds for "__db." + its name, the name under which Berkeley DB creates it.
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
    void disarm();

    std::string target_;
    std::string path_;
    bool done_ = false;
    // The signal handler's entries for path_ and for Berkeley DB's name of it while it
    // creates the file, as long as either may exist.
    int slots_[2] = {-1, -1};
};

}  // namespace postline::maps::backend
