// RFC 822 tokenizer tests. Expected strings come from Postfix 3.7 (postalias -s output of
// the same values, which is tok822_scan + tok822_externalize) and from quote_822_local.ref.
#include "postline/address/tokens.h"

#include <gtest/gtest.h>

namespace postline::address {
namespace {

std::string ext(std::string_view text) { return externalize(scanTokens(text)); }
std::string intl(std::string_view text) { return internalize(scanTokens(text)); }

TEST(ScanTokens, TypesOfTokens) {
    TokenList t = scanTokens("user@[1.2.3.4] \"q s\" (c (nested)) x.y | % !");
    ASSERT_EQ(t.size(), 11u);
    EXPECT_EQ(t[0].type, TokenType::Atom);
    EXPECT_EQ(t[0].text, "user");
    EXPECT_TRUE(t[1].isOperator('@'));
    EXPECT_EQ(t[2].type, TokenType::DomainLiteral);
    EXPECT_EQ(t[2].text, "1.2.3.4");
    EXPECT_EQ(t[3].type, TokenType::QuotedString);
    EXPECT_EQ(t[3].text, "q s");
    EXPECT_EQ(t[4].type, TokenType::Comment);
    EXPECT_EQ(t[4].text, "(c (nested))");
    EXPECT_EQ(t[5].text, "x");
    EXPECT_TRUE(t[6].isOperator('.'));
    EXPECT_EQ(t[7].text, "y");
    EXPECT_TRUE(t[8].isOperator('|'));
    EXPECT_TRUE(t[9].isOperator('%'));
    EXPECT_TRUE(t[10].isOperator('!'));
    EXPECT_EQ(t[5].type, TokenType::Atom);
}

TEST(ScanTokens, Limit) { EXPECT_EQ(scanTokens("a b c d", 2).size(), 2u); }

TEST(ScanTokens, EmptyAndBlank) {
    EXPECT_TRUE(scanTokens("").empty());
    EXPECT_TRUE(scanTokens(" \t\r\n").empty());
}

TEST(ScanTokens, FormFeedIsNotWhitespace) {
    // Only space, tab, CR and LF separate tokens; other controls force quoting.
    TokenList t = scanTokens("p\fq\vr");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].type, TokenType::QuotedString);
}

TEST(ScanTokens, BackslashMakesQuotedString) {
    TokenList t = scanTokens("a\\ b");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].type, TokenType::QuotedString);
    EXPECT_EQ(t[0].text, "a b");
}

TEST(Externalize, MatchesPostalias) {
    // Left: value as written in an aliases file; right: postalias -s output (3.7.11).
    EXPECT_EQ(ext("a1 ,  \"|/usr/bin/prog arg\",/var/mail/file,  :include:/etc/list,"),
              "a1, \"|/usr/bin/prog arg\", /var/mail/file, :include:/etc/list, ");
    EXPECT_EQ(ext("one,  two    three"), "one, two three");
    EXPECT_EQ(ext("x,"), "x, ");
    EXPECT_EQ(ext("x,,y"), "x, , y");
    EXPECT_EQ(ext("x , <y@z>"), "x, <y@z>");
    EXPECT_EQ(ext("(comment) val (c2)"), "(comment) val (c2)");
    EXPECT_EQ(ext("a;b <c@d> e<f>"), "a;b <c@d>e <f>");
    EXPECT_EQ(ext("\"abc"), "\"abc\"");
    EXPECT_EQ(ext("(abc"), "(abc");
    EXPECT_EQ(ext("\"\""), "\"\"");
    EXPECT_EQ(ext("\"\" , \"\""), "\"\", \"\"");
    EXPECT_EQ(ext("a\\ b, \"q\\\"x\", \"tab\tin\""), "\"a b\", \"q\\\"x\", \"tab in\"");
    EXPECT_EQ(ext("\"a\\\\b\" \\\\x"), "\"a\\\\b\" \"\\\\x\"");
    EXPECT_EQ(ext("[a\\]b] [x\ty]"), "[a]b] [x y]");
    EXPECT_EQ(ext("ctl\001x"), "\"ctl\001x\"");
    EXPECT_EQ(ext("x\\,y"), "\"x,y\"");
    EXPECT_EQ(ext(":include: /etc/x"), ":include:/etc/x");
    EXPECT_EQ(ext("|\"cmd arg\""), "|\"cmd arg\"");
    EXPECT_EQ(ext("a . b @ c"), "a.b@c");
    EXPECT_EQ(ext("b: c"), "b:c");
    EXPECT_EQ(ext("\"%x\", !bang"), "\"%x\", !bang");
    EXPECT_EQ(ext("[1.2.3.4] user@[10.0.0.1]"), "[1.2.3.4] user@[10.0.0.1]");
}

TEST(Externalize, LineBreaksAfterCommas) {
    EXPECT_EQ(externalize(scanTokens("a, b,c"), {.lineBreaks = true}), "a,\nb,\nc");
}

TEST(Internalize, DropsQuotes) {
    EXPECT_EQ(intl("\"odd:local\""), "odd:local");
    EXPECT_EQ(intl("\"Quoted Name\" "), "Quoted Name");
    EXPECT_EQ(intl("foo bar"), "foo bar");
    EXPECT_EQ(intl("\"a b\"@[1.2.3.4]"), "a b@[1.2.3.4]");
}

TEST(FindOperator, TopLevelOnly) {
    TokenList t = scanTokens("\"a:b\" c: d");
    EXPECT_EQ(findOperator(t, ':'), 2u);
    EXPECT_FALSE(containsOperator(t, '@'));
    EXPECT_FALSE(findOperator(t, ':', 3).has_value());
}

TEST(ParseAddressList, GroupsAddresses) {
    TokenList t = parseAddressList("a@b, c@d");
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0].type, TokenType::Address);
    EXPECT_EQ(internalize(t[0].children), "a@b");
    EXPECT_TRUE(t[1].isOperator(','));
    EXPECT_EQ(internalize(t[2].children), "c@d");
}

TEST(ParseAddressList, InsertsMissingComma) {
    TokenList t = parseAddressList("a b");
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0].type, TokenType::Address);
    EXPECT_TRUE(t[1].isOperator(','));
    EXPECT_EQ(externalize(t), "a, b");
}

TEST(ParseAddressList, RouteAddr) {
    TokenList t = parseAddressList("John Doe <john@example.com>");
    // The phrase stays as words; the address inside <> becomes one Address node.
    ASSERT_EQ(t.size(), 5u);
    EXPECT_TRUE(t[2].isOperator('<'));
    EXPECT_EQ(t[3].type, TokenType::Address);
    EXPECT_EQ(internalize(t[3].children), "john@example.com");
    EXPECT_EQ(externalize(t), "John Doe <john@example.com>");
}

TEST(ParseAddressList, QuotesLocalPartOnExternalize) {
    TokenList t = parseAddressList("\"a b\"@example.com");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(internalize(t), "a b@example.com");
    EXPECT_EQ(externalize(t), "\"a b\"@example.com");
}

TEST(ParseAddressList, CommentsMoveOutOfAddresses) {
    TokenList t = parseAddressList("a@b (Comment)");
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].type, TokenType::Address);
    EXPECT_EQ(t[1].type, TokenType::Comment);
    EXPECT_EQ(externalize(t), "a@b (Comment)");
}

TEST(ParseAddressList, NamedGroup) {
    TokenList t = parseAddressList("friends: a@b, c@d;");
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(externalize(t), "friends: a@b, c@d;");
}

TEST(QuoteLocalPart, Reference) {
    // quote_822_local.ref
    EXPECT_EQ(quoteLocalPart("a@b@c@d"), "\"a@b@c\"@d");
    EXPECT_EQ(unquoteLocalPart("\"a@b@c\"@d"), "a@b@c@d");
    EXPECT_EQ(unquoteLocalPart("\"a@b@c\""), "a@b@c");
    EXPECT_EQ(unquoteLocalPart("\"a@b@c\"@d@e"), "a@b@c@d@e");
}

TEST(QuoteLocalPart, DotStrings) {
    EXPECT_EQ(quoteLocalPart("first.last@x"), "first.last@x");
    EXPECT_EQ(quoteLocalPart("first..last@x"), "\"first..last\"@x");
    EXPECT_EQ(quoteLocalPart(".a@x"), "\".a\"@x");
    EXPECT_EQ(quoteLocalPart("a.@x"), "\"a.\"@x");
    EXPECT_EQ(quoteLocalPart("@r1,@r2:a b@x"), "@r1,@r2:\"a b\"@x");
    EXPECT_EQ(quoteLocalPart("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(quoteLocalPart("\xc3\xa4@x"), "\xc3\xa4@x");
    EXPECT_EQ(quoteLocalPart("\xc3\xa4@x", {.eightBitClean = false}), "\"\\\xc3\\\xa4\"@x");
    EXPECT_EQ(quoteLocalPart("a@b", {.bareLocalPart = true}), "\"a@b\"");
    EXPECT_EQ(quoteLocalPart("a@b", {.exposeAt = true, .bareLocalPart = true}), "a@b");
}

}  // namespace
}  // namespace postline::address
