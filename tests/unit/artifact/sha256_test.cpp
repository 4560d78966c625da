// SHA-256 against the FIPS 180-2 example vectors, fed whole and in odd-sized pieces.
#include "postline/artifact/sha256.h"

#include <gtest/gtest.h>

namespace postline::artifact {
namespace {

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, PiecesGiveTheSameDigest) {
    std::string million(1000000, 'a');
    Sha256 hash;
    for (size_t at = 0; at < million.size(); at += 997) hash.update(std::string_view(million).substr(at, 997));
    EXPECT_EQ(hash.hexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, MissingFileIsAnError) {
    auto digest = sha256File("/nonexistent/file");
    ASSERT_FALSE(digest.ok());
    EXPECT_EQ(digest.error().message, "open /nonexistent/file: No such file or directory");
}

}  // namespace
}  // namespace postline::artifact
