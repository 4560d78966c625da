// LMDB tables "lmdb" (NAME.lmdb, one file, MDB_NOSUBDIR|MDB_NOLOCK), mirroring
// util/dict_lmdb.c and util/slmdb.c: trailing-NUL probing, fcntl() locking, map growth by
// doubling on MDB_MAP_FULL. A full rebuild collects the entries in memory and writes a
// new file beside the table with sorted MDB_APPEND puts, renamed over NAME.lmdb at close().
#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

#include "backends.h"
#include "db_bulk.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::maps::backend {

namespace {

using base::Error;
using base::Status;

constexpr int64_t kDefaultMapSize = 16777216;  // lmdb_map_size
constexpr size_t kMaxMapSize = SSIZE_MAX;      // DICT_LMDB_SIZE_MAX
constexpr int kGrowLimit = int(2 * sizeof(size_t) * CHAR_BIT);
constexpr unsigned kEnvFlags = MDB_NOSUBDIR | MDB_NOLOCK;
constexpr uint32_t kBothNull = flag::kTryNull | flag::kTryNoNull;

MDB_val mdbVal(std::string_view bytes) {
    MDB_val v;
    v.mv_size = bytes.size();
    v.mv_data = const_cast<char*>(bytes.data());
    return v;
}

std::string_view view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

// The largest key LMDB accepts (mdb_env_get_maxkeysize(), 511 with Debian's build).
size_t maxKeySize() {
    static const size_t size = [] {
        MDB_env* env = nullptr;
        if (::mdb_env_create(&env) != 0) return size_t(511);
        size_t n = size_t(::mdb_env_get_maxkeysize(env));
        ::mdb_env_close(env);
        return n;
    }();
    return size;
}

// An environment plus its main database.
struct Env {
    MDB_env* env = nullptr;
    MDB_dbi dbi = 0;
    int fd = -1;
    size_t mapSize = 0;

    Env() = default;
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;
    ~Env() { close(); }
    void close() {
        if (env) ::mdb_env_close(env);
        env = nullptr;
        fd = -1;
    }

    // slmdb_open(): the map is at least the file size plus some slack.
    int open(const std::string& path, unsigned flags, size_t size) {
        int rc = ::mdb_env_create(&env);
        if (rc != 0) return rc;
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && size_t(st.st_size) > size - std::min<size_t>(size, 10240))
            size = size_t(st.st_size) + 10240;
        mapSize = size;
        if ((rc = ::mdb_env_set_mapsize(env, size)) != 0) return rc;
        if ((rc = ::mdb_env_open(env, path.c_str(), flags, 0644)) != 0) return rc;
        if ((rc = ::mdb_env_get_fd(env, &fd)) != 0) return rc;
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        MDB_txn* txn = nullptr;
        if ((rc = ::mdb_txn_begin(env, nullptr, flags & MDB_RDONLY, &txn)) != 0) return rc;
        if ((rc = ::mdb_dbi_open(txn, nullptr, 0, &dbi)) != 0) {
            ::mdb_txn_abort(txn);
            return rc;
        }
        return ::mdb_txn_commit(txn);
    }

    // Doubles the map (no transaction may be active).
    int grow() {
        if (mapSize >= kMaxMapSize / 2) return MDB_MAP_FULL;
        mapSize *= 2;
        return ::mdb_env_set_mapsize(env, mapSize);
    }

    // A read-only transaction; picks up a map that another process grew.
    int beginRead(MDB_txn** txn) {
        for (int i = 0; i < 2; ++i) {
            int rc = ::mdb_txn_begin(env, nullptr, MDB_RDONLY, txn);
            if (rc != MDB_MAP_RESIZED) return rc;
            if ((rc = ::mdb_env_set_mapsize(env, 0)) != 0) return rc;
        }
        return MDB_MAP_RESIZED;
    }
};

class LmdbDict final : public Dict {
public:
    LmdbDict(const DictSpec& spec, uint32_t flags, OpenMode mode)
        : Dict(spec.type, spec.name, flags), mode_(mode), source_(spec.name), path_(spec.name + ".lmdb") {}

    ~LmdbDict() override {
        dropReadTxn();
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
    Status lock(base::LockMode mode, bool always = false) {
        if (!always && !(flags() & flag::kLock)) return {};
        Status s = base::lockFile(env_.fd, base::LockStyle::Fcntl, mode);
        if (!s.ok())
            return base::errnoError(
                name() + (mode == base::LockMode::Unlock ? ": unlock dictionary" : ": lock dictionary"),
                s.error().errnum);
        return {};
    }
    Status duplicate(std::string_view key);
    Error mdbError(std::string_view what, int rc) const {
        return Error{base::cat(what, " ", spec(), ": ", ::mdb_strerror(rc)), rc > 0 ? rc : 0};
    }
    // Runs one write transaction, growing the map and retrying on MDB_MAP_FULL.
    // `body` returns an LMDB code; MDB_KEYEXIST and MDB_NOTFOUND commit like success.
    template <class Body>
    int writeTxn(Body body);
    Status writeRebuild();
    int renewRead();
    void dropReadTxn() {
        if (readTxn_) ::mdb_txn_abort(readTxn_);
        readTxn_ = nullptr;
    }

    OpenMode mode_;
    std::string source_;  // NAME: the source file
    std::string path_;    // NAME.lmdb
    Env env_;
    int64_t mapSize_ = kDefaultMapSize;
    bool bulk_ = false;
    BulkTable table_;
    int targetFd_ = -1;           // a rebuild's shared lock on the table it replaces
    MDB_txn* readTxn_ = nullptr;  // kept between lookups, reset while unused
    std::string keyBuf_;          // a lookup key with its trailing NUL
};

Status LmdbDict::open(const OpenContext& context) {
    if ((flags() & kBothNull) == 0) setFlags(flags() | kBothNull);
    mapSize_ = configNumber(context, "lmdb_map_size", kDefaultMapSize);

    if (mode_ == OpenMode::Rebuild) {
        bulk_ = true;
        std::string dir = base::dirName(path_);
        if (::access(dir.c_str(), W_OK | X_OK) != 0) return base::errnoError("open database " + path_);
        // Postfix opens the table it is about to replace: a file that is not LMDB stops
        // the build, and a missing or zero-length one becomes an empty table (which is
        // what stays when the build then fails, e.g. on a key that is too long).
        {
            Env existing;
            int rc = existing.open(path_, kEnvFlags, size_t(mapSize_));
            if (rc != 0) return Error{base::cat("open database ", path_, ": ", ::mdb_strerror(rc)), rc > 0 ? rc : 0};
        }
        // Like Postfix's bulk writer: exclusive for a moment (no reader is inside an old
        // snapshot), then shared until the new file is in place, which keeps writers out.
        targetFd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
        if (targetFd_ >= 0) {
            if (!base::lockFile(targetFd_, base::LockStyle::Fcntl, base::LockMode::Exclusive).ok() ||
                !base::lockFile(targetFd_, base::LockStyle::Fcntl, base::LockMode::Shared).ok())
                return base::errnoError(path_ + ": lock dictionary");
        }
        return {};
    }

    if (mode_ != OpenMode::Create && ::access(path_.c_str(), F_OK) != 0)
        return base::errnoError("open database " + path_);
    unsigned envFlags = kEnvFlags | (mode_ == OpenMode::Read ? MDB_RDONLY : 0);
    int rc = env_.open(path_, envFlags, size_t(mapSize_));
    if (rc != 0) return Error{base::cat("open database ", path_, ": ", ::mdb_strerror(rc)), rc > 0 ? rc : 0};

    if (flags() & flag::kLock) {
        // Compared with the table's own mtime in every mode: real postalias -d on a fresh
        // table does not warn (tests/tools/postalias/cases/lmdb_build).
        struct stat st {};
        if (::fstat(env_.fd, &st) == 0) warnIfOlderThanSource(source_, path_, int64_t(st.st_mtime));
    }
    return {};
}

Lookup LmdbDict::doLookup(std::string_view key) {
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
    int rc = renewRead();
    if (rc != 0) {
        result = Lookup::retry(base::cat("error reading ", spec(), ": ", ::mdb_strerror(rc)));
    } else {
        for (int pass = 0; pass < 2; ++pass) {
            bool nul = pass == 0;
            if (!(nulls & (nul ? flag::kTryNull : flag::kTryNoNull))) continue;
            if (nul) keyBuf_.assign(key).push_back('\0');
            MDB_val k = mdbVal(nul ? std::string_view(keyBuf_) : key);
            MDB_val v{};
            // A key longer than LMDB could hold is just a miss; an empty one (an empty
            // line of postmap -n -q -) is LMDB's MDB_BAD_VALSIZE, which Postfix's
            // dict_lmdb_lookup() makes fatal.
            if (k.mv_size > maxKeySize()) continue;
            rc = k.mv_size == 0 ? MDB_BAD_VALSIZE : ::mdb_get(readTxn_, env_.dbi, &k, &v);
            if (rc == 0) {
                setFlags(flags() & ~(nul ? flag::kTryNoNull : flag::kTryNull));
                result = Lookup::found(std::string(visibleBytes(view(v))));
                break;
            }
            if (rc != MDB_NOTFOUND) {  // dict_lmdb_lookup(): msg_fatal("error reading ...")
                result = Lookup::fatalError(base::cat("error reading ", spec(), ": ", ::mdb_strerror(rc)));
                break;
            }
        }
        // Reset, not aborted: the next lookup renews it without allocating (slmdb keeps
        // its read transaction the same way). A reset transaction holds no snapshot.
        ::mdb_txn_reset(readTxn_);
    }
    if (Status s = lock(base::LockMode::Unlock); !s.ok()) return Lookup::retry(s.error().message);
    return result;
}

// Starts the read transaction of a lookup: renews the one kept from the last lookup,
// or begins a new one (also after another process grew the map).
int LmdbDict::renewRead() {
    if (readTxn_) {
        int rc = ::mdb_txn_renew(readTxn_);
        if (rc == 0) return 0;
        ::mdb_txn_abort(readTxn_);
        readTxn_ = nullptr;
    }
    return env_.beginRead(&readTxn_);
}

Status LmdbDict::duplicate(std::string_view key) {
    std::string text = base::cat(spec(), ": duplicate entry: \"", key, "\"");
    if (flags() & flag::kDupIgnore) return {};
    if (flags() & flag::kDupWarn) {
        base::msgWarn(text);
        return {};
    }
    return Error{text};
}

template <class Body>
int LmdbDict::writeTxn(Body body) {
    dropReadTxn();  // a map resize needs no other transaction on the environment
    // Writers exclude the per-lookup F_RDLCK of readers while a transaction runs.
    if (Status s = lock(base::LockMode::Exclusive, true); !s.ok()) return s.error().errnum ? s.error().errnum : EIO;
    int rc = 0;
    for (int attempt = 0; attempt < kGrowLimit; ++attempt) {
        MDB_txn* txn = nullptr;
        rc = ::mdb_txn_begin(env_.env, nullptr, 0, &txn);
        if (rc == MDB_MAP_RESIZED) {
            rc = ::mdb_env_set_mapsize(env_.env, 0);
            if (rc == 0) continue;
        }
        if (rc != 0) break;
        rc = body(txn);
        if (rc != 0 && rc != MDB_KEYEXIST && rc != MDB_NOTFOUND) {
            ::mdb_txn_abort(txn);
        } else {
            int status = rc;
            rc = ::mdb_txn_commit(txn);
            if (rc == 0) rc = status;
        }
        if (rc != MDB_MAP_FULL) break;
        if ((rc = env_.grow()) != 0) break;
        rc = MDB_MAP_FULL;
    }
    (void)lock(base::LockMode::Unlock, true);
    return rc;
}

Status LmdbDict::doUpdate(std::string_view key, std::string_view value) {
    bool nul = decideWriteNull(*this);
    bool replace = (flags() & flag::kDupReplace) != 0;
    size_t keySize = key.size() + (nul ? 1 : 0);
    if (keySize == 0 || keySize > maxKeySize()) return mdbError("error updating", MDB_BAD_VALSIZE);
    if (bulk_) {
        if (!table_.add(key, value, nul, replace)) return duplicate(key);
        return {};
    }
    std::string k = storedBytes(key, nul);
    std::string v = storedBytes(value, nul);
    if (mode_ == OpenMode::Read) return Error{base::cat("table ", spec(), ": operation not supported")};
    int rc = writeTxn([&](MDB_txn* txn) {
        MDB_val mk = mdbVal(k);
        MDB_val mv = mdbVal(v);
        return ::mdb_put(txn, env_.dbi, &mk, &mv, replace ? 0 : MDB_NOOVERWRITE);
    });
    if (rc == MDB_KEYEXIST) return duplicate(key);
    if (rc != 0) return mdbError("error updating", rc);
    return {};
}

base::Result<bool> LmdbDict::doRemove(std::string_view key) {
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
    bool deleted = false;
    for (int pass = 0; pass < 2 && !deleted; ++pass) {
        bool nul = pass == 0;
        if (!(nulls & (nul ? flag::kTryNull : flag::kTryNoNull))) continue;
        std::string_view k = nul ? std::string_view(withNull) : key;
        if (k.size() > maxKeySize()) continue;
        int rc = k.empty() ? MDB_BAD_VALSIZE : writeTxn([&](MDB_txn* txn) {
            MDB_val mk = mdbVal(k);
            return ::mdb_del(txn, env_.dbi, &mk, nullptr);
        });
        if (rc == 0) {
            deleted = true;
            setFlags(flags() & ~(nul ? flag::kTryNoNull : flag::kTryNull));
        } else if (rc != MDB_NOTFOUND) {
            return mdbError("error deleting from", rc);
        }
    }
    return deleted;
}

Status LmdbDict::doForEach(const ForEachFn& fn) {
    if (bulk_) {
        for (uint32_t i : table_.sortedOrder())
            if (!fn(visibleBytes(table_.key(i)), visibleBytes(table_.value(i)))) break;
        return {};
    }
    dropReadTxn();
    // One snapshot for the whole walk, under one shared lock.
    if (Status s = lock(base::LockMode::Shared); !s.ok()) return s;
    Status result;
    MDB_txn* txn = nullptr;
    MDB_cursor* cursor = nullptr;
    int rc = env_.beginRead(&txn);
    if (rc == 0) rc = ::mdb_cursor_open(txn, env_.dbi, &cursor);
    if (rc == 0) {
        MDB_val k{}, v{};
        for (rc = ::mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = ::mdb_cursor_get(cursor, &k, &v, MDB_NEXT))
            if (!fn(visibleBytes(view(k)), visibleBytes(view(v)))) break;
        ::mdb_cursor_close(cursor);
    }
    if (txn) ::mdb_txn_abort(txn);
    if (rc != 0 && rc != MDB_NOTFOUND) result = mdbError("error seeking", rc);
    if (Status s = lock(base::LockMode::Unlock); !s.ok() && result.ok()) return s;
    return result;
}

Status LmdbDict::writeRebuild() {
    TempTableFile temp(path_);
    auto order = table_.sortedOrder();
    // Map size up front: pages of ~4 KiB filled by MDB_APPEND, plus overflow pages for
    // big values and room for the branch pages; MDB_MAP_FULL still doubles and retries.
    uint64_t estimate = 0;
    for (uint32_t i : order) {
        size_t kl = table_.key(i).size(), vl = table_.value(i).size();
        if (kl + vl + 8 > 2000)
            estimate += kl + 16 + ((vl + 16 + 4095) / 4096) * 4096;
        else
            estimate += kl + vl + 10;
    }
    estimate = estimate + estimate / 4 + (256u << 10);
    size_t mapSize = size_t(std::max<uint64_t>(estimate, uint64_t(mapSize_)));

    for (int attempt = 0; attempt < kGrowLimit; ++attempt) {
        temp.clear();
        Env env;
        // MDB_WRITEMAP: pages are built in the file's mapping instead of one malloc() per
        // page plus a write of each at commit. The file then has the map's size; it is cut
        // to the pages in use below.
        int rc = env.open(temp.path(), kEnvFlags | MDB_NOSYNC | MDB_WRITEMAP, mapSize);
        if (rc != 0) return Error{base::cat("open database ", path_, ": ", ::mdb_strerror(rc)), rc > 0 ? rc : 0};
        MDB_txn* txn = nullptr;
        MDB_cursor* cursor = nullptr;
        rc = ::mdb_txn_begin(env.env, nullptr, 0, &txn);
        if (rc == 0) rc = ::mdb_cursor_open(txn, env.dbi, &cursor);
        for (size_t n = 0; rc == 0 && n < order.size(); ++n) {
            MDB_val k = mdbVal(table_.key(order[n]));
            MDB_val v = mdbVal(table_.value(order[n]));
            rc = ::mdb_cursor_put(cursor, &k, &v, MDB_APPEND);
        }
        if (cursor) ::mdb_cursor_close(cursor);
        if (rc == 0) {
            rc = ::mdb_txn_commit(txn);
        } else if (txn) {
            ::mdb_txn_abort(txn);
        }
        if (rc == 0) rc = ::mdb_env_sync(env.env, 1);
        if (rc == MDB_MAP_FULL && mapSize < kMaxMapSize / 2) {
            mapSize *= 2;
            continue;
        }
        if (rc != 0) return mdbError("error updating", rc);
        MDB_envinfo info{};
        MDB_stat stat{};
        rc = ::mdb_env_info(env.env, &info);
        if (rc == 0) rc = ::mdb_env_stat(env.env, &stat);
        if (rc != 0) return mdbError("error updating", rc);
        env.close();
        off_t used = off_t(info.me_last_pgno + 1) * off_t(stat.ms_psize);
        if (::truncate(temp.path().c_str(), used) != 0) return base::errnoError("truncate " + temp.path());
        return temp.commit();
    }
    return mdbError("error updating", MDB_MAP_FULL);
}

Status LmdbDict::doClose() {
    Status result;
    if (bulk_) {
        result = writeRebuild();
        table_ = BulkTable();
    } else {
        if (mode_ != OpenMode::Read && env_.env) {
            int rc = ::mdb_env_sync(env_.env, 1);
            if (rc != 0) result = mdbError("error syncing", rc);
        }
        dropReadTxn();
        env_.close();
    }
    if (targetFd_ >= 0) {
        ::close(targetFd_);
        targetFd_ = -1;
    }
    return result;
}

}  // namespace

base::Result<std::unique_ptr<Dict>> openLmdb(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                             const OpenContext& context) {
    if (mode == OpenMode::Rebuild) flags |= flag::kBulkUpdate;
    auto dict = std::make_unique<LmdbDict>(spec, flags | flag::kFixed | flag::kMultiWriter, mode);
    if (Status s = dict->open(context); !s.ok()) return s.error();
    return std::unique_ptr<Dict>(std::move(dict));
}

}  // namespace postline::maps::backend
