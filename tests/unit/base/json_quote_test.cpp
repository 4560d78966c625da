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
