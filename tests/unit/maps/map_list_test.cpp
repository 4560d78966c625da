// Tests of MapList (Postfix's maps.c): list splitting with braces, search order,
// PARTIAL keys skipping pattern tables, empty results, unavailable tables.
#include "postline/maps/map_list.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "postline/config/config.h"

namespace postline::maps {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "maplistXXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

TEST(MapList, SplitsOnCommasAndSpacesKeepingBraces) {
    auto specs = splitMapSpecs(" hash:/a,  regexp:{ {/x/ y}, {/z/ w} }\tinline:{a=1, b=2},,static:x ");
    ASSERT_EQ(specs.size(), 4u);
    EXPECT_EQ(specs[0], "hash:/a");
    EXPECT_EQ(specs[1], "regexp:{ {/x/ y}, {/z/ w} }");
    EXPECT_EQ(specs[2], "inline:{a=1, b=2}");
    EXPECT_EQ(specs[3], "static:x");
    EXPECT_TRUE(splitMapSpecs("  , ").empty());
}

TEST(MapList, FirstTableThatAnswersWins) {
    TempDir dir;
    auto a = dir.write("a", "one first\n");
    auto b = dir.write("b", "one second\ntwo second\n");
    auto list = MapList::create("virtual_alias_maps", "texthash:" + a + " texthash:" + b, flag::kFoldFix);
    EXPECT_EQ(list.size(), 2u);
    auto hit = list.find("ONE");
    ASSERT_TRUE(hit.isFound());
    EXPECT_EQ(hit.value, "first");
    EXPECT_EQ(hit.table, "texthash:" + a);
    hit = list.find("two");
    EXPECT_EQ(hit.value, "second");
    EXPECT_EQ(hit.table, "texthash:" + b);
    EXPECT_EQ(list.find("three").status, DictStatus::NotFound);
    EXPECT_EQ(list.find("").status, DictStatus::NotFound);
}

TEST(MapList, PartialKeysSkipPatternTables) {
    auto list =
        MapList::create("t", "regexp:{ {/^user@$/ from-regexp} } inline:{ {user@=from-inline} }", flag::kFoldFix);
    auto full = list.find("user@");
    EXPECT_EQ(full.value, "from-regexp");
    auto partial = list.find("user@", flag::kFixed);
    EXPECT_EQ(partial.value, "from-inline");
    auto onlyPattern = MapList::create("t", "regexp:{ {/x/ y} }", 0);
    EXPECT_EQ(onlyPattern.find("x", flag::kFixed).status, DictStatus::NotFound);
    EXPECT_EQ(onlyPattern.find("x").value, "y");
}

TEST(MapList, EmptyResultIsAConfigurationError) {
    // The second group matches nothing, so the result is the empty string.
    auto list = MapList::create("canonical_maps", "regexp:{ {/^(k)(x?)$/ $2} }", flag::kFoldFix);
    auto hit = list.find("k");
    EXPECT_EQ(hit.status, DictStatus::ConfigError);
    ASSERT_EQ(hit.warnings.size(), 2u);
    EXPECT_EQ(hit.warnings[0], "canonical_maps lookup of k returns an empty string result");
    EXPECT_EQ(hit.warnings[1], "canonical_maps should return NO RESULT in case of NOT FOUND");
}

TEST(MapList, TableErrorsAreTemporaryAndStopTheSearch) {
    auto list = MapList::create("transport_maps", "fail:broken inline:{k=v}", flag::kFoldFix);
    auto hit = list.find("k");
    EXPECT_EQ(hit.status, DictStatus::Retry);
    EXPECT_EQ(hit.table, "fail:broken");
    ASSERT_EQ(hit.warnings.size(), 1u);
    EXPECT_EQ(hit.warnings[0], "fail:broken lookup error for \"k\"");
}

TEST(MapList, UnavailableTableDefersLookups) {
    TempDir dir;
    auto list = MapList::create("alias_maps", "inline:{a=b} texthash:" + (dir.path / "missing").string(), 0);
    EXPECT_EQ(list.openWarnings().size(), 1u);
    EXPECT_EQ(list.find("a").value, "b");
    auto hit = list.find("zzz");
    EXPECT_EQ(hit.status, DictStatus::Retry);
    EXPECT_NE(hit.error.find("is unavailable."), std::string::npos) << hit.error;
    auto unknown = MapList::create("x", "nosuchtype:foo", 0);
    EXPECT_EQ(unknown.find("a").status, DictStatus::Retry);
}

TEST(MapList, AddTakesCallerOpenedTables) {
    auto list = MapList::empty("t");
    EXPECT_TRUE(list.empty());
    list.add("inline:{a=1}", openDict("inline:{a=1}", OpenMode::Read, 0));
    list.add("custom:x", base::Error{"no such thing", 0});
    EXPECT_EQ(list.find("a").value, "1");
    EXPECT_EQ(list.find("b").error, "custom:x is unavailable. no such thing");
}

TEST(MapList, FromParameterExpandsTheValue) {
    auto config = config::Config::defaults();
    config.set("my_tables", "inline:{a=1}");
    config.set("virtual_alias_maps", "$my_tables, static:two");
    auto list = MapList::fromParameter(config, "virtual_alias_maps", flag::kFoldFix);
    EXPECT_EQ(list.title(), "virtual_alias_maps");
    ASSERT_EQ(list.specs().size(), 2u);
    EXPECT_EQ(list.find("A").value, "1");
    EXPECT_EQ(list.find("b").value, "two");
}

}  // namespace
}  // namespace postline::maps
