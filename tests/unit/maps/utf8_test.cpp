// Tests of UTF-8 validation and full case folding (Postfix's valid_utf8_string() and
// casefold() with ICU), including a differential check of folding through the real
// postmap with SMTPUTF8 on.
#include "postline/maps/utf8.h"

#include <gtest/gtest.h>

#include "postline/maps/registry.h"
#include "simplemaps_oracle.h"

namespace postline::maps {
namespace {

TEST(Utf8, Validity) {
    EXPECT_TRUE(validUtf8(""));
    EXPECT_TRUE(validUtf8("plain ascii"));
    EXPECT_TRUE(
        validUtf8("Stra\xc3\x9f"
                  "e"));
    EXPECT_TRUE(validUtf8("\xe2\x82\xac"));       // U+20AC
    EXPECT_TRUE(validUtf8("\xf0\x9f\x98\x80"));   // U+1F600
    EXPECT_TRUE(validUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
    EXPECT_TRUE(validUtf8("\xed\x9f\xbf"));       // U+D7FF
    EXPECT_TRUE(validUtf8("\xee\x80\x80"));       // U+E000
    EXPECT_FALSE(validUtf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(validUtf8("\xc1\xbf"));          // overlong
    EXPECT_FALSE(validUtf8("\xe0\x80\xaf"));      // overlong 3-byte
    EXPECT_FALSE(validUtf8("\xf0\x80\x80\xaf"));  // overlong 4-byte
    EXPECT_FALSE(validUtf8("\xed\xa0\x80"));      // U+D800 surrogate
    EXPECT_FALSE(validUtf8("\xed\xbf\xbf"));      // U+DFFF surrogate
    EXPECT_FALSE(validUtf8("\xf4\x90\x80\x80"));  // U+110000
    EXPECT_FALSE(validUtf8("\xf5\x80\x80\x80"));  // lead byte beyond F4
    EXPECT_FALSE(validUtf8("\xc3"));              // truncated
    EXPECT_FALSE(validUtf8("\xe2\x82"));          // truncated
    EXPECT_FALSE(
        validUtf8("a\x80"
                  "b"));                  // stray continuation
    EXPECT_FALSE(validUtf8("\xc3\x28"));  // bad continuation
    EXPECT_FALSE(validUtf8("\xff"));
}

TEST(Utf8, FullCaseFolding) {
    EXPECT_EQ(casefoldUtf8("Hello@Example.COM"), "hello@example.com");
    EXPECT_EQ(casefoldUtf8("Stra\xc3\x9f"
                           "e"),
              "strasse");  // ß → ss
    EXPECT_EQ(casefoldUtf8("\xc3\x84"
                           "BC@ExAmple.COM"),
              "\xc3\xa4"
              "bc@example.com");                                                      // Ä → ä
    EXPECT_EQ(casefoldUtf8("\xce\xa3\xce\x91\xcf\x82"), "\xcf\x83\xce\xb1\xcf\x83");  // ΣΑς → σασ
    EXPECT_EQ(casefoldUtf8("\xc4\xb0"), "i\xcc\x87");                                 // İ → i̇
    EXPECT_EQ(casefoldUtf8("\xef\xac\x81"), "fi");                                    // ﬁ ligature
    EXPECT_EQ(casefoldUtf8("\xe1\xba\x9e"), "ss");                                    // ẞ capital sharp s
    EXPECT_EQ(casefoldUtf8("\xf0\x90\x90\x80"), "\xf0\x90\x90\xa8");                  // Deseret 𐐀 → 𐐨
    EXPECT_EQ(casefoldUtf8("\xe2\x84\xaa"), "k");                                     // Kelvin sign
    EXPECT_EQ(casefoldUtf8("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac");  // no case
}

TEST(Utf8, DictFoldsWithUtf8Request) {
    auto dict = openDict(
        "inline:{Stra\xc3\x9f"
        "e=s}",
        OpenMode::Read, flag::kFoldFix | flag::kUtf8Request);
    ASSERT_TRUE(dict.ok());
    EXPECT_EQ((*dict)->lookup("STRASSE").value, "s");
    EXPECT_EQ((*dict)
                  ->lookup("STRA\xc3\x9f"
                           "E")
                  .value,
              "s");
    testing::MsgCapture capture;
    EXPECT_EQ((*dict)->lookup("bad\xff").status, DictStatus::NotFound);
    EXPECT_EQ(capture.lines().size(), 1u);
}

TEST(Utf8, FoldingSameAsPostfix) {
    if (!testing::havePostfix()) GTEST_SKIP() << "no /usr/sbin/postmap";
    testing::ScratchDir dir(true);
    // Every key folds to the same stored key "strasse-äσ" (or misses), in Postfix and here.
    std::vector<std::string> keys = {"STRASSE-\xc3\x84\xce\xa3",
                                     "stra\xc3\x9f"
                                     "e-\xc3\xa4\xcf\x82",
                                     "Stra\xe1\xba\x9e"
                                     "e-\xc3\x84\xcf\x83",
                                     "strasse-a\xcf\x83",
                                     "\xe2\x84\xaa"
                                     "elvin",
                                     "\xef\xac\x81"
                                     "x",
                                     "FIX",
                                     "\xc4\xb0i"};
    std::string spec =
        "inline:{ {stra\xc3\x9f"
        "e-\xc3\xa4\xcf\x83 = 1}, {kelvin = 2}, {fix = 3}, "
        "{i\xcc\x87i = 4} }";
    testing::expectSameAsPostfix(dir, spec, keys, true);
}

}  // namespace
}  // namespace postline::maps
