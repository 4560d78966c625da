// smtpd_reject_footer as smtp_reply_footer() appends it, and the expansion filter's
// escapes (checked against Postfix by the reject_footer transcript too).
#include "postline/smtp/reply_footer.h"

#include <gtest/gtest.h>

#include <vector>

namespace postline::smtp {
namespace {

FooterMacros macros() {
    FooterMacros m;
    m.serverName = "mx.example.org";
    m.namaddr = "unknown[192.0.2.1]";
    m.clientAddress = "192.0.2.1";
    m.clientName = "unknown";
    m.helo = "bad helo\x01";
    m.sender = "";
    m.recipient = "joe@example.org";
    return m;
}

TEST(ReplyFooter, LinesTakeTheLastCodeAndStatus) {
    std::vector<std::string> warnings;
    auto warn = [&](std::string_view w) { warnings.emplace_back(w); };
    std::string filter = unescapeFilter("\\t\\40abcdefghijklmnopqrstuvwxyz.@<>[]0123456789");
    EXPECT_EQ(
        applyReplyFooter("550 5.7.1 No", "Call $client_address\\nfor $recipient_name $sender", macros(), filter, warn),
        "550-5.7.1 No\r\n550-5.7.1 Call 192.0.2.1\r\n550 5.7.1 for joe <>");
    EXPECT_EQ(applyReplyFooter("450-4.1.1 one\r\n451 4.3.0 two", "\\c (x) $helo_name", macros(), filter, warn),
              "450-4.1.1 one\r\n451 4.3.0 two (x) bad helo_");
    EXPECT_EQ(applyReplyFooter("500 Syntax", "$nosuch", macros(), filter, warn), "500-Syntax\r\n500 ");
    EXPECT_EQ(warnings, std::vector<std::string>{"unknown macro name \"nosuch\" in expansion request"});
    // Not a reply: unchanged.
    EXPECT_EQ(applyReplyFooter("hello", "x", macros(), filter, warn), "hello");
}

TEST(ReplyFooter, UnescapeFilter) { EXPECT_EQ(unescapeFilter("\\t\\40!\\\\x"), std::string("\t !\\x")); }

}  // namespace
}  // namespace postline::smtp
