// The attribute protocol's plain flavour (attr_print_plain.c, attr_scan_plain.c), as
// anvil speaks it: "name=value" lines, an empty line ends the group.
#include <gtest/gtest.h>

#include "postline/queue/attr_stream.h"

namespace postline::queue::attr::plain {
namespace {

TEST(AttrPlain, EncodesAndScansInPieces) {
    std::string bytes;
    append(bytes, "request", "connect");
    append(bytes, "ident", "smtp:192.0.2.1");
    appendNumber(bytes, "count", -1);
    appendEnd(bytes);
    EXPECT_EQ(bytes, "request=connect\nident=smtp:192.0.2.1\ncount=-1\n\n");
    bytes += "next=1\n";
    GroupScanner scanner;
    size_t used = 0;
    for (size_t i = 0; i < bytes.size() && !scanner.complete(); ++i) {
        auto n = scanner.feed(std::string_view(bytes).substr(i, 1));
        ASSERT_TRUE(n);
        used += *n;
    }
    ASSERT_TRUE(scanner.complete());
    EXPECT_EQ(used, bytes.size() - 7);  // what follows the group is left
    EXPECT_EQ(scanner.attributes(), (Attributes{{"request", "connect"}, {"ident", "smtp:192.0.2.1"}, {"count", "-1"}}));
}

TEST(AttrPlain, ALineWithoutEqualsIsAnError) {
    GroupScanner scanner;
    EXPECT_FALSE(scanner.feed("garbage\n\n"));
}

TEST(AttrPlain, NewlinesCannotEnterAValue) {
    std::string bytes;
    append(bytes, "a", "one\ntwo");
    EXPECT_EQ(bytes, "a=one\n");
}

}  // namespace
}  // namespace postline::queue::attr::plain
