// pipe(8)'s master.cf attributes (pipe.c get_service_attr and its sanity checks) and
// the command line's macro expansion (expand_argv, morph_recipient).
#include "pipe_args.h"

#include <gtest/gtest.h>

#include "postline/address/tokens.h"
#include "postline/delivery/mbox.h"

namespace postline::pipe {
namespace {

using namespace delivery::copy_flag;

std::optional<UserEntry> users(const std::string& name) {
    if (name == "filter") return UserEntry{1000, 1000};
    if (name == "root") return UserEntry{0, 0};
    if (name == "postfix") return UserEntry{107, 113};
    return std::nullopt;
}
std::optional<gid_t> groups(const std::string& name) {
    if (name == "mail") return 8;
    if (name == "postdrop") return 114;
    if (name == "wheel") return 0;
    return std::nullopt;
}

base::Result<PipeAttributes> parse(std::vector<std::string> args) { return parseAttributes(args, users, groups); }

TEST(PipeAttributes, FlagsUserAndCommand) {
    auto a = parse({"flags=BDFORhqu.>X", "user=filter:mail", "size=1000", "eol=\\r\\n",
                    "null_sender=", "directory=/tmp", "argv=/usr/bin/filter", "-f", "${sender}", "--", "${recipient}"});
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->flags, kBlank | kDelivered | kFrom | kOrigRcpt | kReturnPath | kFoldHost | kQuoteLocal | kFoldUser |
                            kDot | kQuote | kFinalDelivery);
    EXPECT_EQ(a->user, "filter");
    EXPECT_EQ(a->uid, 1000u);
    EXPECT_EQ(a->gid, 8u);
    EXPECT_EQ(a->sizeLimit, 1000);
    EXPECT_EQ(a->eol, "\r\n");
    EXPECT_EQ(a->nullSender, "");
    EXPECT_EQ(a->directory, "/tmp");
    // Everything after argv= is the command, attributes or not.
    EXPECT_EQ(a->command, (std::vector<std::string>{"/usr/bin/filter", "-f", "${sender}", "--", "${recipient}"}));

    auto b = parse({"USER=filter", "Argv=/bin/cat", "user=root"});
    ASSERT_TRUE(b);
    EXPECT_EQ(b->gid, 1000u);  // the user's own group
    EXPECT_EQ(b->nullSender, "MAILER-DAEMON");
    EXPECT_EQ(b->eol, "\n");
    EXPECT_EQ(b->command, (std::vector<std::string>{"/bin/cat", "user=root"}));
}

TEST(PipeAttributes, ErrorsArePostfixFatalTexts) {
    EXPECT_EQ(parse({"flags=Z", "user=filter", "argv=x"}).error().message, "unknown flag: Z (ignored)");
    EXPECT_EQ(parse({"user=nobody1", "argv=x"}).error().message, "get_service_attr: unknown username: nobody1");
    EXPECT_EQ(parse({"user=filter:nogroup1", "argv=x"}).error().message, "get_service_attr: unknown group: nogroup1");
    EXPECT_EQ(parse({"user=filter", "size=12k", "argv=x"}).error().message, "get_service_attr: bad size= value: 12k");
    EXPECT_EQ(parse({"user=filter", "bogus=1", "argv=x"}).error().message, "unknown attribute name: bogus=1");
    EXPECT_EQ(parse({"argv=x"}).error().message, "missing user= command-line attribute");
    EXPECT_EQ(parse({"user=filter"}).error().message, "missing argv= command-line attribute");
}

TEST(PipeAttributes, PrivilegeChecks) {
    PrivilegeLimits limits;
    limits.mailOwner = "postfix";
    limits.ownerUid = 107;
    limits.ownerGid = 113;
    limits.setgidGroup = "postdrop";
    limits.setgidGid = 114;
    auto check = [&](const std::string& user) {
        auto a = parse({"user=" + user, "argv=x"});
        EXPECT_TRUE(a);
        auto st = checkPrivileges(*a, limits);
        return st ? std::string("ok") : st.error().message;
    };
    EXPECT_EQ(check("filter"), "ok");
    EXPECT_EQ(check("root"), "user= command-line attribute specifies root privileges");
    EXPECT_EQ(check("postfix"), "user= command-line attribute specifies mail system owner postfix");
    EXPECT_EQ(check("filter:wheel"), "user= command-line attribute specifies privileged group id 0");
    EXPECT_EQ(check("filter:postdrop"), "user= command-line attribute specifies mail system postdrop group id 114");
    limits.ownerGid = 1000;
    EXPECT_EQ(check("filter"), "user= command-line attribute specifies mail system owner postfix group id 1000");

    // An unprivileged agent runs commands as itself only, mail owner or not.
    limits.privileged = false;
    limits.runningUid = 107;
    EXPECT_EQ(check("postfix"), "ok");
    EXPECT_EQ(check("filter"),
              "user= command-line attribute specifies filter (uid 1000), but pipe runs as uid 107 and cannot change "
              "to it");
}

struct Expansion {
    std::vector<std::string> warnings;
    ExpandContext ctx;
    Expansion() {
        ctx.service = "filter";
        ctx.configDirectory = "/etc/postfix";
        ctx.recipientDelimiter = "+";
        ctx.sender = "alice@example.org";
        ctx.nexthop = "Example.COM";
        ctx.size = "1234";
        ctx.clientAddress = "192.0.2.1";
        ctx.queueId = "4ABC";
        ctx.quoteLocal = [](std::string_view a) { return address::quoteLocalPart(a); };
        ctx.warn = [this](std::string_view t) { warnings.emplace_back(t); };
    }
    std::optional<std::vector<std::string>> run(std::vector<std::string> command, int flags,
                                                std::vector<ExpandRecipient> rcpts) {
        return expandCommand(command, flags, rcpts, ctx);
    }
};

TEST(PipeExpand, RecipientArgumentsRepeatPerRecipient) {
    Expansion e;
    auto argv = e.run({"/bin/deliver", "-f", "$sender", "-h", "${nexthop}", "$(size)", "-d", "${recipient}", "x$$y"}, 0,
                      {{"Bob+tag@Example.COM", "orig@example.com"}, {"carol@example.com", ""}});
    ASSERT_TRUE(argv);
    EXPECT_EQ(*argv, (std::vector<std::string>{"/bin/deliver", "-f", "alice@example.org", "-h", "Example.COM", "1234",
                                               "-d", "Bob+tag@Example.COM", "carol@example.com", "x$y"}));
    EXPECT_TRUE(e.warnings.empty());
}

TEST(PipeExpand, UserExtensionMailboxDomainAndFolding) {
    Expansion e;
    std::vector<std::string> cmd{"u=${user}",
                                 "e=${extension}",
                                 "m=${mailbox}",
                                 "d=${domain}",
                                 "r=${recipient}",
                                 "o=${original_recipient}",
                                 "q=${queue_id} ${client_address}"};
    auto argv = e.run(cmd, 0, {{"Bob+Tag@Example.COM", "Orig@Example.COM"}});
    ASSERT_TRUE(argv);
    EXPECT_EQ(*argv, (std::vector<std::string>{"u=Bob", "e=Tag", "m=Bob+Tag", "d=Example.COM", "r=Bob+Tag@Example.COM",
                                               "o=Orig@Example.COM", "q=4ABC 192.0.2.1"}));
    argv = e.run(cmd, kFoldUser | kFoldHost, {{"Bob+Tag@Example.COM", "Orig@Example.COM"}});
    ASSERT_TRUE(argv);
    EXPECT_EQ(*argv, (std::vector<std::string>{"u=bob", "e=tag", "m=bob+tag", "d=example.com", "r=bob+tag@example.com",
                                               "o=orig@example.com", "q=4ABC 192.0.2.1"}));
    argv = e.run(cmd, kFoldHost, {{"Bob@Example.COM", ""}});
    ASSERT_TRUE(argv);
    EXPECT_EQ((*argv)[0], "u=Bob");
    EXPECT_EQ((*argv)[1], "e=");
    EXPECT_EQ((*argv)[3], "d=example.com");
    // With '-' a delimiter, owner-* and *-request are never split (split_addr).
    e.ctx.recipientDelimiter = "-";
    argv = e.run({"${user}", "${extension}"}, 0, {{"owner-list@example.com", ""}});
    EXPECT_EQ(*argv, (std::vector<std::string>{"owner-list", ""}));
    argv = e.run({"${user}", "${extension}"}, 0, {{"list-x@example.com", ""}});
    EXPECT_EQ(*argv, (std::vector<std::string>{"list", "x"}));
}

TEST(PipeExpand, QuoteFlagQuotesRecipients) {
    Expansion e;
    auto argv = e.run({"${recipient}", "${mailbox}"}, kQuoteLocal, {{"a b@example.com", ""}});
    ASSERT_TRUE(argv);
    // 'q' quotes $recipient and $original_recipient only.
    EXPECT_EQ(*argv, (std::vector<std::string>{"\"a b\"@example.com", "a b"}));
}

TEST(PipeExpand, BadMacrosAreConfigurationErrors) {
    Expansion e;
    EXPECT_FALSE(e.run({"${recipient?x}"}, 0, {{"a@b", ""}}));
    EXPECT_EQ(e.warnings.back(), "file /etc/postfix/master.cf: service filter: unknown macro name: \"recipient?x\"");
    EXPECT_FALSE(e.run({"$home"}, 0, {{"a@b", ""}}));
    EXPECT_EQ(e.warnings.back(), "file /etc/postfix/master.cf: service filter: unknown macro name: \"home\"");
    EXPECT_FALSE(e.run({"a${sender"}, 0, {{"a@b", ""}}));
    EXPECT_EQ(e.warnings.back(), "truncated macro reference: \"a${sender\"");
    EXPECT_FALSE(e.run({"a$"}, 0, {{"a@b", ""}}));
    EXPECT_EQ(e.warnings.back(), "empty macro name: \"a$\"");
}

TEST(PipeExpand, NoAtInRecipientIsWarned) {
    Expansion e;
    auto argv = e.run({"${domain}", "${user}"}, 0, {{"local", ""}});
    ASSERT_TRUE(argv);
    EXPECT_EQ(*argv, (std::vector<std::string>{"", "local"}));
    EXPECT_EQ(e.warnings,
              (std::vector<std::string>{"no @ in recipient address: local", "no @ in recipient address: local"}));
}

}  // namespace
}  // namespace postline::pipe
