// runDaemon under a make-believe master: a child process gets a listening UNIX-domain
// socket at fd 6 and the status channel at fd 5, as master gives them; the test is
// the client and master (reads the busy/idle reports, closes the channel), and
// switches in a new compiled generation between two clients (hot reload).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "postline/artifact/compiler.h"
#include "postline/base/files.h"
#include "postline/server/daemon.h"
#include "postline/server/listeners.h"
#include "postline/server/master_status.h"

namespace postline::server {
namespace {

class RunDaemonTest : public ::testing::Test {
protected:
    void SetUp() override {
        char dir[] = "/tmp/run_daemon_testXXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        dir_ = dir;
        ASSERT_EQ(::mkdir((dir_ + "/conf").c_str(), 0755), 0);
        ASSERT_EQ(::mkdir((dir_ + "/spool").c_str(), 0755), 0);
        writeConfig("first.example");
        ASSERT_TRUE(base::writeFileAtomically(dir_ + "/conf/master.cf", "echo unix n - n - 1 echo\n"));
        compile();
    }
    void TearDown() override {
        std::string cmd = "rm -rf " + dir_;
        EXPECT_EQ(std::system(cmd.c_str()), 0);
    }

    void writeConfig(const std::string& hostname) {
        ASSERT_TRUE(base::writeFileAtomically(
            dir_ + "/conf/main.cf", "myhostname = " + hostname + "\nalias_maps =\nqueue_directory = " + dir_ +
                                        "/spool\nmaillog_file = " + dir_ + "/maillog\nmaillog_file_prefixes = " + dir_ +
                                        "\nmax_idle = 30s\n"));
    }
    void compile() {
        artifact::CompileOptions options;
        options.configDir = dir_ + "/conf";
        options.outDir = dir_ + "/conf/compiled";
        options.toolVersion = "test";
        auto summary = artifact::compile(options);
        ASSERT_TRUE(summary) << summary.error().message;
    }

    // Starts runDaemon in a child as master would; returns its pid.
    pid_t startDaemon(std::vector<std::string> args) {
        auto listener = listenUnix(dir_ + "/spool/echo", 10);
        EXPECT_TRUE(listener);
        return startWith(*listener, std::move(args), echoDaemon());
    }

    static Daemon echoDaemon() {
        Daemon daemon;
        daemon.program = "echo";
        daemon.serveClient = [](Connection& connection, const DaemonConfig& config) {
            char buffer[64];
            ssize_t n = ::read(connection.inFd, buffer, sizeof buffer);
            std::string reply = config.get("myhostname") + " " + config.options().serviceName + " " +
                                config.get("process_name") + " " + std::to_string(config.getSeconds("max_idle")) + " " +
                                (connection.unixDomain ? "unix" : "inet") + " " +
                                std::string(buffer, size_t(n > 0 ? n : 0));
            ssize_t ignored = ::write(connection.outFd, reply.data(), reply.size());
            (void)ignored;
        };
        return daemon;
    }

    // A trigger daemon that writes each request it gets to the file "requests".
    Daemon recordingDaemon() {
        Daemon daemon;
        daemon.program = "pickup";
        std::string file = dir_ + "/requests";
        daemon.onTrigger = [file](std::string_view request, const DaemonConfig& config) {
            FILE* f = std::fopen(file.c_str(), "a");
            std::fprintf(f, "%s %.*s\n", config.get("myhostname").c_str(), int(request.size()), request.data());
            std::fclose(f);
        };
        return daemon;
    }

    pid_t startWith(int listener, std::vector<std::string> args, Daemon daemon) {
        int pair[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
        pid_t pid = ::fork();
        if (pid == 0) {
            ::close(pair[0]);  // master's end stays with master only (close-on-exec there)
            ::dup2(pair[1], kMasterStatusFd);
            ::dup2(listener, kMasterListenFd);
            int null = ::open("/dev/null", O_RDONLY);
            ::dup2(null, STDIN_FILENO);
            ::setenv("MAIL_CONFIG", (dir_ + "/conf").c_str(), 1);
            ::setenv("GENERATION", "3", 1);
            std::vector<char*> argv;
            for (std::string& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::_exit(runDaemon(int(argv.size() - 1), argv.data(), daemon));
        }
        ::close(pair[1]);
        ::close(listener);
        status_ = pair[0];
        return pid;
    }

    std::string ask(const std::string& text) {
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::string path = dir_ + "/spool/echo";
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        EXPECT_EQ(::write(fd, text.data(), text.size()), ssize_t(text.size()));
        std::string reply;
        char buffer[256];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0) reply.append(buffer, size_t(n));
        ::close(fd);
        return reply;
    }

    std::vector<StatusMessage> statusMessages(size_t count) {
        std::vector<StatusMessage> out;
        while (out.size() < count) {
            while (auto m = decoder_.next()) out.push_back(*m);
            if (out.size() >= count) break;
            char buffer[64];
            ssize_t n = ::read(status_, buffer, sizeof buffer);
            if (n <= 0) break;
            decoder_.feed(std::string_view(buffer, size_t(n)));
        }
        return out;
    }

    int waitExit(pid_t pid) {
        int status = 0;
        EXPECT_EQ(::waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    std::string dir_;
    int status_ = -1;
    StatusDecoder decoder_;
};

TEST_F(RunDaemonTest, ServesReportsRetiresAndReloads) {
    pid_t pid = startDaemon({"echo", "-t", "unix", "-n", "echo-service", "-o", "max_use = 2"});
    EXPECT_EQ(ask("hello"), "first.example echo-service echo 30 unix hello");
    auto first = statusMessages(2);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].pid, pid);
    EXPECT_EQ(first[0].generation, 3u);
    EXPECT_EQ(first[0].availability, Availability::Taken);
    EXPECT_EQ(first[1].availability, Availability::Available);

    // A new generation is switched in: the next client gets it.
    writeConfig("second.example");
    compile();
    EXPECT_EQ(ask("again"), "second.example echo-service echo 30 unix again");
    EXPECT_EQ(statusMessages(2).size(), 2u);
    // max_use = 2: the process retires.
    EXPECT_EQ(waitExit(pid), 0);
    ::close(status_);
}

TEST_F(RunDaemonTest, ExitsWhenMasterGoes) {
    pid_t pid = startDaemon({"echo", "-t", "unix"});
    EXPECT_EQ(ask("x"), "first.example echo echo 30 unix x");
    std::time_t closed = std::time(nullptr);
    ::close(status_);  // master closed the status channel (reload or stop)
    EXPECT_EQ(waitExit(pid), 0);
    EXPECT_LT(std::time(nullptr) - closed, 10);  // at once, not after max_idle (30s)
}

TEST_F(RunDaemonTest, IdleTimeout) {
    pid_t pid = startDaemon({"echo", "-t", "unix", "-i", "1"});
    EXPECT_EQ(waitExit(pid), 0);
    ::close(status_);
}

TEST_F(RunDaemonTest, BadCommandLineIsFatalInTheLog) {
    pid_t pid = startDaemon({"echo", "-t", "unix", "-o", "nonsense"});
    EXPECT_EQ(waitExit(pid), 1);
    ::close(status_);
    auto log = base::readFile(dir_ + "/maillog");
    ASSERT_TRUE(log);
    EXPECT_NE(log->find(" first postfix/echo["), std::string::npos) << *log;
    EXPECT_NE(log->find("]: fatal: invalid \"-o nonsense\" option value: missing '=' after attribute name\n"),
              std::string::npos)
        << *log;
}

// Waits until FILE has `lines` lines; returns its contents.
std::string waitForLines(const std::string& file, size_t lines) {
    for (int i = 0; i < 100; ++i) {
        auto text = base::readFile(file);
        if (text && size_t(std::count(text->begin(), text->end(), '\n')) >= lines) return *text;
        ::usleep(50000);
    }
    auto text = base::readFile(file);
    return text ? *text : "";
}

TEST_F(RunDaemonTest, TriggersOnAFifo) {
    auto fifo = listenFifo(dir_ + "/spool/pickup");
    ASSERT_TRUE(fifo);
    pid_t pid = startWith(*fifo, {"pickup", "-t", "fifo", "-l"}, recordingDaemon());
    ASSERT_TRUE(sendTrigger("fifo", dir_ + "/spool/pickup", "W"));
    EXPECT_EQ(waitForLines(dir_ + "/requests", 1), "first.example W\n");
    auto reports = statusMessages(2);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0].availability, Availability::Taken);
    EXPECT_EQ(reports[1].availability, Availability::Available);
    ::close(status_);
    EXPECT_EQ(waitExit(pid), 0);
}

TEST_F(RunDaemonTest, TriggersOnAUnixSocket) {
    auto listener = listenUnix(dir_ + "/spool/pickup", 10);
    ASSERT_TRUE(listener);
    pid_t pid = startWith(*listener, {"pickup", "-t", "unix", "-l"}, recordingDaemon());
    ASSERT_TRUE(sendTrigger("unix", dir_ + "/spool/pickup", "W"));
    EXPECT_EQ(waitForLines(dir_ + "/requests", 1), "first.example W\n");
    writeConfig("second.example");
    compile();
    ASSERT_TRUE(sendTrigger("unix", dir_ + "/spool/pickup", "F"));
    EXPECT_EQ(waitForLines(dir_ + "/requests", 2), "first.example W\nsecond.example F\n");
    ::close(status_);
    EXPECT_EQ(waitExit(pid), 0);
}

TEST_F(RunDaemonTest, StandAlone) {
    // -S: one client on stdin/stdout; a UNIX-domain peer stands for 127.0.0.1.
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pair[1], STDIN_FILENO);
        ::dup2(pair[1], STDOUT_FILENO);
        ::setenv("MAIL_CONFIG", (dir_ + "/conf").c_str(), 1);
        Daemon daemon;
        daemon.program = "smtpd";
        daemon.serveClient = [](Connection& connection, const DaemonConfig& config) {
            std::string reply = connection.clientAddress + " " + config.options().serviceName + "\n";
            ssize_t ignored = ::write(connection.outFd, reply.data(), reply.size());
            (void)ignored;
        };
        char arg0[] = "smtpd", arg1[] = "-S";
        char* argv[] = {arg0, arg1, nullptr};
        ::_exit(runDaemon(2, argv, daemon));
    }
    ::close(pair[1]);
    char buffer[128];
    ssize_t n = ::read(pair[0], buffer, sizeof buffer);
    EXPECT_EQ(std::string(buffer, size_t(n > 0 ? n : 0)), "127.0.0.1 smtpd\n");
    ::close(pair[0]);
    EXPECT_EQ(waitExit(pid), 0);
}

}  // namespace
}  // namespace postline::server
