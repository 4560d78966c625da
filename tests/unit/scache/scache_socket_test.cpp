// scache(8) over a real UNIX-domain socket pair: the server side is ClientConnection
// (recvmsg() reads, the output queue), the client side does what Postfix's
// scache_clnt.c does with the attribute protocol and SCM_RIGHTS descriptor passing.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "postline/base/msg.h"
#include "postline/queue/attr_stream.h"
#include "postline/server/fd_passing.h"
#include "scache_io.h"

namespace postline::scache {
namespace {

namespace attr = queue::attr;

std::string request(const attr::Attributes& attributes) {
    std::string out;
    for (const auto& [name, value] : attributes) attr::append(out, name, value);
    attr::appendEnd(out);
    return out;
}

// True once every write end of the pipe whose read end is `readEnd` is closed.
bool pipeClosed(int readEnd) {
    char c;
    return ::read(readEnd, &c, 1) == 0;
}

class SocketPair : public ::testing::Test {
protected:
    void SetUp() override {
        base::setMsgSink([](base::Severity, std::string_view) {});
        int fds[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        client = fds[0];
        ASSERT_EQ(::fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
        server = std::make_unique<ClientConnection>(fds[1], service);
        ASSERT_TRUE(server->flush());
        int p[2];
        ASSERT_EQ(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        pipeRead = p[0];
        pipeWrite = p[1];
    }
    void TearDown() override {
        server.reset();
        ::close(client);
        ::close(pipeRead);
        if (pipeWrite >= 0) ::close(pipeWrite);
        base::setMsgSink(nullptr);
    }
    // The client sends bytes; the server reads and answers them.
    void send(const std::string& bytes) {
        ASSERT_TRUE(attr::writeAll(client, bytes));
        ASSERT_TRUE(server->onReadable(1000));
        ASSERT_TRUE(server->flush());
    }
    attr::Attributes receive() {
        auto group = attr::readGroup(client, pending);
        EXPECT_TRUE(group) << group.error().message;
        return group ? *group : attr::Attributes{};
    }

    CacheService service{2, 1000};
    std::unique_ptr<ClientConnection> server;
    int client = -1;
    int pipeRead = -1, pipeWrite = -1;
    std::string pending;
};

TEST_F(SocketPair, SavesAndHandsBackARealDescriptor) {
    EXPECT_EQ(receive(), (attr::Attributes{{"protocol", "connection_cache_protocol"}}));

    // save_endp: request, {dummy}, the descriptor with its NUL byte, {status}.
    send(request({{"request", "save_endp"}, {"ttl", "2"}, {"label", "192.0.2.1:25"}, {"property", "eprop"}}));
    EXPECT_EQ(receive(), (attr::Attributes{{"dummy", ""}}));
    ASSERT_TRUE(server::sendDescriptor(client, pipeWrite));
    ::close(pipeWrite);  // the client closes its copy after saving, as scache_clnt does
    pipeWrite = -1;
    ASSERT_TRUE(server->onReadable(1000));
    ASSERT_TRUE(server->flush());
    EXPECT_EQ(receive(), (attr::Attributes{{"status", "0"}}));
    EXPECT_EQ(service.cache().size().connections, 1);
    EXPECT_FALSE(pipeClosed(pipeRead));  // the server holds it

    // find_endp: {status, property}, the client's {dummy}, the descriptor, {dummy}.
    send(request({{"request", "find_endp"}, {"label", "192.0.2.1:25"}}));
    EXPECT_EQ(receive(), (attr::Attributes{{"status", "0"}, {"property", "eprop"}}));
    ASSERT_TRUE(pending.empty());  // nothing read past the reply
    send(request({{"dummy", ""}}));
    auto fd = server::receiveDescriptor(client, 5);
    ASSERT_TRUE(fd) << fd.error().message;
    send(request({{"dummy", ""}}));
    EXPECT_FALSE(server->busy());
    EXPECT_EQ(service.cache().size().connections, 0);

    // It is the same pipe, and the server kept no copy of it.
    ASSERT_EQ(::write(*fd, "y", 1), 1);
    char c = 0;
    ASSERT_EQ(::read(pipeRead, &c, 1), 1);
    EXPECT_EQ(c, 'y');
    ::close(*fd);
    EXPECT_TRUE(pipeClosed(pipeRead));

    // A miss, then the client goes away.
    send(request({{"request", "find_endp"}, {"label", "192.0.2.1:25"}}));
    EXPECT_EQ(receive(), (attr::Attributes{{"status", "2"}, {"property", ""}}));
    ::shutdown(client, SHUT_WR);
    EXPECT_FALSE(server->onReadable(1000));
}

TEST_F(SocketPair, DescriptorsNobodyAskedForAreClosed) {
    receive();  // hello
    // One descriptor out of turn.
    ASSERT_TRUE(server::sendDescriptor(client, pipeWrite));
    // Two at once, in one SCM_RIGHTS message.
    int two[2] = {pipeWrite, pipeWrite};
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof two)]{};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof two);
    std::memcpy(CMSG_DATA(c), two, sizeof two);
    ASSERT_EQ(::sendmsg(client, &msg, MSG_NOSIGNAL), 1);
    ::close(pipeWrite);
    pipeWrite = -1;
    // Each recvmsg() returns at most one descriptor message.
    ASSERT_TRUE(server->onReadable(1000));
    ASSERT_TRUE(server->onReadable(1000));
    EXPECT_TRUE(pipeClosed(pipeRead));
    // The carrier bytes were not taken for the end of a group.
    send(request({{"request", "find_dest"}, {"label", "example.com"}}));
    EXPECT_EQ(receive(), (attr::Attributes{{"status", "2"}, {"property", ""}, {"property", ""}}));
}

}  // namespace
}  // namespace postline::scache
