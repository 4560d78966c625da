// Tests of the cidr table type (Postfix's dict_cidr.c / cidr_match.c): matching, if/endif,
// negation, brackets, every parse diagnostic, in-line form, and a differential test
// against the real `postmap -q`.
#include <gtest/gtest.h>

#include "postline/maps/registry.h"
#include "simplemaps_oracle.h"

namespace postline::maps {
namespace {

using testing::MsgCapture;
using testing::ScratchDir;

const char* kTable =
    "192.168.1.0/24 OK net\n"
    "192.168.2.1/24 hostbits\n"
    "[2001:db8::]/32 v6net\n"
    "[10.1.2.3] bracket\n"
    "[10.1.2.4]/32 bracket2\n"
    "[10.1.3.0/24] bracket3\n"
    "[10.1.2.5 missing\n"
    "[10.1.2.6]x garbage\n"
    "010.0.0.1 octal\n"
    "1.2.3.4/33 badmask\n"
    "1.2.3.4/ emptymask\n"
    "1.2.3.0/24/3 slashes\n"
    "foo/8 badnet\n"
    "foo bad\n"
    "10.9.9.9\n"
    "!\n"
    "if 10.20.0.0/16\n"
    "10.20.1.0/24 inner\n"
    "endif\n"
    "IF 10.30.0.0/16\n"
    "10.30.0.1 upper-if\n"
    "ENDIF\n"
    "if !10.40.0.0/16\n"
    "10.50.0.1 notin40\n"
    "endif\n"
    "endif\n"
    "if 10.60.0.0/16 extra\n"
    "endif x\n"
    "!0.0.0.0/1 highhalf\n"
    "::ffff:1.2.3.4 mapped\n"
    "2001:db8:2::1/64 v6hostbits\n"
    "1.2.3.4/024 octmask\n"
    "1.1.1.1   spaced   value  \n"
    "if 11.0.0.0/8\n"
    "if 11.1.0.0/16\n"
    "11.1.1.1 deep\n";

std::unique_ptr<Dict> openTable(const ScratchDir& dir, MsgCapture& capture) {
    std::string path = dir.write("c.cidr", kTable);
    auto dict = openDict("cidr:" + path, OpenMode::Read, flag::kFoldFix);
    EXPECT_TRUE(dict.ok());
    (void)capture;
    return dict ? std::move(dict).value() : nullptr;
}

TEST(DictCidr, ParseDiagnosticsMatchPostfix) {
    ScratchDir dir;
    MsgCapture capture;
    auto dict = openTable(dir, capture);
    std::string p = "postmap: warning: cidr map " + dir.file("c.cidr") + ", line ";
    std::vector<std::string> expected = {
        p + "2: non-null host address bits in \"192.168.2.1/24\", perhaps you should use \"192.168.2.0/24\" instead: "
            "skipping this rule",
        p + "7: missing ']' character after \"[10.1.2.5\": skipping this rule",
        p + "8: garbage after \"[10.1.2.6]\": skipping this rule",
        p + "9: bad address pattern: \"010.0.0.1\": skipping this rule",
        p + "10: bad mask length in \"1.2.3.4/33\": skipping this rule",
        p + "11: bad mask value in \"1.2.3.4/\": skipping this rule",
        p + "12: bad mask value in \"1.2.3.0/24/3\": skipping this rule",
        p + "13: bad network value in \"foo/8\": skipping this rule",
        p + "14: bad address pattern: \"foo\": skipping this rule",
        p + "15: no lookup result: skipping this rule",
        p + "16: no address pattern: skipping this rule",
        p + "26: ENDIF without IF: skipping this rule",
        p + "27: bad mask value in \"10.60.0.0/16 extra\": skipping this rule",
        p + "28: garbage after ENDIF: skipping this rule",
        p + "31: non-null host address bits in \"2001:db8:2::1/64\", perhaps you should use \"2001:db8:2::/64\" "
            "instead: skipping this rule",
        p + "32: non-null host address bits in \"1.2.3.4/024\", perhaps you should use \"1.2.3.0/24\" instead: "
            "skipping this rule",
        p + "35: IF has no matching ENDIF",
        p + "34: IF has no matching ENDIF",
    };
    EXPECT_EQ(capture.lines(), expected);
}

TEST(DictCidr, Matching) {
    ScratchDir dir;
    MsgCapture capture;
    auto dict = openTable(dir, capture);
    auto value = [&](const std::string& key) {
        Lookup r = dict->lookup(key);
        return r.isFound() ? r.value : std::string("<none>");
    };
    EXPECT_EQ(value("192.168.1.77"), "OK net");
    EXPECT_EQ(value("192.168.2.1"), "highhalf");  // host-bits rule was skipped; negation matches
    EXPECT_EQ(value("2001:db8:0::1"), "v6net");
    EXPECT_EQ(value("2001:DB8::1"), "v6net");
    EXPECT_EQ(value("10.1.2.3"), "bracket");
    EXPECT_EQ(value("10.1.2.4"), "bracket2");
    EXPECT_EQ(value("10.1.3.9"), "bracket3");
    EXPECT_EQ(value("[10.1.2.3]"), "<none>");  // brackets only in the table
    EXPECT_EQ(value("10.20.1.5"), "inner");
    EXPECT_EQ(value("10.30.0.1"), "upper-if");
    EXPECT_EQ(value("10.50.0.1"), "notin40");
    EXPECT_EQ(value("8.8.8.8"), "<none>");  // inside the negated network
    EXPECT_EQ(value("::ffff:1.2.3.4"), "mapped");
    EXPECT_EQ(value("1.1.1.1"), "spaced   value");
    EXPECT_EQ(value("2001:db9::1"), "<none>");  // IPv6 never matches an IPv4 negation
    EXPECT_EQ(value("200.1.1.1"), "highhalf");
    EXPECT_EQ(value("01.2.3.4"), "<none>");  // not an address for inet_pton
    EXPECT_EQ(value("1.2.3"), "<none>");
    EXPECT_EQ(value("foo"), "<none>");
    EXPECT_EQ(value(""), "<none>");
    EXPECT_EQ(value(" 10.1.2.3"), "<none>");
    EXPECT_EQ(value("10.1.2.3/32"), "<none>");
}

TEST(DictCidr, UnclosedIfSkipsRestWhenNotMatching) {
    ScratchDir dir;
    MsgCapture capture;
    auto dict = openTable(dir, capture);
    // 11.1.1.1 is inside both unclosed IFs.
    EXPECT_EQ(dict->lookup("11.1.1.1").value, "deep");
    // 10.70.0.1 passes every rule before the unclosed IFs and is outside the first of
    // them: an IF without ENDIF ends the search.
    EXPECT_EQ(dict->lookup("10.70.0.1").status, DictStatus::NotFound);
}

TEST(DictCidr, NegationAndKeywords) {
    ScratchDir dir;
    MsgCapture capture;
    std::string path = dir.write("n.cidr",
                                 "!!10.0.0.1 double\n"
                                 "if!1.2.3.0/24\n"
                                 "1.2.3.4 never\n"
                                 "5.5.5.5 five\n"
                                 "endif\n"
                                 "iF 1.2.3.0/24\n"
                                 "1.2.3.4 in\n"
                                 "eNdIf\n"
                                 "ifx 1.2.3.4\n"
                                 "0.0.0.0/0 default4\n"
                                 "::/0 default6\n");
    auto dict = openDict("cidr:" + path, OpenMode::Read, 0);
    ASSERT_TRUE(dict.ok());
    EXPECT_EQ((*dict)->lookup("10.0.0.1").value, "double");
    EXPECT_EQ((*dict)->lookup("5.5.5.5").value, "five");
    EXPECT_EQ((*dict)->lookup("1.2.3.4").value, "in");
    EXPECT_EQ((*dict)->lookup("9.9.9.9").value, "default4");
    EXPECT_EQ((*dict)->lookup("::2").value, "default6");
    EXPECT_EQ(capture.lines(), std::vector<std::string>{"postmap: warning: cidr map " + path +
                                                        ", line 9: bad address pattern: \"ifx\": skipping this rule"});
}

TEST(DictCidr, InlineForm) {
    MsgCapture capture;
    std::string spec = "cidr:{ {1.2.3.0/24 net one}, {foo bar}, {}, {1.2.3.4/8 x} }";
    auto dict = openDict(spec, OpenMode::Read, 0);
    ASSERT_TRUE(dict.ok());
    EXPECT_EQ((*dict)->lookup("1.2.3.4").value, "net one");
    std::string p = "postmap: warning: cidr map { {1.2.3.0/24 net one}, {foo bar}, {}, {1.2.3.4/8 x} }, line ";
    EXPECT_EQ(capture.lines(),
              (std::vector<std::string>{
                  p + "2: bad address pattern: \"foo\": skipping this rule",
                  p + "4: non-null host address bits in \"1.2.3.4/8\", perhaps you should use \"1.0.0.0/8\" instead: "
                      "skipping this rule"}));

    auto bad = openDict("cidr:{1.2.3.4 x}", OpenMode::Read, 0);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "cidr map: no '{' at start of text in \"1.2.3.4\"");
    bad = openDict("cidr:{ {1.2.3.4 x}", OpenMode::Read, 0);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "cidr map: missing '}' in \"{ {1.2.3.4 x}\"");
    auto empty = openDict("cidr:{}", OpenMode::Read, 0);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ((*empty)->lookup("1.2.3.4").status, DictStatus::NotFound);
}

TEST(DictCidr, OpenErrors) {
    auto missing = openDict("cidr:/nonexistent/x.cidr", OpenMode::Read, 0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "open /nonexistent/x.cidr: No such file or directory");
    auto rw = openDict("cidr:/nonexistent/x.cidr", OpenMode::Write, 0);
    ASSERT_FALSE(rw.ok());
    EXPECT_EQ(rw.error().message, "cidr:/nonexistent/x.cidr map requires O_RDONLY access mode");
}

TEST(DictCidr, NoFoldingEvenWhenAsked) {
    MsgCapture capture;
    auto dict = openDict("cidr:{ {2001:db8::/32 v6} }", OpenMode::Read, flag::kFoldFix);
    ASSERT_TRUE(dict.ok());
    EXPECT_EQ((*dict)->foldKey("2001:DB8::1"), "2001:DB8::1");
    EXPECT_TRUE((*dict)->flags() & flag::kPattern);
}

TEST(DictCidr, SameAsPostfix) {
    if (!testing::havePostfix()) GTEST_SKIP() << "no /usr/sbin/postmap";
    ScratchDir dir;
    dir.write("c.cidr", kTable);
    std::vector<std::string> keys = {"192.168.1.77", "192.168.2.1", "8.8.8.8",   "10.70.0.1",  "2001:db8:0::1",
                                     "10.1.2.3",     "[10.1.2.3]",  "10.1.2.4",  "10.1.3.9",   "10.20.1.5",
                                     "10.20.2.5",    "10.30.0.1",   "10.50.0.1", "10.40.0.1",  "::ffff:1.2.3.4",
                                     "1.2.3.4",      "1.1.1.1",     "foo",       "1.2.3",      "01.2.3.4",
                                     "2001:DB8::1",  "11.1.1.1",    "11.2.0.1",  "12.0.0.1",   "::1",
                                     "10.0.0.1/8",   "1.2.3.04",    "::1.2.3.4", "fe80::1%lo", "255.255.255.255"};
    testing::expectSameAsPostfix(dir, "cidr:c.cidr", keys);
    testing::expectSameAsPostfix(dir,
                                 "cidr:{ {1.2.3.0/24 net one}, {foo bar}, {!1.2.3.4/8 x}, {if 5.0.0.0/8}, "
                                 "{5.5.5.5 five}, {endif}, {::/0 six} }",
                                 {"1.2.3.4", "5.5.5.5", "6.6.6.6", "::1", "x"});
    testing::expectSameAsPostfix(dir, "cidr:{1.2.3.4 x}", {"1.2.3.4"});
    testing::expectSameAsPostfix(dir, "cidr:missing.cidr", {"1.2.3.4"});
}

}  // namespace
}  // namespace postline::maps
