// Tests of the in-memory table types: static:, inline:, fail:, environ: and internal:
// (Postfix's dict_static.c, dict_inline.c, dict_fail.c, dict_env.c, dict_ht.c), with
// their exact error texts and a differential test against the real `postmap -q`.
#include <gtest/gtest.h>

#include <cstdlib>

#include "postline/maps/registry.h"
#include "simplemaps_oracle.h"

namespace postline::maps {
namespace {

using testing::MsgCapture;
using testing::ScratchDir;

const uint32_t kFlags = flag::kDupWarn | flag::kFoldFix;

std::string openError(const std::string& spec, OpenMode mode = OpenMode::Read, uint32_t flags = kFlags) {
    auto dict = openDict(spec, mode, flags);
    return dict ? std::string("<opened>") : dict.error().message;
}

TEST(DictStatic, ValueAndBraces) {
    auto plain = openDict("static:foo bar", OpenMode::Read, kFlags);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ((*plain)->lookup("anything").value, "foo bar");
    auto braced = openDict("static:{ foo bar }", OpenMode::Read, kFlags);
    ASSERT_TRUE(braced.ok());
    EXPECT_EQ((*braced)->lookup("x").value, "foo bar");
    auto nested = openDict("static:{{a}}", OpenMode::Read, kFlags);
    ASSERT_TRUE(nested.ok());
    EXPECT_EQ((*nested)->lookup("x").value, "{a}");
    auto empty = openDict("static:{ }", OpenMode::Read, kFlags);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ((*empty)->lookup("x").status, DictStatus::Found);
    EXPECT_EQ((*empty)->lookup("x").value, "");
    EXPECT_EQ(openError("static:{foo"), "bad static:name syntax: missing '}' in \"{foo\"");
    EXPECT_EQ(openError("static:{a}b"), "bad static:name syntax: syntax error after '}' in \"{a}b\"");
}

TEST(DictInline, PairsAndFolding) {
    auto dict = openDict("inline:{ k1=v1, {k2 = value two, with comma }, K3=v3, k1=again }", OpenMode::Read, kFlags);
    ASSERT_TRUE(dict.ok()) << dict.error().message;
    EXPECT_EQ((*dict)->lookup("K1").value, "again");  // last one wins, no duplicate check
    EXPECT_EQ((*dict)->lookup("k2").value, "value two, with comma");
    EXPECT_EQ((*dict)->lookup("k3").value, "v3");
    std::vector<std::string> order;
    ASSERT_TRUE((*dict)
                    ->forEach([&](std::string_view k, std::string_view v) {
                        order.push_back(std::string(k) + "=" + std::string(v));
                        return true;
                    })
                    .ok());
    EXPECT_EQ(order, (std::vector<std::string>{"k1=again", "k2=value two, with comma", "k3=v3"}));

    auto nofold = openDict("inline:{A=1}", OpenMode::Read, flag::kDupWarn);
    ASSERT_TRUE(nofold.ok());
    EXPECT_EQ((*nofold)->lookup("a").status, DictStatus::NotFound);
    EXPECT_EQ((*nofold)->lookup("A").value, "1");

    auto utf8 = openDict(
        "inline:{Stra\xc3\x9f"
        "e=s}",
        OpenMode::Read, kFlags | flag::kUtf8Request);
    ASSERT_TRUE(utf8.ok());
    EXPECT_EQ((*utf8)->lookup("STRASSE").value, "s");
}

TEST(DictInline, SyntaxErrors) {
    EXPECT_EQ(openError("inline:{}"), "bad syntax: \"inline:{}\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{a=1} x"), "bad syntax: \"inline:{a=1} x\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{{a=1}"), "bad syntax: \"inline:{{a=1}\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{a=1}{b=2}"), "bad syntax: \"inline:{a=1}{b=2}\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline: {a=1}"), "bad syntax: \"inline: {a=1}\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{ }"), "empty table: \"inline:{ }\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{ , }"), "empty table: \"inline:{ , }\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{a}"),
              "missing '=' after attribute name: \"inline:{a}\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{ {a b = x} }"),
              "missing '=' after attribute name: \"inline:{ {a b = x} }\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{ {a=1}x, b=2 }"),
              "syntax error after '}' in \"{a=1}x\": \"inline:{ {a=1}x, b=2 }\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{a=\xff}", OpenMode::Read, kFlags | flag::kUtf8Request),
              "bad UTF-8 syntax: \"inline:{a=\xff}\"; need \"inline:{name=value...}\"");
    EXPECT_EQ(openError("inline:{x=1}", OpenMode::Write), "inline:{x=1} map requires O_RDONLY access mode");
    // An empty name is accepted ("=1"); an empty item is not.
    EXPECT_EQ(openError("inline:{=1}"), "<opened>");
    EXPECT_EQ(openError("inline:{ {}, a=1 }"),
              "no key found; expected format: key = value: \"inline:{ {}, a=1 }\"; need \"inline:{name=value...}\"");
}

TEST(DictFail, EveryOperationFails) {
    auto dict = openDict("fail:oops", OpenMode::Read, kFlags);
    ASSERT_TRUE(dict.ok());
    Lookup r = (*dict)->lookup("x");
    EXPECT_EQ(r.status, DictStatus::Retry);
    EXPECT_EQ(r.error, "Application error");
    auto seq = (*dict)->forEach([](std::string_view, std::string_view) { return true; });
    ASSERT_FALSE(seq.ok());
    EXPECT_EQ(seq.error().message, "table fail:oops: sequence error: Application error");
    auto rw = openDict("fail:oops", OpenMode::Write, kFlags);
    ASSERT_TRUE(rw.ok());
    auto del = (*rw)->remove("x");
    ASSERT_FALSE(del.ok());
    EXPECT_EQ(del.error().message, "table fail:oops: delete error: Application error");
    auto put = (*rw)->update("x", "y");
    ASSERT_FALSE(put.ok());
    EXPECT_EQ(put.error().message, "table fail:oops: write error: Application error");
}

TEST(DictEnviron, LooksUpFoldedNames) {
    ::setenv("postline_simplemaps_var", "lower", 1);
    ::setenv("POSTLINE_SIMPLEMAPS_VAR", "upper", 1);
    auto folded = openDict("environ:x", OpenMode::Read, kFlags);
    ASSERT_TRUE(folded.ok());
    EXPECT_EQ((*folded)->lookup("POSTLINE_SIMPLEMAPS_VAR").value, "lower");
    auto exact = openDict("environ:x", OpenMode::Read, flag::kDupWarn);
    ASSERT_TRUE(exact.ok());
    EXPECT_EQ((*exact)->lookup("POSTLINE_SIMPLEMAPS_VAR").value, "upper");
    EXPECT_EQ((*exact)->lookup("POSTLINE_SIMPLEMAPS_UNSET").status, DictStatus::NotFound);
}

TEST(DictInternal, UpdatableInMemoryTable) {
    auto dict = openDict("internal:scratch", OpenMode::Create, kFlags);
    ASSERT_TRUE(dict.ok());
    EXPECT_EQ((*dict)->lookup("a").status, DictStatus::NotFound);
    ASSERT_TRUE((*dict)->update("B", "2").ok());
    ASSERT_TRUE((*dict)->update("a", "1").ok());
    ASSERT_TRUE((*dict)->update("b", "3").ok());
    EXPECT_EQ((*dict)->lookup("B").value, "3");
    std::string all;
    ASSERT_TRUE((*dict)
                    ->forEach([&](std::string_view k, std::string_view v) {
                        all += std::string(k) + "=" + std::string(v) + ";";
                        return true;
                    })
                    .ok());
    EXPECT_EQ(all, "b=3;a=1;");
    auto removed = (*dict)->remove("A");
    ASSERT_TRUE(removed.ok());
    EXPECT_TRUE(*removed);
    removed = (*dict)->remove("a");
    ASSERT_TRUE(removed.ok());
    EXPECT_FALSE(*removed);
}

TEST(DictMemory, SameAsPostfix) {
    if (!testing::havePostfix()) GTEST_SKIP() << "no /usr/sbin/postmap";
    ::setenv("simplemaps_env", "from env", 1);
    for (bool utf8 : {false, true}) {
        ScratchDir dir(utf8);
        std::vector<std::string> keys = {"a",
                                         "A",
                                         "k2",
                                         "b",
                                         "x",
                                         "strasse",
                                         "STRASSE",
                                         "Stra\xc3\x9f"
                                         "e"};
        for (std::string spec :
             {"static:foo", "static:{ foo bar }", "static:{foo", "static:{a}b", "static:a}",
              "inline:{a=1, A=2, { k2 = two words }, Stra\xc3\x9f"
              "e=s}",
              "inline:{}", "inline:{a}", "inline:{ {a=1}x, b=2 }", "inline:{ , }", "inline:{a=1} ", "inline:{{a=1}",
              "inline:{=1}", "inline:{ { = 1 } }", "fail:x", "fail:{a}", "environ:x", "internal:x"}) {
            testing::expectSameAsPostfix(dir, spec, keys, utf8);
        }
        testing::expectSameAsPostfix(dir, "environ:x", {"SIMPLEMAPS_ENV", "simplemaps_env", "nope"}, utf8);
    }
}

}  // namespace
}  // namespace postline::maps
