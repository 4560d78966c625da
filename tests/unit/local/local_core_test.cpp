// local(8)'s delivery of a recipient, end to end below the socket: a small
// configuration (aliases, a spool directory, home_mailbox, commands, files, forwarding,
// mailbox_transport) and what lands in the temporary mail spool, with Postfix's reasons.
#include "local_core.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "address/address_test_util.h"
#include "local_command.h"
#include "postline/address/routing_context.h"
#include "postline/queue/cleanup_client.h"
#include "postline/queue/record_type.h"

namespace postline::local {
namespace {

namespace fs = std::filesystem;
using address::testing::TempDir;
using K = Outcome::Kind;

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct FakeCleanup : Resubmission {
    std::vector<std::string>* records;
    std::string id = "4ABCDEF123";
    int status = 0;
    const std::string& queueId() const override { return id; }
    void record(int type, std::string_view data) override {
        records->push_back(std::string(1, static_cast<char>(type)) + " " + std::string(data));
    }
    base::Result<int> finish() override { return status; }
};

class LocalCoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        spool_ = dir_.path / "spool";
        fs::create_directories(spool_);
        fs::create_directories(dir_.path / "home/bob");
        config_ = address::testing::testConfig();
        config_.set("mail_spool_directory", spool_.string());
        config_.set("recipient_delimiter", "+");
        config_.set("myhostname", "mail.example.org");
        config_.set("deliver_lock_attempts", "2");
        config_.set("deliver_lock_delay", "0");
        config_.set("alias_maps", "");
    }
    void aliases(const std::string& text) { config_.set("alias_maps", "texthash:" + dir_.write("aliases", text)); }
    std::vector<Outcome> deliver(const std::string& rcpt, std::vector<std::string> lines = {}) {
        return deliverAs(rcpt, std::move(lines), false, ::getuid(), ::getgid());
    }
    std::vector<Outcome> deliverAs(const std::string& rcpt, std::vector<std::string> lines, bool switchUsers, uid_t uid,
                                   gid_t gid) {
        if (lines.empty()) lines = {"Subject: test", "From: alice@example.net", "", "From the start", "body"};
        routing_ = std::make_unique<address::RoutingContext>(config_);
        auto settings = LocalSettings::read([&](std::string_view n) { return config_.get(n); },
                                            [&](std::string_view n) { return config_.raw(n).value_or(""); });
        EXPECT_TRUE(settings);
        LocalEnvironment env;
        env.settings = *settings;
        env.settings.maildirHostname = "host";
        env.routing = routing_.get();
        std::string home = (dir_.path / "home/bob").string();
        env.switchUsers = switchUsers;
        env.users = [home, uid](const std::string& name) -> std::optional<address::LocalUser> {
            if (name != "bob") return std::nullopt;
            return address::LocalUser{home, "/bin/sh", uid};
        };
        env.accounts = [home, uid, gid](const std::string& name) -> std::optional<Account> {
            if (name == "nobody") return Account{"nobody", 65534, 65534, "/nonexistent", "/usr/sbin/nologin"};
            if (name != "bob") return std::nullopt;
            return Account{"bob", uid, gid, home, "/bin/sh"};
        };
        env.accountByUid = [](uid_t uid) -> std::optional<Account> {
            if (uid == 0) return Account{"root", 0, 0, "/root", "/bin/bash"};
            return Account{"owner", uid, ::getgid(), "/home/owner", "/bin/owner-sh"};
        };
        env.openCleanup = [this](int flags) -> base::Result<std::unique_ptr<Resubmission>> {
            cleanupFlags_ = flags;
            auto c = std::make_unique<FakeCleanup>();
            c->records = &records_;
            return std::unique_ptr<Resubmission>(std::move(c));
        };
        env.pass = [this](const std::string& transport, const delivery::DeliverRequest& r) {
            passed_.push_back(transport + " " + r.nexthop + " " + r.recipients.at(0).address + " " +
                              std::to_string(r.recipients.at(0).offset));
            return passResult_;
        };
        env.info = [this](std::string_view t) { info_.emplace_back(t); };
        env.now = [] { return timeval{1796605323, 250000}; };
        request_.sender = "alice@example.net";
        request_.nexthop = "example.org";
        delivery::DeliverRecipient r;
        r.address = rcpt;
        r.original = rcpt;
        r.offset = 123;
        r.dsnNotify = notify_;
        return deliverRecipient(env, request_, lines, r);
    }

    TempDir dir_;
    fs::path spool_;
    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
    delivery::DeliverRequest request_;
    std::vector<std::string> records_;
    std::vector<std::string> passed_;
    std::vector<std::string> info_;
    PassResult passResult_{PassResult::Stage::Replied, delivery::kStatusFinal, ""};
    int cleanupFlags_ = -1;
    int notify_ = 0;
};

TEST_F(LocalCoreTest, MailboxInSpoolHasPostfixEnvelopeLines) {
    auto out = deliver("bob@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Sent);
    EXPECT_EQ(out[0].dsn.status, "2.0.0");
    EXPECT_EQ(out[0].dsn.reason, "delivered to mailbox");
    EXPECT_EQ(slurp(spool_ / "bob"),
              "From alice@example.net  Mon Dec  7 01:02:03 2026\n"
              "Return-Path: <alice@example.net>\n"
              "X-Original-To: bob@example.org\n"
              "Delivered-To: bob@example.org\n"
              "Subject: test\nFrom: alice@example.net\n\n>From the start\nbody\n\n");
    struct stat st {};
    ASSERT_EQ(::stat((spool_ / "bob").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_FALSE(fs::exists(spool_ / "bob.lock"));
    // A second message is appended after the first.
    deliver("bob+news@example.org");
    EXPECT_NE(slurp(spool_ / "bob")
                  .find("\n\nFrom alice@example.net  Mon Dec  7 01:02:03 2026\n"
                        "Return-Path: <alice@example.net>\nX-Original-To: bob+news@example.org\n"),
              std::string::npos);
}

TEST_F(LocalCoreTest, PrependDeliveredHeaderWithoutFileDropsDeliveredTo) {
    config_.set("prepend_delivered_header", "command");
    config_.set("enable_original_recipient", "no");
    deliver("bob@example.org");
    std::string box = slurp(spool_ / "bob");
    EXPECT_EQ(box.find("Delivered-To:"), std::string::npos);
    EXPECT_EQ(box.find("X-Original-To:"), std::string::npos);
}

TEST_F(LocalCoreTest, HomeMaildirGetsFileInNew) {
    config_.set("home_mailbox", "Maildir/");
    auto out = deliver("bob@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Sent);
    EXPECT_EQ(out[0].dsn.reason, "delivered to maildir");
    fs::path md = dir_.path / "home/bob/Maildir";
    ASSERT_TRUE(fs::is_directory(md / "new"));
    EXPECT_TRUE(fs::is_directory(md / "cur"));
    EXPECT_TRUE(fs::is_empty(md / "tmp"));
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(md / "new")) files.push_back(e.path());
    ASSERT_EQ(files.size(), 1u);
    std::string name = files[0].filename().string();
    EXPECT_EQ(name.rfind(".host"), name.size() - 5) << name;
    EXPECT_NE(name.find(".V"), std::string::npos);
    EXPECT_EQ(slurp(files[0]),
              "Return-Path: <alice@example.net>\nX-Original-To: bob@example.org\nDelivered-To: bob@example.org\n"
              "Subject: test\nFrom: alice@example.net\n\nFrom the start\nbody\n");
}

TEST_F(LocalCoreTest, SpoolMaildirWhenSpoolEndsInSlash) {
    config_.set("mail_spool_directory", spool_.string() + "/");
    auto out = deliver("bob@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].dsn.reason, "delivered to maildir");
    EXPECT_FALSE(fs::is_empty(spool_ / "bob/new"));
}

TEST_F(LocalCoreTest, AliasToFileAndCommandWithEnvironment) {
    std::string file = (dir_.path / "archive").string();
    std::string envOut = (dir_.path / "env.out").string();
    std::string msgOut = (dir_.path / "msg.out").string();
    aliases("archive " + file + "\n" + "cmd \"|cat > " + msgOut + "; echo $USER $LOCAL $EXTENSION $DOMAIN $SENDER " +
            "$RECIPIENT $ORIGINAL_RECIPIENT $PATH > " + envOut + "\"\n");
    auto out = deliver("archive@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Sent);
    EXPECT_EQ(out[0].dsn.reason, "delivered to file: " + file);
    EXPECT_EQ(slurp(file).substr(0, 50), "From alice@example.net  Mon Dec  7 01:02:03 2026\nR");

    out = deliver("cmd+tag@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Sent) << out[0].dsn.reason;
    EXPECT_EQ(out[0].dsn.reason.rfind("delivered to command: cat > ", 0), 0u);
    EXPECT_EQ(slurp(envOut),
              "cmd cmd+tag tag example.org alice@example.net cmd+tag@example.org cmd+tag@example.org /usr/bin:/bin\n");
    // Commands get the From line but no >From quoting and no blank line.
    EXPECT_EQ(slurp(msgOut),
              "From alice@example.net  Mon Dec  7 01:02:03 2026\nReturn-Path: <alice@example.net>\n"
              "X-Original-To: cmd+tag@example.org\nDelivered-To: cmd+tag@example.org\n"
              "Subject: test\nFrom: alice@example.net\n\nFrom the start\nbody\n");
}

TEST_F(LocalCoreTest, AliasCommandRunsWithTheAliasDatabaseOwnersRights) {
    // alias.c: a root-owned alias database gives default rights (no HOME, no SHELL);
    // another owner's gives that owner's. The user the agent runs as counts as root.
    std::string envOut = (dir_.path / "env.out").string();
    aliases("cmd \"|echo ${HOME-none} ${SHELL-none} > " + envOut + "\"\n");
    auto out = deliver("cmd@example.org");
    ASSERT_EQ(out[0].kind, K::Sent) << out[0].dsn.reason;
    EXPECT_EQ(slurp(envOut), "none none\n");  // owned by root, or by the user we run as
    if (::geteuid() != 0) return;
    ASSERT_EQ(::chown((dir_.path / "aliases").c_str(), 65534, 65534), 0);
    out = deliver("cmd@example.org");
    ASSERT_EQ(out[0].kind, K::Sent) << out[0].dsn.reason;
    EXPECT_EQ(slurp(envOut), "/home/owner /bin/owner-sh\n");
}

TEST_F(LocalCoreTest, CommandExitStatusesMapLikeSysexits) {
    aliases(
        "temp \"|cat >/dev/null; exit 75\"\nperm \"|echo oops; exit 3\"\nuser \"|exit 67\"\n"
        "dsn \"|echo 4.2.2 mailbox full; exit 1\"\n");
    auto out = deliver("temp@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Defer);
    EXPECT_EQ(out[0].dsn.status, "4.3.0");
    EXPECT_EQ(out[0].dsn.reason, "temporary failure");
    out = deliver("perm@example.org");
    EXPECT_EQ(out[0].kind, K::Bounce);
    EXPECT_EQ(out[0].dsn.status, "5.3.0");
    EXPECT_EQ(out[0].dsn.reason, "Command died with status 3: \"echo oops; exit 3\". Command output: oops ");
    out = deliver("user@example.org");
    EXPECT_EQ(out[0].kind, K::Bounce);
    EXPECT_EQ(out[0].dsn.status, "5.1.1");
    EXPECT_EQ(out[0].dsn.reason, "user unknown");
    out = deliver("dsn@example.org");
    EXPECT_EQ(out[0].kind, K::Defer);
    EXPECT_EQ(out[0].dsn.status, "4.2.2");
    EXPECT_EQ(out[0].dsn.reason, "mailbox full ");
}

TEST_F(LocalCoreTest, CommandRunsInCommandExecutionDirectory) {
    fs::create_directories(dir_.path / "run/cmd_x");
    config_.set("command_execution_directory", (dir_.path / "run").string() + "/${user}_${extension}");
    std::string out = (dir_.path / "pwd.out").string();
    aliases("cmd \"|pwd > " + out + "\"\n");
    auto res = deliver("cmd+x@example.org");
    ASSERT_EQ(res[0].kind, K::Sent) << res[0].dsn.reason;
    EXPECT_EQ(slurp(out), (dir_.path / "run/cmd_x").string() + "\n");
    // A directory that does not exist: the command is not run.
    config_.set("command_execution_directory", (dir_.path / "nowhere").string());
    res = deliver("cmd+x@example.org");
    EXPECT_EQ(res[0].kind, K::Bounce);
    EXPECT_NE(res[0].dsn.reason.find("cannot change directory to"), std::string::npos) << res[0].dsn.reason;
}

TEST_F(LocalCoreTest, PlainCommandRunsWithoutAShell) {
    // exec_command(): plain words are run directly: $0 of a shell would be "sh".
    std::string script = (dir_.path / "show0").string();
    std::ofstream(script) << "#!/bin/sh\necho \"$0\" > " << (dir_.path / "zero.out").string() << "\n";
    fs::permissions(script, fs::perms::owner_all);
    aliases("cmd \"|" + script + " arg\"\nbad \"|" + (dir_.path / "missing").string() + "\"\n");
    auto res = deliver("cmd@example.org");
    ASSERT_EQ(res[0].kind, K::Sent) << res[0].dsn.reason;
    EXPECT_EQ(slurp(dir_.path / "zero.out"), script + "\n");
    res = deliver("bad@example.org");
    EXPECT_EQ(res[0].kind, K::Bounce);
    EXPECT_EQ(res[0].dsn.reason, "Command died with status 1: \"" + (dir_.path / "missing").string() +
                                     "\". Command output: local: fatal: execvp " + (dir_.path / "missing").string() +
                                     ": No such file or directory ");
}

TEST_F(LocalCoreTest, CommandTimeLimitBounces) {
    config_.set("command_time_limit", "1");
    aliases("slow \"|sleep 30\"\n");
    auto started = std::chrono::steady_clock::now();
    auto out = deliver("slow@example.org");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Bounce);
    EXPECT_EQ(out[0].dsn.reason, "Command time limit exceeded: \"sleep 30\"");
}

TEST_F(LocalCoreTest, RestrictedCommandAndUnknownUserBounce) {
    config_.set("allow_mail_to_commands", "forward");
    aliases("cmd \"|true\"\n");
    auto out = deliver("cmd@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Bounce);
    EXPECT_EQ(out[0].dsn.status, "5.7.1");
    EXPECT_EQ(out[0].dsn.reason, "mail to command is restricted");
    out = deliver("nosuch@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Bounce);
    EXPECT_EQ(out[0].dsn.status, "5.1.1");
    EXPECT_EQ(out[0].dsn.reason, "unknown user: \"nosuch\"");
}

TEST_F(LocalCoreTest, DeliveredToLoopBounces) {
    auto out = deliver("bob@example.org", {"Received: x", "Delivered-To: BOB@example.org", "", "body"});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, K::Bounce);
    EXPECT_EQ(out[0].dsn.status, "5.4.6");
    EXPECT_EQ(out[0].dsn.reason, "mail forwarding loop for bob@example.org");
    EXPECT_FALSE(fs::exists(spool_ / "bob"));
    // In the body it is no loop.
    out = deliver("bob@example.org", {"Subject: x", "", "Delivered-To: bob@example.org"});
    EXPECT_EQ(out[0].kind, K::Sent);
}

TEST_F(LocalCoreTest, DeliveredToLoopAtAnAliasMemberBouncesThatMember) {
    std::string file = (dir_.path / "archive").string();
    aliases("team bob, " + file + "\n");
    auto out = deliver("team@example.org", {"Delivered-To: bob@example.org", "", "body"});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].kind, K::Bounce);
    EXPECT_EQ(out[0].dsn.reason, "mail forwarding loop for bob@example.org");
    EXPECT_EQ(out[0].address, "bob@example.org");
    EXPECT_EQ(out[1].dsn.reason, "delivered to file: " + file);
    EXPECT_FALSE(fs::exists(spool_ / "bob"));
}

TEST_F(LocalCoreTest, ForwardedAddressesGoThroughCleanupAsOneMessage) {
    aliases("team friend@example.net, other@example.com, bob\n");
    notify_ = 2 | 4;  // NOTIFY=SUCCESS,FAILURE: the members get FAILURE only
    auto out = deliver("team@example.org");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].dsn.reason, "delivered to mailbox");
    EXPECT_EQ(out[0].address, "bob@example.org");  // logged as to=<bob@...>, orig_to=<team@...>
    EXPECT_EQ(out[1].kind, K::Sent);
    EXPECT_EQ(out[1].address, "");  // the forwarded copy is the recipient's own
    EXPECT_EQ(out[1].dsn.action, "relayed");
    EXPECT_EQ(out[1].dsn.reason, "forwarded as 4ABCDEF123");
    EXPECT_EQ(cleanupFlags_, queue::cleanup_flag::kBounce | queue::cleanup_flag::kMapOk);
    ASSERT_GE(records_.size(), 12u);
    EXPECT_EQ(records_[0], "T 1796605323 250000");
    EXPECT_EQ(records_[1], "S alice@example.net");
    std::vector<std::string> rest(records_.begin() + 2, records_.end());
    std::vector<std::string> want = {"A notify_flags=4",
                                     "O team@example.org",
                                     "R friend@example.net",
                                     "A notify_flags=4",
                                     "O team@example.org",
                                     "R other@example.com",
                                     "M ",
                                     "N Received: by mail.example.org (Postfix)"};
    // log_ident and rewrite_context are empty in this request: no attributes.
    ASSERT_GE(rest.size(), want.size());
    EXPECT_EQ(std::vector<std::string>(rest.begin(), rest.begin() + 8), want);
    EXPECT_EQ(rest[8], "N \tid 4ABCDEF123; Mon,  7 Dec 2026 01:02:03 +0000 (UTC)");
    EXPECT_EQ(rest[9], "N Delivered-To: team@example.org");
    EXPECT_EQ(rest[10], "N Subject: test");
    EXPECT_EQ(rest.back(), "X ");
}

TEST_F(LocalCoreTest, MailboxTransportPassesTheRecipient) {
    config_.set("mailbox_transport", "lmtp:unix:private/dovecot-lmtp");
    auto out = deliver("bob@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].reported);
    EXPECT_EQ(out[0].kind, K::Sent);
    ASSERT_EQ(passed_.size(), 1u);
    EXPECT_EQ(passed_[0], "lmtp unix:private/dovecot-lmtp bob@example.org -1");
    ASSERT_EQ(info_.size(), 1u);
    EXPECT_EQ(info_[0], ": passing <bob@example.org> to transport=lmtp");  // the request has no queue id here
    // An agent that defers the request: not final, nothing for local to report.
    passResult_ = {PassResult::Stage::Replied, delivery::kStatusDefer, ""};
    out = deliver("bob@example.org");
    EXPECT_EQ(out[0].kind, K::Defer);
    EXPECT_TRUE(out[0].reported);
    // No agent: deferred by local with relay=none.
    passResult_ = {PassResult::Stage::Unavailable, 0, "connect to private/lmtp: No such file or directory"};
    out = deliver("bob@example.org");
    EXPECT_EQ(out[0].kind, K::Defer);
    EXPECT_FALSE(out[0].reported);
    EXPECT_EQ(out[0].relay, "none");
    EXPECT_EQ(out[0].dsn.reason, "mail transport unavailable");
    passResult_ = {PassResult::Stage::Malformed, 0, "private/lmtp: malformed response"};
    out = deliver("bob@example.org");
    EXPECT_EQ(out[0].dsn.reason, "unknown mail transport error");
}

TEST_F(LocalCoreTest, DotForwardCommandRunsForItsOwner) {
    std::string out = (dir_.path / "fwd.out").string();
    std::ofstream(dir_.path / "home/bob/.forward") << "\\bob, \"|cat > " + out + "\"\n";
    auto res = deliver("bob@example.org");
    ASSERT_EQ(res.size(), 2u);
    EXPECT_EQ(res[0].dsn.reason, "delivered to mailbox");
    EXPECT_EQ(res[1].dsn.reason, "delivered to command: cat > " + out);
    EXPECT_NE(slurp(out).find("Delivered-To: bob@example.org\n"), std::string::npos);
}

TEST_F(LocalCoreTest, AsRootEachWriteRunsAsItsUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    // A world-writable spool: the recipient creates the mailbox; the alias's command
    // runs as default_privs; the agent is root again afterwards.
    fs::permissions(spool_, fs::perms::all | fs::perms::sticky_bit);
    fs::permissions(dir_.path, fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
    std::string out = (dir_.path / "out");
    fs::create_directory(out);
    fs::permissions(out, fs::perms::all);
    aliases("cmd \"|id -u > " + out + "/id\"\n");
    auto res = deliverAs("bob@example.org", {}, true, 4242, 4343);
    ASSERT_EQ(res[0].kind, K::Sent) << res[0].dsn.reason;
    struct stat st {};
    ASSERT_EQ(::stat((spool_ / "bob").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 4242u);
    EXPECT_EQ(st.st_gid, 4343u);
    EXPECT_EQ(::geteuid(), 0u);
    EXPECT_EQ(::getegid(), 0u);
    res = deliverAs("cmd@example.org", {}, true, 4242, 4343);
    ASSERT_EQ(res[0].kind, K::Sent) << res[0].dsn.reason;
    EXPECT_EQ(slurp(out + "/id"), "65534\n");
    // A spool only root may write: root creates the mailbox and gives it to the user.
    fs::remove(spool_ / "bob");
    fs::permissions(spool_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
    res = deliverAs("bob@example.org", {}, true, 4242, 4343);
    ASSERT_EQ(res[0].kind, K::Sent) << res[0].dsn.reason;
    ASSERT_EQ(::stat((spool_ / "bob").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 4242u);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ReportedRecipient, ExpandedAddressLosesNotifySuccess) {
    delivery::DeliverRecipient r;
    r.address = "team@example.org";
    r.original = "team@example.org";
    r.offset = 77;
    r.dsnNotify = 2 | 4;  // SUCCESS, FAILURE
    Outcome own;
    auto same = reportedRecipient(r, own);
    EXPECT_EQ(same.address, "team@example.org");
    EXPECT_EQ(same.dsnNotify, 6);
    own.notifyStripped = true;  // forwarded as a new message
    EXPECT_EQ(reportedRecipient(r, own).dsnNotify, 4);
    EXPECT_EQ(reportedRecipient(r, own).address, "team@example.org");
    Outcome member;
    member.address = "bob@example.org";
    auto m = reportedRecipient(r, member);
    EXPECT_EQ(m.address, "bob@example.org");
    EXPECT_EQ(m.original, "team@example.org");
    EXPECT_EQ(m.offset, 77);
    EXPECT_EQ(m.dsnNotify, 4);
    r.dsnNotify = 2;
    EXPECT_EQ(reportedRecipient(r, member).dsnNotify, 1);  // NEVER
}

TEST(SysExits, TableAndUnknownCodes) {
    EXPECT_EQ(sysExitDetail(75).dsn, "4.3.0");
    EXPECT_EQ(sysExitDetail(78).text, "local configuration error");
    EXPECT_FALSE(sysExitDetail(1).known);
    EXPECT_EQ(sysExitDetail(1).text, "unknown mail system error 1");
}

}  // namespace
}  // namespace postline::local
