// Tests of unionmap: and pipemap: (Postfix's dict_union.c, dict_pipe.c): result joining,
// chaining, error propagation, member-spec errors, key folding at the composite level,
// and a differential test against the real `postmap -q`.
#include <gtest/gtest.h>

#include "postline/maps/registry.h"
#include "simplemaps_oracle.h"

namespace postline::maps {
namespace {

using testing::ScratchDir;

const uint32_t kFlags = flag::kDupWarn | flag::kFoldFix;

Lookup query(const std::string& spec, const std::string& key, uint32_t flags = kFlags) {
    auto dict = openDict(spec, OpenMode::Read, flags);
    EXPECT_TRUE(dict.ok()) << spec << ": " << dict.error().message;
    return dict ? (*dict)->lookup(key) : Lookup::notFound();
}

std::string openError(const std::string& spec, OpenMode mode = OpenMode::Read) {
    auto dict = openDict(spec, mode, kFlags);
    return dict ? std::string("<opened>") : dict.error().message;
}

TEST(DictUnion, JoinsFoundResults) {
    EXPECT_EQ(query("unionmap:{inline:{a=1}, inline:{a=2}}", "a").value, "1,2");
    EXPECT_EQ(query("unionmap:{inline:{a=1}, inline:{b=2}}", "a").value, "1");
    EXPECT_EQ(query("unionmap:{inline:{a=1}, inline:{b=2}}", "B").value, "2");
    EXPECT_EQ(query("unionmap:{inline:{a=1}, inline:{b=2}}", "c").status, DictStatus::NotFound);
    EXPECT_EQ(query("unionmap:{inline:{a=1}}", "a").value, "1");
    EXPECT_EQ(query("unionmap:{static:x, static:{ }}", "k").value, "x,");
    Lookup failed = query("unionmap:{inline:{a=1}, fail:x}", "a");
    EXPECT_EQ(failed.status, DictStatus::Retry);
    EXPECT_EQ(failed.error, "Application error");
}

TEST(DictPipe, ChainsResults) {
    EXPECT_EQ(query("pipemap:{inline:{a=b}, inline:{b=c}}", "a").value, "c");
    EXPECT_EQ(query("pipemap:{inline:{a=B}, inline:{b=c}}", "A").value, "c");  // each member folds
    EXPECT_EQ(query("pipemap:{inline:{a=b}, inline:{x=c}}", "a").status, DictStatus::NotFound);
    EXPECT_EQ(query("pipemap:{inline:{a=b}}", "a").value, "b");
    EXPECT_EQ(query("pipemap:{inline:{a=1}, fail:x}", "a").status, DictStatus::Retry);
    EXPECT_EQ(query("pipemap:{inline:{q=1}, fail:x}", "a").status, DictStatus::NotFound);
}

TEST(DictCompose, SyntaxErrors) {
    for (std::string type : {"unionmap", "pipemap"}) {
        auto need = [&](const std::string& name) {
            return "bad syntax: \"" + type + ":" + name + "\"; need \"" + type + ":{type:name...}\"";
        };
        EXPECT_EQ(openError(type + ":{}"), need("{}"));
        EXPECT_EQ(openError(type + ":{ , }"), need("{ , }"));
        EXPECT_EQ(openError(type + ":{inline:{a=1} foo}"), need("{inline:{a=1} foo}"));
        EXPECT_EQ(openError(type + ":inline:{a=1}"), need("inline:{a=1}"));
        EXPECT_EQ(openError(type + ":{inline:{a=1},inline:{a=2}} "), need("{inline:{a=1},inline:{a=2}} "));
        EXPECT_EQ(openError(type + ":{inline:{a=1},inline:{a=2}"), need("{inline:{a=1},inline:{a=2}"));
        EXPECT_EQ(openError(type + ":{inline:{a=1}, bogus:x}"), "unsupported dictionary type: bogus");
        EXPECT_EQ(openError(type + ":{{inline:{a=1}}, inline:{a=2}}"), "unsupported dictionary type: {inline");
        EXPECT_EQ(openError(type + ":{inline:{a}, inline:{a=1}}"),
                  "missing '=' after attribute name: \"inline:{a}\"; need \"inline:{name=value...}\"");
        EXPECT_EQ(openError(type + ":{static:x}", OpenMode::Write),
                  type + ":{static:x} map requires O_RDONLY access mode");
    }
}

TEST(DictCompose, CompositeFoldsOnlyWithUtf8) {
    // Postfix folds at the composite level only through its UTF-8 wrapper, and only when
    // the first member has fixed-string keys.
    auto plain = openDict("pipemap:{static:ABC, static:x}", OpenMode::Read, kFlags);
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE((*plain)->flags() & flag::kFixed);
    EXPECT_EQ((*plain)->foldKey("ABC"), "ABC");
    auto utf8 = openDict("pipemap:{static:ABC, static:x}", OpenMode::Read, kFlags | flag::kUtf8Request);
    ASSERT_TRUE(utf8.ok());
    EXPECT_EQ((*utf8)->foldKey("ABC"), "abc");
    auto pattern = openDict("unionmap:{cidr:{}, static:x}", OpenMode::Read, kFlags | flag::kUtf8Request);
    ASSERT_TRUE(pattern.ok());
    EXPECT_TRUE((*pattern)->flags() & flag::kPattern);
    EXPECT_EQ((*pattern)->foldKey("ABC"), "ABC");
}

TEST(DictCompose, SameAsPostfix) {
    if (!testing::havePostfix()) GTEST_SKIP() << "no /usr/sbin/postmap";
    std::vector<std::string> specs = {
        "unionmap:{inline:{a=1}, inline:{a=2, b=3}}",
        "unionmap:{inline:{a=1}, fail:x}",
        "unionmap:{fail:x, inline:{a=1}}",
        "unionmap:{}",
        "unionmap:{ , }",
        "unionmap:{inline:{a=1} foo}",
        "unionmap:inline:{a=1}",
        "unionmap:{inline:{a=1}, bogus:x}",
        "unionmap:{{inline:{a=1}}, inline:{a=2}}",
        "unionmap:{cidr:{{1.2.3.0/24 net}}, inline:{1.2.3.4=host}}",
        "pipemap:{inline:{a=b, c=d}, inline:{b=c, d=e}}",
        "pipemap:{inline:{a=B}, inline:{b=c}}",
        "pipemap:{inline:{a=b}}",
        "pipemap:{}",
        "pipemap:{foo, inline:{a=1}}",
        "pipemap:{inline:{a=1}, fail:x}",
        "pipemap:{fail:x, bogus:x}",
        "pipemap:{static:ABC, inline:{abc=lower}}",
        "pipemap:{cidr:{{1.2.3.4 a}}, inline:{a=b}}",
    };
    std::vector<std::string> keys = {"a", "A", "c", "1.2.3.4"};
    for (bool utf8 : {false, true}) {
        ScratchDir dir(utf8);
        for (const auto& spec : specs) testing::expectSameAsPostfix(dir, spec, keys, utf8);
    }
}

}  // namespace
}  // namespace postline::maps
