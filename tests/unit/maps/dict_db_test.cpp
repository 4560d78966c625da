// Berkeley DB tables (hash, btree): rebuild and read back, the trailing-NUL convention,
// duplicates, deletes, database order, errors, crash safety, and byte compatibility with
// Debian's postmap (util/dict_db.c), checked by running /usr/sbin/postmap when present.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/maps/registry.h"

namespace postline::maps {
namespace {

const char* const kPostmap = "/usr/sbin/postmap";

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Runs a command; returns its exit status and stdout.
std::pair<int, std::string> run(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return {-1, ""};
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::vector<std::string> listDir(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    while (dirent* e = d ? ::readdir(d) : nullptr) {
        std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    if (d) ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

class DictDb : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/postline-dictdb-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir = tmpl;
        std::ofstream(dir + "/main.cf") << "compatibility_level = 3.6\n";
        base::setMsgSink([this](base::Severity, std::string_view text) { warnings.emplace_back(text); });
    }
    void TearDown() override {
        base::setMsgSink(nullptr);
        (void)run("rm -rf " + shellQuote(dir));
    }
    std::string type() const { return GetParam(); }
    std::string spec(const std::string& name) const { return type() + ":" + dir + "/" + name; }

    std::unique_ptr<Dict> open(const std::string& name, OpenMode mode, uint32_t flags) {
        auto dict = openDict(spec(name), mode, flags);
        EXPECT_TRUE(dict.ok()) << (dict.ok() ? "" : dict.error().message);
        return dict.ok() ? std::move(dict).value() : nullptr;
    }
    // A full build like postmap's: entries in order, then close().
    void build(const std::string& name, const std::vector<std::pair<std::string, std::string>>& entries,
               uint32_t flags = flag::kDupWarn) {
        auto dict = open(name, OpenMode::Rebuild, flags | flag::kBulkUpdate);
        ASSERT_TRUE(dict);
        for (const auto& [k, v] : entries) ASSERT_TRUE(dict->update(k, v).ok());
        ASSERT_TRUE(dict->close().ok());
    }
    Lookup get(const std::string& name, const std::string& key, uint32_t flags = 0) {
        auto dict = open(name, OpenMode::Read, flags);
        if (!dict) return Lookup::retry("open failed");
        return dict->lookup(key);
    }
    std::string dump(Dict& dict) {
        std::string out;
        EXPECT_TRUE(dict.forEach([&](std::string_view k, std::string_view v) {
                            out.append(k).append("\t").append(v).append("\n");
                            return true;
                        })
                        .ok());
        return out;
    }
    bool havePostmap() const { return ::access(kPostmap, X_OK) == 0; }
    std::pair<int, std::string> postmap(const std::string& args) {
        return run(std::string(kPostmap) + " -c " + shellQuote(dir) + " " + args + " 2>&1");
    }

    std::string dir;
    std::vector<std::string> warnings;
};

TEST_P(DictDb, BuildThenReadBack) {
    build("t", {{"alpha", "one"}, {"beta", "two words"}, {"gamma", ""}});
    EXPECT_EQ(listDir(dir), (std::vector<std::string>{"main.cf", "t.db"}));
    auto hit = get("t", "beta");
    ASSERT_TRUE(hit.isFound());
    EXPECT_EQ(hit.value, "two words");
    EXPECT_EQ(get("t", "delta").status, DictStatus::NotFound);
    auto empty = get("t", "gamma");
    ASSERT_TRUE(empty.isFound());
    EXPECT_EQ(empty.value, "");
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/t.db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777 & ~0022u, 0644u & ~0022u);
}

TEST_P(DictDb, ExpectEntriesIsOnlyAHint) {
    // Fewer and more entries than announced, duplicates after the index was sized.
    for (size_t hint : {size_t(0), size_t(3), size_t(100000)}) {
        auto dict = open("t", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
        ASSERT_TRUE(dict);
        dict->expectEntries(hint);
        for (int i = 0; i < 5000; ++i) ASSERT_TRUE(dict->update("k" + std::to_string(i), "v").ok());
        warnings.clear();
        ASSERT_TRUE(dict->update("k42", "other").ok());
        EXPECT_EQ(warnings.size(), 1u);
        ASSERT_TRUE(dict->close().ok());
        auto hit = get("t", "k4999");
        ASSERT_TRUE(hit.isFound());
        EXPECT_EQ(get("t", "k42").value, "v");
    }
}

// Rebuilt btree files are written page by page (btree_file.cpp) unless an item needs an
// overflow page: both kinds must pass db_verify and read back whole, at every tree height.
TEST_P(DictDb, RebuiltFilesVerifyAndReadBack) {
    bool haveVerify = ::access("/usr/bin/db5.3_verify", X_OK) == 0;
    for (int n : {0, 1, 300, 30000}) {
        for (size_t longValue : {size_t(0), size_t(3000)}) {
            std::vector<std::pair<std::string, std::string>> entries;
            for (int i = 0; i < n; ++i) {
                std::string key = "key" + std::to_string(i * 7919 % 100003);
                if (i % 97 == 0) key += std::string(size_t(i % 900), 'k');
                entries.emplace_back(key, "value " + std::to_string(i) + std::string(size_t(i % 50), 'v'));
            }
            if (longValue) entries.emplace_back("long", std::string(longValue, 'x'));
            build("t", entries);
            if (haveVerify) {
                auto [status, out] = run("/usr/bin/db5.3_verify " + shellQuote(dir + "/t.db") + " 2>&1");
                EXPECT_EQ(status, 0) << n << " entries: " << out;
            }
            auto dict = open("t", OpenMode::Read, 0);
            ASSERT_TRUE(dict);
            for (const auto& [k, v] : entries) {
                Lookup hit = dict->lookup(k);
                ASSERT_TRUE(hit.isFound()) << k;
                EXPECT_EQ(hit.value, v);
            }
            EXPECT_FALSE(dict->lookup("key-missing").isFound());
            size_t listed = 0;
            ASSERT_TRUE(dict->forEach([&](std::string_view, std::string_view) { return ++listed, true; }).ok());
            EXPECT_EQ(listed, entries.size());
        }
    }
}

TEST_P(DictDb, FoldsKeysOfFixedTables) {
    build("t", {{"User@Example.COM", "v"}}, flag::kDupWarn | flag::kFoldFix);
    EXPECT_TRUE(get("t", "user@example.com").isFound());
    EXPECT_TRUE(get("t", "USER@example.com", flag::kFoldFix).isFound());
    EXPECT_FALSE(get("t", "User@Example.COM").isFound());
}

TEST_P(DictDb, TrailingNulConvention) {
    // Default build: key and value carry a NUL; a TRY0NULL-only reader cannot see them.
    build("with", {{"k", "v"}});
    EXPECT_TRUE(get("with", "k").isFound());
    EXPECT_TRUE(get("with", "k", flag::kTryNull).isFound());
    EXPECT_EQ(get("with", "k", flag::kTryNoNull).status, DictStatus::NotFound);

    // -n build: no NUL; undecided readers probe and find it, -N readers do not.
    build("without", {{"k", "v"}}, flag::kDupWarn | flag::kTryNoNull);
    EXPECT_EQ(get("without", "k", flag::kTryNull).status, DictStatus::NotFound);
    auto dict = open("without", OpenMode::Read, 0);
    ASSERT_TRUE(dict);
    auto hit = dict->lookup("k");
    ASSERT_TRUE(hit.isFound());
    EXPECT_EQ(hit.value, "v");
    // The handle learned the table's convention.
    EXPECT_EQ(dict->flags() & (flag::kTryNull | flag::kTryNoNull), flag::kTryNoNull);
}

TEST_P(DictDb, FlagsChangeBetweenUpdates) {
    // postalias writes its YP_* records without NUL in the middle of a NUL build.
    auto dict = open("a", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
    ASSERT_TRUE(dict);
    ASSERT_TRUE(dict->update("root", "admin").ok());
    uint32_t saved = dict->flags();
    dict->setFlags((saved & ~flag::kTryNull) | flag::kTryNoNull);
    ASSERT_TRUE(dict->update("YP_MASTER_NAME", "mx").ok());
    dict->setFlags(saved);
    ASSERT_TRUE(dict->update("postmaster", "root").ok());
    ASSERT_TRUE(dict->close().ok());
    EXPECT_TRUE(get("a", "YP_MASTER_NAME", flag::kTryNoNull).isFound());
    EXPECT_FALSE(get("a", "YP_MASTER_NAME", flag::kTryNull).isFound());
    EXPECT_TRUE(get("a", "root", flag::kTryNull).isFound());
    EXPECT_TRUE(get("a", "postmaster", flag::kTryNull).isFound());
}

TEST_P(DictDb, DuplicatesWarnAndKeepFirst) {
    build("d", {{"a", "1"}, {"b", "2"}, {"a", "3"}});
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], dir + "/d.db: duplicate entry: \"a\"");
    EXPECT_EQ(get("d", "a").value, "1");
}

TEST_P(DictDb, DuplicatesIgnoreAndReplace) {
    build("i", {{"a", "1"}, {"a", "3"}}, flag::kDupIgnore);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(get("i", "a").value, "1");
    build("r", {{"a", "1"}, {"a", "3"}, {"a", "4"}}, flag::kDupReplace);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(get("r", "a").value, "4");
    // No DUP flag at all: a duplicate is an error, as Postfix's fatal.
    auto dict = open("f", OpenMode::Rebuild, flag::kBulkUpdate);
    ASSERT_TRUE(dict);
    ASSERT_TRUE(dict->update("a", "1").ok());
    auto status = dict->update("a", "2");
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().message, dir + "/f.db: duplicate entry: \"a\"");
}

TEST_P(DictDb, InPlaceUpdateAndRemove) {
    build("u", {{"a", "1"}, {"b", "2"}});
    {
        auto dict = open("u", OpenMode::Write, flag::kDupWarn);
        ASSERT_TRUE(dict);
        ASSERT_TRUE(dict->update("c", "3").ok());
        ASSERT_TRUE(dict->update("a", "9").ok());  // duplicate: warned, first kept
        auto removed = dict->remove("b");
        ASSERT_TRUE(removed.ok());
        EXPECT_TRUE(*removed);
        auto again = dict->remove("b");
        ASSERT_TRUE(again.ok());
        EXPECT_FALSE(*again);
        ASSERT_TRUE(dict->close().ok());
    }
    EXPECT_EQ(warnings, (std::vector<std::string>{dir + "/u.db: duplicate entry: \"a\""}));
    EXPECT_EQ(get("u", "a").value, "1");
    EXPECT_EQ(get("u", "c").value, "3");
    EXPECT_FALSE(get("u", "b").isFound());

    // Create mode makes a new table (postmap -i on a missing file).
    auto created = open("new", OpenMode::Create, flag::kDupWarn);
    ASSERT_TRUE(created);
    ASSERT_TRUE(created->update("x", "y").ok());
    ASSERT_TRUE(created->close().ok());
    EXPECT_EQ(get("new", "x").value, "y");
}

TEST_P(DictDb, RemoveOnNoNulTable) {
    build("n", {{"a", "1"}, {"b", "2"}}, flag::kDupWarn | flag::kTryNoNull);
    auto dict = open("n", OpenMode::Write, flag::kDupWarn);
    ASSERT_TRUE(dict);
    auto removed = dict->remove("a");
    ASSERT_TRUE(removed.ok());
    EXPECT_TRUE(*removed);
    EXPECT_EQ(dict->flags() & (flag::kTryNull | flag::kTryNoNull), flag::kTryNoNull);
    ASSERT_TRUE(dict->close().ok());
    EXPECT_FALSE(get("n", "a").isFound());
    EXPECT_TRUE(get("n", "b").isFound());
}

TEST_P(DictDb, ForEachHidesTrailingNul) {
    build("s", {{"b", "2"}, {"a", "1"}, {"c", "3"}});
    auto dict = open("s", OpenMode::Read, 0);
    ASSERT_TRUE(dict);
    std::string out = dump(*dict);
    if (type() == "btree") {
        EXPECT_EQ(out, "a\t1\nb\t2\nc\t3\n");
    } else {
        EXPECT_EQ(out.size(), std::string("a\t1\nb\t2\nc\t3\n").size());
        EXPECT_EQ(out.find('\0'), std::string::npos);
    }
}

TEST_P(DictDb, OpenErrors) {
    auto missing = openDict(spec("nonexist"), OpenMode::Read, 0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "open database " + dir + "/nonexist.db: No such file or directory");
    auto missingWrite = openDict(spec("nonexist"), OpenMode::Write, 0);
    ASSERT_FALSE(missingWrite.ok());
    EXPECT_EQ(missingWrite.error().message, "open database " + dir + "/nonexist.db: No such file or directory");

    // A table of the other DB type: Berkeley DB refuses it with EINVAL.
    build("t1", {{"a", "1"}});
    std::string other = type() == "hash" ? "btree" : "hash";
    auto wrong = openDict(other + ":" + dir + "/t1", OpenMode::Read, 0);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().message, "open database " + dir + "/t1.db: Invalid argument");
}

TEST_P(DictDb, AbandonedRebuildKeepsOldTable) {
    build("c", {{"old", "value"}});
    {
        auto dict = open("c", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
        ASSERT_TRUE(dict);
        ASSERT_TRUE(dict->update("new", "value").ok());
        // destroyed without close(): a failed postmap run
    }
    EXPECT_EQ(listDir(dir), (std::vector<std::string>{"c.db", "main.cf"}));
    EXPECT_TRUE(get("c", "old").isFound());
    EXPECT_FALSE(get("c", "new").isFound());
    // A completed rebuild replaces it.
    build("c", {{"new", "value"}});
    EXPECT_FALSE(get("c", "old").isFound());
    EXPECT_TRUE(get("c", "new").isFound());
    EXPECT_EQ(listDir(dir), (std::vector<std::string>{"c.db", "main.cf"}));
}

// The names a build of "t" by process `pid` gives its temporary file: ours, and Berkeley
// DB's while it creates the file.
bool isTemporaryOf(const std::string& name, pid_t pid) {
    std::string ours = ".t.db." + std::to_string(pid) + ".tmp";
    return name == ours || name == "__db." + ours;
}

// A build killed by SIGTERM while its temporary file exists leaves neither that file nor
// a damaged table behind, and dies of the signal.
TEST_P(DictDb, SigtermDuringBuildRemovesTemporary) {
    build("t", {{"old", "value"}});
    bool killed = false;
    // The write phase must last long enough to be caught: grow the table until it does.
    for (size_t entries = 200000; !killed && entries <= 3200000; entries *= 2) {
        pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            auto opened = openDict(spec("t"), OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
            if (!opened.ok()) ::_exit(2);
            auto dict = std::move(opened).value();
            for (size_t i = 0; i < entries; ++i)
                if (!dict->update("key" + std::to_string(i), "value-of-some-length-" + std::to_string(i)).ok())
                    ::_exit(3);
            ::_exit(dict->close().ok() ? 0 : 4);
        }
        int status = 0;
        while (::waitpid(child, &status, WNOHANG) == 0) {
            auto names = listDir(dir);
            if (std::any_of(names.begin(), names.end(),
                            [&](const std::string& n) { return isTemporaryOf(n, child); })) {
                ASSERT_EQ(::kill(child, SIGTERM), 0);
                ASSERT_EQ(::waitpid(child, &status, 0), child);
                ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
                EXPECT_EQ(WTERMSIG(status), SIGTERM);
                killed = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        if (!killed) {
            ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
            build("t", {{"old", "value"}});  // the finished build replaced it
        }
    }
    ASSERT_TRUE(killed) << "no build lasted long enough to be interrupted";
    EXPECT_EQ(listDir(dir), (std::vector<std::string>{"main.cf", "t.db"}));
    Lookup old = get("t", "old");
    ASSERT_TRUE(old.isFound());
    EXPECT_EQ(old.value, "value");
}

// A build removes the temporary files that dead builds of the same table left, and keeps
// those of a live build and of other tables.
TEST_P(DictDb, BuildRemovesStaleTemporariesOfDeadBuilds) {
    pid_t dead = ::fork();
    ASSERT_GE(dead, 0);
    if (dead == 0) ::_exit(0);
    ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
    pid_t live = ::fork();
    ASSERT_GE(live, 0);
    if (live == 0) {
        ::pause();
        ::_exit(0);
    }
    std::string deadName = ".t.db." + std::to_string(dead) + ".tmp";
    std::string liveName = ".t.db." + std::to_string(live) + ".tmp";
    std::string otherTable = ".u.db." + std::to_string(dead) + ".tmp";
    for (const std::string& name : {deadName, "__db." + deadName, liveName, otherTable})
        std::ofstream(dir + "/" + name) << "partial";
    build("t", {{"k", "v"}});
    ::kill(live, SIGKILL);
    ::waitpid(live, nullptr, 0);
    std::vector<std::string> expected{liveName, otherTable, "main.cf", "t.db"};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listDir(dir), expected);
    EXPECT_TRUE(get("t", "k").isFound());
}

TEST_P(DictDb, WarnsWhenOlderThanSource) {
    build("src", {{"a", "1"}});
    std::ofstream(dir + "/src") << "a 1\n";
    struct timeval times[2];
    ::gettimeofday(&times[0], nullptr);
    times[1] = times[0];
    times[0].tv_sec -= 300;
    times[1].tv_sec -= 300;
    ASSERT_EQ(::utimes((dir + "/src.db").c_str(), times), 0);
    times[0].tv_sec += 100;
    times[1].tv_sec += 100;
    ASSERT_EQ(::utimes((dir + "/src").c_str(), times), 0);
    (void)get("src", "a");  // without LOCK: no check
    EXPECT_TRUE(warnings.empty());
    EXPECT_TRUE(get("src", "a", flag::kLock).isFound());
    EXPECT_EQ(warnings,
              (std::vector<std::string>{"database " + dir + "/src.db is older than source file " + dir + "/src"}));
    // A source edited seconds ago is not nagged about.
    warnings.clear();
    ::gettimeofday(&times[0], nullptr);
    times[1] = times[0];
    ASSERT_EQ(::utimes((dir + "/src").c_str(), times), 0);
    EXPECT_TRUE(get("src", "a", flag::kLock).isFound());
    EXPECT_TRUE(warnings.empty());
}

TEST_P(DictDb, CacheSizeFromConfig) {
    auto config = config::Config::defaults(dir);
    config.set("berkeley_db_create_buffer_size", "65536");
    config.set("berkeley_db_read_buffer_size", "32768");
    OpenContext context{&config};
    auto dict = openDict(spec("cfg"), OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate, context);
    ASSERT_TRUE(dict.ok());
    for (int i = 0; i < 3000; ++i) ASSERT_TRUE((*dict)->update("key" + std::to_string(i), "v").ok());
    ASSERT_TRUE((*dict)->close().ok());
    auto reader = openDict(spec("cfg"), OpenMode::Read, flag::kLock, context);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->lookup("key2999").value, "v");
}

TEST_P(DictDb, PostfixReadsOurTables) {
    if (!havePostmap()) GTEST_SKIP() << "no " << kPostmap;
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 500; ++i)
        entries.emplace_back("key" + std::to_string(i) + "@example.com", "value " + std::to_string(i));
    build("ours", entries);
    auto [rc, out] = postmap("-q key42@example.com " + spec("ours"));
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(out, "value 42\n");
    // postmap -s prints in database order; ours must be the same order and bytes.
    auto [rc2, dumped] = postmap("-s " + spec("ours"));
    EXPECT_EQ(rc2, 0);
    auto dict = open("ours", OpenMode::Read, 0);
    ASSERT_TRUE(dict);
    EXPECT_EQ(dump(*dict), dumped);
    // -N (NUL only) finds our entries: they carry the NUL like Postfix's.
    EXPECT_EQ(postmap("-N -q key7@example.com " + spec("ours")).first, 0);
    EXPECT_EQ(postmap("-n -q key7@example.com " + spec("ours")).first, 1);
    // postmap -i and -d work on our file.
    auto [rc3, out3] =
        run("echo 'added yes' | " + std::string(kPostmap) + " -c " + shellQuote(dir) + " -i " + spec("ours") + " 2>&1");
    EXPECT_EQ(rc3, 0) << out3;
    EXPECT_EQ(postmap("-d key1@example.com " + spec("ours")).first, 0);
    EXPECT_EQ(get("ours", "added").value, "yes");
    EXPECT_FALSE(get("ours", "key1@example.com").isFound());
    EXPECT_TRUE(get("ours", "key2@example.com").isFound());
}

TEST_P(DictDb, WeReadPostfixTables) {
    if (!havePostmap()) GTEST_SKIP() << "no " << kPostmap;
    std::ofstream(dir + "/pf")
        << "Foo@Example.COM\tbar1\n# comment\nkey2   value two  \n  continued\n\"quoted key\" qv\n";
    ASSERT_EQ(postmap(spec("pf")).first, 0);
    auto dict = open("pf", OpenMode::Read, flag::kLock);
    ASSERT_TRUE(dict);
    EXPECT_EQ(dict->lookup("foo@example.com").value, "bar1");
    EXPECT_EQ(dict->lookup("key2").value, "value two    continued");
    EXPECT_EQ(dict->lookup("\"quoted key\"").value, "qv");
    auto [rc, dumped] = postmap("-s " + spec("pf"));
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(dump(*dict), dumped);

    ASSERT_EQ(postmap("-n " + spec("pf")).first, 0);  // no-NUL table
    auto plain = open("pf", OpenMode::Read, 0);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->lookup("key2").value, "value two    continued");
    // Our in-place update of a Postfix table is readable by Postfix.
    {
        auto writer = open("pf", OpenMode::Write, flag::kDupWarn | flag::kTryNoNull);
        ASSERT_TRUE(writer);
        ASSERT_TRUE(writer->update("ours", "added").ok());
        ASSERT_TRUE(writer->close().ok());
    }
    auto [rc2, out2] = postmap("-q ours " + spec("pf"));
    EXPECT_EQ(rc2, 0);
    EXPECT_EQ(out2, "added\n");
}

// Timing of a 1,000,000-entry build against Postfix's (set POSTLINE_BENCH=1 to run).
TEST_P(DictDb, BenchmarkMillionEntries) {
    if (!::getenv("POSTLINE_BENCH")) GTEST_SKIP() << "set POSTLINE_BENCH=1";
    const int n = 1000000;
    std::vector<std::pair<std::string, std::string>> entries;
    entries.reserve(n);
    for (int i = 0; i < n; ++i)
        entries.emplace_back("key" + std::to_string(i) + "@example.com", "value" + std::to_string(i));
    auto start = std::chrono::steady_clock::now();
    auto dict = open("big", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
    ASSERT_TRUE(dict);
    for (const auto& [k, v] : entries) ASSERT_TRUE(dict->update(k, v).ok());
    auto added = std::chrono::steady_clock::now();
    ASSERT_TRUE(dict->close().ok());
    auto closed = std::chrono::steady_clock::now();
    std::printf("%s: %d entries built in %.2f s (updates %.2f s, close %.2f s)\n", GetParam(), n,
                std::chrono::duration<double>(closed - start).count(),
                std::chrono::duration<double>(added - start).count(),
                std::chrono::duration<double>(closed - added).count());
    EXPECT_EQ(get("big", "key999999@example.com").value, "value999999");
    if (havePostmap()) {
        auto [rc, out] = postmap("-q key123456@example.com " + spec("big"));
        EXPECT_EQ(rc, 0);
        EXPECT_EQ(out, "value123456\n");
    }
}

INSTANTIATE_TEST_SUITE_P(Types, DictDb, ::testing::Values("hash", "btree"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace postline::maps
