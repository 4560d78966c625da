// The mail log's line shape (Postfix's msg_logger.c, as postlogd writes maillog_file),
// maillog_file_prefixes and syslog facilities; a maillog_file sink end to end.
#include "postline/server/mail_log.h"

#include <gtest/gtest.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>

#include "postline/base/files.h"

namespace postline::server {
namespace {

class MailLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    void TearDown() override { base::setMsgSink(nullptr); }
};

TEST_F(MailLogTest, LineShape) {
    std::time_t when = 1733479710;  // 2024-12-06 10:08:30 UTC
    EXPECT_EQ(formatLogLine(when, "mx1.example.com", "postfix/smtpd", 4242, base::Severity::Info,
                            "connect from localhost[127.0.0.1]"),
              "Dec 06 10:08:30 mx1 postfix/smtpd[4242]: connect from localhost[127.0.0.1]");
    EXPECT_EQ(formatLogLine(when, "host", "postfix/submission/smtpd", 7, base::Severity::Warning, "w"),
              "Dec 06 10:08:30 host postfix/submission/smtpd[7]: warning: w");
    EXPECT_EQ(formatLogLine(when, "h", "p/q", 1, base::Severity::Fatal, "f"), "Dec 06 10:08:30 h p/q[1]: fatal: f");
    EXPECT_EQ(formatLogLine(when, "h", "p/q", 1, base::Severity::Error, "e"), "Dec 06 10:08:30 h p/q[1]: error: e");
    EXPECT_EQ(formatLogLine(when, "h", "p/q", 1, base::Severity::Panic, "x"), "Dec 06 10:08:30 h p/q[1]: panic: x");
    // A single-digit day keeps its zero (strftime's %d, as Postfix formats it).
    EXPECT_EQ(formatLogLine(1709280000, "h", "p", 1, base::Severity::Info, "t"), "Mar 01 08:00:00 h p[1]: t");
}

TEST_F(MailLogTest, Prefixes) {
    EXPECT_EQ(maillogPrefixProblem("/var/log/postfix.log", "/var, /dev/stdout"), "");
    EXPECT_EQ(maillogPrefixProblem("/dev/stdout", "/var, /dev/stdout"), "");
    EXPECT_EQ(maillogPrefixProblem("/tmp/log", "/var, /dev/stdout"),
              "maillog_file value '/tmp/log' does not match any prefix in maillog_file_prefixes");
    EXPECT_NE(maillogPrefixProblem("/tmp/log", ""), "");
}

TEST_F(MailLogTest, Facilities) {
    EXPECT_EQ(syslogFacility("mail"), LOG_MAIL);
    EXPECT_EQ(syslogFacility("local7"), LOG_LOCAL7);
    EXPECT_EQ(syslogFacility("bogus"), -1);
}

TEST_F(MailLogTest, FileSink) {
    char dir[] = "/tmp/maillog_testXXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string file = std::string(dir) + "/maillog";
    MailLogSettings settings{"postfix/cleanup", "box.example", file, dir, "mail"};
    ASSERT_TRUE(installMailLog(settings));
    base::msgInfo("one");
    base::msgWarn("two");
    auto text = base::readFile(file);
    ASSERT_TRUE(text);
    std::string pid = std::to_string(::getpid());
    EXPECT_NE(text->find(" box postfix/cleanup[" + pid + "]: one\n"), std::string::npos) << *text;
    EXPECT_NE(text->find(" box postfix/cleanup[" + pid + "]: warning: two\n"), std::string::npos) << *text;
    base::setMsgSink(nullptr);

    settings.file = "/elsewhere/log";
    auto refused = installMailLog(settings);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message,
              "maillog_file value '/elsewhere/log' does not match any prefix in maillog_file_prefixes");
    settings.file = "";
    settings.facility = "nonsense";
    EXPECT_EQ(installMailLog(settings).error().message, "unknown syslog_facility: nonsense");
    ::unlink(file.c_str());
    ::rmdir(dir);
}

}  // namespace
}  // namespace postline::server
