// Time values as Postfix's conv_time() reads them.
#include "postline/config/time_value.h"

#include <gtest/gtest.h>

namespace postline::config {
namespace {

TEST(TimeValue, NumbersWithAndWithoutUnits) {
    EXPECT_EQ(timeValue("300"), 300);
    EXPECT_EQ(timeValue("300s"), 300);
    EXPECT_EQ(timeValue("5m"), 300);
    EXPECT_EQ(timeValue("1h"), 3600);
    EXPECT_EQ(timeValue("2d"), 172800);
    EXPECT_EQ(timeValue("1w"), 604800);
    EXPECT_EQ(timeValue("1H"), 3600);
    EXPECT_EQ(timeValue("10", 'h'), 36000);  // a parameter whose default unit is hours
    EXPECT_EQ(timeValue("0"), 0);
}

TEST(TimeValue, WhatIsNoTimeValue) {
    for (const char* bad : {"", "s", "1x", "1hh", "-1", " 1", "1 ", "9999999999999"})
        EXPECT_FALSE(timeValue(bad)) << bad;
}

}  // namespace
}  // namespace postline::config
