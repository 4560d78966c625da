// Helpers of the indexed-file backends: the rebuild entry set, the trailing-NUL rule of
// util/dict_db.c / util/dict_lmdb.c, the stale-table warning and rebuild temp files.
#include "db_bulk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>

#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/maps/registry.h"

namespace postline::maps::backend {

namespace {

uint32_t hashBytes(std::string_view bytes) {
    size_t h = std::hash<std::string_view>{}(bytes);
    return uint32_t(h ^ (h >> 32));
}

// memcmp order, shorter first on a common prefix: what BDB's and LMDB's default
// comparators do, and what std::string_view::compare does.
bool keyLess(std::string_view a, std::string_view b) { return a.compare(b) < 0; }

}  // namespace

BulkTable::BulkTable() : slots_(1024, 0) {}

uint64_t BulkTable::append(std::string_view bytes) {
    uint64_t off = arena_.size();
    if (arena_.capacity() < arena_.size() + bytes.size())
        arena_.reserve(std::max(arena_.capacity() * 2, arena_.size() + bytes.size() + 4096));
    arena_.insert(arena_.end(), bytes.begin(), bytes.end());
    return off;
}

std::string_view BulkTable::key(uint32_t index) const {
    const Entry& e = entries_[index];
    return {arena_.data() + e.keyOff, e.keyLen};
}

std::string_view BulkTable::value(uint32_t index) const {
    const Entry& e = entries_[index];
    return {arena_.data() + e.valueOff, e.valueLen};
}

size_t BulkTable::findSlot(std::string_view k, uint32_t hash) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t slot = slots_[i];
        if (slot == 0) return i;
        const Entry& e = entries_[slot - 1];
        if (e.hash == hash && key(slot - 1) == k) return i;
    }
}

void BulkTable::grow() {
    std::vector<uint32_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    size_t mask = slots_.size() - 1;
    for (uint32_t slot : old) {
        if (slot == 0) continue;
        size_t i = entries_[slot - 1].hash & mask;
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

bool BulkTable::add(std::string_view k, std::string_view v, bool replace) {
    uint32_t hash = hashBytes(k);
    size_t i = findSlot(k, hash);
    if (slots_[i] != 0) {
        Entry& e = entries_[slots_[i] - 1];
        if (e.live && !replace) return false;
        bool wasLive = e.live;
        if (wasLive) payload_ -= e.valueLen;
        e.valueOff = append(v);
        e.valueLen = uint32_t(v.size());
        payload_ += v.size();
        if (!wasLive) {
            e.live = true;
            payload_ += e.keyLen;
            ++live_;
        }
        return true;
    }
    Entry e{};
    e.keyOff = append(k);
    e.keyLen = uint32_t(k.size());
    e.valueOff = append(v);
    e.valueLen = uint32_t(v.size());
    e.hash = hash;
    e.live = true;
    entries_.push_back(e);
    slots_[i] = uint32_t(entries_.size());
    ++live_;
    payload_ += k.size() + v.size();
    if (entries_.size() * 4 > slots_.size() * 3) grow();
    return true;
}

bool BulkTable::find(std::string_view k, std::string_view* v) const {
    size_t i = findSlot(k, hashBytes(k));
    if (slots_[i] == 0 || !entries_[slots_[i] - 1].live) return false;
    if (v) *v = value(slots_[i] - 1);
    return true;
}

bool BulkTable::erase(std::string_view k) {
    size_t i = findSlot(k, hashBytes(k));
    if (slots_[i] == 0) return false;
    Entry& e = entries_[slots_[i] - 1];
    if (!e.live) return false;
    // The slot stays (it may be in another key's probe chain); the entry is marked dead.
    e.live = false;
    payload_ -= e.keyLen + e.valueLen;
    --live_;
    return true;
}

std::vector<uint32_t> BulkTable::insertionOrder() const {
    std::vector<uint32_t> order;
    order.reserve(live_);
    for (uint32_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].live) order.push_back(i);
    return order;
}

std::vector<uint32_t> BulkTable::sortedOrder() const {
    // Sort on an 8-byte big-endian key prefix first; only ties look at the arena.
    struct Item {
        uint64_t prefix;
        uint32_t index;
    };
    std::vector<Item> items;
    items.reserve(live_);
    for (uint32_t i = 0; i < entries_.size(); ++i) {
        if (!entries_[i].live) continue;
        std::string_view k = key(i);
        uint64_t prefix = 0;
        for (size_t b = 0; b < 8; ++b) prefix = (prefix << 8) | (b < k.size() ? uint8_t(k[b]) : 0);
        items.push_back({prefix, i});
    }
    std::sort(items.begin(), items.end(), [this](const Item& a, const Item& b) {
        if (a.prefix != b.prefix) return a.prefix < b.prefix;
        return keyLess(key(a.index), key(b.index));
    });
    std::vector<uint32_t> order;
    order.reserve(items.size());
    for (const Item& item : items) order.push_back(item.index);
    return order;
}

bool decideWriteNull(Dict& dict) {
    uint32_t flags = dict.flags();
    uint32_t both = flag::kTryNull | flag::kTryNoNull;
    if ((flags & both) == both || (flags & both) == 0) {
        dict.setFlags((flags | flag::kTryNull) & ~flag::kTryNoNull);
        return true;
    }
    return (flags & flag::kTryNull) != 0;
}

std::string storedBytes(std::string_view text, bool withNull) {
    std::string bytes;
    bytes.reserve(text.size() + 1);
    bytes.append(text);
    if (withNull) bytes.push_back('\0');
    return bytes;
}

std::string_view visibleBytes(std::string_view stored) {
    auto nul = stored.find('\0');
    return nul == std::string_view::npos ? stored : stored.substr(0, nul);
}

void warnIfOlderThanSource(const std::string& source, const std::string& table, int64_t tableMtime) {
    struct stat st {};
    if (::stat(source.c_str(), &st) != 0) return;
    if (int64_t(st.st_mtime) > tableMtime && int64_t(st.st_mtime) < int64_t(::time(nullptr)) - 100)
        base::msgWarn(base::cat("database ", table, " is older than source file ", source));
}

int64_t configNumber(const OpenContext& context, std::string_view name, int64_t fallback) {
    if (!context.config) return fallback;
    std::string text = context.config->get(name);
    if (text.empty()) return fallback;
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str() || n <= 0) return fallback;
    return int64_t(n);
}

TempTableFile::TempTableFile(std::string target) : target_(std::move(target)), path_(base::temporaryPathFor(target_)) {}

TempTableFile::~TempTableFile() {
    if (!done_) ::unlink(path_.c_str());
}

void TempTableFile::clear() { ::unlink(path_.c_str()); }

base::Status TempTableFile::commit() {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return base::errnoError("open " + path_);
    int rc = ::fsync(fd);
    int saved = errno;
    ::close(fd);
    if (rc != 0) return base::errnoError("fsync " + path_, saved);
    if (::rename(path_.c_str(), target_.c_str()) != 0) return base::errnoError("rename " + path_ + " to " + target_);
    done_ = true;
    return base::syncParentDirectory(target_);
}

}  // namespace postline::maps::backend
