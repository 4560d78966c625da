#include "postline/base/json_quote.h"

#include <gtest/gtest.h>

using postline::base::quoteForJson;

TEST(JsonQuote, PlainTextIsQuoted) { EXPECT_EQ(quoteForJson("mx.example.org"), "\"mx.example.org\""); }

TEST(JsonQuote, QuoteAndBackslashAreEscaped) {
    EXPECT_EQ(quoteForJson(R"(a"b\c)"), R"("a\"b\\c")");
    EXPECT_EQ(quoteForJson("/path/x"), "\"/path/x\"");  // '/' stays as is
}

TEST(JsonQuote, ControlCharactersUseShortFormsOrUnicodeEscapes) {
    EXPECT_EQ(quoteForJson("\b\f\n\r\t"), R"("\b\f\n\r\t")");
    EXPECT_EQ(quoteForJson(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001F\u007F")");
    EXPECT_EQ(quoteForJson(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(JsonQuote, NonAsciiBytesAreCopied) {
    EXPECT_EQ(quoteForJson("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    EXPECT_EQ(quoteForJson(""), "\"\"");
}

// Postline's rule for bytes that are not UTF-8 (json_quote.h): each is written as the
// character with its value, U+0080..U+00FF, so that the output is always valid JSON.
TEST(JsonQuote, StrayBytesAreWrittenAsLatin1) {
    EXPECT_EQ(quoteForJson("caf\xe9"), "\"caf\xc3\xa9\"");
    EXPECT_EQ(quoteForJson("\xff\x80"), "\"\xc3\xbf\xc2\x80\"");
    EXPECT_EQ(quoteForJson("a\xe9\"\n"), "\"a\xc3\xa9\\\"\\n\"");
}

TEST(JsonQuote, ValidUtf8FollowsUnicodeTable37) {
    using postline::base::isValidUtf8;
    EXPECT_TRUE(isValidUtf8(""));
    EXPECT_TRUE(isValidUtf8("plain ascii\x7f"));
    EXPECT_TRUE(isValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf"));
    EXPECT_FALSE(isValidUtf8("caf\xe9"));
    EXPECT_FALSE(isValidUtf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(isValidUtf8("\xc1\xbf"));          // overlong
    EXPECT_FALSE(isValidUtf8("\xe0\x9f\xbf"));      // overlong three-byte form
    EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
    EXPECT_FALSE(isValidUtf8("\xf0\x8f\xbf\xbf"));  // overlong four-byte form
    EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(isValidUtf8("\xf5\x80\x80\x80"));
    EXPECT_FALSE(isValidUtf8("\xe2\x82"));  // truncated
    EXPECT_FALSE(isValidUtf8("\x80"));      // lone continuation byte
}

TEST(JsonQuote, Utf8OrLatin1KeepsValidSequencesAndConvertsStrayBytes) {
    using postline::base::utf8OrLatin1;
    EXPECT_EQ(utf8OrLatin1("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(utf8OrLatin1("caf\xe9"), "caf\xc3\xa9");
    // A truncated sequence: its lead byte is stray, the ASCII after it stays ASCII.
    EXPECT_EQ(utf8OrLatin1("\xe2\x82x"), "\xc3\xa2\xc2\x82x");
    EXPECT_EQ(utf8OrLatin1("\xed\xa0\x80"), "\xc3\xad\xc2\xa0\xc2\x80");
}
