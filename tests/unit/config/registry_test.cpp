// The parameter registry (lib/config/src/registry.cpp, generated parameter_table.inc).
#include "postline/config/registry.h"

#include <gtest/gtest.h>

#include <string>

#include "postline/config/config.h"

namespace postline::config {
namespace {

TEST(Registry, HoldsEveryBuiltinParameterSortedWithTypes) {
    auto all = builtinParameters();
    EXPECT_GT(all.size(), 800u);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
    const auto* p = findBuiltinParameter("message_size_limit");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->defaultValue, "10240000");
    EXPECT_EQ(paramTypeName(p->type), "size");
    EXPECT_EQ(findBuiltinParameter("smtpd_recipient_restrictions")->type, ParamType::RestrictionList);
    EXPECT_EQ(findBuiltinParameter("biff")->type, ParamType::Boolean);
    EXPECT_EQ(findBuiltinParameter("maximal_queue_lifetime")->type, ParamType::Time);
    EXPECT_EQ(findBuiltinParameter("mynetworks_style")->type, ParamType::Enum);
    EXPECT_EQ(findBuiltinParameter("no_such_parameter"), nullptr);
}

TEST(Registry, FlagsRawComputedAndLegacyNames) {
    EXPECT_TRUE(findBuiltinParameter("forward_path")->flags & kRaw);
    EXPECT_TRUE(findBuiltinParameter("myhostname")->flags & kComputed);
    EXPECT_TRUE(findBuiltinParameter("virtual_maps")->flags & kLegacy);
    EXPECT_FALSE(findBuiltinParameter("relayhost")->flags & (kRaw | kComputed | kLegacy));
}

TEST(Registry, ServiceTemplatesFollowPostconfService) {
    bool pipeTime = false, smtpLimit = false;
    for (const auto& t : serviceParameterTemplates()) {
        if (t.program == "pipe" && t.suffix == "_time_limit") pipeTime = t.defaultParam == "command_time_limit";
        if (t.program == "smtp" && t.suffix == "_destination_concurrency_limit")
            smtpLimit = t.defaultParam == "default_destination_concurrency_limit";
        EXPECT_FALSE(t.program == "smtp" && t.suffix == "_time_limit");
    }
    EXPECT_TRUE(pipeTime);
    EXPECT_TRUE(smtpLimit);
}

TEST(Registry, DefaultsAsPostconfPrintsThem) {
    EXPECT_EQ(*builtinDefault("alias_maps", "/etc/postfix"), "hash:/etc/aliases, nis:mail.aliases");
    EXPECT_EQ(*builtinDefault("config_directory", "/cfg"), "/cfg");
    EXPECT_FALSE(builtinDefault("nosuch", "/etc/postfix").has_value());
    Config c = Config::defaults();
    EXPECT_EQ(c.get("mynetworks_style"), "subnet");
    c.set("compatibility_level", "3.6");
    EXPECT_EQ(c.get("mynetworks_style"), "host");
    c.set("myhostname", "mx.example.org");
    EXPECT_EQ(c.get("mydomain"), "example.org");
}

TEST(RegistryBounds, ComeFromPostfixTables) {
    // smtpd.c: VAR_SMTPD_RCPT_LIMIT ..., 1, 0; qmgr.c: maximal_queue_lifetime 0, 8640000.
    auto rcpt = bounds("smtpd_recipient_limit");
    ASSERT_TRUE(rcpt);
    EXPECT_EQ(rcpt->min, 1);
    EXPECT_EQ(rcpt->max, 0);
    auto lifetime = bounds("maximal_queue_lifetime");
    ASSERT_TRUE(lifetime);
    EXPECT_EQ(lifetime->min, 0);
    EXPECT_EQ(lifetime->max, 100 * 86400);
    auto code = bounds("unverified_recipient_defer_code");
    ASSERT_TRUE(code);
    EXPECT_EQ(code->min, 200);
    EXPECT_EQ(code->max, 499);
    // No bounds: unbounded numbers, non-numeric and unknown names.
    EXPECT_FALSE(bounds("message_size_limit"));
    EXPECT_FALSE(bounds("myhostname"));
    EXPECT_FALSE(bounds("no_such_parameter"));
    for (const auto& p : builtinParameters()) {
        if (p.minValue || p.maxValue) {
            EXPECT_TRUE(p.type == ParamType::Integer || p.type == ParamType::Time || p.type == ParamType::Size)
                << p.name;
        }
    }
}

TEST(RegistryBounds, NumericValuesUseTheDefaultUnit) {
    const auto& lifetime = *findBuiltinParameter("maximal_queue_lifetime");  // default 5d
    EXPECT_EQ(numericValue(lifetime, "5"), 5 * 86400);
    EXPECT_EQ(numericValue(lifetime, "2h"), 7200);
    EXPECT_EQ(numericValue(lifetime, "1w"), 7 * 86400);
    EXPECT_FALSE(numericValue(lifetime, "1x"));
    EXPECT_FALSE(numericValue(lifetime, "-1"));
    EXPECT_FALSE(numericValue(lifetime, ""));
    const auto& timeout = *findBuiltinParameter("smtpd_timeout");  // ${stress?{10}:{300}}s
    EXPECT_EQ(timeout.type, ParamType::Time);
    EXPECT_EQ(numericValue(timeout, "30"), 30);
    const auto& limit = *findBuiltinParameter("smtpd_recipient_limit");
    EXPECT_EQ(numericValue(limit, "-3"), -3);
    EXPECT_FALSE(numericValue(limit, "99999999999"));  // does not fit an int
    EXPECT_EQ(numericValue(*findBuiltinParameter("message_size_limit"), "99999999999"), 99999999999LL);
    EXPECT_FALSE(numericValue(*findBuiltinParameter("myhostname"), "1"));
}

TEST(RegistryBounds, ProblemsUsePostfixTexts) {
    const auto& limit = *findBuiltinParameter("smtpd_recipient_limit");
    EXPECT_EQ(boundsProblem(limit, "0"), "invalid smtpd_recipient_limit parameter value 0 < 1");
    EXPECT_EQ(boundsProblem(limit, "1"), "");
    EXPECT_EQ(boundsProblem(limit, "junk"), "");
    const auto& lifetime = *findBuiltinParameter("maximal_queue_lifetime");
    EXPECT_EQ(boundsProblem(lifetime, "101"), "invalid maximal_queue_lifetime: 8726400 (max 8640000)");
    EXPECT_EQ(boundsProblem(lifetime, "100d"), "");
    EXPECT_EQ(boundsProblem(*findBuiltinParameter("smtpd_timeout"), "0"), "invalid smtpd_timeout: 0 (min 1)");
    EXPECT_EQ(boundsProblem(*findBuiltinParameter("unverified_sender_reject_code"), "600"),
              "invalid unverified_sender_reject_code parameter value 600 > 599");
}

}  // namespace
}  // namespace postline::config
