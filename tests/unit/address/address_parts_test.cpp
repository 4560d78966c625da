// Tests of the address parts and extension split (split_addr.c, strip_addr.c).
#include "postline/address/address_parts.h"

#include <gtest/gtest.h>

namespace postline::address {
namespace {

TEST(AddressParts, SplitsAtTheLastAt) {
    auto p = splitAddress("\"a@b\"@c@example.org");
    EXPECT_EQ(p.local, "\"a@b\"@c");
    EXPECT_EQ(p.domain, "example.org");
    EXPECT_TRUE(p.hasAt);
    EXPECT_FALSE(splitAddress("user").hasAt);
}

TEST(AddressParts, InternalAndExternalForms) {
    EXPECT_EQ(toExternal("a b@example.org"), "\"a b\"@example.org");
    EXPECT_EQ(toInternal("\"a b\"@example.org"), "a b@example.org");
    EXPECT_EQ(toExternal("plain@example.org"), "plain@example.org");
}

TEST(AddressParts, StripExtensionAsPostfix) {
    // strip_addr.c's own test cases, with delimiters "+-".
    EXPECT_FALSE(stripExtension("foo", "+-"));
    EXPECT_FALSE(stripExtension("foo@bar", "+-"));
    EXPECT_FALSE(stripExtension("foo-ext", ""));
    auto s = stripExtension("foo-ext", "+-");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->bare, "foo");
    EXPECT_EQ(s->extension, "-ext");
    s = stripExtension("foo+ext@bar", "+-");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->bare, "foo@bar");
    EXPECT_EQ(s->extension, "+ext");
    // The extension starts at the first delimiter.
    s = stripExtension("a+b+c@x", "+");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->bare, "a@x");
    EXPECT_EQ(s->extension, "+b+c");
}

TEST(AddressParts, SplitLocalPartExceptions) {
    EXPECT_FALSE(splitLocalPart("+ext", "+"));  // empty local part
    EXPECT_FALSE(splitLocalPart("user+", "-"));
    EXPECT_FALSE(splitLocalPart("Postmaster", "+"));
    EXPECT_FALSE(splitLocalPart("mailer-daemon", "-"));
    EXPECT_FALSE(splitLocalPart("double-bounce", "-"));
    EXPECT_FALSE(splitLocalPart("owner-list", "-"));
    EXPECT_FALSE(splitLocalPart("list-request", "-"));
    auto s = splitLocalPart("owner-list", "+");
    EXPECT_FALSE(s);
    s = splitLocalPart("list-request", "+-");
    EXPECT_FALSE(s);
    s = splitLocalPart("user-request", "+");
    EXPECT_FALSE(s);
    s = splitLocalPart("user+x-request", "+");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->local, "user");
    EXPECT_EQ(s->extension, "x-request");
    EXPECT_EQ(s->delimiter, '+');
}

}  // namespace
}  // namespace postline::address
