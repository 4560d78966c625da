// local(8)'s item kinds, delivery classes and :include: file reading (local_tokens.h).
#include "postline/address/local_tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

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
}

// include.c's checks before it reads, each with the warning local(8) logs.
TEST(LocalTokens, IncludeFilesLocalRefuses) {
    testing::TempDir dir;
    std::string base = dir.path.string();
    auto error = [](const std::string& path) {
        auto lines = readIncludeFile(path);
        return lines ? std::string("read") : lines.error().message;
    };
    EXPECT_EQ(error("lists/staff"), ":include:lists/staff uses a relative path");
    EXPECT_EQ(error(base + "/nonexistent"),
              "unable to lookup :include: file " + base + "/nonexistent: No such file or directory");
    EXPECT_EQ(error(base), ":include: file " + base + " is not a regular file");
    auto open = dir.write("open", "alice\n");
    ASSERT_EQ(::chmod(open.c_str(), 0666), 0);
    EXPECT_EQ(error(open), ":include: file " + open + " is world writable");
    ASSERT_EQ(::chmod(open.c_str(), 0644), 0);
    EXPECT_EQ(error(open), "read");
}

}  // namespace
}  // namespace postline::address
