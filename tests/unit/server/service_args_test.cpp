// parseServiceArgs and spawnArguments: master's daemon command line (master_ent.c) as
// single_server.c reads it.
#include "postline/server/service_args.h"

#include <gtest/gtest.h>

namespace postline::server {
namespace {

TEST(ServiceArgs, WhatMasterPasses) {
    auto options = parseServiceArgs({"/x/libexec/smtpd", "-n", "127.0.0.1:10025", "-t", "inet", "-u", "-c", "-o",
                                     "stress=", "-o", "smtpd_tls_security_level = may", "-s", "2", "-v", "-v"},
                                    "smtpd", "/tmp/conf");
    ASSERT_TRUE(options) << options.error().message;
    EXPECT_EQ(options->program, "smtpd");
    EXPECT_EQ(options->configDirectory, "/tmp/conf");
    EXPECT_EQ(options->serviceName, "127.0.0.1:10025");
    EXPECT_EQ(options->transport, "inet");
    EXPECT_TRUE(options->unprivileged);
    EXPECT_TRUE(options->chroot);
    EXPECT_EQ(options->socketCount, 2);
    EXPECT_EQ(options->verbose, 2);
    ASSERT_EQ(options->overrides.size(), 2u);
    EXPECT_EQ(options->overrides[0], (std::pair<std::string, std::string>{"stress", ""}));
    EXPECT_EQ(options->overrides[1], (std::pair<std::string, std::string>{"smtpd_tls_security_level", "may"}));
    EXPECT_FALSE(options->standalone);
}

TEST(ServiceArgs, DefaultsAndOperands) {
    auto options = parseServiceArgs({"cleanup", "-t", "unix", "-z", "extra", "-v"}, "cleanup", nullptr);
    ASSERT_TRUE(options);
    EXPECT_EQ(options->serviceName, "cleanup");  // no -n: the program's name
    EXPECT_EQ(options->configDirectory, "/etc/postfix");
    EXPECT_TRUE(options->zeroLimit);
    // getopt stops at the first operand, as Postfix's GETOPT does on Linux.
    EXPECT_EQ(options->arguments, (std::vector<std::string>{"extra", "-v"}));
    EXPECT_EQ(options->verbose, 0);
}

TEST(ServiceArgs, IdleAndUseBecomeOverrides) {
    auto options = parseServiceArgs({"pickup", "-i", "30", "-m100", "-lSd", "-V"}, "pickup", "");
    ASSERT_TRUE(options);
    ASSERT_EQ(options->overrides.size(), 2u);
    EXPECT_EQ(options->overrides[0].first, "max_idle");
    EXPECT_EQ(options->overrides[1], (std::pair<std::string, std::string>{"max_use", "100"}));
    EXPECT_TRUE(options->singleProcess);
    EXPECT_TRUE(options->standalone);
    EXPECT_TRUE(options->foreground);
    EXPECT_TRUE(options->logToStderr);
}

TEST(ServiceArgs, Errors) {
    EXPECT_EQ(parseServiceArgs({"smtpd", "-x"}, "smtpd", nullptr).error().message, "invalid option: x");
    EXPECT_EQ(parseServiceArgs({"smtpd", "-o", "novalue"}, "smtpd", nullptr).error().message,
              "invalid \"-o novalue\" option value: missing '=' after attribute name");
    EXPECT_EQ(parseServiceArgs({"smtpd", "-o", " =x"}, "smtpd", nullptr).error().message,
              "invalid \"-o  =x\" option value: missing attribute name");
    EXPECT_EQ(parseServiceArgs({"smtpd", "-s", "0"}, "smtpd", nullptr).error().message, "invalid socket_count: 0");
    EXPECT_FALSE(parseServiceArgs({"smtpd", "-t"}, "smtpd", nullptr));
}

TEST(ServiceArgs, SpawnArgumentsRoundTrip) {
    SpawnFlags flags;
    flags.command = "/opt/libexec/smtpd";
    flags.serviceName = "2525";
    flags.transport = "inet";
    flags.maxProcesses = 100;
    flags.socketCount = 2;
    flags.unprivileged = true;
    flags.arguments = {"-o", "syslog_name=postfix/submission"};
    std::vector<std::string> args = spawnArguments(flags);
    EXPECT_EQ(args, (std::vector<std::string>{"/opt/libexec/smtpd", "-n", "2525", "-t", "inet", "-u", "-s", "2", "-o",
                                              "syslog_name=postfix/submission"}));
    auto back = parseServiceArgs(args, "smtpd", nullptr);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->serviceName, "2525");
    EXPECT_EQ(back->socketCount, 2);
    EXPECT_EQ(back->overrides.at(0).second, "postfix/submission");

    flags.command = "/opt/libexec/pickup";
    flags.serviceName = "pickup";
    flags.transport = "unix";
    flags.maxProcesses = 1;
    flags.socketCount = 1;
    flags.unprivileged = false;
    flags.foreground = true;
    flags.arguments = {};
    EXPECT_EQ(spawnArguments(flags), (std::vector<std::string>{"/opt/libexec/pickup", "-l", "-t", "unix", "-d"}));
    flags.maxProcesses = 0;
    flags.foreground = false;
    EXPECT_EQ(spawnArguments(flags), (std::vector<std::string>{"/opt/libexec/pickup", "-z", "-t", "unix"}));
}

}  // namespace
}  // namespace postline::server
