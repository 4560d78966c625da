// anvil(8)'s counters: connection counts and rates per identity, the rate window,
// clients that go away without saying so, and the statistics lines.
#include "anvil_core.h"

#include <gtest/gtest.h>

namespace postline::anvil {
namespace {

queue::attr::Attributes req(const std::string& what, const std::string& ident) {
    return {{"request", what}, {"ident", ident}};
}

// The reply's attributes, decoded.
queue::attr::Attributes parse(const std::string& bytes) {
    queue::attr::plain::GroupScanner scanner;
    auto used = scanner.feed(bytes);
    EXPECT_TRUE(used && scanner.complete());
    return scanner.attributes();
}

TEST(AnvilCore, CountsConnectionsAndTheirRatePerIdentity) {
    AnvilCore core(60);
    auto a = parse(core.handle(1, req("connect", "smtp:192.0.2.1"), 1000));
    EXPECT_EQ(a, (queue::attr::Attributes{{"status", "0"}, {"count", "1"}, {"rate", "1"}}));
    auto b = parse(core.handle(2, req("connect", "smtp:192.0.2.1"), 1001));
    EXPECT_EQ(b, (queue::attr::Attributes{{"status", "0"}, {"count", "2"}, {"rate", "2"}}));
    core.handle(1, req("disconnect", "smtp:192.0.2.1"), 1002);
    auto c = parse(core.handle(3, req("connect", "smtp:192.0.2.1"), 1003));
    EXPECT_EQ(c, (queue::attr::Attributes{{"status", "0"}, {"count", "2"}, {"rate", "3"}}));
    // Another client address has its own counters.
    auto d = parse(core.handle(3, req("connect", "smtp:192.0.2.2"), 1003));
    EXPECT_EQ(d, (queue::attr::Attributes{{"status", "0"}, {"count", "1"}, {"rate", "1"}}));
}

TEST(AnvilCore, RatesStartAgainAfterTheTimeUnit) {
    AnvilCore core(60);
    core.handle(1, req("connect", "smtp:192.0.2.1"), 1000);
    EXPECT_EQ(parse(core.handle(1, req("message", "smtp:192.0.2.1"), 1001))[1].second, "1");
    EXPECT_EQ(parse(core.handle(1, req("message", "smtp:192.0.2.1"), 1002))[1].second, "2");
    EXPECT_EQ(parse(core.handle(1, req("recipient", "smtp:192.0.2.1"), 1002))[1].second, "1");
    EXPECT_EQ(parse(core.handle(1, req("message", "smtp:192.0.2.1"), 1061))[1].second, "1");
}

TEST(AnvilCore, AClientThatGoesAwayIsCountedDownAndForgottenLater) {
    AnvilCore core(60);
    core.handle(7, req("connect", "smtp:192.0.2.1"), 1000);
    core.handle(7, req("connect", "smtp:192.0.2.1"), 1000);
    ASSERT_EQ(core.find("smtp:192.0.2.1")->count, 2);
    core.clientGone(7, 1001);
    EXPECT_EQ(core.find("smtp:192.0.2.1")->count, 0);
    core.expire(1030);
    EXPECT_NE(core.find("smtp:192.0.2.1"), nullptr);  // its rate still counts
    core.expire(1062);
    EXPECT_EQ(core.find("smtp:192.0.2.1"), nullptr);
}

TEST(AnvilCore, ReportsPeaksAsPostfixLogsThem) {
    AnvilCore core(60);
    time_t t = 1765066606;
    core.handle(1, req("connect", "smtp:192.0.2.1"), t);
    core.handle(1, req("connect", "smtp:192.0.2.1"), t);
    core.handle(1, req("recipient", "smtp:192.0.2.1"), t);
    auto lines = core.report(t);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].rfind("statistics: max connection rate 2/60s for (smtp:192.0.2.1) at ", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1].rfind("statistics: max connection count 2 for (smtp:192.0.2.1) at ", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2].rfind("statistics: max recipient rate 1/60s for (smtp:192.0.2.1) at ", 0), 0u) << lines[2];
    EXPECT_EQ(lines[3].rfind("statistics: max cache size 1 at ", 0), 0u) << lines[3];
    EXPECT_TRUE(core.report(t).empty());  // reported once
}

TEST(AnvilCore, AnUnknownRequestFails) {
    AnvilCore core(60);
    EXPECT_EQ(parse(core.handle(1, req("bogus", "x"), 1))[0], (std::pair<std::string, std::string>{"status", "-1"}));
}

}  // namespace
}  // namespace postline::anvil
