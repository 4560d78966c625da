// `$name` expansion that must end: a value that names itself on both sides of a
// relational expression, and computed defaults (myhostname, mydomain) whose main.cf
// values name each other. Both were found by the main_cf and macro_expand fuzz targets.
#include <gtest/gtest.h>

#include <stdexcept>

#include "postline/config/computed.h"
#include "postline/config/config.h"
#include "postline/config/expand.h"

using postline::config::Config;
using postline::config::macroExpand;

// Postfix stops expanding at the first error (MAC_PARSE_ERROR); the right side of
// `{a} == {b}` is not expanded after the left one hit the nesting limit. Without that,
// `a = ${{$a} == {$a}}` takes 2^100 steps; the lookup throws long before.
TEST(ExpandLimits, SelfReferenceOnBothSidesStopsAtTheNestingLimit) {
    int lookups = 0;
    auto lookup = [&](std::string_view name) -> std::optional<std::string> {
        if (++lookups > 10000) throw std::runtime_error("expansion does not end");
        if (name == "a") return std::string("${{$a} == {$a} ? {x} : {y}}");
        return std::nullopt;
    };
    postline::config::MacroResult result;
    ASSERT_NO_THROW(result = macroExpand("$a", postline::config::kMacroRecurse, lookup));
    EXPECT_TRUE(result.error);
    ASSERT_FALSE(result.warnings.empty());
    EXPECT_EQ(result.warnings.front().rfind("unreasonable macro call nesting", 0), 0u) << result.warnings.front();
    EXPECT_LE(lookups, 200);
}

// postconf with `myhostname = mx.$mydomain` and no mydomain: mydomain's default is what
// follows the first dot of myhostname, in which $mydomain is still undefined: "".
TEST(ExpandLimits, MydomainDefaultFromAMyhostnameThatNamesIt) {
    Config config = Config::defaults("/etc/postfix");
    config.set("myhostname", "mx.$mydomain");
    EXPECT_EQ(config.get("mydomain"), "");
    EXPECT_EQ(config.get("myhostname"), "mx.");
}

// On a host whose name has no dot, myhostname's default appends $mydomain; a mydomain
// that names $myhostname sees it undefined (postconf: "vm.sub." on host "vm").
TEST(ExpandLimits, MyhostnameDefaultFromAMydomainThatNamesIt) {
    Config config = Config::defaults("/etc/postfix");
    config.set("mydomain", "sub.$myhostname");
    std::string host = postline::config::systemHostname();
    std::string expected = host.find('.') == std::string::npos ? host + ".sub." : host;
    EXPECT_EQ(config.get("myhostname"), expected);
}
