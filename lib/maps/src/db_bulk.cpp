// Helpers of the indexed-file backends: the rebuild entry set, the trailing-NUL rule of
// util/dict_db.c / util/dict_lmdb.c, the stale-table warning and rebuild temp files.
#include "db_bulk.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <new>

#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/maps/registry.h"

namespace postline::maps::backend {

namespace {

uint32_t hashBytes(std::string_view bytes, bool nul) {
    size_t h = std::hash<std::string_view>{}(bytes);
    if (nul) h = (h ^ 0x9e3779b97f4a7c15ull) * 0xff51afd7ed558ccdull;
    return uint32_t(h ^ (h >> 32));
}

constexpr size_t kBlockSize = size_t(32) << 20;

bool keyLess(std::string_view a, std::string_view b) { return a.compare(b) < 0; }

}  // namespace

void* hugeMap(void* old, size_t oldBytes, size_t newBytes) {
    void* data = old ? ::mremap(old, oldBytes, newBytes, MREMAP_MAYMOVE)
                     : ::mmap(nullptr, newBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) throw std::bad_alloc();
    (void)::madvise(data, newBytes, MADV_HUGEPAGE);
    return data;
}

void hugeUnmap(void* data, size_t bytes) { ::munmap(data, bytes); }

BulkTable::BulkTable() : slots_(1024) {}

const char* BulkTable::append(std::string_view bytes, bool nul) {
    size_t need = bytes.size() + (nul ? 1 : 0);
    if (blocks_.empty() || blocks_.back().size() - blockUsed_ < need) {
        blocks_.emplace_back(std::max(kBlockSize, need));
        blockUsed_ = 0;
    }
    char* out = blocks_.back().data() + blockUsed_;
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    if (nul) out[bytes.size()] = '\0';
    blockUsed_ += need;
    return out;
}

std::string_view BulkTable::key(uint32_t index) const {
    const Entry& e = entries_[index];
    return {e.key, e.keyLen};
}

std::string_view BulkTable::value(uint32_t index) const {
    const Entry& e = entries_[index];
    return {e.value, e.valueLen};
}

size_t BulkTable::findSlot(std::string_view k, bool nul, uint32_t hash) const {
    size_t mask = slots_.size() - 1;
    size_t len = k.size() + (nul ? 1 : 0);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint64_t slot = slots_[i];
        if (slot == 0) return i;
        if (uint32_t(slot >> 32) != hash) continue;
        const Entry& e = entries_[uint32_t(slot) - 1];
        if (e.keyLen == len && std::memcmp(e.key, k.data(), k.size()) == 0 && (!nul || e.key[k.size()] == '\0'))
            return i;
    }
}

void BulkTable::grow() {
    HugeArray<uint64_t> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (uint64_t slot : old) {
        if (slot == 0) continue;
        size_t i = uint32_t(slot >> 32) & mask;
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

void BulkTable::reserve(size_t entries) {
    // At most half full, as add() keeps it; capped so that a bogus hint cannot take
    // more than 1 GiB of index.
    entries = std::min<size_t>(entries, size_t(1) << 26);
    size_t want = slots_.size();
    while (want < entries * 2) want *= 2;
    if (want == slots_.size()) return;
    if (entries_.empty()) {
        slots_ = HugeArray<uint64_t>(want);  // fresh anonymous memory: all slots empty
        return;
    }
    while (slots_.size() < want) grow();
}

bool BulkTable::add(std::string_view k, std::string_view v, bool nul, bool replace) {
    uint32_t hash = hashBytes(k, nul);
    size_t i = findSlot(k, nul, hash);
    size_t extra = nul ? 1 : 0;
    maxItem_ = std::max(maxItem_, std::max(k.size(), v.size()) + extra);
    if (slots_[i] != 0) {
        Entry& e = entries_[uint32_t(slots_[i]) - 1];
        if (e.live && !replace) return false;
        bool wasLive = e.live;
        if (wasLive) payload_ -= e.valueLen;
        e.value = append(v, nul);
        e.valueLen = uint32_t(v.size() + extra);
        payload_ += e.valueLen;
        if (!wasLive) {
            e.live = true;
            payload_ += e.keyLen;
            ++live_;
        }
        return true;
    }
    Entry e{};
    e.key = append(k, nul);
    e.keyLen = uint32_t(k.size() + extra);
    e.value = append(v, nul);
    e.valueLen = uint32_t(v.size() + extra);
    e.hash = hash;
    e.live = true;
    entries_.push_back(e);
    slots_[i] = (uint64_t(hash) << 32) | uint32_t(entries_.size());
    ++live_;
    payload_ += e.keyLen + e.valueLen;
    if (entries_.size() * 2 > slots_.size()) grow();
    return true;
}

bool BulkTable::find(std::string_view k, bool nul, std::string_view* v) const {
    size_t i = findSlot(k, nul, hashBytes(k, nul));
    if (slots_[i] == 0 || !entries_[uint32_t(slots_[i]) - 1].live) return false;
    if (v) *v = value(uint32_t(slots_[i]) - 1);
    return true;
}

bool BulkTable::erase(std::string_view k, bool nul) {
    size_t i = findSlot(k, nul, hashBytes(k, nul));
    if (slots_[i] == 0) return false;
    Entry& e = entries_[uint32_t(slots_[i]) - 1];
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
    // LSD radix sort on an 8-byte big-endian key prefix, then a comparison sort of each
    // run of equal prefixes on the whole key.
    struct Item {
        uint64_t prefix;
        uint32_t index;
    };
    HugeArray<Item> items, scratch;
    for (uint32_t i = 0; i < entries_.size(); ++i) {
        if (!entries_[i].live) continue;
        const Entry& e = entries_[i];
        uint64_t prefix = 0;
        for (size_t b = 0; b < 8; ++b) prefix = (prefix << 8) | (b < e.keyLen ? uint8_t(e.key[b]) : 0);
        items.push_back({prefix, i});
    }
    scratch.resize(items.size());
    for (int shift = 0; shift < 64; shift += 16) {
        std::vector<uint32_t> count(65537, 0);
        bool same = true;
        uint64_t first = items.empty() ? 0 : (items[0].prefix >> shift) & 0xffff;
        for (const Item& item : items) {
            uint64_t digit = (item.prefix >> shift) & 0xffff;
            ++count[digit + 1];
            same = same && digit == first;
        }
        if (same) continue;  // this digit does not order anything
        for (size_t d = 1; d < count.size(); ++d) count[d] += count[d - 1];
        for (const Item& item : items) scratch[count[(item.prefix >> shift) & 0xffff]++] = item;
        items.swap(scratch);
    }
    for (size_t lo = 0; lo < items.size();) {
        size_t hi = lo + 1;
        while (hi < items.size() && items[hi].prefix == items[lo].prefix) ++hi;
        if (hi - lo > 1)
            std::sort(items.begin() + lo, items.begin() + hi,
                      [this](const Item& a, const Item& b) { return keyLess(key(a.index), key(b.index)); });
        lo = hi;
    }
    std::vector<uint32_t> order;
    order.reserve(items.size());
    for (const Item& item : items) order.push_back(item.index);
    return order;
}

std::vector<uint32_t> BulkTable::rankedOrder(uint32_t (*rank)(std::string_view key)) const {
    HugeArray<uint64_t> items, scratch;  // (rank << 32) | index
    for (uint32_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].live) items.push_back((uint64_t(rank(key(i))) << 32) | i);
    scratch.resize(items.size());
    for (int shift = 32; shift < 64; shift += 16) {
        std::vector<uint32_t> count(65537, 0);
        for (uint64_t item : items) ++count[((item >> shift) & 0xffff) + 1];
        for (size_t d = 1; d < count.size(); ++d) count[d] += count[d - 1];
        for (uint64_t item : items) scratch[count[(item >> shift) & 0xffff]++] = item;
        items.swap(scratch);
    }
    std::vector<uint32_t> order;
    order.reserve(items.size());
    for (uint64_t item : items) order.push_back(uint32_t(item));
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

namespace {

// A build killed by a signal must not leave its temporary file behind: the file of a
// large table is as big as the table, and nothing else would ever remove it. The paths
// to remove live in fixed slots, filled before the file is created, so that the handler
// needs only unlink(), signal() and raise(), all async-signal-safe.
constexpr int kTempSlots = 8;
constexpr size_t kTempPathMax = 4096;
struct TempSlot {
    std::atomic<int> state{0};  // 0 free, 1 being filled, 2 armed
    char path[kTempPathMax];
};
TempSlot gTempSlots[kTempSlots];
const int kCleanupSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};

extern "C" void removeTempsAndDie(int sig) {
    int saved = errno;
    for (TempSlot& slot : gTempSlots)
        if (slot.state.load() == 2) ::unlink(slot.path);
    // The signal stays blocked while its handler runs: raise() leaves it pending, and it
    // kills the process with the default action as soon as the handler returns.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    errno = saved;
}

// Installed once, and only for signals still at their default action: a signal that
// the caller ignores (nohup) or handles itself is left to the caller.
void installCleanupHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = removeTempsAndDie;
        sigemptyset(&action.sa_mask);
        for (int sig : kCleanupSignals) sigaddset(&action.sa_mask, sig);
        for (int sig : kCleanupSignals) {
            struct sigaction old {};
            if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) ::sigaction(sig, &action, nullptr);
        }
    });
}

// Returns the slot now armed with `path`, or -1 when all are taken or the path is too
// long (the file is then only removed by the destructor or by the next build).
int armTempSlot(const std::string& path) {
    if (path.size() >= kTempPathMax) return -1;
    installCleanupHandlers();
    for (int i = 0; i < kTempSlots; ++i) {
        int expected = 0;
        if (!gTempSlots[i].state.compare_exchange_strong(expected, 1)) continue;
        std::memcpy(gTempSlots[i].path, path.c_str(), path.size() + 1);
        gTempSlots[i].state.store(2);
        return i;
    }
    return -1;
}

void disarmTempSlot(int slot) {
    if (slot >= 0) gTempSlots[slot].state.store(0);
}

// Berkeley DB creates a new database under a name of its own, "__db." + the name it was
// given, and renames it at the end; a hash build spends most of its time in that file.
std::string libdbCreationPath(const std::string& path) { return base::dirName(path) + "/__db." + base::baseName(path); }

// Removes the temporary files of earlier builds of `target` whose process is gone
// (".NAME.PID.tmp", and Berkeley DB's "__db..NAME.PID.tmp", with kill(PID, 0) failing
// with ESRCH). A file whose process still exists, or may exist (EPERM), is a build in
// progress and is kept.
void removeStaleTemporaries(const std::string& target) {
    std::string dir = base::dirName(target);
    std::string ours = "." + base::baseName(target) + ".";
    std::string libdb = "__db." + ours;
    const std::string_view suffix = ".tmp";
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        size_t prefix = name.substr(0, ours.size()) == ours     ? ours.size()
                        : name.substr(0, libdb.size()) == libdb ? libdb.size()
                                                                : 0;
        if (prefix == 0 || name.size() <= prefix + suffix.size() || name.substr(name.size() - suffix.size()) != suffix)
            continue;
        std::string_view digits = name.substr(prefix, name.size() - prefix - suffix.size());
        if (digits.size() > 9 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        pid_t pid = pid_t(std::stol(std::string(digits)));
        if (pid <= 0 || pid == ::getpid()) continue;
        if (::kill(pid, 0) == 0 || errno != ESRCH) continue;
        ::unlink((dir + "/" + std::string(name)).c_str());
    }
    ::closedir(d);
}

}  // namespace

TempTableFile::TempTableFile(std::string target) : target_(std::move(target)), path_(base::temporaryPathFor(target_)) {
    removeStaleTemporaries(target_);
    slots_[0] = armTempSlot(path_);
    slots_[1] = armTempSlot(libdbCreationPath(path_));
}

TempTableFile::~TempTableFile() {
    if (!done_) {
        ::unlink(path_.c_str());
        ::unlink(libdbCreationPath(path_).c_str());
    }
    disarm();
}

void TempTableFile::disarm() {
    for (int& slot : slots_) {
        disarmTempSlot(slot);
        slot = -1;
    }
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
    disarm();
    return base::syncParentDirectory(target_);
}

}  // namespace postline::maps::backend
