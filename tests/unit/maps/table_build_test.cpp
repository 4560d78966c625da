// Tests of TableWriter (table_build.h, after postmap/postmap.c and global/mkmap_open.c):
// tables we build are read back by the real postmap, a failed rebuild keeps the old
// table, -i updates in place, permissions follow the source, -F and type errors.
#include "postline/maps/table_build.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::maps {
namespace {

class Warnings {
public:
    Warnings() {
        base::setProgramName("postmap");
        base::setMsgSink([this](base::Severity s, std::string_view text) { text_ += base::formatMsg(s, text) + "\n"; });
    }
    ~Warnings() { base::setMsgSink(nullptr); }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

bool havePostfix() { return ::access("/usr/sbin/postmap", X_OK) == 0; }

// A scratch directory that is also the working directory while alive.
class Scratch {
public:
    Scratch() {
        char tmpl[] = "/tmp/postline-tbuild-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        if (!::getcwd(saved_, sizeof saved_)) saved_[0] = 0;
        EXPECT_EQ(::chdir(dir_.c_str()), 0);
        write("main.cf", "");
    }
    ~Scratch() {
        if (::chdir(saved_) != 0) std::perror("chdir");
        std::system(("rm -rf '" + dir_ + "'").c_str());
    }
    void write(const std::string& name, const std::string& text, mode_t mode = 0644) {
        std::ofstream(name, std::ios::binary) << text;
        ::chmod(name.c_str(), mode);
    }
    // Runs a shell command here; returns its stdout, `status` gets the exit code.
    std::string run(const std::string& cmd, int* status = nullptr) {
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        int st = ::pclose(p);
        if (status) *status = WEXITSTATUS(st);
        return out;
    }
    // The real `postmap -s`, sorted.
    std::string realDump(const std::string& spec, const std::string& opts = "") {
        return run("/usr/sbin/postmap -c . " + opts + " -s " + spec + " | LC_ALL=C sort");
    }

private:
    std::string dir_;
    char saved_[4096];
};

struct stat statOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st;
}

std::unique_ptr<TableWriter> openWriter(const std::string& spec, const BuildOptions& options,
                                        const std::string& source = "t") {
    auto writer = TableWriter::open(parseDictSpec(spec, "hash"), statOf(source), options);
    EXPECT_TRUE(writer.ok()) << (writer.ok() ? "" : writer.error().message);
    return writer.ok() ? std::move(*writer) : nullptr;
}

class TableBuild : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        if (!findDictType(GetParam())) GTEST_SKIP() << GetParam() << " not compiled in";
        if (!havePostfix()) GTEST_SKIP() << "Postfix not installed";
    }
    std::string spec() const { return std::string(GetParam()) + ":t"; }
};

TEST_P(TableBuild, PostfixReadsWhatWeBuild) {
    Scratch s;
    s.write("t", "Alpha 1\nbeta two words\n\"q k\" 3\nalpha dup\nnoval\n");
    Warnings w;
    auto writer = openWriter(spec(), {});
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->addSource("Alpha 1\nbeta two words\n\"q k\" 3\nalpha dup\nnoval\n", "t").ok());
    EXPECT_EQ(writer->count(), 4u);  // records given to the table, duplicates included
    ASSERT_TRUE(writer->commit().ok());
    writer.reset();
    // Same records and warnings as the real postmap on the same source.
    std::string ours = s.realDump(spec());
    int status = 0;
    s.run("/usr/sbin/postmap -c . " + spec() + " 2>err", &status);
    ASSERT_EQ(status, 0);
    EXPECT_EQ(ours, s.realDump(spec()));
    EXPECT_EQ(ours, "\"q k\"\t3\nalpha\t1\nbeta\ttwo words\n");
    EXPECT_EQ(w.text(), s.run("cat err"));
}

TEST_P(TableBuild, AbandonedRebuildKeepsTheOldTable) {
    Scratch s;
    s.write("t", "old 1\n");
    ASSERT_EQ(std::system(("/usr/sbin/postmap -c . " + spec()).c_str()), 0);
    {
        auto writer = openWriter(spec(), {});
        ASSERT_TRUE(writer);
        ASSERT_TRUE(writer->add("new", "2").ok());
        // Destroyed without commit(): as after a fatal error in the middle of a build.
    }
    EXPECT_EQ(s.realDump(spec()), "old\t1\n");
    auto writer = openWriter(spec(), {});
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->add("new", "2").ok());
    ASSERT_TRUE(writer->commit().ok());
    EXPECT_EQ(s.realDump(spec()), "new\t2\n");
}

TEST_P(TableBuild, IncrementalUpdateKeepsEntries) {
    Scratch s;
    s.write("t", "a 1\nb 2\n");
    ASSERT_EQ(std::system(("/usr/sbin/postmap -c . " + spec()).c_str()), 0);
    BuildOptions options;
    options.incremental = true;
    options.dictFlags = flag::kDupReplace | flag::kFoldFix;
    auto writer = openWriter(spec(), options);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->addSource("B 3\nc 4\n", "stdin").ok());
    ASSERT_TRUE(writer->commit().ok());
    EXPECT_EQ(s.realDump(spec()), "a\t1\nb\t3\nc\t4\n");
}

TEST_P(TableBuild, PermissionsFollowTheSourceUnlessP) {
    Scratch s;
    mode_t saved = ::umask(022);
    s.write("t", "k v\n", 0600);
    std::string file = std::string("t.") + std::string(findDictType(GetParam())->suffix);
    {
        auto writer = openWriter(spec(), {});
        ASSERT_TRUE(writer);
        EXPECT_TRUE(writer->commit().ok());
    }
    EXPECT_EQ(statOf(file).st_mode & 0777, 0600u);
    EXPECT_EQ(::umask(022), 022u) << "the umask is restored after the build";
    ::unlink(file.c_str());
    BuildOptions keep;
    keep.savePermissions = false;
    {
        auto writer = openWriter(spec(), keep);
        ASSERT_TRUE(writer);
        EXPECT_TRUE(writer->commit().ok());
    }
    EXPECT_EQ(statOf(file).st_mode & 0777, 0644u);
    // Same as Postfix.
    ::unlink(file.c_str());
    ASSERT_EQ(std::system(("/usr/sbin/postmap -c . " + spec()).c_str()), 0);
    EXPECT_EQ(statOf(file).st_mode & 0777, 0600u);
    ::umask(saved);
}

TEST_P(TableBuild, FileValuedEntries) {
    Scratch s;
    s.write("one", "first\n");
    s.write("two", "second");
    const std::string source = "k1 one,two\nk2 one\nk3 missing\n";
    s.write("t", source);
    Warnings w;
    BuildOptions options;
    options.valueIsFile = true;
    auto writer = openWriter(spec(), options);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->addSource(source, "t").ok());
    ASSERT_TRUE(writer->commit().ok());
    EXPECT_EQ(w.text(), "postmap: warning: t, line 3: open missing: No such file or directory: skipping this entry\n");
    std::string ours = s.realDump(spec());
    std::string oursDecoded = s.realDump(spec(), "-F");
    s.run("/usr/sbin/postmap -c . -F " + spec() + " 2>err");
    EXPECT_EQ(w.text(), s.run("cat err"));
    EXPECT_EQ(ours, s.realDump(spec()));
    EXPECT_EQ(oursDecoded, s.realDump(spec(), "-F"));
    auto b64 = fileValueToBase64("one two");
    ASSERT_TRUE(b64.ok());
    EXPECT_EQ(*b64, "Zmlyc3QKCnNlY29uZA==");  // "first\n" "\n" "second"
}

// As root, the table belongs to the source's owner (the build runs with its effective
// ids), unless -o; Postfix does the same.
TEST_P(TableBuild, RootBuildsAsTheSourceOwner) {
    if (::getuid() != 0) GTEST_SKIP() << "needs root";
    Scratch s;
    ASSERT_EQ(::chmod(".", 0777), 0);
    s.write("t", "k v\n");
    ASSERT_EQ(::chown("t", 65534, 65534), 0);
    std::string file = std::string("t.") + std::string(findDictType(GetParam())->suffix);
    {
        auto writer = openWriter(spec(), {});
        ASSERT_TRUE(writer);
        EXPECT_EQ(::geteuid(), 65534u) << "effective uid during the build";
        ASSERT_TRUE(writer->commit().ok());
    }
    EXPECT_EQ(::geteuid(), 0u);
    EXPECT_EQ(::getegid(), 0u);
    EXPECT_EQ(statOf(file).st_uid, 65534u);
    EXPECT_EQ(statOf(file).st_gid, 65534u);
    ::unlink(file.c_str());
    BuildOptions asRoot;
    asRoot.asOwner = false;
    {
        auto writer = openWriter(spec(), asRoot);
        ASSERT_TRUE(writer);
        ASSERT_TRUE(writer->commit().ok());
    }
    EXPECT_EQ(statOf(file).st_uid, 0u);
    ::unlink(file.c_str());
    ASSERT_EQ(std::system(("/usr/sbin/postmap -c . " + spec()).c_str()), 0);
    EXPECT_EQ(statOf(file).st_uid, 65534u) << "Postfix";
}

INSTANTIATE_TEST_SUITE_P(Types, TableBuild, ::testing::Values("hash", "btree", "lmdb"));

TEST(TableBuildErrors, TypeChecksWithPostfixTexts) {
    Scratch s;
    s.write("t", "k v\n");
    struct stat st = statOf("t");
    auto err = [&](const char* spec) {
        auto w = TableWriter::open(parseDictSpec(spec, "hash"), st, {});
        return w.ok() ? std::string("ok") : w.error().message;
    };
    EXPECT_EQ(err("foo:t"), "unsupported dictionary type: foo. Is the postfix-foo package installed?");
    EXPECT_EQ(err("regexp:t"), "unsupported dictionary type: regexp does not support bulk-mode creation.");
    EXPECT_EQ(err("proxy:hash:t"), "can't create maps via the proxy service");
    if (!havePostfix()) return;
    // The real texts, after "postmap: fatal: ".
    for (const char* spec : {"foo:t", "regexp:t", "proxy:hash:t"}) {
        std::string real = s.run(std::string("/usr/sbin/postmap -c . ") + spec + " 2>&1");
        EXPECT_EQ(real, "postmap: fatal: " + err(spec) + "\n") << spec;
    }
}

}  // namespace
}  // namespace postline::maps
