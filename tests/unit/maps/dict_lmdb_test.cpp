// LMDB tables: rebuild and read back, the trailing-NUL convention, duplicates, deletes,
// key order, errors (missing file, over-long keys), map growth past lmdb_map_size, crash
// safety, and byte compatibility with Debian's postmap (util/dict_lmdb.c).
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/maps/registry.h"

namespace postline::maps {
namespace {

const char* const kPostmap = "/usr/sbin/postmap";

std::string shellArg(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::pair<int, std::string> runCommand(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return {-1, ""};
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::vector<std::string> entriesOf(const std::string& dir) {
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

class DictLmdb : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/postline-dictlmdb-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir = tmpl;
        std::ofstream(dir + "/main.cf") << "compatibility_level = 3.6\n";
        base::setMsgSink([this](base::Severity, std::string_view text) { warnings.emplace_back(text); });
    }
    void TearDown() override {
        base::setMsgSink(nullptr);
        (void)runCommand("rm -rf " + shellArg(dir));
    }
    std::string spec(const std::string& name) const { return "lmdb:" + dir + "/" + name; }

    std::unique_ptr<Dict> open(const std::string& name, OpenMode mode, uint32_t flags,
                               const OpenContext& context = {}) {
        auto dict = openDict(spec(name), mode, flags, context);
        EXPECT_TRUE(dict.ok()) << (dict.ok() ? "" : dict.error().message);
        return dict.ok() ? std::move(dict).value() : nullptr;
    }
    void build(const std::string& name, const std::vector<std::pair<std::string, std::string>>& entries,
               uint32_t flags = flag::kDupWarn, const OpenContext& context = {}) {
        auto dict = open(name, OpenMode::Rebuild, flags | flag::kBulkUpdate, context);
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
        return runCommand(std::string(kPostmap) + " -c " + shellArg(dir) + " " + args + " 2>&1");
    }

    std::string dir;
    std::vector<std::string> warnings;
};

TEST_F(DictLmdb, BuildThenReadBack) {
    build("t", {{"beta", "two words"}, {"alpha", "one"}, {"gamma", ""}});
    EXPECT_EQ(entriesOf(dir), (std::vector<std::string>{"main.cf", "t.lmdb"}));  // no -lock file
    auto hit = get("t", "beta");
    ASSERT_TRUE(hit.isFound());
    EXPECT_EQ(hit.value, "two words");
    EXPECT_EQ(get("t", "delta").status, DictStatus::NotFound);
    EXPECT_TRUE(get("t", "gamma").isFound());
    auto dict = open("t", OpenMode::Read, flag::kLock);
    ASSERT_TRUE(dict);
    EXPECT_EQ(dump(*dict), "alpha\tone\nbeta\ttwo words\ngamma\t\n");
}

TEST_F(DictLmdb, TrailingNulConvention) {
    build("with", {{"k", "v"}});
    EXPECT_TRUE(get("with", "k", flag::kTryNull).isFound());
    EXPECT_EQ(get("with", "k", flag::kTryNoNull).status, DictStatus::NotFound);
    build("without", {{"k", "v"}}, flag::kDupWarn | flag::kTryNoNull);
    EXPECT_EQ(get("without", "k", flag::kTryNull).status, DictStatus::NotFound);
    auto dict = open("without", OpenMode::Read, 0);
    ASSERT_TRUE(dict);
    EXPECT_EQ(dict->lookup("k").value, "v");
    EXPECT_EQ(dict->flags() & (flag::kTryNull | flag::kTryNoNull), flag::kTryNoNull);
}

TEST_F(DictLmdb, Duplicates) {
    build("d", {{"a", "1"}, {"b", "2"}, {"a", "3"}});
    EXPECT_EQ(warnings, (std::vector<std::string>{"lmdb:" + dir + "/d: duplicate entry: \"a\""}));
    EXPECT_EQ(get("d", "a").value, "1");
    warnings.clear();
    build("i", {{"a", "1"}, {"a", "3"}}, flag::kDupIgnore);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(get("i", "a").value, "1");
    build("r", {{"a", "1"}, {"a", "3"}}, flag::kDupReplace);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(get("r", "a").value, "3");
}

TEST_F(DictLmdb, InPlaceUpdateAndRemove) {
    build("u", {{"a", "1"}, {"b", "2"}});
    {
        auto dict = open("u", OpenMode::Write, flag::kDupWarn);
        ASSERT_TRUE(dict);
        ASSERT_TRUE(dict->update("c", "3").ok());
        ASSERT_TRUE(dict->update("a", "9").ok());
        auto removed = dict->remove("b");
        ASSERT_TRUE(removed.ok());
        EXPECT_TRUE(*removed);
        auto again = dict->remove("b");
        ASSERT_TRUE(again.ok());
        EXPECT_FALSE(*again);
        ASSERT_TRUE(dict->close().ok());
    }
    EXPECT_EQ(warnings, (std::vector<std::string>{"lmdb:" + dir + "/u: duplicate entry: \"a\""}));
    EXPECT_EQ(get("u", "a").value, "1");
    EXPECT_EQ(get("u", "c").value, "3");
    EXPECT_FALSE(get("u", "b").isFound());
    auto replace = open("u", OpenMode::Write, flag::kDupReplace);
    ASSERT_TRUE(replace);
    ASSERT_TRUE(replace->update("a", "9").ok());
    ASSERT_TRUE(replace->close().ok());
    EXPECT_EQ(get("u", "a").value, "9");
}

TEST_F(DictLmdb, Errors) {
    auto missing = openDict(spec("nonexist"), OpenMode::Read, 0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "open database " + dir + "/nonexist.lmdb: No such file or directory");
    auto missingWrite = openDict(spec("nonexist"), OpenMode::Write, 0);
    ASSERT_FALSE(missingWrite.ok());
    EXPECT_EQ(missingWrite.error().message, "open database " + dir + "/nonexist.lmdb: No such file or directory");

    // 510 bytes + NUL fit (511 = mdb_env_get_maxkeysize); 511 + NUL do not.
    auto dict = open("long", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
    ASSERT_TRUE(dict);
    EXPECT_TRUE(dict->update(std::string(510, 'k'), "v").ok());
    auto status = dict->update(std::string(511, 'k'), "v");
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().message, "error updating lmdb:" + dir +
                                          "/long: MDB_BAD_VALSIZE: Unsupported size of key/DB name/data, or wrong "
                                          "DUPFIXED size");
    // Without the NUL, 511 bytes fit.
    dict->setFlags((dict->flags() & ~flag::kTryNull) | flag::kTryNoNull);
    EXPECT_TRUE(dict->update(std::string(511, 'x'), "v").ok());
}

TEST_F(DictLmdb, LongKeyTextMatchesPostfix) {
    if (!havePostmap()) GTEST_SKIP() << "no " << kPostmap;
    std::ofstream(dir + "/long") << std::string(600, 'k') << " v\n";
    auto [rc, out] = postmap(spec("long"));
    EXPECT_EQ(rc, 1);
    auto dict = open("long2", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
    ASSERT_TRUE(dict);
    auto status = dict->update(std::string(600, 'k'), "v");
    ASSERT_FALSE(status.ok());
    std::string expected = "postmap: fatal: " + status.error().message + "\n";
    // Same text apart from the table name.
    auto at = expected.find("long2");
    ASSERT_NE(at, std::string::npos);
    expected.replace(at, 5, "long");
    EXPECT_EQ(out, expected);
}

// A rebuild is written through a map of the estimated size (MDB_WRITEMAP) and the file
// is then cut to the pages in use: a small table is a small file, and it reads back.
TEST_F(DictLmdb, RebuiltFileHasOnlyItsPages) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 1000; ++i) entries.emplace_back("key" + std::to_string(i), "value " + std::to_string(i));
    build("small", entries);
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/small.lmdb").c_str(), &st), 0);
    EXPECT_EQ(st.st_size % 4096, 0);
    EXPECT_LT(st.st_size, 256 * 1024);  // the default map is 16 MiB
    auto dict = open("small", OpenMode::Read, flag::kLock);
    ASSERT_TRUE(dict);
    EXPECT_EQ(dict->lookup("key999").value, "value 999");
    // An update after the rebuild grows the file again as LMDB needs.
    auto writer = open("small", OpenMode::Write, flag::kDupWarn);
    ASSERT_TRUE(writer);
    for (int i = 0; i < 2000; ++i) ASSERT_TRUE(writer->update("new" + std::to_string(i), "v").ok());
    ASSERT_TRUE(writer->close().ok());
    EXPECT_EQ(get("small", "new1999").value, "v");
    EXPECT_EQ(get("small", "key5").value, "value 5");
}

TEST_F(DictLmdb, GrowsPastTinyMapSize) {
    auto config = config::Config::defaults(dir);
    config.set("lmdb_map_size", "8192");
    OpenContext context{&config};
    // In place (postmap -i): each transaction doubles the map on MDB_MAP_FULL.
    {
        auto dict = open("grow", OpenMode::Create, flag::kDupWarn, context);
        ASSERT_TRUE(dict);
        for (int i = 0; i < 3000; ++i)
            ASSERT_TRUE(dict->update("key" + std::to_string(i), std::string(40, 'v')).ok()) << i;
        ASSERT_TRUE(dict->close().ok());
    }
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/grow.lmdb").c_str(), &st), 0);
    EXPECT_GT(st.st_size, 8192 * 16);
    auto reader = open("grow", OpenMode::Read, flag::kLock, context);
    ASSERT_TRUE(reader);
    EXPECT_EQ(reader->lookup("key2999").value, std::string(40, 'v'));
    // A rebuild with big values (overflow pages) under the same tiny setting.
    std::vector<std::pair<std::string, std::string>> big;
    for (int i = 0; i < 200; ++i) big.emplace_back("k" + std::to_string(i), std::string(5000 + i, 'x'));
    build("bulk", big, flag::kDupWarn, context);
    auto bulk = open("bulk", OpenMode::Read, 0, context);
    ASSERT_TRUE(bulk);
    EXPECT_EQ(bulk->lookup("k199").value.size(), 5199u);
}

TEST_F(DictLmdb, AbandonedRebuildKeepsOldTable) {
    build("c", {{"old", "value"}});
    {
        auto dict = open("c", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
        ASSERT_TRUE(dict);
        ASSERT_TRUE(dict->update("new", "value").ok());
    }
    EXPECT_EQ(entriesOf(dir), (std::vector<std::string>{"c.lmdb", "main.cf"}));
    EXPECT_TRUE(get("c", "old").isFound());
    EXPECT_FALSE(get("c", "new").isFound());
    // A failed update (over-long key) followed by destruction also leaves it alone.
    {
        auto dict = open("c", OpenMode::Rebuild, flag::kDupWarn | flag::kBulkUpdate);
        ASSERT_TRUE(dict);
        ASSERT_FALSE(dict->update(std::string(600, 'k'), "v").ok());
    }
    EXPECT_TRUE(get("c", "old").isFound());
    build("c", {{"new", "value"}});
    EXPECT_FALSE(get("c", "old").isFound());
    EXPECT_TRUE(get("c", "new").isFound());
    EXPECT_EQ(entriesOf(dir), (std::vector<std::string>{"c.lmdb", "main.cf"}));
}

TEST_F(DictLmdb, WarnsWhenOlderThanSource) {
    build("src", {{"a", "1"}});
    std::ofstream(dir + "/src") << "a 1\n";
    struct timeval times[2];
    ::gettimeofday(&times[0], nullptr);
    times[0].tv_sec -= 300;
    times[1] = times[0];
    ASSERT_EQ(::utimes((dir + "/src.lmdb").c_str(), times), 0);
    times[0].tv_sec += 100;
    times[1] = times[0];
    ASSERT_EQ(::utimes((dir + "/src").c_str(), times), 0);
    EXPECT_TRUE(get("src", "a", flag::kLock).isFound());
    EXPECT_EQ(warnings,
              (std::vector<std::string>{"database " + dir + "/src.lmdb is older than source file " + dir + "/src"}));
}

TEST_F(DictLmdb, PostfixReadsOurTables) {
    if (!havePostmap()) GTEST_SKIP() << "no " << kPostmap;
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 500; ++i)
        entries.emplace_back("key" + std::to_string(i) + "@example.com", "value " + std::to_string(i));
    build("ours", entries);
    auto [rc, out] = postmap("-q key42@example.com " + spec("ours"));
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(out, "value 42\n");
    auto [rc2, dumped] = postmap("-s " + spec("ours"));
    EXPECT_EQ(rc2, 0);
    auto dict = open("ours", OpenMode::Read, 0);
    ASSERT_TRUE(dict);
    EXPECT_EQ(dump(*dict), dumped);
    EXPECT_EQ(postmap("-n -q key7@example.com " + spec("ours")).first, 1);
    auto [rc3, out3] = runCommand("echo 'added yes' | " + std::string(kPostmap) + " -c " + shellArg(dir) + " -i " +
                                  spec("ours") + " 2>&1");
    EXPECT_EQ(rc3, 0) << out3;
    EXPECT_EQ(postmap("-d key1@example.com " + spec("ours")).first, 0);
    EXPECT_EQ(get("ours", "added").value, "yes");
    EXPECT_FALSE(get("ours", "key1@example.com").isFound());
}

TEST_F(DictLmdb, WeReadPostfixTables) {
    if (!havePostmap()) GTEST_SKIP() << "no " << kPostmap;
    std::ofstream(dir + "/pf") << "Foo@Example.COM\tbar1\nkey2   value two  \n  continued\n\"quoted key\" qv\n";
    ASSERT_EQ(postmap(spec("pf")).first, 0);
    auto dict = open("pf", OpenMode::Read, flag::kLock);
    ASSERT_TRUE(dict);
    EXPECT_EQ(dict->lookup("foo@example.com").value, "bar1");
    EXPECT_EQ(dict->lookup("key2").value, "value two    continued");
    auto [rc, dumped] = postmap("-s " + spec("pf"));
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(dump(*dict), dumped);
    {
        auto writer = open("pf", OpenMode::Write, flag::kDupWarn);
        ASSERT_TRUE(writer);
        ASSERT_TRUE(writer->update("ours", "added").ok());
        ASSERT_TRUE(writer->close().ok());
    }
    auto [rc2, out2] = postmap("-q ours " + spec("pf"));
    EXPECT_EQ(rc2, 0);
    EXPECT_EQ(out2, "added\n");
}

TEST_F(DictLmdb, BenchmarkMillionEntries) {
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
    std::printf("lmdb: %d entries built in %.2f s (updates %.2f s, close %.2f s)\n", n,
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

}  // namespace
}  // namespace postline::maps
