// The status channel's frames: encoding, reassembly across reads, resynchronisation.
#include "postline/server/master_status.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace postline::server {
namespace {

TEST(MasterStatus, Encoding) {
    std::string frame = encodeStatus({0x01020304, 7, Availability::Available});
    ASSERT_EQ(frame.size(), kStatusMessageSize);
    EXPECT_EQ(frame, std::string("PLST\x01\x02\x03\x04\x00\x00\x00\x07\x01", 13));
    EXPECT_EQ(encodeStatus({5, 0, Availability::Taken}).back(), '\0');
}

TEST(MasterStatus, ReassemblesAcrossReads) {
    std::string bytes = encodeStatus({100, 1, Availability::Taken}) + encodeStatus({101, 2, Availability::Available});
    StatusDecoder decoder;
    for (char c : bytes) decoder.feed(std::string_view(&c, 1));
    auto first = decoder.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->pid, 100);
    EXPECT_EQ(first->generation, 1u);
    EXPECT_EQ(first->availability, Availability::Taken);
    auto second = decoder.next();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->pid, 101);
    EXPECT_EQ(second->availability, Availability::Available);
    EXPECT_FALSE(decoder.next());
    EXPECT_EQ(decoder.garbage(), 0u);
}

TEST(MasterStatus, PartialFrameWaits) {
    std::string frame = encodeStatus({9, 3, Availability::Available});
    StatusDecoder decoder;
    decoder.feed(frame.substr(0, 12));
    EXPECT_FALSE(decoder.next());
    decoder.feed(frame.substr(12));
    EXPECT_TRUE(decoder.next());
}

TEST(MasterStatus, Resynchronises) {
    StatusDecoder decoder;
    std::string bad = encodeStatus({1, 1, Availability::Taken});
    bad[12] = 5;  // not an availability
    decoder.feed("xyz" + bad + encodeStatus({2, 1, Availability::Available}));
    auto message = decoder.next();
    ASSERT_TRUE(message);
    EXPECT_EQ(message->pid, 2);
    EXPECT_EQ(decoder.garbage(), 3u + 13u);
}

TEST(MasterStatus, SendOverSocket) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    EXPECT_TRUE(sendStatus(pair[1], {42, 4, Availability::Taken}));
    char buffer[64];
    ssize_t n = ::read(pair[0], buffer, sizeof buffer);
    ASSERT_EQ(n, 13);
    StatusDecoder decoder;
    decoder.feed(std::string_view(buffer, size_t(n)));
    EXPECT_EQ(decoder.next()->pid, 42);
    ::close(pair[0]);
    EXPECT_FALSE(sendStatus(pair[1], {42, 4, Availability::Available}));  // master gone
    ::close(pair[1]);
}

}  // namespace
}  // namespace postline::server
