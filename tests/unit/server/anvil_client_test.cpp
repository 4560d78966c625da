// anvil(8)'s client against a server played by a thread: the announcement, the
// request, the reply's numbers, and one new connection after the old one broke.
#include "postline/server/anvil_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

namespace postline::server {
namespace {

std::string group(const queue::attr::Attributes& attrs) {
    std::string out;
    for (const auto& [n, v] : attrs) queue::attr::plain::append(out, n, v);
    queue::attr::plain::appendEnd(out);
    return out;
}

TEST(AnvilClient, IdentityMasksNonPrintableCharacters) {
    EXPECT_EQ(AnvilClient::identity("smtp", "192.0.2.1"), "smtp:192.0.2.1");
    EXPECT_EQ(AnvilClient::identity("smtp", "a\nb"), "smtp:a?b");
}

TEST(AnvilClient, AsksAndReconnectsOnceAfterABrokenConnection) {
    char dir[] = "/tmp/anvil_client_test.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string path = std::string(dir) + "/anvil";
    int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener, 4), 0);
    std::vector<queue::attr::Attributes> seen;
    std::thread server([&] {
        // First connection: answers one request, then breaks. Second: answers two.
        for (int conn = 0; conn < 2; ++conn) {
            int fd = ::accept(listener, nullptr, nullptr);
            std::string pending;
            (void)queue::attr::writeAll(fd, group({{"protocol", "anvil_protocol"}}));
            for (int i = 0; i < conn + 1; ++i) {
                auto request = queue::attr::plain::readGroup(fd, pending);
                if (!request) break;
                seen.push_back(*request);
                (void)queue::attr::writeAll(
                    fd, group((*request)[0].second == "connect"
                                  ? queue::attr::Attributes{{"status", "0"}, {"count", "3"}, {"rate", "5"}}
                                  : queue::attr::Attributes{{"status", "0"}, {"rate", "7"}}));
            }
            ::close(fd);
        }
    });
    AnvilClient client(path, 5);
    auto c = client.connect("smtp", "192.0.2.1");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->count, 3);
    EXPECT_EQ(c->rate, 5);
    auto m = client.message("smtp", "192.0.2.1");  // the old connection is gone: a new one
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(*m, 7);
    auto r = client.recipient("smtp", "192.0.2.1");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, 7);
    server.join();
    ::close(listener);
    ASSERT_GE(seen.size(), 3u);
    EXPECT_EQ(seen[0], (queue::attr::Attributes{{"request", "connect"}, {"ident", "smtp:192.0.2.1"}}));
    EXPECT_EQ(seen.back(), (queue::attr::Attributes{{"request", "recipient"}, {"ident", "smtp:192.0.2.1"}}));
    std::filesystem::remove_all(dir);
}

TEST(AnvilClient, NoServerIsAnError) {
    AnvilClient client("/nonexistent/anvil", 1);
    auto c = client.connect("smtp", "192.0.2.1");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("anvil: connect to /nonexistent/anvil"), std::string::npos);
}

}  // namespace
}  // namespace postline::server
