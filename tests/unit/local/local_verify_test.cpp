// local(8) verifying instead of delivering (sendmail -bv, DEL_REQ_FLAG_USR_VRFY): each
// destination an alias or the user resolves to is reported with Postfix's would-be text
// ("delivers to mailbox", "delivers to file: PATH", "delivers to command: CMD",
// "forwards to ADDR") and nothing is written, run, or forwarded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "address/address_test_util.h"
#include "local_core.h"
#include "postline/address/routing_context.h"

namespace postline::local {
namespace {

namespace fs = std::filesystem;
using address::testing::TempDir;

class LocalVerifyTest : public ::testing::Test {
protected:
    void SetUp() override {
        spool_ = dir_.path / "spool";
        fs::create_directories(spool_);
        config_ = address::testing::testConfig();
        config_.set("mail_spool_directory", spool_.string());
        config_.set("myhostname", "mail.example.org");
        config_.set(
            "alias_maps",
            "texthash:" + dir_.write("aliases", "team bob, friend@example.net, " + (dir_.path / "archive").string() +
                                                    ", \"|touch " + (dir_.path / "ran").string() + "\"\n"));
    }
    std::vector<Outcome> verify(const std::string& rcpt) {
        routing_ = std::make_unique<address::RoutingContext>(config_);
        auto settings = LocalSettings::read([&](std::string_view n) { return config_.get(n); },
                                            [&](std::string_view n) { return config_.raw(n).value_or(""); });
        EXPECT_TRUE(settings);
        LocalEnvironment env;
        env.settings = *settings;
        env.routing = routing_.get();
        std::string home = (dir_.path / "home").string();
        env.users = [home](const std::string& name) -> std::optional<address::LocalUser> {
            if (name != "bob") return std::nullopt;
            return address::LocalUser{home, "/bin/sh", ::getuid()};
        };
        env.accounts = [home](const std::string& name) -> std::optional<Account> {
            if (name != "bob") return std::nullopt;
            return Account{"bob", ::getuid(), ::getgid(), home, "/bin/sh"};
        };
        env.accountByUid = [](uid_t uid) -> std::optional<Account> {
            return Account{"owner", uid, ::getgid(), "/home/owner", "/bin/sh"};
        };
        env.openCleanup = [this](int) -> base::Result<std::unique_ptr<Resubmission>> {
            ++cleanupOpened_;
            return base::Error{"no cleanup in this test"};
        };
        env.now = [] { return timeval{1796605323, 0}; };
        delivery::DeliverRequest request;
        request.flags = delivery::kFlagDefault | delivery::kFlagUserVerify;
        request.sender = "alice@example.net";
        request.nexthop = "example.org";
        delivery::DeliverRecipient r;
        r.address = rcpt;
        r.original = rcpt;
        r.offset = 123;
        return deliverRecipient(env, request, {"Subject: probe", "", ""}, r);
    }

    TempDir dir_;
    fs::path spool_;
    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
    int cleanupOpened_ = 0;
};

TEST_F(LocalVerifyTest, AUserIsReportedNotDelivered) {
    auto out = verify("bob@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Outcome::Kind::Sent);
    EXPECT_EQ(out[0].dsn.reason, "delivers to mailbox");
    EXPECT_FALSE(fs::exists(spool_ / "bob"));
}

TEST_F(LocalVerifyTest, AnAliasReportsEachDestination) {
    auto out = verify("team@example.org");
    std::vector<std::string> reasons, addresses;
    for (const Outcome& o : out) {
        EXPECT_EQ(o.kind, Outcome::Kind::Sent) << o.dsn.reason;
        reasons.push_back(o.dsn.reason);
        addresses.push_back(o.address);
    }
    // In the alias's order, as Postfix reports them while expanding.
    EXPECT_EQ(reasons, (std::vector<std::string>{"delivers to mailbox", "forwards to friend@example.net",
                                                 "delivers to file: " + (dir_.path / "archive").string(),
                                                 "delivers to command: touch " + (dir_.path / "ran").string()}));
    EXPECT_EQ(addresses[0], "bob@example.org");
    EXPECT_EQ(addresses[1], "friend@example.net");
    EXPECT_FALSE(fs::exists(spool_ / "bob"));
    EXPECT_FALSE(fs::exists(dir_.path / "archive"));
    EXPECT_FALSE(fs::exists(dir_.path / "ran"));
    EXPECT_EQ(cleanupOpened_, 0);
}

TEST_F(LocalVerifyTest, AnUnknownUserStillBounces) {
    auto out = verify("nosuch@example.org");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, Outcome::Kind::Bounce);
}

}  // namespace
}  // namespace postline::local
