// The spool's bounce/defer logs (bounce_log.h): entries written byte for byte as
// Postfix's bounce_append_service.c writes them, and read back as global/bounce_log.c
// reads them, including a log in the shape Postfix 3.7 leaves in bounce/ and logs
// with old-style lines, garbled lines and a cut-off last entry.
#include "postline/queue/bounce_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "postline/base/files.h"

namespace postline::queue {
namespace {

namespace fs = std::filesystem;

class BounceLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("bounce_log_test." + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    static std::string slurp(const std::string& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    static void write(const std::string& p, const std::string& text) {
        std::ofstream out(p, std::ios::binary);
        out << text;
    }
    fs::path dir_;
};

BounceLogEntry remoteFailure() {
    BounceLogEntry e;
    e.recipient = "nosuch@example.net";
    e.original = "Alias@example.com";
    e.offset = 245;
    e.dsnOrcpt = "rfc822;alias@example.com";
    e.dsnNotify = 6;
    e.status = "5.1.1";
    e.action = "failed";
    e.diagType = "smtp";
    e.diagText = "550 5.1.1 <nosuch@example.net>: Recipient address rejected: User unknown";
    e.mtaType = "dns";
    e.mtaName = "mx.example.net";
    e.reason =
        "host mx.example.net[192.0.2.7] said: 550 5.1.1 <nosuch@example.net>: User unknown (in reply to RCPT TO "
        "command)";
    return e;
}

TEST_F(BounceLogTest, AppendsEveryFieldInPostfixOrder) {
    std::string p = path("ABC123");
    ASSERT_TRUE(appendBounceLog(p, remoteFailure()).ok());
    EXPECT_EQ(slurp(p),
              "\n"
              "<nosuch@example.net>: host mx.example.net[192.0.2.7] said: 550 5.1.1 <nosuch@example.net>: User "
              "unknown (in reply to RCPT TO command)\n"
              "recipient=nosuch@example.net\n"
              "orig_rcpt=Alias@example.com\n"
              "offset=245\n"
              "dsn_orig_rcpt=rfc822;alias@example.com\n"
              "notify_flags=6\n"
              "status=5.1.1\n"
              "action=failed\n"
              "diag_type=smtp\n"
              "diag_text=550 5.1.1 <nosuch@example.net>: Recipient address rejected: User unknown\n"
              "mta_type=dns\n"
              "mta_mname=mx.example.net\n"
              "reason=host mx.example.net[192.0.2.7] said: 550 5.1.1 <nosuch@example.net>: User unknown (in reply "
              "to RCPT TO command)\n"
              "\n");
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(BounceLogTest, LeavesOutEmptyAndHalfPairs) {
    BounceLogEntry e;
    e.recipient = "";  // the null address
    e.original = "";
    e.status = "4.4.1";
    e.action = "delayed";
    e.diagType = "smtp";           // without diag_text: neither is written
    e.mtaName = "mx.example.net";  // without mta_type: neither is written
    e.reason = "connect to mx.example.net[192.0.2.7]:25: Connection refused";
    std::string p = path("DEF456");
    ASSERT_TRUE(appendBounceLog(p, e, false).ok());
    EXPECT_EQ(slurp(p),
              "\nrecipient=<>\nstatus=4.4.1\naction=delayed\n"
              "reason=connect to mx.example.net[192.0.2.7]:25: Connection refused\n\n");
    ASSERT_TRUE(appendBounceLog(p, e, true).ok());
    EXPECT_NE(slurp(p).find("\n<>: connect to"), std::string::npos);
}

TEST_F(BounceLogTest, OriginalEqualToRecipientIgnoringCaseIsLeftOut) {
    BounceLogEntry e;
    e.recipient = "user@example.com";
    e.original = "USER@Example.COM";
    e.reason = "x";
    std::string p = path("GHI");
    ASSERT_TRUE(appendBounceLog(p, e, false).ok());
    EXPECT_EQ(slurp(p), "\nrecipient=user@example.com\nreason=x\n\n");
}

TEST_F(BounceLogTest, RoundTripsSeveralEntries) {
    std::string p = path("RT");
    BounceLogEntry a = remoteFailure();
    BounceLogEntry b;
    b.recipient = "\"john doe\"@example.com";
    b.offset = 300;
    b.status = "5.1.1";
    b.action = "failed";
    b.reason = "unknown user: \"john doe\"";
    ASSERT_TRUE(appendBounceLog(p, a).ok());
    ASSERT_TRUE(appendBounceLog(p, b).ok());
    auto got = readBounceLog(p);
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_EQ(got->size(), 2u);
    const BounceLogEntry& x = (*got)[0];
    EXPECT_EQ(x.recipient, a.recipient);
    EXPECT_EQ(x.original, a.original);
    EXPECT_EQ(x.offset, 245);
    EXPECT_EQ(x.dsnOrcpt, a.dsnOrcpt);
    EXPECT_EQ(x.dsnNotify, 6);
    EXPECT_EQ(x.status, "5.1.1");
    EXPECT_EQ(x.action, "failed");
    EXPECT_EQ(x.diagType, "smtp");
    EXPECT_EQ(x.diagText, a.diagText);
    EXPECT_EQ(x.mtaType, "dns");
    EXPECT_EQ(x.mtaName, "mx.example.net");
    EXPECT_EQ(x.reason, a.reason);
    EXPECT_EQ((*got)[1].recipient, "\"john doe\"@example.com");
    EXPECT_EQ((*got)[1].reason, "unknown user: \"john doe\"");
    EXPECT_EQ((*got)[1].offset, 300);
}

// The shape of a bounce/ file that Postfix 3.7's local(8) leaves for an unknown user
// (backwards_bounce_logfile_compatibility=yes, the default).
TEST_F(BounceLogTest, ReadsAPostfixLog) {
    std::string p = path("4QXyZ81cF2z9sT");
    write(p,
          "\n"
          "<nosuchuser@mail.example.com>: unknown user: \"nosuchuser\"\n"
          "recipient=nosuchuser@mail.example.com\n"
          "orig_rcpt=nosuchuser\n"
          "offset=181\n"
          "dsn_orig_rcpt=rfc822;nosuchuser@mail.example.com\n"
          "status=5.1.1\n"
          "action=failed\n"
          "reason=unknown user: \"nosuchuser\"\n"
          "\n"
          "\n"
          "<bob@remote.example>: host remote.example[127.0.0.1] said: 550 5.7.1 Go away (in reply to RCPT TO "
          "command)\n"
          "recipient=bob@remote.example\n"
          "offset=262\n"
          "dsn_orig_rcpt=rfc822;bob@remote.example\n"
          "notify_flags=2\n"
          "status=5.7.1\n"
          "action=failed\n"
          "diag_type=smtp\n"
          "diag_text=550 5.7.1 Go away\n"
          "mta_type=dns\n"
          "mta_mname=remote.example\n"
          "reason=host remote.example[127.0.0.1] said: 550 5.7.1 Go away (in reply to RCPT TO command)\n"
          "\n");
    auto got = readBounceLog(p);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ((*got)[0].recipient, "nosuchuser@mail.example.com");
    EXPECT_EQ((*got)[0].original, "nosuchuser");
    EXPECT_EQ((*got)[0].offset, 181);
    EXPECT_EQ((*got)[0].dsnNotify, 0);
    EXPECT_EQ((*got)[0].diagType, "");
    EXPECT_EQ((*got)[1].recipient, "bob@remote.example");
    EXPECT_EQ((*got)[1].dsnNotify, 2);
    EXPECT_EQ((*got)[1].diagText, "550 5.7.1 Go away");
    EXPECT_EQ((*got)[1].mtaName, "remote.example");
}

// A defer/ file that the real Postfix 3.7 wrote (a private instance, error(8) for
// defer_transports): read back, and written again byte for byte.
TEST_F(BounceLogTest, ReadsAndRewritesARealPostfixDeferLog) {
    const std::string real =
        "\n"
        "<alice@example.net>: deferred transport\n"
        "recipient=alice@example.net\n"
        "offset=242\n"
        "dsn_orig_rcpt=rfc822;alice@example.net\n"
        "status=4.3.2\n"
        "action=delayed\n"
        "reason=deferred transport\n"
        "\n";
    std::string p = path("DEB01A7A1BB");
    write(p, real);
    auto got = readBounceLog(p);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
    const BounceLogEntry& e = (*got)[0];
    EXPECT_EQ(e.recipient, "alice@example.net");
    EXPECT_EQ(e.original, "");
    EXPECT_EQ(e.offset, 242);
    EXPECT_EQ(e.dsnOrcpt, "rfc822;alice@example.net");
    EXPECT_EQ(e.status, "4.3.2");
    EXPECT_EQ(e.action, "delayed");
    EXPECT_EQ(e.reason, "deferred transport");
    std::string again = path("again");
    ASSERT_TRUE(appendBounceLog(again, e).ok());
    EXPECT_EQ(slurp(again), real);
}

TEST_F(BounceLogTest, OldStyleOnlyAndPlaceHolders) {
    std::string p = path("OLD");
    write(p,
          "<a@example.com>:   mailbox full\n"
          "\n"
          "<>: null sender\n"
          "\n"
          "status=5.0.0\n"  // no recipient, no reason
          "\n");
    auto got = readBounceLog(p);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 3u);
    EXPECT_EQ((*got)[0].recipient, "a@example.com");
    EXPECT_EQ((*got)[0].reason, "mailbox full");
    EXPECT_EQ((*got)[0].status, "");
    EXPECT_EQ((*got)[1].recipient, "(MAILER-DAEMON)");
    EXPECT_EQ((*got)[2].recipient, "(recipient address unavailable)");
    EXPECT_EQ((*got)[2].reason, "(description unavailable)");
    EXPECT_EQ((*got)[2].status, "5.0.0");
}

TEST_F(BounceLogTest, SkipsGarbageAndSanitizes) {
    std::string p = path("BAD");
    write(p,
          "\n"
          "recipient = spaced@example.com \n"
          "offset=-5\n"
          "notify_flags=99\n"
          "nonsense line without equals\n"
          "unknown_name=x\n"
          "-dash line\n"
          "<unterminated\n"
          "reason=bad\x01"
          "byte\n"
          "\n"
          "recipient=cut@example.com\n"
          "reason=the file ends before the blank line");
    auto got = readBounceLog(p);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].recipient, "spaced@example.com");
    EXPECT_EQ((*got)[0].offset, 0);
    EXPECT_EQ((*got)[0].dsnNotify, 0);
    EXPECT_EQ((*got)[0].reason, "bad?byte");
}

TEST_F(BounceLogTest, Errors) {
    auto missing = readBounceLog(path("nope"));
    ASSERT_FALSE(missing.ok());
    auto st = appendBounceLog(path("nodir/ID"), remoteFailure());
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message.rfind("open file " + path("nodir/ID") + ": ", 0), 0u) << st.error().message;
}

}  // namespace
}  // namespace postline::queue
