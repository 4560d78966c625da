// Tests of namadr-style matching (mynetworks): networks, addresses, names, tables.
#include "postline/address/host_address_list.h"

#include <gtest/gtest.h>

namespace postline::address {
namespace {

TEST(HostAddressList, Networks) {
    auto l = HostAddressList::create("mynetworks", "127.0.0.0/8, [::1]/128 192.0.2.0/24 [2001:db8::]/32", false, 0);
    EXPECT_TRUE(l.match("unknown", "127.0.0.1").matched);
    EXPECT_TRUE(l.match("unknown", "192.0.2.77").matched);
    EXPECT_FALSE(l.match("unknown", "192.0.3.1").matched);
    EXPECT_TRUE(l.match("unknown", "::1").matched);
    EXPECT_TRUE(l.match("unknown", "2001:db8:1::5").matched);
    EXPECT_FALSE(l.match("unknown", "2001:db9::5").matched);
    EXPECT_EQ(l.match("unknown", "192.0.2.77").pattern, "192.0.2.0/24");
}

TEST(HostAddressList, NamesNegationAndAddresses) {
    auto l = HostAddressList::create("mynetworks", "!192.0.2.9 192.0.2.0/24 [198.51.100.1] .example.net", false, 0);
    EXPECT_FALSE(l.match("unknown", "192.0.2.9").matched);
    EXPECT_EQ(l.match("unknown", "192.0.2.9").pattern, "!192.0.2.9");
    EXPECT_TRUE(l.match("unknown", "198.51.100.1").matched);
    EXPECT_TRUE(l.match("mail.example.net", "203.0.113.1").matched);
    EXPECT_FALSE(l.match("example.net", "203.0.113.1").matched);
    auto parent = HostAddressList::create("mynetworks", "example.net", true, 0);
    EXPECT_TRUE(parent.match("mail.Example.NET", "203.0.113.1").matched);
}

TEST(HostAddressList, Tables) {
    auto l = HostAddressList::create("mynetworks", "cidr:{ {10.0.0.0/8 x} } inline:{ {host.example=x} }", false, 0);
    EXPECT_TRUE(l.match("unknown", "10.1.2.3").matched);
    EXPECT_TRUE(l.match("host.example", "192.0.2.1").matched);
    EXPECT_FALSE(l.match("other.example", "192.0.2.1").matched);
}

TEST(HostAddressList, Normalize) {
    EXPECT_EQ(normalizeHostAddress("2001:DB8:0:0::1"), "2001:db8::1");
    EXPECT_EQ(normalizeHostAddress("::ffff:192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(normalizeHostAddress("[192.0.2.1]"), "192.0.2.1");
    EXPECT_FALSE(normalizeHostAddress("mail.example").has_value());
    EXPECT_TRUE(addressInNetwork("10.9.8.7", "10.0.0.0/8"));
    EXPECT_FALSE(addressInNetwork("11.9.8.7", "10.0.0.0/8"));
    EXPECT_FALSE(addressInNetwork("10.9.8.7", "10.0.0.0/33"));
}

}  // namespace
}  // namespace postline::address
