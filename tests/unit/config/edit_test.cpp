// main.cf edits (lib/config/src/main_cf_edit.cpp): every other byte is kept, as with
// postconf -e, -X and -#.
#include "postline/config/edit.h"

#include <gtest/gtest.h>

namespace postline::config {
namespace {

constexpr std::string_view kMainCf =
    "# head\nmyhostname = a\n  continued\n\nrelayhost=x\n#relayhost = old\nalias_maps = one\nalias_maps = two\n";

TEST(EditMainCf, SetReplacesEveryDefinitionAndAppendsNewOnes) {
    auto r = editMainCf(kMainCf, MainEditMode::Set, {{"myhostname", "b"}, {"alias_maps", "z"}, {"new", "v"}});
    EXPECT_EQ(r.text,
              "# head\nmyhostname = b\n\nrelayhost=x\n#relayhost = old\nalias_maps = z\nalias_maps = z\nnew = v\n");
    EXPECT_EQ(r.duplicates, std::vector<std::string>{"alias_maps"});
}

TEST(EditMainCf, RemoveDropsContinuationLines) {
    auto r = editMainCf(kMainCf, MainEditMode::Remove, {{"myhostname", ""}, {"nosuch", ""}});
    EXPECT_EQ(r.text, "# head\n\nrelayhost=x\n#relayhost = old\nalias_maps = one\nalias_maps = two\n");
}

TEST(EditMainCf, CommentOutPrefixesEveryLineOfTheDefinition) {
    auto r = editMainCf(kMainCf, MainEditMode::CommentOut, {{"myhostname", ""}, {"relayhost", ""}});
    EXPECT_EQ(r.text,
              "# head\n#myhostname = a\n#  continued\n\n#relayhost=x\n#relayhost = old\nalias_maps = one\n"
              "alias_maps = two\n");
}

TEST(EditMainCf, KeepsAFileWithoutFinalNewlineAsIs) {
    EXPECT_EQ(editMainCf("a = 1", MainEditMode::Set, {{"b", "2"}}).text, "a = 1b = 2\n");
}

}  // namespace
}  // namespace postline::config
