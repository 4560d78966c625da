// local(8)'s item kinds, delivery classes and :include: file reading (local_tokens.h).
#include "postline/address/local_tokens.h"

#include <gtest/gtest.h>

#include "address_test_util.h"

namespace postline::address {
namespace {

using Kind = LocalToken::Kind;

TEST(LocalTokens, ItemsAndTheirKinds) {
    auto items = listItems("root, \"|/usr/bin/procmail -a x\", /var/archive/all, :INCLUDE:/etc/lists/staff");
    ASSERT_EQ(items.size(), 4u);
    EXPECT_EQ(classifyToken(items[0]).kind, Kind::Address);
    LocalToken command = classifyToken(items[1]);
    EXPECT_EQ(command.kind, Kind::Command);
    EXPECT_EQ(command.text, "/usr/bin/procmail -a x");
    EXPECT_EQ(classifyToken(items[2]).kind, Kind::File);
    LocalToken include = classifyToken(items[3]);  // deliver_token compares without case
    EXPECT_EQ(include.kind, Kind::Include);
    EXPECT_EQ(include.text, "/etc/lists/staff");
}

TEST(LocalTokens, ClassesOfAllowMailTo) {
    auto c = testing::testConfig();
    // Postfix's defaults: alias, forward.
    EXPECT_TRUE(expansionAllowed(c, "allow_mail_to_commands", ExpansionClass::Alias));
    EXPECT_TRUE(expansionAllowed(c, "allow_mail_to_files", ExpansionClass::Forward));
    EXPECT_FALSE(expansionAllowed(c, "allow_mail_to_commands", ExpansionClass::Include));
    c.set("allow_mail_to_files", "Forward,\tINCLUDE");
    EXPECT_TRUE(expansionAllowed(c, "allow_mail_to_files", ExpansionClass::Include));
    EXPECT_FALSE(expansionAllowed(c, "allow_mail_to_files", ExpansionClass::Alias));
}

TEST(LocalTokens, IncludeFileLinesKeepTheirNumbers) {
    testing::TempDir dir;
    auto path = dir.write("list", "# staff\n\nalice, bob\n  carol\n\"|/bin/true\"");
    auto lines = readIncludeFile(path);
    ASSERT_TRUE(lines) << lines.error().message;
    ASSERT_EQ(lines->size(), 3u);
    EXPECT_EQ((*lines)[0].line, 3);
    EXPECT_EQ((*lines)[0].text, "alice, bob");
    EXPECT_EQ((*lines)[1].line, 4);  // no continuation lines in :include: files
    EXPECT_EQ((*lines)[2].line, 5);
    EXPECT_EQ((*lines)[2].text, "\"|/bin/true\"");
    EXPECT_FALSE(readIncludeFile(dir.path.string() + "/nonexistent"));
}

}  // namespace
}  // namespace postline::address
