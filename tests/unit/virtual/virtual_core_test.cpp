// virtual(8)'s delivery (Postfix's virtual/mailbox.c, maildir.c, unknown.c): mailboxes
// and Maildirs under a temporary virtual_mailbox_base, the lookups' keys, the uid/gid
// checks, the mailbox size limit, and the per-request loop over a real queue file with
// its log lines, bounce and defer logs and recipients marked done.
#include "virtual_core.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "address/address_test_util.h"
#include "delivery/agent_queue_fixture.h"
#include "postline/address/routing_context.h"

namespace postline::virt {
namespace {

namespace fs = std::filesystem;
using K = Outcome::Kind;
using delivery::testing::State;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<fs::path> filesIn(const fs::path& dir) {
    std::vector<fs::path> out;
    if (fs::exists(dir))
        for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    return out;
}

class VirtualTest : public delivery::testing::AgentQueueFixture {
protected:
    void SetUp() override {
        AgentQueueFixture::SetUp();
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        ::signal(SIGXFSZ, SIG_IGN);
        base_ = dir_.path / "vmail";
        // Maildirs are made as needed; an mbox's directory must exist (as in Postfix).
        fs::create_directories(base_ / "example.com");
        config_ = address::testing::testConfig();
        config_.set("virtual_mailbox_base", base_.string());
        config_.set("virtual_mailbox_domains", "example.com");
        config_.set("deliver_lock_attempts", "2");
        config_.set("recipient_delimiter", "+");
        maps(
            "bob@example.com   example.com/bob/\n"
            "carol@example.com example.com/carol\n"
            "@example.net      catchall/\n");
        config_.set("virtual_uid_maps", "static:5000");
        config_.set("virtual_gid_maps", "static:5000");
    }
    void maps(const std::string& text) { config_.set("virtual_mailbox_maps", "texthash:" + dir_.write("vmaps", text)); }

    VirtualEnvironment environment() {
        routing_ = std::make_unique<address::RoutingContext>(config_);
        auto settings = VirtualSettings::read([&](std::string_view n) { return config_.get(n); });
        EXPECT_TRUE(settings) << settings.error().message;
        VirtualEnvironment env;
        env.settings = *settings;
        env.settings.lockRetry.delaySeconds = 0;
        env.settings.maildirHostname = "host";
        env.routing = routing_.get();
        env.warn = [this](std::string_view t) { warnings_.emplace_back(t); };
        env.now = 1796605323;  // Mon Dec  7 01:02:03 2026 UTC
        return env;
    }
    Outcome deliverTo(const std::string& rcpt, const std::string& original = "") {
        VirtualEnvironment env = environment();
        delivery::DeliverRequest r = request();
        delivery::DeliverRecipient to{original, rcpt, "", 0, 0};
        return deliverRecipient(env, r, lines_, to);
    }

    address::testing::TempDir dir_;
    fs::path base_;
    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
    std::vector<std::string> lines_{"Subject: hi", "", "From the start", ".dot", "end"};
    std::vector<std::string> warnings_;
};

TEST_F(VirtualTest, MaildirWhenTheLookupEndsInSlash) {
    Outcome out = deliverTo("bob@example.com", "Bob@Example.COM");
    EXPECT_EQ(out.kind, K::Sent);
    EXPECT_EQ(out.dsn.status, "2.0.0");
    EXPECT_EQ(out.dsn.reason, "delivered to maildir");
    auto files = filesIn(base_ / "example.com/bob/new");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_TRUE(fs::is_directory(base_ / "example.com/bob/cur"));
    EXPECT_TRUE(filesIn(base_ / "example.com/bob/tmp").empty());
    // maildir.c: no From line, no >From quoting, no blank line added.
    EXPECT_EQ(readFile(files[0]),
              "Return-Path: <alice@example.org>\n"
              "X-Original-To: Bob@Example.COM\n"
              "Delivered-To: bob@example.com\n"
              "Subject: hi\n\nFrom the start\n.dot\nend\n");
    std::string name = files[0].filename().string();
    EXPECT_TRUE(name.find(".V") != std::string::npos && name.size() > 5 &&
                name.compare(name.size() - 5, 5, ".host") == 0)
        << name;
}

TEST_F(VirtualTest, MboxOtherwiseWithFromLineAndQuoting) {
    Outcome out = deliverTo("carol@example.com");
    EXPECT_EQ(out.kind, K::Sent);
    EXPECT_EQ(out.dsn.reason, "delivered to mailbox");
    EXPECT_EQ(readFile(base_ / "example.com/carol"),
              "From alice@example.org  Mon Dec  7 01:02:03 2026\n"
              "Return-Path: <alice@example.org>\n"
              "Delivered-To: carol@example.com\n"
              "Subject: hi\n\n>From the start\n.dot\nend\n\n");
    EXPECT_FALSE(fs::exists(base_ / "example.com/carol.lock"));
    struct stat st {};
    ASSERT_EQ(::stat((base_ / "example.com/carol").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // A second delivery appends.
    EXPECT_EQ(deliverTo("carol@example.com").kind, K::Sent);
    std::string both = readFile(base_ / "example.com/carol");
    EXPECT_EQ(both.find("From alice@example.org  ", 10), both.size() / 2) << both;
}

TEST_F(VirtualTest, LookupKeysAreFoldedAndFallToAtDomain) {
    // The key is the folded address; the extension is tried off; then @domain.
    EXPECT_EQ(deliverTo("BOB+tag@Example.com").kind, K::Sent);
    EXPECT_EQ(filesIn(base_ / "example.com/bob/new").size(), 1u);
    EXPECT_EQ(deliverTo("anyone@example.net").kind, K::Sent);
    EXPECT_EQ(filesIn(base_ / "catchall/new").size(), 1u);
}

TEST_F(VirtualTest, DecisionWithoutWriting) {
    config_.set("virtual_uid_maps", "texthash:" + dir_.write("uids", "bob@example.com 5001\n@example.com 5002\n"));
    VirtualEnvironment env = environment();
    MailboxDecision d = decideMailbox(*env.routing, env.settings, "Bob@Example.com");
    EXPECT_EQ(d.kind, MailboxDecision::Kind::Maildir);
    EXPECT_EQ(d.user, "bob@example.com");
    EXPECT_EQ(d.path, base_.string() + "/example.com/bob/");
    EXPECT_EQ(d.uid, 5001u);
    EXPECT_EQ(d.gid, 5000u);
    d = decideMailbox(*env.routing, env.settings, "carol@example.com");
    EXPECT_EQ(d.kind, MailboxDecision::Kind::Mbox);
    EXPECT_EQ(d.uid, 5002u);
    EXPECT_EQ(decideMailbox(*env.routing, env.settings, "x@example.com").kind, MailboxDecision::Kind::Unknown);
    d = decideMailbox(*env.routing, env.settings, "y@example.net");
    EXPECT_EQ(d.kind, MailboxDecision::Kind::ConfigError);
    EXPECT_EQ(d.warning, "recipient y@example.net: not found in virtual_uid_maps");
    EXPECT_TRUE(warnings_.empty());
    EXPECT_FALSE(fs::exists(base_ / "example.com/bob"));
}

TEST_F(VirtualTest, UnknownUserBounces) {
    Outcome out = deliverTo("Nobody@Example.com");
    EXPECT_EQ(out.kind, K::Bounce);
    EXPECT_EQ(out.dsn.status, "5.1.1");
    EXPECT_EQ(out.dsn.reason, "unknown user: \"nobody@example.com\"");
    EXPECT_TRUE(warnings_.empty());
}

TEST_F(VirtualTest, BadOwnersAreConfigurationErrors) {
    config_.set("virtual_uid_maps", "static:99");  // below virtual_minimum_uid (100)
    Outcome out = deliverTo("bob@example.com");
    EXPECT_EQ(out.kind, K::Defer);
    EXPECT_EQ(out.dsn.status, "4.3.5");
    EXPECT_EQ(out.dsn.reason, "mail system configuration error");
    EXPECT_EQ(warnings_, (std::vector<std::string>{"recipient bob@example.com: bad uid 99 in virtual_uid_maps"}));

    warnings_.clear();
    config_.set("virtual_minimum_uid", "50");
    EXPECT_EQ(deliverTo("bob@example.com").kind, K::Sent);

    warnings_.clear();
    config_.set("virtual_gid_maps", "static:0");
    EXPECT_EQ(deliverTo("bob@example.com").kind, K::Defer);
    EXPECT_EQ(warnings_, (std::vector<std::string>{"recipient bob@example.com: bad gid 0 in virtual_gid_maps"}));

    warnings_.clear();
    config_.set("virtual_gid_maps", "static:12x");
    EXPECT_EQ(deliverTo("bob@example.com").kind, K::Defer);
    EXPECT_EQ(warnings_, (std::vector<std::string>{"recipient bob@example.com: bad gid 12x in virtual_gid_maps"}));

    warnings_.clear();
    config_.set("virtual_uid_maps", "texthash:" + dir_.write("uids", "carol@example.com 5000\n"));
    EXPECT_EQ(deliverTo("bob@example.com").kind, K::Defer);
    EXPECT_EQ(warnings_, (std::vector<std::string>{"recipient bob@example.com: not found in virtual_uid_maps"}));
}

TEST_F(VirtualTest, DotDotInTheMailboxPathIsRefused) {
    maps("bob@example.com x/../../etc/\n");
    Outcome out = deliverTo("bob@example.com");
    EXPECT_EQ(out.kind, K::Defer);
    EXPECT_EQ(out.dsn.status, "4.3.5");
    EXPECT_EQ(
        warnings_,
        (std::vector<std::string>{"recipient bob@example.com: bad mailbox path x/../../etc/ in virtual_mailbox_maps"}));
}

TEST_F(VirtualTest, MailboxLimitBouncesWithFileTooLarge) {
    config_.set("message_size_limit", "10");
    config_.set("virtual_mailbox_limit", "60");
    Outcome out = deliverTo("carol@example.com");
    EXPECT_EQ(out.kind, K::Bounce);
    EXPECT_EQ(out.dsn.status, "5.2.2");
    EXPECT_EQ(out.dsn.reason, "delivery failed to mailbox " + (base_ / "example.com/carol").string() +
                                  ": error writing message: File too large");
    // Truncated back to what it was (nothing).
    EXPECT_EQ(fs::file_size(base_ / "example.com/carol"), 0u);
    // The limit was the write's only: this process can write more again.
    std::ofstream(dir_.path / "big") << std::string(200, 'x');
    EXPECT_EQ(fs::file_size(dir_.path / "big"), 200u);

    out = deliverTo("bob@example.com");
    EXPECT_EQ(out.kind, K::Bounce);
    EXPECT_EQ(out.dsn.status, "5.2.2");
    EXPECT_EQ(out.dsn.reason, "maildir delivery failed: error writing message: File too large");
}

TEST_F(VirtualTest, MissingMailboxDirectoryDefers) {
    maps("carol@example.com nodir/carol\n");
    Outcome out = deliverTo("carol@example.com");
    EXPECT_EQ(out.kind, K::Defer);
    EXPECT_EQ(out.dsn.status, "4.2.0");
    std::string path = (base_ / "nodir/carol").string();
    EXPECT_EQ(out.dsn.reason, "delivery failed to mailbox " + path + ": unable to create lock file " + path +
                                  ".lock: No such file or directory");
}

TEST_F(VirtualTest, UnwritableMailboxDefersWith420) {
    // A directory where the mbox should be: it cannot be opened for writing. virtual
    // says 4.2.0 where local says 5.2.0.
    fs::create_directories(base_ / "example.com/carol");
    config_.set("virtual_mailbox_lock", "fcntl");
    Outcome out = deliverTo("carol@example.com");
    EXPECT_EQ(out.kind, K::Defer);
    EXPECT_EQ(out.dsn.status, "4.2.0");
    EXPECT_EQ(out.dsn.reason.rfind("delivery failed to mailbox " + (base_ / "example.com/carol").string() + ": ", 0),
              0u)
        << out.dsn.reason;
}

TEST_F(VirtualTest, SettingsErrorsAreFatalTexts) {
    auto read = [&] { return VirtualSettings::read([&](std::string_view n) { return config_.get(n); }); };
    config_.set("virtual_mailbox_base", "vmail");
    ASSERT_FALSE(read());
    EXPECT_EQ(read().error().message, "do not specify relative pathname: virtual_mailbox_base = vmail");
    config_.set("virtual_mailbox_base", base_.string());
    config_.set("virtual_mailbox_limit", "1000");
    EXPECT_EQ(read().error().message, "configuration error: virtual_mailbox_limit is smaller than message_size_limit");
    config_.set("message_size_limit", "0");
    EXPECT_EQ(read().error().message,
              "configuration error: virtual_mailbox_limit is limited but message_size_limit is unlimited");
    config_.set("virtual_mailbox_limit", "0");
    EXPECT_TRUE(read());
    config_.set("virtual_mailbox_lock", "fcntl, bogus");
    EXPECT_EQ(read().error().message, "unknown mailbox lock method: bogus");
}

TEST_F(VirtualTest, RunsAsTheOwnerWhenRoot) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    // The directories above must be searchable by uid 5000.
    fs::permissions(dir_.path, fs::perms::others_exec, fs::perm_options::add);
    ASSERT_EQ(::chown((base_ / "example.com").c_str(), 5000, 5000), 0);
    VirtualEnvironment env = environment();
    env.switchUsers = true;
    delivery::DeliverRequest r = request();
    for (const char* rcpt : {"bob@example.com", "carol@example.com"}) {
        Outcome out = deliverRecipient(env, r, lines_, {"", rcpt, "", 0, 0});
        EXPECT_EQ(out.kind, K::Sent) << out.dsn.reason;
    }
    EXPECT_EQ(::geteuid(), 0u);
    auto files = filesIn(base_ / "example.com/bob/new");
    ASSERT_EQ(files.size(), 1u);
    struct stat st {};
    ASSERT_EQ(::stat(files[0].c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 5000u);
    EXPECT_EQ(st.st_gid, 5000u);
    ASSERT_EQ(::stat((base_ / "example.com/carol").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 5000u);

    // strict_mailbox_ownership: a mailbox that is not the owner's is deferred (even
    // when the owner could write it).
    ASSERT_EQ(::chown((base_ / "example.com/carol").c_str(), 5001, 5000), 0);
    ASSERT_EQ(::chmod((base_ / "example.com/carol").c_str(), 0666), 0);
    Outcome out = deliverRecipient(env, r, lines_, {"", "carol@example.com", "", 0, 0});
    EXPECT_EQ(out.kind, K::Defer);
    EXPECT_EQ(out.dsn.status, "4.2.0");
    EXPECT_EQ(out.dsn.reason, "delivery failed to mailbox " + (base_ / "example.com/carol").string() +
                                  ": destination " + (base_ / "example.com/carol").string() +
                                  " is not owned by recipient");
    EXPECT_EQ(warnings_.back(), "specify \"strict_mailbox_ownership = no\" to ignore mailbox ownership mismatch");
}

TEST_F(VirtualTest, TakesTheOwnerFromMailOwnerAndGoesBack) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    // Started by root, the daemon works as mail_owner (here 5002) between writes.
    fs::permissions(dir_.path, fs::perms::others_exec, fs::perm_options::add);
    ASSERT_EQ(::chown((base_ / "example.com").c_str(), 5000, 5000), 0);
    VirtualEnvironment env = environment();
    env.switchUsers = true;
    delivery::DeliverRequest r = request();
    ASSERT_EQ(::setegid(5002), 0);
    ASSERT_EQ(::seteuid(5002), 0);
    Outcome out = deliverRecipient(env, r, lines_, {"", "carol@example.com", "", 0, 0});
    uid_t after = ::geteuid();
    gid_t afterGid = ::getegid();
    ASSERT_EQ(::seteuid(0), 0);
    ASSERT_EQ(::setegid(0), 0);
    EXPECT_EQ(out.kind, K::Sent) << out.dsn.reason;
    EXPECT_EQ(after, 5002u);
    EXPECT_EQ(afterGid, 5002u);
    struct stat st {};
    ASSERT_EQ(::stat((base_ / "example.com/carol").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 5000u);
}

TEST_F(VirtualTest, RequestLoopReportsEachRecipient) {
    // bob is known (Maildir); carol is unknown here: bounced and both marked done.
    maps("bob@example.com example.com/bob/\n");
    VirtualEnvironment env = environment();
    env.quoteLocal = [](std::string_view a) { return std::string(a); };
    auto d = open(request());
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverVirtual(env, *d, "virtual");
    EXPECT_EQ(reply.status, delivery::kStatusFinal);
    EXPECT_EQ(states(), (std::vector<State>{State::Done, State::Done}));
    ASSERT_EQ(log_.size(), 2u);
    // orig_to is left out: it differs from the recipient only in case (log_adhoc.c).
    EXPECT_NE(log_[0].find(": to=<bob@example.com>, relay=virtual, "), std::string::npos) << log_[0];
    EXPECT_NE(log_[0].find(", dsn=2.0.0, status=sent (delivered to maildir)"), std::string::npos) << log_[0];
    EXPECT_NE(log_[1].find("dsn=5.1.1, status=bounced (unknown user: \"carol@example.com\")"), std::string::npos)
        << log_[1];
    auto files = filesIn(base_ / "example.com/bob/new");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(readFile(files[0]),
              "Return-Path: <alice@example.org>\n"
              "X-Original-To: Bob@Example.COM\n"
              "Delivered-To: bob@example.com\n"
              "Subject: hi\n\na body line that is longer than twenty\nend\n");
    EXPECT_NE(readFile(root_ + "/bounce/" + id_).find("recipient=carol@example.com\n"), std::string::npos);
}

TEST_F(VirtualTest, RequestLoopDefersOnConfigurationError) {
    config_.set("virtual_uid_maps", "");
    VirtualEnvironment env = environment();
    auto d = open(request());
    ASSERT_TRUE(d);
    delivery::DeliverReply reply = deliverVirtual(env, *d, "virtual");
    EXPECT_EQ(reply.status, delivery::kStatusDefer);
    EXPECT_EQ(states(), (std::vector<State>{State::Todo, State::Todo}));
    ASSERT_FALSE(log_.empty());
    EXPECT_NE(log_.back().find("dsn=4.3.5, status=deferred (mail system configuration error)"), std::string::npos)
        << log_.back();
}

}  // namespace
}  // namespace postline::virt
