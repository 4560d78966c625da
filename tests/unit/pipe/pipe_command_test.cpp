// The delivery command's run (pipe_command.c, sys_exits.c) with /bin/sh scripts in a
// temporary directory: the message on stdin, the clean environment, exit statuses 0,
// 75, 67 and others, "D.S.N text" output, signals, the time limit, a missing program.
#include "pipe_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "address/address_test_util.h"

namespace postline::pipe {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class PipeCommandTest : public ::testing::Test {
protected:
    CommandSpec sh(const std::string& script) {
        CommandSpec spec;
        spec.argv = {"/bin/sh", "-c", script, "sh"};
        spec.input = "Subject: hi\n\nbody\n";
        spec.timeLimit = 20;
        return spec;
    }
    address::testing::TempDir dir_;
};

TEST_F(PipeCommandTest, ExitZeroIsDeliveredAndGetsTheMessage) {
    std::string out = (dir_.path / "out").string();
    CommandResult r = runCommand(sh("cat > " + out + "; echo done"));
    EXPECT_EQ(r.status, CommandStatus::Ok);
    EXPECT_EQ(r.output, "done ");
    EXPECT_EQ(readFile(out), "Subject: hi\n\nbody\n");
}

TEST_F(PipeCommandTest, TempfailDefersWithItsOutput) {
    CommandResult r = runCommand(sh("cat >/dev/null; echo 'try later'; exit 75"));
    EXPECT_EQ(r.status, CommandStatus::Defer);
    EXPECT_EQ(r.dsn.status, "4.3.0");
    EXPECT_EQ(r.dsn.reason, "temporary failure. Command output: try later ");
    EXPECT_EQ(r.dsn.dtype, "x-unix");
    EXPECT_EQ(r.dsn.dtext, "try later ");
    // Without output, the text alone.
    r = runCommand(sh("exit 75"));
    EXPECT_EQ(r.dsn.reason, "temporary failure");
    EXPECT_EQ(r.dsn.dtext, "temporary failure");
}

TEST_F(PipeCommandTest, NoUserBounces) {
    CommandResult r = runCommand(sh("exit 67"));
    EXPECT_EQ(r.status, CommandStatus::Bounce);
    EXPECT_EQ(r.dsn.status, "5.1.1");
    EXPECT_EQ(r.dsn.reason, "user unknown");
}

TEST_F(PipeCommandTest, StatusIsCollectedEvenWhenChildrenAreIgnored) {
    struct sigaction ignore {
    }, saved{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGCHLD, &ignore, &saved);
    CommandResult r = runCommand(sh("exit 67"));
    struct sigaction after {};
    ::sigaction(SIGCHLD, &saved, &after);
    EXPECT_EQ(r.dsn.status, "5.1.1");
    EXPECT_EQ(after.sa_handler, SIG_IGN);  // put back as it was
}

TEST_F(PipeCommandTest, OtherStatusesDieWithStatus) {
    CommandResult r = runCommand(sh("echo 'no such\tfolder'; exit 1"));
    EXPECT_EQ(r.status, CommandStatus::Bounce);
    EXPECT_EQ(r.dsn.status, "5.3.0");
    EXPECT_EQ(r.dsn.reason, "Command died with status 1: \"/bin/sh\". Command output: no such folder ");
    r = runCommand(sh("exit 3"));
    EXPECT_EQ(r.dsn.reason, "Command died with status 3: \"/bin/sh\"");
    EXPECT_EQ(r.dsn.dtext, "unknown mail system error 3");
}

TEST_F(PipeCommandTest, DsnOutputDecides) {
    CommandResult r = runCommand(sh("echo '4.2.2 mailbox full'; exit 1"));
    EXPECT_EQ(r.status, CommandStatus::Defer);
    EXPECT_EQ(r.dsn.status, "4.2.2");
    EXPECT_EQ(r.dsn.reason, "mailbox full ");
    r = runCommand(sh("echo '5.7.1 go away'; exit 75"));
    EXPECT_EQ(r.status, CommandStatus::Bounce);
    EXPECT_EQ(r.dsn.status, "5.7.1");
    // Not a status: the exit status decides.
    r = runCommand(sh("echo '4.2.2x full'; exit 67"));
    EXPECT_EQ(r.dsn.status, "5.1.1");
}

TEST_F(PipeCommandTest, SignalDefers) {
    CommandResult r = runCommand(sh("kill -9 $$"));
    EXPECT_EQ(r.status, CommandStatus::Defer);
    EXPECT_EQ(r.dsn.status, "4.3.0");
    EXPECT_EQ(r.dsn.reason, "Command died with signal 9: \"/bin/sh\"");
    EXPECT_EQ(r.dsn.dtext, "internal software error");
}

TEST_F(PipeCommandTest, TimeLimitBouncesAndKillsTheGroup) {
    std::string pidFile = (dir_.path / "pid").string();
    CommandSpec spec = sh("sleep 30 & echo $! > " + pidFile + "; echo waiting; wait");
    spec.timeLimit = 1;
    auto start = std::chrono::steady_clock::now();
    CommandResult r = runCommand(spec);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::seconds(5));
    EXPECT_EQ(r.status, CommandStatus::Bounce);
    EXPECT_EQ(r.dsn.status, "5.3.0");
    EXPECT_EQ(r.dsn.reason, "Command time limit exceeded: \"/bin/sh\". Command output: waiting ");
    // The background sleep was in the command's process group and is gone too.
    // (Orphaned, it may linger as a zombie until its new parent reaps it.)
    std::string stat = "/proc/" + readFile(pidFile).substr(0, readFile(pidFile).find('\n')) + "/stat";
    auto alive = [&] {
        std::string s = readFile(stat);
        size_t paren = s.rfind(')');
        return !s.empty() && paren != std::string::npos && s.compare(paren + 2, 1, "Z") != 0;
    };
    for (int i = 0; i < 100 && alive(); ++i) ::usleep(10000);
    EXPECT_FALSE(alive());
}

TEST_F(PipeCommandTest, CommandThatStopsReadingIsStillDelivered) {
    // EPIPE on the message is no failure when the command exits 0 (pipe_command.c).
    CommandSpec spec = sh("exit 0");
    spec.input = std::string(1 << 20, 'x');
    CommandResult r = runCommand(spec);
    EXPECT_EQ(r.status, CommandStatus::Ok);
}

TEST_F(PipeCommandTest, EnvironmentIsCleanAndNoShellIsInvolved) {
    ::setenv("POSTLINE_SECRET", "1", 1);
    ::setenv("TZ", "UTC", 1);
    std::string out = (dir_.path / "env").string();
    CommandSpec spec;
    spec.argv = {"env"};  // found through PATH=/usr/bin:/bin
    spec.exportEnvironment = {"TZ", "MAIL_CONFIG", "LANG", "EXTRA=x y", "PATH"};
    spec.directory = dir_.path.string();
    spec.timeLimit = 20;
    CommandResult r = runCommand(spec);
    EXPECT_EQ(r.status, CommandStatus::Ok);
    std::string env = r.output;
    EXPECT_NE(env.find("TZ=UTC "), std::string::npos) << env;
    EXPECT_NE(env.find("EXTRA=x y "), std::string::npos) << env;
    EXPECT_NE(env.find("PATH=/usr/bin:/bin "), std::string::npos) << env;
    EXPECT_EQ(env.find("POSTLINE_SECRET"), std::string::npos) << env;
    ::unsetenv("POSTLINE_SECRET");
    (void)out;

    // $ and spaces reach the program as they are.
    spec.argv = {"/bin/echo", "$HOME", "a  b"};
    r = runCommand(spec);
    EXPECT_EQ(r.output, "$HOME a  b ");
}

TEST_F(PipeCommandTest, MissingProgramIsTemporary) {
    CommandSpec spec;
    spec.argv = {"/nonexistent/program"};
    spec.timeLimit = 20;
    CommandResult r = runCommand(spec);
    EXPECT_EQ(r.status, CommandStatus::Defer);
    EXPECT_EQ(r.dsn.status, "4.3.0");
    EXPECT_EQ(r.dsn.reason,
              "temporary failure. Command output: pipe: fatal: pipe_command: execvp /nonexistent/program: No such "
              "file or directory ");
    spec.argv = {"/bin/true"};
    spec.directory = "/nonexistent";
    r = runCommand(spec);
    EXPECT_EQ(r.status, CommandStatus::Defer);
    EXPECT_NE(r.dsn.reason.find("cannot change directory to \"/nonexistent\""), std::string::npos) << r.dsn.reason;
}

TEST_F(PipeCommandTest, UnprintableOutputIsReplaced) {
    CommandResult r = runCommand(sh("printf 'a\\001b\\303\\251c\\377'; exit 1"));
    EXPECT_EQ(r.dsn.reason,
              "Command died with status 1: \"/bin/sh\". Command output: a_b\xc3\xa9"
              "c_");
}

TEST_F(PipeCommandTest, RunsAsTheUserWhenRoot) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    CommandSpec spec = sh("id -u; id -g; id -G");
    spec.switchUser = true;
    spec.uid = 5000;
    spec.gid = 5001;
    CommandResult r = runCommand(spec);
    EXPECT_EQ(r.status, CommandStatus::Ok);
    EXPECT_EQ(r.output, "5000 5001 5001 ");
    EXPECT_EQ(::geteuid(), 0u);
}

TEST_F(PipeCommandTest, FromMailOwnerTheCommandIsStillRunAndKilled) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    // Started by root, the daemon works as mail_owner (here 5002): the child takes
    // root back to become the user, and a command past its time limit is killed.
    CommandSpec spec = sh("id -u; sleep 30");
    spec.switchUser = true;
    spec.uid = 5000;
    spec.gid = 5000;
    spec.timeLimit = 1;
    ASSERT_EQ(::setegid(5002), 0);
    ASSERT_EQ(::seteuid(5002), 0);
    auto start = std::chrono::steady_clock::now();
    CommandResult r = runCommand(spec);
    auto took = std::chrono::steady_clock::now() - start;
    uid_t after = ::geteuid();
    ASSERT_EQ(::seteuid(0), 0);
    ASSERT_EQ(::setegid(0), 0);
    EXPECT_EQ(after, 5002u);
    EXPECT_LT(took, std::chrono::seconds(5));
    EXPECT_EQ(r.status, CommandStatus::Bounce);
    EXPECT_EQ(r.dsn.reason, "Command time limit exceeded: \"/bin/sh\". Command output: 5000 ");
}

TEST(SysExits, Table) {
    EXPECT_EQ(sysExitDetail(64).text, "command line usage error");
    EXPECT_EQ(sysExitDetail(73).dsn, "5.2.0");
    EXPECT_EQ(sysExitDetail(78).text, "local configuration error");
    EXPECT_EQ(sysExitDetail(79).text, "unknown mail system error 79");
    EXPECT_EQ(sysExitDetail(79).dsn, "5.3.0");
}

}  // namespace
}  // namespace postline::pipe
