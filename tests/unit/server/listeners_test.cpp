// inet service names and interfaces, listeners on 127.0.0.1 and in a temporary
// directory, triggers; the lock files and the spool layout.
#include "postline/server/listeners.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "postline/server/master_lock.h"
#include "postline/server/socket_address.h"
#include "postline/server/spool_layout.h"

namespace postline::server {
namespace {

std::string scratchDir() {
    char dir[] = "/tmp/server_testXXXXXX";
    EXPECT_NE(::mkdtemp(dir), nullptr);
    return dir;
}

TEST(InetEndpoints, Forms) {
    auto a = inetEndpoints("127.0.0.1:2525", "all", "all");
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(*a, (std::vector<InetEndpoint>{{"127.0.0.1", "2525", AF_INET}}));
    auto b = inetEndpoints("[::1]:2526", "all", "ipv6");
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(*b, (std::vector<InetEndpoint>{{"::1", "2526", AF_INET6}}));
    auto c = inetEndpoints("2527", "127.0.0.1", "ipv4");
    ASSERT_TRUE(c);
    EXPECT_EQ(*c, (std::vector<InetEndpoint>{{"127.0.0.1", "2527", AF_INET}}));
    auto d = inetEndpoints("2528", "all", "all");
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, (std::vector<InetEndpoint>{{"0.0.0.0", "2528", AF_INET}, {"::", "2528", AF_INET6}}));
    auto e = inetEndpoints("2529", "loopback-only", "ipv4");
    ASSERT_TRUE(e);
    EXPECT_EQ(*e, (std::vector<InetEndpoint>{{"127.0.0.1", "2529", AF_INET}}));
    auto f = inetEndpoints("smtp", "127.0.0.1, [::1]", "all");  // a services(5) name, a bracketed address
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(*f, (std::vector<InetEndpoint>{{"127.0.0.1", "25", AF_INET}, {"::1", "25", AF_INET6}}));
    EXPECT_EQ(inetEndpoints("25", "all", "ipv5").error().message, "unknown inet_protocols value: ipv5");
}

TEST(Listeners, InetAcceptsAndTriggers) {
    auto fd = listenInet({"127.0.0.1", "0", AF_INET}, 10);
    ASSERT_TRUE(fd) << fd.error().message;
    PrintableAddress local = localAddress(*fd);
    EXPECT_EQ(local.address, "127.0.0.1");
    ASSERT_TRUE(sendTrigger("inet", "127.0.0.1:" + local.port, "W"));
    pollfd p{*fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 2000), 1);
    int client = ::accept(*fd, nullptr, nullptr);
    ASSERT_GE(client, 0);
    char byte = 0;
    EXPECT_EQ(::read(client, &byte, 1), 1);
    EXPECT_EQ(byte, 'W');
    PrintableAddress peer = peerAddress(client);
    EXPECT_EQ(peer.address, "127.0.0.1");
    EXPECT_FALSE(peer.port.empty());
    ::close(client);
    // The same address again while it listens: Postfix's bind error.
    auto again = listenInet({"127.0.0.1", local.port, AF_INET}, 10);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, "bind 127.0.0.1 port " + local.port + ": Address already in use");
    ::close(*fd);
}

TEST(Listeners, UnixAndFifo) {
    std::string dir = scratchDir();
    auto sock = listenUnix(dir + "/cleanup", 10);
    ASSERT_TRUE(sock) << sock.error().message;
    struct stat st;
    ASSERT_EQ(::stat((dir + "/cleanup").c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0666u);
    ASSERT_TRUE(sendTrigger("unix", dir + "/cleanup", "W"));
    ::close(*sock);

    auto fifo = listenFifo(dir + "/pickup");
    ASSERT_TRUE(fifo) << fifo.error().message;
    ASSERT_EQ(::stat((dir + "/pickup").c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0622u);
    ASSERT_TRUE(sendTrigger("fifo", dir + "/pickup", "W"));
    char byte = 0;
    EXPECT_EQ(::read(*fifo, &byte, 1), 1);
    EXPECT_EQ(byte, 'W');
    ::close(*fifo);
    EXPECT_FALSE(sendTrigger("unix", dir + "/nothing", "W"));
    std::string cmd = "rm -rf " + dir;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(MasterLock, OneHolder) {
    std::string dir = scratchDir();
    ASSERT_EQ(::mkdir((dir + "/pid").c_str(), 0755), 0);
    EXPECT_FALSE(runningMaster(dir));  // no pid file
    auto lock = acquireMasterLock(dir + "/pid/master.pid");
    ASSERT_TRUE(lock) << lock.error().message;
    auto text = std::string(33, ' ');
    // The pid, right-aligned in 32 columns, as Postfix writes it.
    FILE* f = std::fopen((dir + "/pid/master.pid").c_str(), "r");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fread(text.data(), 1, 33, f), 33u);
    std::fclose(f);
    EXPECT_EQ(std::stol(text), ::getpid());
    EXPECT_EQ(text[0], ' ');
    EXPECT_EQ(text[32], '\n');
    // flock locks belong to the open file: a second open in this process is refused too.
    auto second = acquireMasterLock(dir + "/pid/master.pid");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message, "open lock file " + dir +
                                          "/pid/master.pid: unable to set exclusive lock: Resource temporarily "
                                          "unavailable");
    EXPECT_EQ(runningMaster(dir), ::getpid());
    ::close(*lock);
    EXPECT_FALSE(runningMaster(dir));
    std::string cmd = "rm -rf " + dir;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(SpoolLayout, ModesAndRepair) {
    std::string dir = scratchDir();
    std::string queue = dir + "/spool";
    ASSERT_TRUE(makeSpoolLayout(queue, {}, false));
    struct stat st;
    for (const SpoolDirectory& d : spoolDirectories()) {
        ASSERT_EQ(::stat((queue + "/" + d.name).c_str(), &st), 0) << d.name;
        EXPECT_EQ(st.st_mode & 07777, d.mode) << d.name;
    }
    ASSERT_EQ(::stat((queue + "/maildrop").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0730u);
    ASSERT_EQ(::chmod((queue + "/public").c_str(), 0777), 0);
    ASSERT_TRUE(makeSpoolLayout(queue, {}, false));  // create-missing leaves existing ones alone
    ASSERT_EQ(::stat((queue + "/public").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0777u);
    ASSERT_TRUE(makeSpoolLayout(queue, {}, true));  // set-permissions repairs them
    ASSERT_EQ(::stat((queue + "/public").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0710u);
    std::string cmd = "rm -rf " + dir;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace postline::server
