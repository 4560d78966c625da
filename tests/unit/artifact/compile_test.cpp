// compile() and Generation: a generation holds what the configuration says, unchanged
// tables are linked rather than rebuilt, readers see a switch and never a half-built
// directory, and a failed compile leaves the current generation as it was.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "postline/artifact/compiler.h"
#include "postline/artifact/generation.h"
#include "postline/artifact/sha256.h"
#include "postline/artifact/source_digests.h"
#include "postline/base/files.h"
#include "postline/maps/registry.h"
#include "scratch_config.h"

namespace postline::artifact {
namespace {

namespace fs = std::filesystem;

class CompileTest : public ScratchConfigTest {
protected:
    void SetUp() override {
        ScratchConfigTest::SetUp();
        writeFile(conf + "/main.cf",
                  "myhostname = mx.example.com\n"
                  "mydomain = example.com\n"
                  "myorigin = $mydomain\n"
                  "virtual_alias_maps = hash:$config_directory/virtual\n"
                  "transport_maps = lmdb:$config_directory/transport\n"
                  "header_checks = regexp:$config_directory/header_checks\n"
                  "smtpd_helo_restrictions = check_helo_access inline:{ { localhost = REJECT } }\n"
                  "relay_transport = relay\n"
                  "alias_maps =\n");  // not the default, the host's /etc/aliases
        writeFile(conf + "/master.cf",
                  "smtp      inet  n       -       y       -       -       smtpd\n"
                  "submission inet n       -       y       -       -       smtpd\n"
                  "  -o smtpd_tls_security_level=encrypt\n"
                  "  -o smtpd_sender_restrictions=check_sender_access,hash:$config_directory/senders\n"
                  "relay     unix  -       -       y       -       -       smtp\n");
        writeFile(conf + "/virtual", "info@example.net  alice@example.com\nsales@example.net bob\n");
        writeFile(conf + "/transport", "example.org  relay:[mail.example.org]\n");
        writeFile(conf + "/header_checks", "/^Subject: spam/ REJECT\n");
        writeFile(conf + "/senders", "bad@example.com REJECT\n");
    }

    CompileOptions options() const { return scratchOptions(); }
    std::string currentTarget() const { return fs::read_symlink(out + "/current").string(); }
};

TEST_F(CompileTest, WritesAGenerationAndMakesItCurrent) {
    auto summary = compile(options());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->generation, 1);
    EXPECT_EQ(summary->tablesBuilt, 3u);   // virtual, transport, senders
    EXPECT_EQ(summary->tablesCopied, 1u);  // header_checks
    EXPECT_EQ(currentTarget(), "gen-1");
    EXPECT_TRUE(fs::exists(out + "/gen-1/manifest.json"));

    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
    EXPECT_EQ(gen->number(), 1);
    EXPECT_EQ(gen->parameter("myorigin"), "example.com");
    EXPECT_EQ(gen->parameters().at("myorigin").origin, conf + "/main.cf:3");
    EXPECT_EQ(gen->parameters().at("smtpd_tls_security_level").origin, "default");
    EXPECT_EQ(gen->serviceParameter("submission", "inet", "smtpd_tls_security_level"), "encrypt");
    EXPECT_EQ(gen->serviceParameter("smtp", "inet", "smtpd_tls_security_level"), "");
    ASSERT_EQ(gen->services().size(), 3u);
    EXPECT_EQ(gen->services()[1].overrides.at("smtpd_tls_security_level").origin, conf + "/master.cf:3");

    // The compiled table answers like its source, from inside the generation.
    auto spec = gen->tableSpec("hash:" + conf + "/virtual");
    ASSERT_TRUE(spec.has_value());
    EXPECT_TRUE(spec->starts_with("hash:" + out + "/gen-1/tables/")) << *spec;
    auto dict = maps::openDict(*spec, maps::OpenMode::Read, maps::flag::kFoldFix);
    ASSERT_TRUE(dict.ok()) << dict.error().message;
    auto found = (*dict)->lookup("info@example.net");
    ASSERT_TRUE(found.isFound());
    EXPECT_EQ(found.value, "alice@example.com");
    // proxy: is looked through; in-line tables are opened as written.
    EXPECT_EQ(gen->tableSpec("proxy:hash:" + conf + "/virtual"), spec);
    EXPECT_EQ(gen->tableSpec("inline:{ { localhost = REJECT } }"), "inline:{ { localhost = REJECT } }");
    EXPECT_FALSE(gen->tableSpec("hash:/elsewhere").has_value());
}

// A service's -o values are expanded as its daemon expands them: with its other -o
// options and its $service_name, so the table each service names is the one compiled.
TEST_F(CompileTest, ServiceOptionsExpandWithTheServicesOwnOptions) {
    writeFile(conf + "/master.cf",
              "submission inet n       -       y       -       -       smtpd\n"
              "  -o senders_dir=$config_directory/per-service\n"
              "  -o smtpd_sender_login_maps=hash:$senders_dir/$service_name\n"
              "relay     unix  -       -       y       -       -       smtp\n");
    fs::create_directory(conf + "/per-service");
    writeFile(conf + "/per-service/submission", "alice@example.com alice\n");
    auto summary = compile(options());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
    std::string table = "hash:" + conf + "/per-service/submission";
    EXPECT_EQ(gen->serviceParameter("submission", "inet", "smtpd_sender_login_maps"), table);
    auto spec = gen->tableSpec(table);
    ASSERT_TRUE(spec.has_value());
    auto dict = maps::openDict(*spec, maps::OpenMode::Read, maps::flag::kFoldFix);
    ASSERT_TRUE(dict.ok()) << dict.error().message;
    EXPECT_EQ((*dict)->lookup("alice@example.com").value, "alice");
}

TEST_F(CompileTest, UnchangedTablesAreLinkedNotRebuilt) {
    ASSERT_TRUE(compile(options()).ok());
    auto second = compile(options());
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->generation, 2);
    EXPECT_EQ(second->tablesBuilt, 0u);
    EXPECT_EQ(second->tablesCopied, 0u);
    EXPECT_EQ(second->tablesReused, 4u);
    auto g1 = Generation::openCurrent(out);
    ASSERT_TRUE(g1.ok());
    std::string db = g1->tableSpec("hash:" + conf + "/virtual")->substr(5) + ".db";
    struct stat st {};
    ASSERT_EQ(::stat(db.c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 2u);  // the same file in gen-1 and gen-2

    // One source changes: only its table is built again.
    writeFile(conf + "/virtual", "info@example.net  carol@example.com\n");
    auto third = compile(options());
    ASSERT_TRUE(third.ok());
    EXPECT_EQ(third->tablesBuilt, 1u);
    EXPECT_EQ(third->tablesReused, 3u);
    auto g3 = Generation::openCurrent(out);
    auto dict = maps::openDict(*g3->tableSpec("hash:" + conf + "/virtual"), maps::OpenMode::Read, 0);
    ASSERT_TRUE(dict.ok());
    EXPECT_EQ((*dict)->lookup("info@example.net").value, "carol@example.com");
}

TEST_F(CompileTest, ReaderNoticesASwitch) {
    ASSERT_TRUE(compile(options()).ok());
    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok());
    EXPECT_FALSE(gen->changed());
    ASSERT_TRUE(compile(options()).ok());
    EXPECT_TRUE(gen->changed());
    auto next = Generation::openCurrent(out);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->number(), 2);
    EXPECT_FALSE(next->changed());
    // The old generation is still whole for readers that have not switched yet.
    EXPECT_TRUE(fs::exists(gen->path() + "/config.json"));
}

TEST_F(CompileTest, ReaderIgnoresHalfBuiltGenerations) {
    ASSERT_TRUE(compile(options()).ok());
    // What a compile that crashed half-way leaves: a temporary directory, half written.
    fs::create_directories(out + "/.gen-2.tmp/tables");
    writeFile(out + "/.gen-2.tmp/config.json", "{\"parameters\": {");
    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
    EXPECT_EQ(gen->number(), 1);
    EXPECT_FALSE(gen->changed());
    // The next compile removes the leftover and takes the number.
    auto next = compile(options());
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->generation, 2);
    EXPECT_FALSE(fs::exists(out + "/.gen-2.tmp"));
}

TEST_F(CompileTest, FailedCompileLeavesCurrentUntouched) {
    ASSERT_TRUE(compile(options()).ok());
    auto before = sha256File(out + "/gen-1/manifest.json");
    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok());

    writeFile(conf + "/header_checks", "/^Subject: (unclosed/ REJECT\n");
    auto failed = compile(options());
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.error().message.find("table regexp:" + conf + "/header_checks: "), std::string::npos)
        << failed.error().message;
    EXPECT_EQ(currentTarget(), "gen-1");
    EXPECT_FALSE(gen->changed());
    EXPECT_FALSE(fs::exists(out + "/gen-2"));
    EXPECT_FALSE(fs::exists(out + "/.gen-2.tmp"));
    EXPECT_EQ(sha256File(out + "/gen-1/manifest.json").value(), before.value());

    fs::remove(conf + "/virtual");
    failed = compile(options());
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().message,
              "table hash:" + conf + "/virtual: open " + conf + "/virtual: No such file or directory");
    EXPECT_EQ(currentTarget(), "gen-1");
}

TEST_F(CompileTest, OneCompileAtATime) {
    fs::create_directories(out);
    int fd = ::open((out + "/.lock").c_str(), O_RDWR | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    auto locked = compile(options());
    ::close(fd);
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().message, out + " is being compiled by another process");
    EXPECT_FALSE(fs::exists(out + "/current"));
}

TEST_F(CompileTest, OldGenerationsArePruned) {
    CompileOptions o = options();
    o.keepGenerations = 2;
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(compile(o).ok());
    EXPECT_FALSE(fs::exists(out + "/gen-1"));
    EXPECT_FALSE(fs::exists(out + "/gen-2"));
    EXPECT_TRUE(fs::exists(out + "/gen-3"));
    EXPECT_EQ(currentTarget(), "gen-4");
}

TEST_F(CompileTest, AGenerationInUseIsNotPruned) {
    CompileOptions o = options();
    o.keepGenerations = 2;
    ASSERT_TRUE(compile(o).ok());
    {
        auto first = Generation::openCurrent(out);  // as a daemon holds the generation it runs on
        ASSERT_TRUE(first.ok()) << first.error().message;
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(compile(o).ok());
        EXPECT_TRUE(fs::exists(out + "/gen-1"));
        EXPECT_FALSE(fs::exists(out + "/gen-2"));
        EXPECT_EQ(currentTarget(), "gen-4");
        // A table opened only now, as a daemon opens one at its first lookup, is still there.
        auto spec = first->tableSpec("hash:" + conf + "/virtual");
        ASSERT_TRUE(spec.has_value());
        auto dict = maps::openDict(*spec, maps::OpenMode::Read, maps::flag::kFoldFix);
        ASSERT_TRUE(dict.ok()) << dict.error().message;
        EXPECT_EQ((*dict)->lookup("info@example.net").value, "alice@example.com");
        Generation copy = *first;  // a copy holds it too
        first = base::Error{"released"};
        ASSERT_TRUE(compile(o).ok());
        EXPECT_TRUE(fs::exists(out + "/gen-1"));
    }
    // Released: the next compile removes it.
    ASSERT_TRUE(compile(o).ok());
    EXPECT_FALSE(fs::exists(out + "/gen-1"));
    EXPECT_EQ(currentTarget(), "gen-6");
}

TEST_F(CompileTest, DigestsOfUnchangedSourcesComeFromTheManifest) {
    // Sources written more than a second before the compile: their stamps can be trusted.
    for (const char* name : {"virtual", "transport", "header_checks", "senders", "main.cf", "master.cf"}) {
        std::string path = conf + "/" + name;
        struct timespec times[2] = {{::time(nullptr) - 10, 0}, {::time(nullptr) - 10, 0}};
        ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    }
    CompileOptions o = options();
    o.documents = {{"notes.txt", "hello\n"}};
    ASSERT_TRUE(compile(o).ok());
    EXPECT_TRUE(fs::exists(out + "/gen-1/notes.txt"));

    SourceDigests digests = SourceDigests::forOutput(out);
    EXPECT_TRUE(digests.unchanged("hash", conf + "/virtual", false));
    EXPECT_FALSE(digests.unchanged("lmdb", conf + "/virtual", false));  // not built as lmdb
    EXPECT_FALSE(digests.unchanged("hash", conf + "/virtual", true));   // nor as aliases
    EXPECT_TRUE(digests.unchanged("regexp", conf + "/header_checks", false));
    EXPECT_TRUE(digests.unchangedInput(conf + "/main.cf"));
    EXPECT_FALSE(digests.unchangedInput(conf + "/notes.txt"));  // not an input

    // A source rewritten since: its stamp differs, so it is read again.
    std::string virt = conf + "/virtual";
    writeFile(virt, "info@example.net  zzzzz@example.com\nsales@example.net bob\n");
    SourceDigests fresh = SourceDigests::forOutput(out);
    EXPECT_FALSE(fresh.unchanged("hash", virt, false));
    EXPECT_FALSE(fresh.unchangedInput(virt));
    EXPECT_EQ(fresh.digest(virt).value(), sha256File(virt).value());

    // A source modified in the second the manifest was written is always read again.
    writeFile(virt, "a@example.net b@example.com\n");
    ASSERT_TRUE(compile(options()).ok());
    writeFile(virt, "c@example.net d@example.com\n");  // same size, maybe the same second
    SourceDigests racy = SourceDigests::forOutput(out);
    EXPECT_EQ(racy.digest(virt).value(), sha256File(virt).value());
}

TEST(Generation, NoCurrentIsAnError) {
    auto gen = Generation::openCurrent("/nonexistent/out");
    ASSERT_FALSE(gen.ok());
    EXPECT_EQ(gen.error().message,
              "no compiled generation in /nonexistent/out: readlink /nonexistent/out/current: No such file or "
              "directory");
}

}  // namespace
}  // namespace postline::artifact
