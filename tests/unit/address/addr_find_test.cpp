// Tests of the address lookup order (mail_addr_find.c strategies).
#include "postline/address/addr_find.h"

#include <gtest/gtest.h>

#include "address_test_util.h"
#include "postline/address/routing_context.h"

namespace postline::address {
namespace {

using testing::TempDir;

struct Fixture {
    config::Config config = testing::testConfig();
    TempDir dir;
};

TEST(AddrFind, DefaultStrategyOrder) {
    Fixture f;
    f.config.set("recipient_delimiter", "+");
    auto t = f.dir.write("v",
                         "user+ext@example.net full\n"
                         "user@example.net noext\n"
                         "lp lonely\n"
                         "@example.net catchall\n");
    f.config.set("virtual_alias_maps", "texthash:" + t);
    RoutingContext ctx(f.config);
    auto& maps = ctx.maps("virtual_alias_maps");
    auto r = findAddress(ctx, maps, "user+ext@example.net");
    EXPECT_EQ(r.value, "full");
    EXPECT_EQ(r.extension, "");
    r = findAddress(ctx, maps, "user+other@example.net");
    EXPECT_EQ(r.value, "noext");
    EXPECT_EQ(r.extension, "+other");
    EXPECT_EQ(r.step.key, "user@example.net");
    EXPECT_EQ(r.step.tried, (std::vector<std::string>{"user+other@example.net", "user@example.net"}));
    // user only when the domain is local (myorigin or mydestination)...
    r = findAddress(ctx, maps, "lp@example.org");
    EXPECT_EQ(r.value, "lonely");
    r = findAddress(ctx, maps, "lp+x@mail.example.org");
    EXPECT_EQ(r.value, "lonely");
    EXPECT_EQ(r.extension, "+x");
    // ...never for a remote one, which falls to @domain.
    r = findAddress(ctx, maps, "lp@example.net");
    EXPECT_EQ(r.value, "catchall");
    EXPECT_EQ(r.step.tried, (std::vector<std::string>{"lp@example.net", "@example.net"}));
    r = findAddress(ctx, maps, "nobody@example.com");
    EXPECT_FALSE(r.isFound());
    EXPECT_EQ(r.step.status, StepStatus::NotFound);
}

TEST(AddrFind, PartialKeysSkipRegexp) {
    Fixture f;
    f.config.set("recipient_delimiter", "+");
    f.config.set("virtual_alias_maps", "regexp:{ {/^u@example\\.net$$/ regexp-hit} }");
    RoutingContext ctx(f.config);
    auto& maps = ctx.maps("virtual_alias_maps");
    EXPECT_EQ(findAddress(ctx, maps, "u@example.net").value, "regexp-hit");
    // u@example.net is only a partial key for u+x@example.net.
    EXPECT_FALSE(findAddress(ctx, maps, "u+x@example.net").isFound());
}

TEST(AddrFind, ExternalFormFirstThenInternal) {
    Fixture f;
    auto t = f.dir.write("t", "\"a b\"@example.net ext\n");
    f.config.set("transport_maps", "texthash:" + t + " regexp:{ {/^c d@example\\.net$$/ int} }");
    RoutingContext ctx(f.config);
    auto& maps = ctx.maps("transport_maps");
    EXPECT_EQ(findAddress(ctx, maps, "a b@example.net").value, "ext");
    auto r = findAddress(ctx, maps, "c d@example.net");
    EXPECT_EQ(r.value, "int");
    EXPECT_EQ(r.step.tried.front(), "\"c d\"@example.net");
}

TEST(AddrFind, DomainAndParents) {
    Fixture f;
    auto t = f.dir.write("t", "example.com pdms\n.example.net pddmds\n");
    f.config.set("transport_maps", "texthash:" + t);
    RoutingContext ctx(f.config);
    auto& maps = ctx.maps("transport_maps");
    AddrFindOptions o;
    o.strategy = strategy::kFull | strategy::kNoExt | strategy::kDomain | strategy::kPdms;
    EXPECT_EQ(findAddress(ctx, maps, "u@a.b.example.com", o).value, "pdms");
    EXPECT_FALSE(findAddress(ctx, maps, "u@a.example.net", o).isFound());
    o.strategy = strategy::kFull | strategy::kNoExt | strategy::kDomain | strategy::kPddmds;
    auto r = findAddress(ctx, maps, "u@a.example.net", o);
    EXPECT_EQ(r.value, "pddmds");
    EXPECT_EQ(r.step.tried, (std::vector<std::string>{"u@a.example.net", "a.example.net", ".example.net"}));
    o.strategy = strategy::kDomain;
    EXPECT_FALSE(findAddress(ctx, maps, "u@a.example.com", o).isFound());
}

TEST(AddrFind, LocalpartAtAndErrors) {
    Fixture f;
    f.config.set("smtpd_access", "inline:{ {user@=at-form} }");
    f.config.set("broken", "fail:oops");
    RoutingContext ctx(f.config);
    AddrFindOptions o;
    o.strategy = strategy::kFull | strategy::kNoExt | strategy::kDomain | strategy::kLocalpartAt;
    EXPECT_EQ(findAddress(ctx, ctx.maps("smtpd_access"), "user@remote.example", o).value, "at-form");
    auto r = findAddress(ctx, ctx.maps("broken"), "user@remote.example");
    EXPECT_TRUE(r.isError());
    EXPECT_EQ(r.step.status, StepStatus::Error);
    EXPECT_EQ(r.step.tried.size(), 1u);
}

}  // namespace
}  // namespace postline::address
