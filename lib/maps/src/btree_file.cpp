// Berkeley DB 5.3 B-tree files written page by page (the layouts of dbinc/db_page.h:
// DBMETA/BTMETA, PAGE, BKEYDATA, BINTERNAL). Sorted puts through libdb spend most of a
// rebuild in page splits and its buffer pool; a bulk load knows the final page contents.
#include "btree_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string_view>

#include "postline/base/strings.h"

namespace postline::maps::backend {

namespace {

constexpr size_t kPageSize = 4096;
constexpr size_t kPageHeader = 26;  // LSN, pgno, prev, next, entries, hf_offset, level, type
// Items longer than this stay on the page in Berkeley DB as well (its overflow threshold
// for 4 KiB pages and the default minkey 2 is 1007 bytes); longer ones are left to libdb.
constexpr size_t kMaxOnPage = 1000;

constexpr uint8_t kPageInternal = 3;  // P_IBTREE
constexpr uint8_t kPageLeaf = 5;      // P_LBTREE
constexpr uint8_t kPageMeta = 9;      // P_BTREEMETA
constexpr uint8_t kKeyData = 1;       // B_KEYDATA
constexpr uint8_t kLeafLevel = 1;     // LEAFLEVEL
constexpr uint32_t kBtreeMagic = 0x053162;
constexpr uint32_t kBtreeVersion = 9;

size_t align4(size_t n) { return (n + 3) & ~size_t(3); }

void put16(char* p, uint16_t v) { std::memcpy(p, &v, sizeof v); }
void put32(char* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }

// Size of a BKEYDATA item (len, type, bytes) and of a BINTERNAL item (len, type,
// unused, pgno, nrecs, bytes), both 4-byte aligned.
size_t leafItemSize(size_t len) { return align4(3 + len); }
size_t internalItemSize(size_t len) { return align4(12 + len); }

// One page being filled: items grow down from the end, the index grows up after the
// header. Unused bytes stay zero.
class Page {
public:
    void reset(uint8_t type, uint8_t level) {
        std::memset(bytes_, 0, sizeof bytes_);
        put32(bytes_ + 4, 1);  // LSN [0][1]: not logged, as libdb writes without a log
        bytes_[24] = char(level);
        bytes_[25] = char(type);
        entries_ = 0;
        high_ = kPageSize;
    }
    size_t entries() const { return entries_; }
    size_t room() const { return high_ - kPageHeader - 2 * entries_; }
    // Reserves `size` bytes for the next item and indexes it; returns where to write it.
    char* add(size_t size) {
        high_ -= size;
        put16(bytes_ + kPageHeader + 2 * entries_, uint16_t(high_));
        ++entries_;
        return bytes_ + high_;
    }
    void addLeafItem(std::string_view data) {
        char* p = add(leafItemSize(data.size()));
        put16(p, uint16_t(data.size()));
        p[2] = char(kKeyData);
        if (!data.empty()) std::memcpy(p + 3, data.data(), data.size());
    }
    void addInternalItem(std::string_view key, uint32_t child) {
        char* p = add(internalItemSize(key.size()));
        put16(p, uint16_t(key.size()));
        p[2] = char(kKeyData);
        put32(p + 4, child);
        if (!key.empty()) std::memcpy(p + 12, key.data(), key.size());
    }
    const char* finish(uint32_t pgno, uint32_t prev, uint32_t next) {
        put32(bytes_ + 8, pgno);
        put32(bytes_ + 12, prev);
        put32(bytes_ + 16, next);
        put16(bytes_ + 20, uint16_t(entries_));
        put16(bytes_ + 22, uint16_t(high_));
        return bytes_;
    }

private:
    char bytes_[kPageSize];
    size_t entries_ = 0;
    size_t high_ = kPageSize;
};

// Pages go out in file order through a buffer of a few hundred pages.
class PageWriter {
public:
    PageWriter(int fd, const std::string& path) : fd_(fd), path_(path) { buffer_.reserve(kBuffer); }

    base::Status append(uint32_t pgno, const char* page) {
        if (pgno != next_) return base::Error{base::cat("write ", path_, ": page ", pgno, " out of order")};
        ++next_;
        buffer_.insert(buffer_.end(), page, page + kPageSize);
        return buffer_.size() >= kBuffer ? flush() : base::Status{};
    }
    base::Status flush() {
        size_t done = 0;
        while (done < buffer_.size()) {
            ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done, off_t(offset_ + done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return base::errnoError("write " + path_);
            done += size_t(n);
        }
        offset_ += buffer_.size();
        buffer_.clear();
        return {};
    }
    // A page outside the sequence (the meta page and the root), written in place.
    base::Status writeAt(uint32_t pgno, const char* page) {
        size_t done = 0;
        while (done < kPageSize) {
            ssize_t n = ::pwrite(fd_, page + done, kPageSize - done, off_t(uint64_t(pgno) * kPageSize + done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return base::errnoError("write " + path_);
            done += size_t(n);
        }
        return {};
    }
    void startAt(uint32_t pgno) {
        next_ = pgno;
        offset_ = uint64_t(pgno) * kPageSize;
    }
    uint32_t nextPgno() const { return next_; }

private:
    static constexpr size_t kBuffer = 256 * kPageSize;
    int fd_;
    const std::string& path_;
    std::vector<char> buffer_;
    uint32_t next_ = 0;
    uint64_t offset_ = 0;
};

// A page of the level below, as its parent refers to it.
struct Child {
    std::string_view firstKey;
    uint32_t pgno;
};

// The meta page (BTMETA): magic, version, page size, last page, minkey 2, the root at
// page 1, and a file id in the manner of __os_fileid() (inode, device, time, serial).
void fillMeta(char* page, int fd, uint32_t lastPgno) {
    std::memset(page, 0, kPageSize);
    put32(page + 4, 1);  // LSN [0][1]
    put32(page + 12, kBtreeMagic);
    put32(page + 16, kBtreeVersion);
    put32(page + 20, uint32_t(kPageSize));
    page[25] = char(kPageMeta);
    put32(page + 32, lastPgno);
    struct stat st {};
    (void)::fstat(fd, &st);
    static uint32_t serial = uint32_t(::getpid()) ^ uint32_t(::time(nullptr)) * 2654435761u;
    put32(page + 52, uint32_t(st.st_ino));
    put32(page + 56, uint32_t(st.st_dev));
    put32(page + 60, uint32_t(::time(nullptr)));
    put32(page + 64, ++serial);
    put32(page + 76, 2);     // minkey
    put32(page + 84, 0x20);  // re_pad: a space, libdb's default
    put32(page + 88, 1);     // root
}

}  // namespace

bool btreeFileCanHold(const BulkTable& table) { return table.maxItemBytes() <= kMaxOnPage; }

base::Status writeBtreeFile(int fd, const std::string& path, const BulkTable& table,
                            const std::vector<uint32_t>& order) {
    PageWriter out(fd, path);
    Page page;
    std::vector<Child> children;

    // Leaves: pages 2, 3, ... in key order, linked both ways; a single leaf is the root.
    out.startAt(2);
    page.reset(kPageLeaf, kLeafLevel);
    std::string_view firstKey;
    for (uint32_t i : order) {
        std::string_view key = table.key(i), value = table.value(i);
        size_t need = leafItemSize(key.size()) + leafItemSize(value.size()) + 4;
        if (page.entries() > 0 && page.room() < need) {
            uint32_t pgno = out.nextPgno();
            children.push_back({firstKey, pgno});
            if (base::Status s = out.append(pgno, page.finish(pgno, pgno > 2 ? pgno - 1 : 0, pgno + 1)); !s) return s;
            page.reset(kPageLeaf, kLeafLevel);
        }
        if (page.entries() == 0) firstKey = key;
        page.addLeafItem(key);
        page.addLeafItem(value);
    }
    if (children.empty()) {
        // Everything fits in one page (or there is nothing): the root is that leaf.
        if (base::Status s = out.writeAt(1, page.finish(1, 0, 0)); !s) return s;
    } else {
        uint32_t pgno = out.nextPgno();
        children.push_back({firstKey, pgno});
        if (base::Status s = out.append(pgno, page.finish(pgno, pgno - 1, 0)); !s) return s;

        // Internal levels, bottom up, until one page refers to all of the level below;
        // that page is the root, page 1. The first item of every internal page has an
        // empty key: libdb takes it as smaller than any key (__bam_cmp).
        for (uint8_t level = kLeafLevel + 1; children.size() > 1; ++level) {
            // Where the pages of this level start: children[starts[k]] opens page k.
            std::vector<size_t> starts{0};
            size_t room = kPageSize - kPageHeader;
            for (size_t c = 0; c < children.size(); ++c) {
                bool first = starts.back() == c;
                size_t need = internalItemSize(first ? 0 : children[c].firstKey.size()) + 2;
                if (!first && need > room) {
                    starts.push_back(c);
                    room = kPageSize - kPageHeader;
                    need = internalItemSize(0) + 2;
                }
                room -= need;
            }
            bool root = starts.size() == 1;
            std::vector<Child> parents;
            for (size_t k = 0; k < starts.size(); ++k) {
                size_t end = k + 1 < starts.size() ? starts[k + 1] : children.size();
                page.reset(kPageInternal, level);
                for (size_t c = starts[k]; c < end; ++c)
                    page.addInternalItem(c == starts[k] ? std::string_view() : children[c].firstKey, children[c].pgno);
                uint32_t pgno = root ? 1 : out.nextPgno();
                parents.push_back({children[starts[k]].firstKey, pgno});
                base::Status s =
                    root ? out.writeAt(1, page.finish(1, 0, 0)) : out.append(pgno, page.finish(pgno, 0, 0));
                if (!s) return s;
            }
            children = std::move(parents);
        }
    }
    if (base::Status s = out.flush(); !s) return s;
    uint32_t last = out.nextPgno() > 2 ? out.nextPgno() - 1 : 1;
    char meta[kPageSize];
    fillMeta(meta, fd, last);
    return out.writeAt(0, meta);
}

}  // namespace postline::maps::backend
