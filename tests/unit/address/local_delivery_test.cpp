// Tests of local(8)'s delivery decisions: aliases (full local part, then the bare
// user), owner- aliases, :include:, commands, files, recursion, the mailbox choice and
// unknown users, .forward files.
#include "postline/address/local_delivery.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>

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

// alias.c: the nesting level is checked before the lookup, so at the level where a loop
// is caught every name of the list bounces, an alias or not (Postfix bounces both
// "vertrieb" and "root" below; root's mailbox gets the mail from the levels above).
TEST(LocalDelivery, EveryNameBouncesAtTheLoopLevel) {
    TempDir dir;
    auto c = testing::testConfig();
    c.set("alias_maps", "texthash:" + dir.write("aliases", "team vertrieb, root\nvertrieb team\n"));
    auto d = deliver(c, "team@example.org");
    auto has = [&](Kind kind, const std::string& target) {
        return std::find(d.begin(), d.end(), std::make_pair(kind, target)) != d.end();
    };
    EXPECT_TRUE(has(Kind::Bounce, "5.4.6 alias database loop for vertrieb"));
    EXPECT_TRUE(has(Kind::Bounce, "5.4.6 alias database loop for root"));
    EXPECT_TRUE(has(Kind::Mailbox, "/var/mail/root"));
    EXPECT_FALSE(has(Kind::Bounce, "5.4.6 alias database loop for team"));
    // The duplicate filter: root's mailbox once, though each level lists root.
    EXPECT_EQ(std::count(d.begin(), d.end(), std::make_pair(Kind::Mailbox, std::string("/var/mail/root"))), 1);
    EXPECT_EQ(d.size(), 3u);
}

// local(8) opens alias_maps with DICT_FLAG_PARANOID: a pattern rule with $n is skipped.
TEST(LocalDelivery, PatternAliasRulesWithSubstitutionAreSkipped) {
    TempDir dir;
    auto c = testing::testConfig();
    c.set("alias_maps", "regexp:" + dir.write("aliases.regexp", "/^(.+)-request$/ ${1}\n/^robot$/ root\n"));
    auto d = deliver(c, "robot@example.org");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Mailbox, std::string("/var/mail/root")));
    d = deliver(c, "root-request@example.org");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].first, Kind::Bounce);
    EXPECT_NE(d[0].second.find("unknown user"), std::string::npos) << d[0].second;
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

// include.c's duplicate elimination: each :include: file is read once per expansion, so
// a file that includes itself (or a file included twice) is no loop.
TEST(LocalDelivery, IncludeFilesAreReadOnce) {
    TempDir dir;
    auto c = testing::testConfig();
    std::string self = (dir.path / "self.list").string();
    dir.write("self.list", "friend@example.net\n:include:" + self + "\n");
    auto aliases = dir.write("aliases", "list :include:" + self + ", :Include:" + self + "\n");
    c.set("alias_maps", "texthash:" + aliases);
    auto d = deliver(c, "list@example.org");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Forward, std::string("friend@example.net")));
}

// include.c: a :include: file that is missing (or relative, not a regular file, world
// writable) bounces the recipient as a configuration error; the other items still count.
TEST(LocalDelivery, UnusableIncludeFileBounces) {
    TempDir dir;
    auto c = testing::testConfig();
    auto aliases = dir.write("aliases", "list :include:" + (dir.path / "gone").string() +
                                            ", friend@example.net\nrel :include:lists/staff\n");
    c.set("alias_maps", "texthash:" + aliases);
    auto d = deliver(c, "list@example.org");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], std::make_pair(Kind::Bounce, std::string("5.3.5 mail system configuration error")));
    EXPECT_EQ(d[1], std::make_pair(Kind::Forward, std::string("friend@example.net")));
    EXPECT_EQ(deliver(c, "rel@example.org")[0].first, Kind::Bounce);
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

// dotforward.c: one user "fwduser" whose home is a scratch directory.
struct ForwardHome {
    TempDir home;
    LocalUserLookup users = [this](const std::string& name) -> std::optional<LocalUser> {
        if (name != "fwduser") return std::nullopt;
        return LocalUser{home.path.string(), "/bin/sh", getuid()};
    };
    LocalDeliveryResult deliver(const config::Config& c, std::string_view rcpt) {
        RoutingContext ctx(c);
        return deliverLocal(ctx, rcpt, users);
    }
};

TEST(LocalDelivery, ForwardFileIsExpandedLikeAnAlias) {
    ForwardHome h;
    auto c = testing::testConfig();
    c.set("alias_maps", "");
    c.set("recipient_delimiter", "+");
    auto r = h.deliver(c, "fwduser@example.org");  // no .forward yet: the mailbox
    ASSERT_EQ(r.deliveries.size(), 1u);
    EXPECT_EQ(r.deliveries[0].kind, Kind::Mailbox);
    EXPECT_EQ(r.deliveries[0].target, "/var/mail/fwduser");

    auto fwd = h.home.write(".forward",
                            "# mine\nfriend@example.net, \"|/usr/bin/vacation fwduser\"\n"
                            "/var/archive/fwduser\n\\fwduser\n");
    r = h.deliver(c, "fwduser@example.org");
    ASSERT_EQ(r.deliveries.size(), 4u);
    EXPECT_EQ(r.deliveries[0].kind, Kind::Forward);
    EXPECT_EQ(r.deliveries[0].target, "friend@example.net");
    EXPECT_EQ(r.deliveries[0].via, "fwduser -> " + fwd + ":2");
    EXPECT_EQ(r.deliveries[1].kind, Kind::Command);
    EXPECT_EQ(r.deliveries[1].target, "/usr/bin/vacation fwduser");
    EXPECT_EQ(r.deliveries[2].kind, Kind::File);
    EXPECT_EQ(r.deliveries[3].kind, Kind::Mailbox);  // \user: the user's own mailbox
    EXPECT_EQ(r.deliveries[3].target, "/var/mail/fwduser");
    EXPECT_EQ(r.deliveries[3].via, "fwduser -> " + fwd + ":4");
    bool stepSeen = false;
    for (auto& s : r.steps)
        if (s.stage == "forward_path" && s.result == fwd) stepSeen = true;
    EXPECT_TRUE(stepSeen);

    // Commands and files need "forward" in allow_mail_to_commands / allow_mail_to_files.
    c.set("allow_mail_to_commands", "alias");
    c.set("allow_mail_to_files", "alias");
    r = h.deliver(c, "fwduser@example.org");
    ASSERT_EQ(r.deliveries.size(), 4u);
    EXPECT_EQ(r.deliveries[1].target, "5.7.1 mail to command is restricted");
    EXPECT_EQ(r.deliveries[2].target, "5.7.1 mail to file is restricted");
}

// dotforward.c reads with deliver_token_stream: every physical line is a list of its own
// (a blank line counts, and a line that starts with white space continues nothing).
TEST(LocalDelivery, ForwardFileLinesAreNumberedAsInTheFile) {
    ForwardHome h;
    auto c = testing::testConfig();
    c.set("alias_maps", "");
    auto fwd = h.home.write(".forward", "\n# away\nfriend@example.net\n  other@example.net\n");
    auto r = h.deliver(c, "fwduser@example.org");
    ASSERT_EQ(r.deliveries.size(), 2u);
    EXPECT_EQ(r.deliveries[0].target, "friend@example.net");
    EXPECT_EQ(r.deliveries[0].via, "fwduser -> " + fwd + ":3");
    EXPECT_EQ(r.deliveries[1].target, "other@example.net");
    EXPECT_EQ(r.deliveries[1].via, "fwduser -> " + fwd + ":4");
}

TEST(LocalDelivery, ForwardPathExtensionsAndOwnName) {
    ForwardHome h;
    auto c = testing::testConfig();
    c.set("alias_maps", "");
    c.set("recipient_delimiter", "+-");
    h.home.write(".forward", "other@example.org\nfwduser@example.org\n");
    auto ext = h.home.write(".forward-list", "list@example.net\n");
    // The extension file first; "+" is the delimiter actually used.
    auto r = h.deliver(c, "fwduser-list@example.org");
    ASSERT_EQ(r.deliveries.size(), 1u);
    EXPECT_EQ(r.deliveries[0].target, "list@example.net");
    EXPECT_EQ(r.deliveries[0].via, "fwduser -> " + ext + ":1");
    // No such extension file (and ${extension} undefined without one): $home/.forward.
    // Another local user is forwarded (a new message); the user's own name is the mailbox.
    for (auto rcpt : {"fwduser+other@example.org", "fwduser@example.org"}) {
        r = h.deliver(c, rcpt);
        ASSERT_EQ(r.deliveries.size(), 2u) << rcpt;
        EXPECT_EQ(r.deliveries[0].kind, Kind::Forward);
        EXPECT_EQ(r.deliveries[0].target, "other@example.org");
        EXPECT_EQ(r.deliveries[1].kind, Kind::Mailbox);
    }
    // The ${name?value} and ${name:value} forms, and the other local names.
    c.set("forward_path", "${extension?$home/.forward-$extension} ${extension:$home/none-$user-$domain}");
    EXPECT_EQ(h.deliver(c, "fwduser+list@example.org").deliveries[0].target, "list@example.net");
    h.home.write("none-fwduser-example.org", "third@example.net\n");
    EXPECT_EQ(h.deliver(c, "fwduser@example.org").deliveries[0].target, "third@example.net");
    // An empty forward_path turns .forward files off.
    c.set("forward_path", "");
    EXPECT_EQ(h.deliver(c, "fwduser@example.org").deliveries[0].kind, Kind::Mailbox);
}

TEST(LocalDelivery, ForwardFileIgnoredWhenUnsafeOrEmpty) {
    ForwardHome h;
    auto c = testing::testConfig();
    c.set("alias_maps", "");
    auto fwd = h.home.write(".forward", "friend@example.net\n");
    chmod(fwd.c_str(), 0666);
    auto r = h.deliver(c, "fwduser@example.org");
    ASSERT_EQ(r.deliveries.size(), 1u);
    EXPECT_EQ(r.deliveries[0].kind, Kind::Mailbox);
    bool warned = false;
    for (auto& s : r.steps)
        for (auto& w : s.warnings)
            if (w == "file " + fwd + " is world writable") warned = true;
    EXPECT_TRUE(warned);
    chmod(fwd.c_str(), 0644);
    h.home.write(".forward", "# nothing\n\n");
    EXPECT_EQ(h.deliver(c, "fwduser@example.org").deliveries[0].kind, Kind::Mailbox);
    // An alias comes before the .forward file.
    h.home.write(".forward", "friend@example.net\n");
    TempDir dir;
    c.set("alias_maps", "texthash:" + dir.write("aliases", "fwduser boss@example.net\n"));
    EXPECT_EQ(h.deliver(c, "fwduser@example.org").deliveries[0].target, "boss@example.net");
}

}  // namespace
}  // namespace postline::address
