// expandForService (lib/config/src/service_expand.cpp): a service's -o options over main.cf.
#include "postline/config/service_expand.h"

#include <gtest/gtest.h>

namespace postline::config {
namespace {

TEST(ServiceExpand, OptionsOverMainCfAndServiceName) {
    Config c = Config::defaults("/cfg");
    c.set("dir", "$config_directory/main");
    c.set("table", "hash:$dir/$service_name");
    auto entries = parseMasterCf(
        "submission inet n - y - - smtpd -o dir=/srv/first -o dir=$config_directory/sub\n"
        "smtps inet n - y - - smtpd -o x=1\n",
        "master.cf");
    ASSERT_TRUE(entries.ok());
    // The last -o of a name wins, and main.cf's values see the service's options.
    EXPECT_EQ(expandForService(c, (*entries)[0], "$table"), "hash:/cfg/sub/submission");
    // A service without that option: main.cf's value.
    EXPECT_EQ(expandForService(c, (*entries)[1], "$table"), "hash:/cfg/main/smtps");
    // Outside any service, $service_name is its default (empty).
    EXPECT_EQ(c.expand("$table"), "hash:/cfg/main/");
}

}  // namespace
}  // namespace postline::config
