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

}  // namespace
}  // namespace postline::config
