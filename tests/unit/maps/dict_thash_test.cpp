// Tests of the texthash table type (Postfix's dict_thash.c): the split at the first
// whitespace, warnings, duplicate policies, folding, forEach, and a differential test
// against the real `postmap -q`.
#include <gtest/gtest.h>

#include "postline/maps/registry.h"
#include "simplemaps_oracle.h"

namespace postline::maps {
namespace {

using testing::MsgCapture;
using testing::ScratchDir;

const char* kSource =
    "Foo v1\n"
    "\"quoted key\" qv\n"
    "key2   value two  \n"
    "  continued\n"
    "noval\n"
    "key: val\n"
    "foo dup\n"
    "FOO dup2\n"
    "Stra\xc3\x9f"
    "e s\n"
    "tab\tvalue\twith tab\n"
    "q\" y\n"
    "back\\ slash v2\n"
    "\"a b\"c d\"e\n"
    "z\\\n";

std::vector<std::pair<std::string, std::string>> dump(Dict& dict) {
    std::vector<std::pair<std::string, std::string>> all;
    EXPECT_TRUE(dict.forEach([&](std::string_view k, std::string_view v) {
                        all.emplace_back(k, v);
                        return true;
                    })
                    .ok());
    return all;
}

TEST(DictThash, LoadWarningsAndValues) {
    ScratchDir dir;
    std::string path = dir.write("t", kSource);
    MsgCapture capture;
    auto dict = openDict("texthash:" + path, OpenMode::Read, flag::kDupWarn | flag::kFoldFix);
    ASSERT_TRUE(dict.ok()) << dict.error().message;
    EXPECT_EQ(
        capture.lines(),
        (std::vector<std::string>{
            "postmap: warning: " + path + ", line 5: expected format: key whitespace value -- ignoring this line",
            "postmap: warning: " + path + ", line 6: record is in \"key: value\" format; is this an alias file?",
            "postmap: warning: " + path + ", line 7: duplicate entry: \"foo\"",
            "postmap: warning: " + path + ", line 8: duplicate entry: \"FOO\"",
            "postmap: warning: " + path + ", line 11: unbalanced '\"' in 'q\" y' -- ignoring this line",
            "postmap: warning: " + path + ", line 14: expected format: key whitespace value -- ignoring this line"}));
    EXPECT_EQ((*dict)->lookup("FOO").value, "v1");
    EXPECT_EQ((*dict)->lookup("\"quoted key\"").value, "qv");
    EXPECT_EQ((*dict)->lookup("\"quoted").status, DictStatus::NotFound);
    EXPECT_EQ((*dict)->lookup("key2").value, "value two    continued");
    EXPECT_EQ((*dict)->lookup("key:").value, "val");
    EXPECT_EQ((*dict)->lookup("tab").value, "value\twith tab");
    // Without SMTPUTF8 folding is ASCII-only: "ß" stays.
    EXPECT_EQ((*dict)->lookup("STRASSE").status, DictStatus::NotFound);
    EXPECT_EQ((*dict)
                  ->lookup("STRA\xc3\x9f"
                           "E")
                  .value,
              "s");
    EXPECT_EQ(dump(**dict), (std::vector<std::pair<std::string, std::string>>{{"foo", "v1"},
                                                                              {"\"quoted key\"", "qv"},
                                                                              {"key2", "value two    continued"},
                                                                              {"key:", "val"},
                                                                              {"stra\xc3\x9f"
                                                                               "e",
                                                                               "s"},
                                                                              {"tab", "value\twith tab"},
                                                                              {"back\\ slash", "v2"},
                                                                              {"\"a b\"c", "d\"e"}}));
}

TEST(DictThash, DuplicatePolicies) {
    ScratchDir dir;
    std::string path = dir.write("t", "a 1\nA 2\nb 3\n");
    MsgCapture capture;
    auto replace = openDict("texthash:" + path, OpenMode::Read, flag::kDupReplace | flag::kFoldFix);
    ASSERT_TRUE(replace.ok());
    EXPECT_EQ((*replace)->lookup("a").value, "2");
    auto ignore = openDict("texthash:" + path, OpenMode::Read, flag::kDupIgnore | flag::kFoldFix);
    ASSERT_TRUE(ignore.ok());
    EXPECT_EQ((*ignore)->lookup("a").value, "1");
    EXPECT_TRUE(capture.lines().empty());
    auto strict = openDict("texthash:" + path, OpenMode::Read, flag::kFoldFix);
    ASSERT_FALSE(strict.ok());
    EXPECT_EQ(strict.error().message, path + ", line 2: duplicate entry: \"A\"");
    // No folding: "a" and "A" are different keys, so no duplicate at all.
    auto nofold = openDict("texthash:" + path, OpenMode::Read, flag::kDupWarn);
    ASSERT_TRUE(nofold.ok());
    EXPECT_EQ((*nofold)->lookup("A").value, "2");
    EXPECT_EQ((*nofold)->lookup("a").value, "1");
    EXPECT_TRUE(capture.lines().empty());
}

TEST(DictThash, Utf8FoldingAndInvalidInput) {
    ScratchDir dir;
    std::string path = dir.write("t",
                                 "Stra\xc3\x9f"
                                 "e s\nbad\xff key v\n\xc3\x84"
                                 "BC@ExAmple.COM x\n");
    MsgCapture capture;
    auto dict = openDict("texthash:" + path, OpenMode::Read, flag::kDupWarn | flag::kFoldFix | flag::kUtf8Request);
    ASSERT_TRUE(dict.ok());
    // Diagnostics show non-printable bytes as '?', like Postfix's printable().
    EXPECT_EQ(capture.lines(), std::vector<std::string>{"postmap: warning: " + path +
                                                        ", line 2: non-UTF-8 input \"bad? key v\" -- ignoring "
                                                        "this line"});
    EXPECT_EQ((*dict)->lookup("STRASSE").value, "s");
    EXPECT_EQ((*dict)
                  ->lookup("STRA\xc3\x9f"
                           "E")
                  .value,
              "s");
    EXPECT_EQ((*dict)
                  ->lookup("\xc3\xa4"
                           "bc@example.com")
                  .value,
              "x");
    EXPECT_EQ(dump(**dict)[0].first, "strasse");
}

TEST(DictThash, OpenErrors) {
    auto missing = openDict("texthash:/nonexistent/t", OpenMode::Read, 0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "open database /nonexistent/t: No such file or directory");
    auto rw = openDict("texthash:/nonexistent/t", OpenMode::Create, 0);
    ASSERT_FALSE(rw.ok());
    EXPECT_EQ(rw.error().message, "texthash:/nonexistent/t map requires O_RDONLY access mode");
}

TEST(DictThash, SameAsPostfix) {
    if (!testing::havePostfix()) GTEST_SKIP() << "no /usr/sbin/postmap";
    std::vector<std::string> keys = {"foo",
                                     "FOO",
                                     "Foo",
                                     "\"quoted key\"",
                                     "quoted key",
                                     "key2",
                                     "key:",
                                     "key",
                                     "noval",
                                     "tab",
                                     "STRASSE",
                                     "Stra\xc3\x9f"
                                     "e",
                                     "nokey",
                                     "back\\ slash",
                                     "\"a b\"c",
                                     "q\"",
                                     "z\\",
                                     "\xc3\x84"
                                     "BC@ExAmple.COM"};
    for (bool utf8 : {false, true}) {
        ScratchDir dir(utf8);
        dir.write("t", std::string(kSource) +
                           "\xc3\x84"
                           "BC@ExAmple.COM x\n  leading\n");
        testing::expectSameAsPostfix(dir, "texthash:t", keys, utf8);
        testing::expectSameAsPostfix(dir, "texthash:missing", {"x"}, utf8);
    }
}

}  // namespace
}  // namespace postline::maps
