// master.cf fields as master reads them (master_ent.c): defaults, wakeup '?', checks.
#include "postline/server/service_spec.h"

#include <gtest/gtest.h>

namespace postline::server {
namespace {

artifact::Service entry(std::vector<std::string> fields, std::vector<std::string> args = {}) {
    artifact::Service s;
    s.name = fields[0];
    s.type = fields[1];
    s.fields = std::move(fields);
    s.args = std::move(args);
    s.origin = "/etc/postfix/master.cf:12";
    return s;
}

TEST(ServiceSpec, Defaults) {
    auto spec = serviceSpecOf(entry({"cleanup", "unix", "n", "-", "y", "-", "0", "cleanup"}), 100);
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_FALSE(spec->privateService);
    EXPECT_TRUE(spec->unprivileged);
    EXPECT_TRUE(spec->chroot);
    EXPECT_EQ(spec->wakeupSeconds, 0);
    EXPECT_EQ(spec->maxProcesses, 0);
    EXPECT_EQ(serviceEndpoint(*spec), "public/cleanup");
    EXPECT_EQ(spec->origin, "/etc/postfix/master.cf, line 12");

    auto rewrite = serviceSpecOf(entry({"rewrite", "unix", "-", "-", "-", "-", "-", "trivial-rewrite"}), 37);
    ASSERT_TRUE(rewrite);
    EXPECT_TRUE(rewrite->privateService);
    EXPECT_FALSE(rewrite->chroot);
    EXPECT_EQ(rewrite->maxProcesses, 37);  // default_process_limit
    EXPECT_EQ(serviceEndpoint(*rewrite), "private/rewrite");
}

TEST(ServiceSpec, Wakeup) {
    auto pickup = serviceSpecOf(entry({"pickup", "unix", "n", "-", "n", "60", "1", "pickup"}), 100);
    ASSERT_TRUE(pickup);
    EXPECT_EQ(pickup->wakeupSeconds, 60);
    EXPECT_FALSE(pickup->wakeupIfUsed);
    auto flush = serviceSpecOf(entry({"flush", "unix", "n", "-", "n", "1000?", "0", "flush"}), 100);
    ASSERT_TRUE(flush);
    EXPECT_EQ(flush->wakeupSeconds, 1000);
    EXPECT_TRUE(flush->wakeupIfUsed);
}

TEST(ServiceSpec, InetAndArguments) {
    auto smtp = serviceSpecOf(
        entry({"127.0.0.1:2525", "inet", "n", "-", "n", "-", "-", "smtpd"}, {"-o", "syslog_name=postfix/x"}), 100);
    ASSERT_TRUE(smtp);
    EXPECT_FALSE(smtp->privateService);
    EXPECT_EQ(smtp->command, "smtpd");
    EXPECT_EQ(smtp->arguments, (std::vector<std::string>{"-o", "syslog_name=postfix/x"}));
    auto same = serviceSpecOf(
        entry({"127.0.0.1:2525", "inet", "n", "-", "n", "-", "-", "smtpd"}, {"-o", "syslog_name=postfix/x"}), 100);
    EXPECT_TRUE(*smtp == *same);
    auto other = serviceSpecOf(entry({"127.0.0.1:2525", "inet", "n", "-", "n", "-", "-", "smtpd"}), 100);
    EXPECT_FALSE(*smtp == *other);  // a changed argument list is a changed service
}

TEST(ServiceSpec, Errors) {
    EXPECT_EQ(serviceSpecOf(entry({"smtp", "inet", "y", "-", "n", "-", "-", "smtpd"}), 100).error().message,
              "/etc/postfix/master.cf, line 12: inet service cannot be private");
    EXPECT_EQ(serviceSpecOf(entry({"x", "unix", "maybe", "-", "n", "-", "-", "x"}), 100).error().message,
              "/etc/postfix/master.cf, line 12: bad private field value: maybe");
    EXPECT_EQ(serviceSpecOf(entry({"x", "unix", "-", "-", "n", "soon", "-", "x"}), 100).error().message,
              "/etc/postfix/master.cf, line 12: bad wakeup time field value: soon");
    EXPECT_EQ(serviceSpecOf(entry({"x", "unix", "-", "-", "n", "-", "many", "x"}), 100).error().message,
              "/etc/postfix/master.cf, line 12: bad maximal process count field value: many");
    EXPECT_EQ(serviceSpecOf(entry({"x", "tcp", "-", "-", "n", "-", "-", "x"}), 100).error().message,
              "/etc/postfix/master.cf, line 12: unsupported service type: tcp");
}

}  // namespace
}  // namespace postline::server
