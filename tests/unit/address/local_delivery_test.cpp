// Tests of local(8)'s delivery decisions: aliases (full local part, then the bare
// user), owner- aliases, :include:, commands, files, recursion, the mailbox choice and
// unknown users.
#include "postline/address/local_delivery.h"

#include <gtest/gtest.h>

#include "address_test_util.h"
#include "postline/address/routing_context.h"

namespace postline::address {
namespace {

using testing::TempDir;
using Kind = LocalDelivery::Kind;

std::vector<std::pair<Kind, std::string>> deliver(const config::Config& c, std::string_view rcpt) {
    RoutingContext ctx(c);
    std::vector<std::pair<Kind, std::string>> out;
    for (auto& d : deliverLocal(ctx, rcpt).deliveries) out.emplace_back(d.kind, d.target);
    return out;
}

TEST(LocalDelivery, AliasesCommandsFilesAndRecursion) {
    TempDir dir;
    auto c = testing::testConfig();
    c.set("recipient_delimiter", "+");
    auto include = dir.write("team.list", "# members\nroot\nfriend@example.net\n");
    auto aliases = dir.write("aliases",
                             "root root, /var/archive/admin, \"|/usr/bin/procmail -a admin\", /srv/maildir/\n"
                             "admin root\n"
                             "l1 l2\n"
                             "l2 l1\n"
                             "team :include:" +
                                 include +
                                 "\n"
                                 "sales+vip boss@example.net\n"
                                 "sales team\n");
    c.set("alias_maps", "texthash:" + aliases);
    auto d = deliver(c, "Admin@example.org");
    ASSERT_EQ(d.size(), 4u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Mailbox, std::string("/var/mail/root")));  // root lists itself
    EXPECT_EQ(d[1], std::make_pair(Kind::File, std::string("/var/archive/admin")));
    EXPECT_EQ(d[2], std::make_pair(Kind::Command, std::string("/usr/bin/procmail -a admin")));
    EXPECT_EQ(d[3], std::make_pair(Kind::Maildir, std::string("/srv/maildir/")));
    d = deliver(c, "l1@example.org");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].first, Kind::Bounce);
    EXPECT_EQ(d[0].second.substr(0, 29), "5.4.6 alias database loop for");
    d = deliver(c, "sales+vip@example.org");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Forward, std::string("boss@example.net")));
    d = deliver(c, "sales+other@example.org");  // the bare user, then the include file (root's four, friend)
    ASSERT_EQ(d.size(), 5u);
    EXPECT_EQ(d[0].second, "/var/mail/root");
    EXPECT_EQ(d[4], std::make_pair(Kind::Forward, std::string("friend@example.net")));
}

TEST(LocalDelivery, MailboxChoices) {
    auto c = testing::testConfig();
    c.set("alias_maps", "");
    EXPECT_EQ(deliver(c, "root@example.org")[0], std::make_pair(Kind::Mailbox, std::string("/var/mail/root")));
    c.set("home_mailbox", "Maildir/");
    EXPECT_EQ(deliver(c, "root@example.org")[0].first, Kind::Maildir);
    c.set("mailbox_command", "/usr/bin/procmail");
    EXPECT_EQ(deliver(c, "root@example.org")[0], std::make_pair(Kind::Command, std::string("/usr/bin/procmail")));
    c.set("mailbox_transport", "lmtp:unix:private/dovecot-lmtp");
    EXPECT_EQ(deliver(c, "nosuchuser-xyz@example.org")[0].first, Kind::Transport);
}

TEST(LocalDelivery, UnknownUsers) {
    auto c = testing::testConfig();
    c.set("alias_maps", "");
    auto d = deliver(c, "nosuchuser-xyz@example.org");
    EXPECT_EQ(d[0], std::make_pair(Kind::Bounce, std::string("5.1.1 unknown user: \"nosuchuser-xyz\"")));
    c.set("luser_relay", "catchall+$user@example.net");
    EXPECT_EQ(deliver(c, "nosuchuser-xyz@example.org")[0],
              std::make_pair(Kind::Forward, std::string("catchall+nosuchuser-xyz@example.net")));
    c.set("alias_maps", "fail:aliases");
    EXPECT_EQ(deliver(c, "root@example.org")[0].first, Kind::Defer);
}

// local(8)'s exp_type: what an :include: file lists may only go to a command or a file
// when allow_mail_to_commands / allow_mail_to_files name "include" (default: alias, forward).
TEST(LocalDelivery, CommandsAndFilesOnlyWhereAllowed) {
    TempDir dir;
    auto c = testing::testConfig();
    auto include = dir.write("list", "\"|/bin/true\"\n/var/archive/list\n");
    auto aliases = dir.write("aliases", "list :include:" + include + "\ncmd \"|/bin/true\", /var/archive/cmd\n");
    c.set("alias_maps", "texthash:" + aliases);
    auto d = deliver(c, "list@example.org");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Bounce, std::string("5.7.1 mail to command is restricted")));
    EXPECT_EQ(d[1], std::make_pair(Kind::Bounce, std::string("5.7.1 mail to file is restricted")));
    d = deliver(c, "cmd@example.org");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Command, std::string("/bin/true")));
    EXPECT_EQ(d[1], std::make_pair(Kind::File, std::string("/var/archive/cmd")));
    c.set("allow_mail_to_commands", "alias,include");
    c.set("allow_mail_to_files", "forward");
    d = deliver(c, "list@example.org");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Command, std::string("/bin/true")));
    EXPECT_EQ(d[1].second, "5.7.1 mail to file is restricted");
    EXPECT_EQ(deliver(c, "cmd@example.org")[1].second, "5.7.1 mail to file is restricted");
}

// unknown.c: a postmaster or MAILER-DAEMON without an alias is discarded, not bounced.
TEST(LocalDelivery, RequiredAliasesMissingAreDiscarded) {
    auto c = testing::testConfig();
    c.set("alias_maps", "");
    EXPECT_EQ(deliver(c, "Postmaster@example.org")[0], std::make_pair(Kind::Discard, std::string("2.0.0 discarded")));
    EXPECT_EQ(deliver(c, "MAILER-DAEMON@example.org")[0].first, Kind::Discard);
    EXPECT_EQ(deliver(c, "postmaster2@example.org")[0].first, Kind::Bounce);
    c.set("luser_relay", "catchall@example.net");  // luser_relay comes first
    EXPECT_EQ(deliver(c, "postmaster@example.org")[0].first, Kind::Forward);
}

}  // namespace
}  // namespace postline::address
