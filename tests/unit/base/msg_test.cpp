// Diagnostics: Postfix's line shape and its printable() sanitizing.
#include "postline/base/msg.h"

#include <gtest/gtest.h>

namespace postline::base {
namespace {

TEST(Msg, FormatsLikePostfix) {
    setProgramName("/usr/sbin/postmap");
    EXPECT_EQ(formatMsg(Severity::Warning, "t.db: duplicate entry: \"a\""),
              "postmap: warning: t.db: duplicate entry: \"a\"");
    EXPECT_EQ(formatMsg(Severity::Fatal, "usage: x"), "postmap: fatal: usage: x");
    EXPECT_EQ(formatMsg(Severity::Info, "hello"), "postmap: hello");
    setProgramName("postline");
}

TEST(Msg, VerbatimProgramNameKeepsThePath) {
    setProgramNameVerbatim("/usr/sbin/postconf");
    EXPECT_EQ(formatMsg(Severity::Warning, "x"), "/usr/sbin/postconf: warning: x");
    setProgramName("postline");
}

TEST(Msg, ReplacesUnprintableBytes) {
    EXPECT_EQ(printable("a\tb\x01"
                        "c",
                        false),
              "a?b?c");
    EXPECT_EQ(printable("bad\xff key", true), "bad? key");
    EXPECT_EQ(printable("Stra\xc3\x9f"
                        "e",
                        false),
              "Stra??e");
    EXPECT_EQ(printable("Stra\xc3\x9f"
                        "e",
                        true),
              "Stra\xc3\x9f"
              "e");
    EXPECT_EQ(printable(std::string_view("cut\0here", 8), true), "cut");
}

TEST(Msg, SinkSeesSanitizedText) {
    std::string seen;
    setMsgSink([&](Severity, std::string_view text) { seen = text; });
    msgWarn("x\x01y");
    setMsgSink(nullptr);
    EXPECT_EQ(seen, "x?y");
}

}  // namespace
}  // namespace postline::base
