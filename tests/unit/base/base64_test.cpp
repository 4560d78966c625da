// Base64 round trips and malformed input.
#include "postline/base/base64.h"

#include <gtest/gtest.h>

namespace postline::base {
namespace {

TEST(Base64, EncodesLikePostfix) {
    EXPECT_EQ(base64Encode("hello\n"), "aGVsbG8K");
    EXPECT_EQ(base64Encode("a"), "YQ==");
    EXPECT_EQ(base64Encode("ab"), "YWI=");
    EXPECT_EQ(base64Encode(""), "");
}

TEST(Base64, DecodesAndRejectsMalformedInput) {
    EXPECT_EQ(base64Decode("aGVsbG8K").value(), "hello\n");
    EXPECT_EQ(base64Decode("YQ==").value(), "a");
    EXPECT_EQ(base64Decode("YWI=").value(), "ab");
    EXPECT_FALSE(base64Decode("YQ=").has_value());
    EXPECT_FALSE(base64Decode("Y!==").has_value());
    EXPECT_FALSE(base64Decode("YQ==YQ==").has_value());
}

}  // namespace
}  // namespace postline::base
