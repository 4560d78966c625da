// Berkeley DB tables "hash" and "btree" (NAME.db), mirroring util/dict_db.c and
// global/mkmap_db.c: Postfix's trailing-NUL probing, flock() locking, duplicate warnings.
// A full rebuild collects the entries in memory and writes a new file beside the table
// (sorted for btree, pre-sized for hash) that is renamed over NAME.db at close().
#include <db.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "backends.h"
#include "btree_file.h"
#include "db_bulk.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::maps::backend {

namespace {

using base::Error;
using base::Status;

constexpr uint32_t kPostfixNelem = 4096;  // DICT_DB_NELM
constexpr int64_t kDefaultReadCache = 131072;
constexpr int64_t kDefaultCreateCache = 16777216;
constexpr int64_t kMaxBuildCache = int64_t(1) << 30;
constexpr int64_t kSortedBuildCache = int64_t(4) << 20;
constexpr uint32_t kBothNull = flag::kTryNull | flag::kTryNoNull;

std::string dbError(int code) { return ::db_strerror(code); }

DBT dbt(std::string_view bytes) {
    DBT d;
    std::memset(&d, 0, sizeof d);
    d.data = const_cast<char*>(bytes.data());
    d.size = u_int32_t(bytes.size());
    return d;
}

// An open environment + database handle pair; closes both on destruction.
struct DbHandle {
    DB_ENV* env = nullptr;
    DB* db = nullptr;
    int fd = -1;

    DbHandle() = default;
    DbHandle(const DbHandle&) = delete;
    DbHandle& operator=(const DbHandle&) = delete;
    ~DbHandle() { (void)close(); }

    int close() {
        int rc = 0;
        if (db) rc = db->close(db, 0);
        if (env) env->close(env, 0);
        db = nullptr;
        env = nullptr;
        fd = -1;
        return rc;
    }
};

struct DbTuning {
    int64_t cacheBytes = kDefaultReadCache;
    uint32_t nelem = kPostfixNelem;  // hash only
    uint32_t ffactor = 0;            // hash only; 0 = Berkeley DB's choice
    uint32_t pageSize = 0;           // 0 = Berkeley DB's choice
};

// Berkeley DB maps a read-only table that is smaller than its mmap limit (10 MB) and
// then trusts the 16-bit item offsets and lengths inside each page: one corrupted byte
// makes it read up to 128 KiB past a page. Past the last page of a bare mapping lies
// whatever the process mapped next; Postfix survives because its shared libraries happen
// to sit there, we got SIGBUS from the vDSO's data page. So every file mapping is made
// with readable zero pages after it, enough for the farthest read a page can ask for
// (offset + item length, each below 64 KiB, from a page of up to 64 KiB): a corrupt
// table then gives a wrong or failed lookup, never a crash. The length of the whole
// reservation is kept in a page before the mapping, as the unmap hook is given only the
// address. (Hash tables and larger files are read into the cache instead, where the same
// over-read of libdb stays inside the heap, in Postfix as here. The cache size is not the
// difference: postmap -q reads with berkeley_db_read_buffer_size, as Postfix does.)
constexpr size_t kMapPadding = size_t(256) << 10;

int mapTableFile(DB_ENV*, char* path, size_t len, int readOnly, void** addr) {
    const size_t page = size_t(::sysconf(_SC_PAGESIZE));
    const size_t fileSpan = (len + page - 1) / page * page;
    const size_t total = page + fileSpan + kMapPadding;
    int fd = ::open(path, (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) return errno;
    void* base = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return err;
    }
    *static_cast<size_t*>(base) = total;
    char* start = static_cast<char*>(base) + page;
    // The padding must not be writable: Berkeley DB never writes through a read-only map.
    if (::mprotect(start + fileSpan, kMapPadding, PROT_READ) != 0 ||
        ::mmap(start, len, readOnly ? PROT_READ : PROT_READ | PROT_WRITE,
               (readOnly ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED, fd, 0) == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        ::munmap(base, total);
        return err;
    }
    ::close(fd);
    *addr = start;
    return 0;
}

int unmapTableFile(DB_ENV*, void* addr) {
    const size_t page = size_t(::sysconf(_SC_PAGESIZE));
    char* base = static_cast<char*>(addr) - page;
    return ::munmap(base, *reinterpret_cast<size_t*>(base)) == 0 ? 0 : errno;
}

// The hooks are process-wide in Berkeley DB; install them once, before the first handle.
void installMapHooks() {
    static std::once_flag once;
    std::call_once(once, [] { (void)::db_env_set_func_file_map(mapTableFile, unmapTableFile); });
}

// Opens `path` like dict_db_new_env() + db->open(): a private in-memory environment whose
// home is the table's directory, and the file by its base name. Errors carry the DB code.
int openDbFile(DbHandle& h, const std::string& path, DBTYPE type, u_int32_t dbFlags, const DbTuning& tuning,
               std::string* context) {
    installMapHooks();
    int rc = ::db_env_create(&h.env, 0);
    if (rc != 0) {
        *context = "create DB environment";
        return rc;
    }
    int64_t cache = std::max<int64_t>(tuning.cacheBytes, 32768);
    rc = h.env->set_cachesize(h.env, u_int32_t(cache >> 30), u_int32_t(cache & ((int64_t(1) << 30) - 1)), 1);
    if (rc != 0) {
        *context = "set DB cache size " + std::to_string(cache);
        return rc;
    }
    std::string home = base::dirName(path);
    rc = h.env->open(h.env, home.c_str(), DB_INIT_MPOOL | DB_CREATE | DB_PRIVATE, 0);
    if (rc != 0) {
        *context = "open DB environment";
        return rc;
    }
    rc = ::db_create(&h.db, h.env, 0);
    if (rc != 0) {
        *context = "create DB database";
        return rc;
    }
    if (type == DB_HASH && tuning.nelem && (rc = h.db->set_h_nelem(h.db, tuning.nelem)) != 0) {
        *context = "set DB hash element count " + std::to_string(tuning.nelem);
        return rc;
    }
    if (type == DB_HASH && tuning.ffactor && (rc = h.db->set_h_ffactor(h.db, tuning.ffactor)) != 0) {
        *context = "set DB hash fill factor " + std::to_string(tuning.ffactor);
        return rc;
    }
    if (tuning.pageSize && (rc = h.db->set_pagesize(h.db, tuning.pageSize)) != 0) {
        *context = "set DB page size " + std::to_string(tuning.pageSize);
        return rc;
    }
    std::string file = base::baseName(path);
    rc = h.db->open(h.db, nullptr, file.c_str(), nullptr, type, dbFlags, 0644);
    if (rc != 0) {
        // A failed open under DB_FCNTL_LOCKING leaves a file handle that the environment
        // would list at close; Postfix exits before that, so its users never see those lines.
        h.env->set_errcall(h.env, [](const DB_ENV*, const char*, const char*) {});
        *context = "open database " + path;
        return rc;
    }
    rc = h.db->fd(h.db, &h.fd);
    if (rc != 0) {
        *context = "get database file descriptor";
        return rc;
    }
    ::fcntl(h.fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

// Berkeley DB's default hash function (__ham_func5, FNV-1), bit-reversed: ordering the
// puts by this value fills the hash buckets one after the other, whatever the bucket
// count, so every page is finished while it is in the cache. Only speed depends on it.
uint32_t hashBucketRank(std::string_view key) {
    uint32_t h = 0;
    for (unsigned char c : key) {
        h *= 16777619u;
        h ^= c;
    }
    h = ((h >> 1) & 0x55555555u) | ((h & 0x55555555u) << 1);
    h = ((h >> 2) & 0x33333333u) | ((h & 0x33333333u) << 2);
    h = ((h >> 4) & 0x0f0f0f0fu) | ((h & 0x0f0f0f0fu) << 4);
    h = ((h >> 8) & 0x00ff00ffu) | ((h & 0x00ff00ffu) << 8);
    return (h >> 16) | (h << 16);
}

class DbDict final : public Dict {
public:
    DbDict(const DictSpec& spec, uint32_t flags, DBTYPE type, OpenMode mode)
        : Dict(spec.type, spec.name, flags), type_(type), mode_(mode), source_(spec.name), path_(spec.name + ".db") {}

    std::string diagnosticName() const override { return path_; }

    ~DbDict() override {
        if (targetFd_ >= 0) ::close(targetFd_);
    }

    Status open(const OpenContext& context);
    void expectEntries(size_t entries) override {
        if (bulk_) table_.reserve(entries);
    }

protected:
    Lookup doLookup(std::string_view key) override;
    Status doUpdate(std::string_view key, std::string_view value) override;
    base::Result<bool> doRemove(std::string_view key) override;
    Status doForEach(const ForEachFn& fn) override;
    Status doClose() override;

private:
    uint32_t nullFlags() const {
        uint32_t f = flags() & kBothNull;
        return f ? f : kBothNull;
    }
    bool perCallLock() const { return (flags() & flag::kLock) && !holdsLock_; }
    Status lock(base::LockMode mode) {
        if (!perCallLock()) return {};
        Status s = base::lockFile(handle_.fd, base::LockStyle::Flock, mode);
        if (!s.ok())
            return base::errnoError(
                path_ + (mode == base::LockMode::Unlock ? ": unlock dictionary" : ": lock dictionary"),
                s.error().errnum);
        return {};
    }
    Status duplicate(std::string_view key);
    Status writeRebuild();
    Status writeBtreeDirectly(TempTableFile& temp);
    Status removeIfZeroLength(int fd) const;

    DBTYPE type_;
    OpenMode mode_;
    std::string source_;  // NAME: the source file of the table
    std::string path_;    // NAME.db: also the name in diagnostics, as in Postfix
    DbHandle handle_;
    bool holdsLock_ = false;  // an exclusive flock held from open to close (postmap -i, -d)
    bool bulk_ = false;
    BulkTable table_;
    int targetFd_ = -1;  // a rebuild's shared lock on the table it replaces
    int64_t buildCache_ = kDefaultCreateCache;
    std::string keyBuf_;  // a lookup key with its trailing NUL
};

// Berkeley DB refuses a zero-length file; a writer removes it as mkmap_db.c does.
Status DbDict::removeIfZeroLength(int fd) const {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_nlink > 0) {
        if (::unlink(path_.c_str()) < 0) return base::errnoError("cannot remove zero-length database file " + path_);
        base::msgWarn(base::cat("removing zero-length database file: ", path_));
    }
    return {};
}

Status DbDict::open(const OpenContext& context) {
    if ((flags() & kBothNull) == 0) setFlags(flags() | kBothNull);

    if (mode_ == OpenMode::Rebuild) {
        // Full rebuild: nothing touches NAME.db until close(). Check that the directory
        // can take the new file now, so errors show at open as in Postfix.
        bulk_ = true;
        buildCache_ = configNumber(context, "berkeley_db_create_buffer_size", kDefaultCreateCache);
        std::string dir = base::dirName(path_);
        if (::access(dir.c_str(), W_OK | X_OK) != 0) return base::errnoError("open database " + path_);
        // Keep writers (postmap -i, -d of either implementation) out while we build;
        // readers may go on using the old table until the rename.
        targetFd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (targetFd_ >= 0) {
            Status s = base::lockFile(targetFd_, base::LockStyle::Flock, base::LockMode::Shared);
            if (!s.ok()) return base::errnoError("shared-lock database " + path_, s.error().errnum);
            if (Status z = removeIfZeroLength(targetFd_); !z.ok()) return z;
        }
        return {};
    }

    // Postfix briefly holds a shared lock on the file while a locking reader opens it.
    int openLockFd = -1;
    if (flags() & flag::kLock) {
        openLockFd = ::open(path_.c_str(), (mode_ == OpenMode::Read ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (openLockFd < 0 && errno != ENOENT) return base::errnoError("open database " + path_);
        if (openLockFd >= 0) {
            Status s = base::lockFile(openLockFd, base::LockStyle::Flock, base::LockMode::Shared);
            if (!s.ok()) {
                ::close(openLockFd);
                return base::errnoError("shared-lock database " + path_ + " for open", s.error().errnum);
            }
        }
    }

    DbTuning tuning;
    tuning.cacheBytes = mode_ == OpenMode::Read
                            ? configNumber(context, "berkeley_db_read_buffer_size", kDefaultReadCache)
                            : configNumber(context, "berkeley_db_create_buffer_size", kDefaultCreateCache);
    // DB_FCNTL_LOCKING as in dict_db.c: besides the locking, it makes Berkeley DB quiet
    // about a file it cannot recognise (the open still fails), so stderr shows only our message.
    u_int32_t dbFlags = DB_FCNTL_LOCKING;
    if (mode_ == OpenMode::Read) dbFlags |= DB_RDONLY;
    if (mode_ == OpenMode::Create) dbFlags |= DB_CREATE;
    if (mode_ == OpenMode::Create) {
        int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            Status z = removeIfZeroLength(fd);
            ::close(fd);
            if (!z.ok()) return z;
        }
    }
    std::string what;
    int rc = openDbFile(handle_, path_, type_, dbFlags, tuning, &what);
    if (openLockFd >= 0) ::close(openLockFd);
    if (rc != 0) return Error{what + ": " + dbError(rc), rc > 0 ? rc : 0};

    if (mode_ != OpenMode::Read && !(flags() & flag::kLock)) {
        // postmap -i / -d: one exclusive lock for the whole session (mkmap_db).
        Status s = base::lockFile(handle_.fd, base::LockStyle::Flock, base::LockMode::Exclusive);
        if (!s.ok()) return base::errnoError(path_ + ": lock dictionary", s.error().errnum);
        holdsLock_ = true;
    }

    if (flags() & flag::kLock) {
        struct stat st {};
        if (::fstat(handle_.fd, &st) == 0) warnIfOlderThanSource(source_, path_, int64_t(st.st_mtime));
    }
    return {};
}

Lookup DbDict::doLookup(std::string_view key) {
    uint32_t nulls = nullFlags();
    if (bulk_) {
        std::string_view stored;
        if ((nulls & flag::kTryNull) && table_.find(key, true, &stored)) {
            setFlags(flags() & ~flag::kTryNoNull);
            return Lookup::found(std::string(visibleBytes(stored)));
        }
        if ((nulls & flag::kTryNoNull) && table_.find(key, false, &stored)) {
            setFlags(flags() & ~flag::kTryNull);
            return Lookup::found(std::string(visibleBytes(stored)));
        }
        return Lookup::notFound();
    }
    if (Status s = lock(base::LockMode::Shared); !s.ok()) return Lookup::retry(s.error().message);
    Lookup result = Lookup::notFound();
    for (int pass = 0; pass < 2; ++pass) {
        bool nul = pass == 0;
        if (!(nulls & (nul ? flag::kTryNull : flag::kTryNoNull))) continue;
        if (nul) keyBuf_.assign(key).push_back('\0');
        std::string_view k = nul ? std::string_view(keyBuf_) : key;
        DBT dk = dbt(k);
        DBT dv;
        std::memset(&dv, 0, sizeof dv);
        int rc = handle_.db->get(handle_.db, nullptr, &dk, &dv, 0);
        if (rc == 0) {
            setFlags(flags() & ~(nul ? flag::kTryNoNull : flag::kTryNull));
            result = Lookup::found(std::string(visibleBytes({static_cast<const char*>(dv.data), dv.size})));
            break;
        }
        if (rc != DB_NOTFOUND) {
            // dict_db_lookup(): msg_fatal("error reading %s: %m")
            result =
                Lookup::fatalError(base::cat("error reading ", path_, ": ", dbError(rc == DB_KEYEMPTY ? EINVAL : rc)));
            break;
        }
    }
    if (Status s = lock(base::LockMode::Unlock); !s.ok()) return Lookup::retry(s.error().message);
    return result;
}

Status DbDict::duplicate(std::string_view key) {
    std::string text = base::cat(path_, ": duplicate entry: \"", key, "\"");
    if (flags() & flag::kDupIgnore) return {};
    if (flags() & flag::kDupWarn) {
        base::msgWarn(text);
        return {};
    }
    return Error{text};
}

Status DbDict::doUpdate(std::string_view key, std::string_view value) {
    bool nul = decideWriteNull(*this);
    bool replace = (flags() & flag::kDupReplace) != 0;
    if (bulk_) {
        if (!table_.add(key, value, nul, replace)) return duplicate(key);
        return {};
    }
    std::string k = storedBytes(key, nul);
    std::string v = storedBytes(value, nul);
    if (mode_ == OpenMode::Read) return Error{base::cat("table ", spec(), ": operation not supported")};
    if (Status s = lock(base::LockMode::Exclusive); !s.ok()) return s;
    DBT dk = dbt(k);
    DBT dv = dbt(v);
    int rc = handle_.db->put(handle_.db, nullptr, &dk, &dv, replace ? 0 : DB_NOOVERWRITE);
    Status result;
    if (rc == DB_KEYEXIST)
        result = duplicate(key);
    else if (rc != 0)
        result = Error{base::cat("error writing ", path_, ": ", dbError(rc)), rc > 0 ? rc : 0};
    if (Status s = lock(base::LockMode::Unlock); !s.ok() && result.ok()) return s;
    return result;
}

base::Result<bool> DbDict::doRemove(std::string_view key) {
    uint32_t nulls = nullFlags();
    std::string withNull = storedBytes(key, true);
    if (bulk_) {
        if ((nulls & flag::kTryNull) && table_.erase(key, true)) {
            setFlags(flags() & ~flag::kTryNoNull);
            return true;
        }
        if ((nulls & flag::kTryNoNull) && table_.erase(key, false)) {
            setFlags(flags() & ~flag::kTryNull);
            return true;
        }
        return false;
    }
    if (mode_ == OpenMode::Read) return Error{base::cat("table ", spec(), ": operation not supported")};
    if (Status s = lock(base::LockMode::Exclusive); !s.ok()) return s.error();
    bool deleted = false;
    std::string failure;
    for (int pass = 0; pass < 2 && !deleted && failure.empty(); ++pass) {
        bool nul = pass == 0;
        if (!(nulls & (nul ? flag::kTryNull : flag::kTryNoNull))) continue;
        DBT dk = dbt(nul ? std::string_view(withNull) : key);
        int rc = handle_.db->del(handle_.db, nullptr, &dk, 0);
        if (rc == 0) {
            deleted = true;
            setFlags(flags() & ~(nul ? flag::kTryNoNull : flag::kTryNull));
        } else if (rc != DB_NOTFOUND) {
            failure = base::cat("error deleting from ", path_, ": ", dbError(rc));
        }
    }
    if (Status s = lock(base::LockMode::Unlock); !s.ok()) return s.error();
    if (!failure.empty()) return Error{failure};
    return deleted;
}

Status DbDict::doForEach(const ForEachFn& fn) {
    if (bulk_) {
        auto order = type_ == DB_BTREE ? table_.sortedOrder() : table_.insertionOrder();
        for (uint32_t i : order)
            if (!fn(visibleBytes(table_.key(i)), visibleBytes(table_.value(i)))) break;
        return {};
    }
    DBC* cursor = nullptr;
    int rc = handle_.db->cursor(handle_.db, nullptr, &cursor, 0);
    if (rc != 0) return Error{base::cat("error seeking ", path_, ": ", dbError(rc))};
    Status result;
    for (u_int32_t op = DB_FIRST;; op = DB_NEXT) {
        if (Status s = lock(base::LockMode::Shared); !s.ok()) {
            result = s;
            break;
        }
        DBT dk, dv;
        std::memset(&dk, 0, sizeof dk);
        std::memset(&dv, 0, sizeof dv);
        rc = cursor->get(cursor, &dk, &dv, op);
        if (Status s = lock(base::LockMode::Unlock); !s.ok()) {
            result = s;
            break;
        }
        if (rc == DB_NOTFOUND) break;
        if (rc != 0) {
            result = Error{base::cat("error [", std::to_string(rc), "] seeking ", path_, ": ", dbError(rc))};
            break;
        }
        if (!fn(visibleBytes({static_cast<const char*>(dk.data), dk.size}),
                visibleBytes({static_cast<const char*>(dv.data), dv.size})))
            break;
    }
    cursor->close(cursor);
    return result;
}

// The btree rebuild written page by page (btree_file.h), without libdb's put path.
Status DbDict::writeBtreeDirectly(TempTableFile& temp) {
    int fd = ::open(temp.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return base::errnoError("open database " + path_);
    Status s = writeBtreeFile(fd, temp.path(), table_, table_.sortedOrder());
    if (::close(fd) != 0 && s.ok()) s = base::errnoError("close database " + path_);
    if (!s.ok())
        return Error{base::cat("error writing ", path_, ": ", std::strerror(s.error().errnum)), s.error().errnum};
    return temp.commit();
}

Status DbDict::writeRebuild() {
    TempTableFile temp(path_);
    temp.clear();
    if (type_ == DB_BTREE && btreeFileCanHold(table_)) return writeBtreeDirectly(temp);
    size_t n = table_.size();
    DbTuning tuning;
    if (type_ == DB_BTREE) {
        // Sorted puts only touch the rightmost path of the tree: a small cache is
        // enough, and Berkeley DB evicts faster from a small one.
        tuning.cacheBytes = std::min<int64_t>(buildCache_, kSortedBuildCache);
    } else {
        // Hash puts land all over the file: cache the whole new file, so that no page
        // is evicted and read back.
        uint64_t estimate = table_.payloadBytes() * 2 + uint64_t(n) * 48 + (1u << 20);
        tuning.cacheBytes = std::clamp<int64_t>(int64_t(estimate), buildCache_, std::max(buildCache_, kMaxBuildCache));
    }
    if (type_ == DB_HASH) {
        // Pre-size the bucket array so the build does not split buckets as it grows;
        // Postfix's readers take the hash geometry from the file's meta page.
        tuning.nelem = uint32_t(std::max<size_t>(n, kPostfixNelem));
        if (n > kPostfixNelem) {
            uint64_t perItem = n ? (table_.payloadBytes() / n) + 8 : 32;
            tuning.ffactor = uint32_t(std::clamp<uint64_t>(4096 * 3 / 4 / perItem, 1, 1000));
        }
    }
    std::string what;
    {
        DbHandle h;
        int rc = openDbFile(h, temp.path(), type_, DB_CREATE | DB_EXCL, tuning, &what);
        if (rc != 0) {
            if (what.rfind("open database ", 0) == 0) what = "open database " + path_;  // not the temp name
            return Error{what + ": " + dbError(rc), rc > 0 ? rc : 0};
        }
        auto order = type_ == DB_BTREE ? table_.sortedOrder() : table_.rankedOrder(hashBucketRank);
        for (uint32_t i : order) {
            DBT dk = dbt(table_.key(i));
            DBT dv = dbt(table_.value(i));
            rc = h.db->put(h.db, nullptr, &dk, &dv, 0);
            if (rc != 0) return Error{base::cat("error writing ", path_, ": ", dbError(rc)), rc > 0 ? rc : 0};
        }
        rc = h.db->sync(h.db, 0);
        if (rc != 0) return Error{base::cat("flush database ", path_, ": ", dbError(rc)), rc > 0 ? rc : 0};
        rc = h.close();
        if (rc != 0) return Error{base::cat("close database ", path_, ": ", dbError(rc)), rc > 0 ? rc : 0};
    }
    return temp.commit();
}

Status DbDict::doClose() {
    Status result;
    if (bulk_) {
        result = writeRebuild();
        table_ = BulkTable();
    } else if (handle_.db) {
        int rc = handle_.db->sync(handle_.db, 0);
        if (rc != 0 && mode_ != OpenMode::Read)
            result = Error{base::cat("flush database ", path_, ": ", dbError(rc)), rc > 0 ? rc : 0};
        rc = handle_.close();
        if (rc != 0)
            base::msgInfo(base::cat("close database ", path_, ": ", dbError(rc), " (possible Berkeley DB bug)"));
    }
    if (targetFd_ >= 0) {
        ::close(targetFd_);
        targetFd_ = -1;
    }
    return result;
}

base::Result<std::unique_ptr<Dict>> openDb(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                           const OpenContext& context, DBTYPE type) {
    int major = 0, minor = 0, patch = 0;
    (void)::db_version(&major, &minor, &patch);
    if (major != DB_VERSION_MAJOR || minor != DB_VERSION_MINOR)
        return Error{base::cat("incorrect version of Berkeley DB: compiled against ", std::to_string(DB_VERSION_MAJOR),
                               ".", std::to_string(DB_VERSION_MINOR), ".", std::to_string(DB_VERSION_PATCH),
                               ", run-time linked against ", std::to_string(major), ".", std::to_string(minor), ".",
                               std::to_string(patch))};
    if (mode == OpenMode::Rebuild) flags |= flag::kBulkUpdate;
    auto dict = std::make_unique<DbDict>(spec, flags | flag::kFixed, type, mode);
    if (Status s = dict->open(context); !s.ok()) return s.error();
    return std::unique_ptr<Dict>(std::move(dict));
}

}  // namespace

base::Result<std::unique_ptr<Dict>> openHash(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                             const OpenContext& context) {
    return openDb(spec, mode, flags, context, DB_HASH);
}

base::Result<std::unique_ptr<Dict>> openBtree(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                              const OpenContext& context) {
    return openDb(spec, mode, flags, context, DB_BTREE);
}

}  // namespace postline::maps::backend
