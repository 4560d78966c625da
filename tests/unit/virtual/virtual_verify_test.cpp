// virtual(8) verifying instead of delivering (sendmail -bv, DEL_REQ_FLAG_USR_VRFY):
// "delivers to maildir" and "delivers to mailbox" as Postfix's virtual/maildir.c and
// mailbox.c report them, with nothing written; an unknown user still bounces.
#include <gtest/gtest.h>

#include <filesystem>

#include "address/address_test_util.h"
#include "delivery/agent_queue_fixture.h"
#include "postline/address/routing_context.h"
#include "virtual_core.h"

namespace postline::virt {
namespace {

namespace fs = std::filesystem;

class VirtualVerifyTest : public delivery::testing::AgentQueueFixture {
protected:
    void SetUp() override {
        AgentQueueFixture::SetUp();
        base_ = dir_.path / "vmail";
        fs::create_directories(base_ / "example.com");
        config_ = address::testing::testConfig();
        config_.set("virtual_mailbox_base", base_.string());
        config_.set("virtual_mailbox_domains", "example.com");
        config_.set("virtual_mailbox_maps", "texthash:" + dir_.write("vmaps",
                                                                     "bob@example.com example.com/bob/\n"
                                                                     "carol@example.com example.com/carol\n"));
        config_.set("virtual_uid_maps", "static:5000");
        config_.set("virtual_gid_maps", "static:5000");
    }
    Outcome verify(const std::string& rcpt) {
        routing_ = std::make_unique<address::RoutingContext>(config_);
        auto settings = VirtualSettings::read([&](std::string_view n) { return config_.get(n); });
        EXPECT_TRUE(settings) << settings.error().message;
        VirtualEnvironment env;
        env.settings = *settings;
        env.routing = routing_.get();
        env.warn = [](std::string_view) {};
        env.now = 1796605323;
        delivery::DeliverRequest r = request();
        r.flags |= delivery::kFlagUserVerify;
        return deliverRecipient(env, r, {"Subject: probe", ""}, {"", rcpt, "", 0, 0});
    }

    address::testing::TempDir dir_;
    fs::path base_;
    config::Config config_ = config::Config::defaults("/nonexistent");
    std::unique_ptr<address::RoutingContext> routing_;
};

TEST_F(VirtualVerifyTest, MaildirAndMailboxAreReportedNotWritten) {
    Outcome maildir = verify("bob@example.com");
    EXPECT_EQ(maildir.kind, Outcome::Kind::Sent);
    EXPECT_EQ(maildir.dsn.reason, "delivers to maildir");
    Outcome mbox = verify("carol@example.com");
    EXPECT_EQ(mbox.kind, Outcome::Kind::Sent);
    EXPECT_EQ(mbox.dsn.reason, "delivers to mailbox");
    EXPECT_FALSE(fs::exists(base_ / "example.com/bob"));
    EXPECT_FALSE(fs::exists(base_ / "example.com/carol"));
}

TEST_F(VirtualVerifyTest, AnUnknownUserStillBounces) {
    EXPECT_EQ(verify("nosuch@example.com").kind, Outcome::Kind::Bounce);
}

}  // namespace
}  // namespace postline::virt
