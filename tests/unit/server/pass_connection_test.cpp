// Descriptor passing for "pass" services: what the sender passes (a descriptor and the
// client's endpoints) is what the receiver gets, and a sender that passes nothing is
// an error, not a hang.
#include "postline/server/pass_connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace postline::server {
namespace {

TEST(PassConnection, TheDescriptorAndTheAttributesArrive) {
    int service[2], client[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, service), 0);
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, client), 0);
    queue::attr::Attributes attrs{{"client_address", "192.0.2.10"},
                                  {"client_port", "54321"},
                                  {"server_address", "127.0.0.1"},
                                  {"server_port", "25"}};
    ASSERT_TRUE(sendPassedConnection(service[0], client[1], attrs));
    ::close(client[1]);
    auto got = receivePassedConnection(service[1], 5);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->attributes, attrs);
    // The passed descriptor is the client's end: what the client writes arrives there.
    ASSERT_EQ(::write(client[0], "EHLO x\r\n", 8), 8);
    char buffer[16] = {};
    EXPECT_EQ(::read(got->fd, buffer, sizeof buffer), 8);
    EXPECT_STREQ(buffer, "EHLO x\r\n");
    ::close(got->fd);
    for (int fd : {service[0], service[1], client[0]}) ::close(fd);
}

TEST(PassConnection, NoDescriptorIsAnError) {
    int service[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, service), 0);
    ASSERT_EQ(::write(service[0], "x", 1), 1);  // a byte without a descriptor
    auto got = receivePassedConnection(service[1], 5);
    ASSERT_FALSE(got);
    EXPECT_NE(got.error().message.find("cannot receive file descriptor"), std::string::npos);
    ::close(service[0]);
    auto none = receivePassedConnection(service[1], 1);  // end of file
    EXPECT_FALSE(none);
    ::close(service[1]);
}

}  // namespace
}  // namespace postline::server
