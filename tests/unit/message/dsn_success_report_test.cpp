// The trace service's reports (Postfix 3.7's success and verify templates, bounce(5)):
// the built-in texts, a template file's success_template and verify_template, and a
// composed success report (the logged action, no "Undelivered", no retry date).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postline/message/dsn_report.h"

namespace postline::message {
namespace {

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

TEST(DsnSuccessReport, BuiltInTemplatesAsPostconfShowsThem) {
    DsnTemplates ts = builtInDsnTemplates();
    EXPECT_EQ(ts.success.subject, "Successful Mail Delivery Report");
    EXPECT_EQ(ts.success.postmasterSubject, "");
    EXPECT_EQ(ts.success.standardFrom, "Mail Delivery System <MAILER-DAEMON>");
    ASSERT_EQ(ts.success.text.size(), 8u);
    EXPECT_EQ(ts.success.text[2], "Your message was successfully delivered to the destination(s)");
    EXPECT_EQ(ts.verify.subject, "Mail Delivery Status Report");
    ASSERT_EQ(ts.verify.text.size(), 5u);
    EXPECT_EQ(ts.verify.text[2], "Enclosed is the mail delivery report that you requested.");
    EXPECT_EQ(&ts.forKind(DsnReportKind::Success), &ts.success);
    EXPECT_EQ(&ts.forKind(DsnReportKind::Verify), &ts.verify);
    EXPECT_EQ(&ts.forKind(DsnReportKind::Delay), &ts.delay);
    EXPECT_EQ(&ts.forKind(DsnReportKind::Failure), &ts.failure);
}

TEST(DsnSuccessReport, TemplateFileReplacesSuccessAndVerify) {
    std::vector<std::string> warnings;
    auto ts = loadDsnTemplates(
        "success_template = <<EOF\n"
        "Subject: Delivered!\n"
        "\n"
        "It arrived at $myhostname.\n"
        "EOF\n"
        "verify_template = <<EOF\n"
        "Postmaster-Subject: no such thing\n"
        "\n"
        "x\n"
        "EOF\n",
        "/etc/postfix/bounce.cf", [&](const std::string& w) { warnings.push_back(w); });
    ASSERT_TRUE(ts.ok()) << ts.error().message;
    EXPECT_EQ(ts->success.subject, "Delivered!");
    EXPECT_EQ(ts->success.origin, "/etc/postfix/bounce.cf");
    EXPECT_EQ(ts->success.text, std::vector<std::string>{"It arrived at $myhostname."});
    // A success or verify notice has no postmaster copy: the label is refused and the
    // built-in template stays.
    EXPECT_EQ(ts->verify.origin, "[built-in]");
    EXPECT_EQ(warnings, std::vector<std::string>{"/etc/postfix/bounce.cf: inapplicable \"Postmaster-Subject\" header "
                                                 "label in verify template -- ignoring this template"});
}

TEST(DsnSuccessReport, ComposedWithTheLoggedAction) {
    DsnReport r;
    r.kind = DsnReportKind::Success;
    r.notifyFilter = dsn_notify::kOverride;
    r.to = "alice@example.com";
    r.myhostname = "mx.example.com";
    r.queueId = "ID";
    r.sender = "alice@example.com";
    r.boundary = "B";
    r.mimeEncoding = "7bit";
    r.ret = dsn_ret::kHdrs;
    r.messageSize = 100;
    r.recipients.push_back({"bob@example.com", "", "", 2, "2.0.0", "relayed", "smtp", "250 2.0.0 Ok", "dns",
                            "mx.example.org", "delivery via mx.example.org[192.0.2.1]:25: 250 2.0.0 Ok"});
    r.originalLines = {"Subject: hi", "", "body"};
    ComposedReport got = composeDsnReport(r);
    ASSERT_TRUE(got.error.empty()) << got.error;
    EXPECT_EQ(got.reported, 1);
    EXPECT_TRUE(got.headersOnly);
    std::string text = joined(got.lines);
    EXPECT_NE(text.find("Subject: Successful Mail Delivery Report\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Content-Transfer-Encoding: 7bit\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Final-Recipient: rfc822; bob@example.com\n"
                        "Action: relayed\n"
                        "Status: 2.0.0\n"
                        "Remote-MTA: dns; mx.example.org\n"
                        "Diagnostic-Code: smtp; 250 2.0.0 Ok\n\n"
                        "--B\n"
                        "Content-Description: Message Headers\n"
                        "Content-Type: text/rfc822-headers\n\n"
                        "Return-Path: <alice@example.com>\n"
                        "Subject: hi\n\n"
                        "--B--\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("Will-Retry-Until"), std::string::npos);
    EXPECT_EQ(text.find("Undelivered"), std::string::npos);

    // Without a trace log there is nothing to report (no place holder, as for a failure).
    r.logAvailable = false;
    EXPECT_TRUE(composeDsnReport(r).lines.empty());
}

}  // namespace
}  // namespace postline::message
