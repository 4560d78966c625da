// The delivery status notification (dsn_report.h): a whole failure report line by line
// as Postfix 3.7's bounce daemon composes it, the delay warning, the postmaster copy,
// NOTIFY filtering, headers-only returns (RET=HDRS, bounce_size_limit), place holders,
// SMTPUTF8 forms, and util/line_wrap.c's wrapping.
#include "postline/message/dsn_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace postline::message {
namespace {

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

DsnReport failureReport() {
    DsnReport r;
    r.to = "alice@example.com";
    r.myhostname = "mx.example.com";
    r.queueId = "4QXyZ81cF2z9sT";
    r.sender = "alice@example.com";
    r.arrivalDate = "Mon,  7 Dec 2026 00:10:00 +0000 (UTC)";
    r.boundary = dsnBoundary(r.queueId, 1796601000, r.myhostname);
    DsnReportRecipient a;
    a.address = "nosuchuser@mx.example.com";
    a.original = "nosuchuser";
    a.dsnOrcpt = "rfc822;nosuchuser@mx.example.com";
    a.status = "5.1.1";
    a.action = "failed";
    a.reason = "unknown user: \"nosuchuser\"";
    r.recipients.push_back(a);
    r.originalLines = {"From: alice@example.com", "To: nosuchuser@mx.example.com", "Subject: hi", "", "body line"};
    r.messageSize = 300;
    return r;
}

TEST(DsnReport, FailureReportAsPostfixWritesIt) {
    ComposedReport got = composeDsnReport(failureReport());
    EXPECT_EQ(got.reported, 1);
    EXPECT_FALSE(got.headersOnly);
    EXPECT_EQ(joined(got.lines),
              "From: Mail Delivery System <MAILER-DAEMON>\n"
              "Subject: Undelivered Mail Returned to Sender\n"
              "To: alice@example.com\n"
              "Auto-Submitted: auto-replied\n"
              "MIME-Version: 1.0\n"
              "Content-Type: multipart/report; report-type=delivery-status;\n"
              "\tboundary=\"4QXyZ81cF2z9sT.1796601000/mx.example.com\"\n"
              "Content-Transfer-Encoding: 8bit\n"
              "\n"
              "This is a MIME-encapsulated message.\n"
              "\n"
              "--4QXyZ81cF2z9sT.1796601000/mx.example.com\n"
              "Content-Description: Notification\n"
              "Content-Type: text/plain; charset=utf-8\n"
              "Content-Transfer-Encoding: 8bit\n"
              "\n"
              "This is the mail system at host mx.example.com.\n"
              "\n"
              "I'm sorry to have to inform you that your message could not\n"
              "be delivered to one or more recipients. It's attached below.\n"
              "\n"
              "For further assistance, please send mail to postmaster.\n"
              "\n"
              "If you do so, please include this problem report. You can\n"
              "delete your own text from the attached returned message.\n"
              "\n"
              "                   The mail system\n"
              "\n"
              "<nosuchuser@mx.example.com> (expanded from <nosuchuser>): unknown user:\n"
              "    \"nosuchuser\"\n"
              "\n"
              "--4QXyZ81cF2z9sT.1796601000/mx.example.com\n"
              "Content-Description: Delivery report\n"
              "Content-Type: message/delivery-status\n"
              "\n"
              "Reporting-MTA: dns; mx.example.com\n"
              "X-Postfix-Queue-ID: 4QXyZ81cF2z9sT\n"
              "X-Postfix-Sender: rfc822; alice@example.com\n"
              "Arrival-Date: Mon,  7 Dec 2026 00:10:00 +0000 (UTC)\n"
              "\n"
              "Final-Recipient: rfc822; nosuchuser@mx.example.com\n"
              "Original-Recipient: rfc822;nosuchuser@mx.example.com\n"
              "Action: failed\n"
              "Status: 5.1.1\n"
              "Diagnostic-Code: X-Postfix; unknown user: \"nosuchuser\"\n"
              "\n"
              "--4QXyZ81cF2z9sT.1796601000/mx.example.com\n"
              "Content-Description: Undelivered Message\n"
              "Content-Type: message/rfc822\n"
              "Content-Transfer-Encoding: 8bit\n"
              "\n"
              "Return-Path: <alice@example.com>\n"
              "From: alice@example.com\n"
              "To: nosuchuser@mx.example.com\n"
              "Subject: hi\n"
              "\n"
              "body line\n"
              "\n"
              "--4QXyZ81cF2z9sT.1796601000/mx.example.com--\n");
}

// A notification the real Postfix 3.7 bounce daemon posted (read back with postcat -bh
// from a private instance: a sendmail -N failure,delay -R hdrs submission to an unknown
// local user). Cleanup added Received:, Date: and Message-Id: and qualified From:'s
// MAILER-DAEMON; the rest is the bounce daemon's, and must be ours line for line.
constexpr const char* kPostfixBounce = R"(Received: by mx.example.org (Postfix)
	id DEB01A7A1BB; Mon,  7 Dec 2026 00:14:16 +0000 (UTC)
Date: Mon,  7 Dec 2026 00:14:16 +0000 (UTC)
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
Subject: Undelivered Mail Returned to Sender
To: alice@example.net
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="D446CA7A1B5.1796602456/mx.example.org"
Content-Transfer-Encoding: 8bit
Message-Id: <20261207001416.DEB01A7A1BB@mx.example.org>

This is a MIME-encapsulated message.

--D446CA7A1B5.1796602456/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<nosuchuser@mx.example.org>: unknown user: "nosuchuser"

--D446CA7A1B5.1796602456/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: D446CA7A1B5
X-Postfix-Sender: rfc822; alice@example.net
Arrival-Date: Mon,  7 Dec 2026 00:14:16 +0000 (UTC)

Final-Recipient: rfc822; nosuchuser@mx.example.org
Original-Recipient: rfc822;nosuchuser@mx.example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: X-Postfix; unknown user: "nosuchuser"

--D446CA7A1B5.1796602456/mx.example.org
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <alice@example.net>
Received: by mx.example.org (Postfix, from userid 0)
	id D446CA7A1B5; Mon,  7 Dec 2026 00:14:16 +0000 (UTC)
From: alice@example.net
To: nosuchuser@mx.example.org
Subject: hi there
Message-Id: <m1@example.net>
Date: Mon,  7 Dec 2026 00:14:16 +0000 (UTC)

--D446CA7A1B5.1796602456/mx.example.org--
)";

TEST(DsnReport, SameAsARealPostfixBounce) {
    DsnReport r;
    r.to = "alice@example.net";
    r.myhostname = "mx.example.org";
    r.queueId = "D446CA7A1B5";
    r.sender = "alice@example.net";
    r.arrivalDate = "Mon,  7 Dec 2026 00:14:16 +0000 (UTC)";
    r.boundary = dsnBoundary(r.queueId, 1796602456, r.myhostname);
    r.ret = dsn_ret::kHdrs;
    r.messageSize = 273;
    DsnReportRecipient a;
    a.address = "nosuchuser@mx.example.org";
    a.dsnOrcpt = "rfc822;nosuchuser@mx.example.org";
    a.dsnNotify = dsn_notify::kFailure | dsn_notify::kDelay;
    a.status = "5.1.1";
    a.action = "failed";
    a.reason = "unknown user: \"nosuchuser\"";
    r.recipients.push_back(a);
    r.originalLines = {"Received: by mx.example.org (Postfix, from userid 0)",
                       "\tid D446CA7A1B5; Mon,  7 Dec 2026 00:14:16 +0000 (UTC)",
                       "From: alice@example.net",
                       "To: nosuchuser@mx.example.org",
                       "Subject: hi there",
                       "Message-Id: <m1@example.net>",
                       "Date: Mon,  7 Dec 2026 00:14:16 +0000 (UTC)",
                       "",
                       "body line"};
    std::string ours = joined(composeDsnReport(r).lines);
    // What cleanup did to the real one, undone.
    std::string theirs = kPostfixBounce;
    auto replace = [&](const std::string& from, const std::string& to) {
        size_t at = theirs.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        theirs.replace(at, from.size(), to);
    };
    replace("Received: by mx.example.org (Postfix)\n\tid DEB01A7A1BB; Mon,  7 Dec 2026 00:14:16 +0000 (UTC)\n", "");
    replace("Date: Mon,  7 Dec 2026 00:14:16 +0000 (UTC)\nFrom", "From");
    replace("Message-Id: <20261207001416.DEB01A7A1BB@mx.example.org>\n", "");
    replace("<MAILER-DAEMON@mx.example.org>", "<MAILER-DAEMON>");
    EXPECT_EQ(ours, theirs);
}

// A delay warning the real Postfix 3.7 posted (delay_warning_time = 1s, so "0 hour(s)";
// maximal_queue_lifetime = 1d), undone the same way.
constexpr const char* kPostfixDelayWarning = R"(Received: by mx.example.org (Postfix)
	id C2CDBA7CA01; Mon,  7 Dec 2026 00:22:20 +0000 (UTC)
Date: Mon,  7 Dec 2026 00:22:20 +0000 (UTC)
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
Subject: Delayed Mail (still being retried)
To: alice@example.net
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="BA091A7CC27.1796602940/mx.example.org"
Content-Transfer-Encoding: 8bit
Message-Id: <20261207002220.C2CDBA7CA01@mx.example.org>

This is a MIME-encapsulated message.

--BA091A7CC27.1796602940/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.example.org.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

Your message could not be delivered for more than 0 hour(s).
It will be retried until it is 1 day(s) old.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<bob@example.com>: deferred transport

--BA091A7CC27.1796602940/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: BA091A7CC27
X-Postfix-Sender: rfc822; alice@example.net
Arrival-Date: Mon,  7 Dec 2026 00:22:20 +0000 (UTC)

Final-Recipient: rfc822; bob@example.com
Original-Recipient: rfc822;bob@example.com
Action: delayed
Status: 4.3.2
Diagnostic-Code: X-Postfix; deferred transport
Will-Retry-Until: Tue,  8 Dec 2026 00:22:20 +0000 (UTC)

--BA091A7CC27.1796602940/mx.example.org
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <alice@example.net>
Received: by mx.example.org (Postfix, from userid 0)
	id BA091A7CC27; Mon,  7 Dec 2026 00:22:20 +0000 (UTC)
From: alice@example.net
Subject: one
Message-Id: <m1@example.net>
Date: Mon,  7 Dec 2026 00:22:20 +0000 (UTC)

--BA091A7CC27.1796602940/mx.example.org--
)";

TEST(DsnReport, SameAsARealPostfixDelayWarning) {
    DsnReport r;
    r.kind = DsnReportKind::Delay;
    r.notifyFilter = dsn_notify::kDelay;
    r.to = "alice@example.net";
    r.myhostname = "mx.example.org";
    r.queueId = "BA091A7CC27";
    r.sender = "alice@example.net";
    r.arrivalDate = "Mon,  7 Dec 2026 00:22:20 +0000 (UTC)";
    r.willRetryUntil = "Tue,  8 Dec 2026 00:22:20 +0000 (UTC)";
    r.boundary = dsnBoundary(r.queueId, 1796602940, r.myhostname);
    r.ret = dsn_ret::kHdrs;
    r.messageSize = 236;
    r.delayWarningTime = 1;
    r.maximalQueueLifetime = 86400;
    DsnReportRecipient a;
    a.address = "bob@example.com";
    a.dsnOrcpt = "rfc822;bob@example.com";
    a.dsnNotify = dsn_notify::kFailure | dsn_notify::kDelay;
    a.status = "4.3.2";
    a.action = "delayed";
    a.reason = "deferred transport";
    r.recipients.push_back(a);
    r.originalLines = {"Received: by mx.example.org (Postfix, from userid 0)",
                       "\tid BA091A7CC27; Mon,  7 Dec 2026 00:22:20 +0000 (UTC)",
                       "From: alice@example.net",
                       "Subject: one",
                       "Message-Id: <m1@example.net>",
                       "Date: Mon,  7 Dec 2026 00:22:20 +0000 (UTC)",
                       "",
                       "body one"};
    std::string ours = joined(composeDsnReport(r).lines);
    std::string theirs = kPostfixDelayWarning;
    auto replace = [&](const std::string& from, const std::string& to) {
        size_t at = theirs.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        theirs.replace(at, from.size(), to);
    };
    replace("Received: by mx.example.org (Postfix)\n\tid C2CDBA7CA01; Mon,  7 Dec 2026 00:22:20 +0000 (UTC)\n", "");
    replace("Date: Mon,  7 Dec 2026 00:22:20 +0000 (UTC)\nFrom", "From");
    replace("Message-Id: <20261207002220.C2CDBA7CA01@mx.example.org>\n", "");
    replace("<MAILER-DAEMON@mx.example.org>", "<MAILER-DAEMON>");
    EXPECT_EQ(ours, theirs);
}

TEST(DsnReport, RemoteFailureShowsRemoteMtaAndWrapsDiagnostic) {
    DsnReport r = failureReport();
    DsnReportRecipient& a = r.recipients[0];
    a.original.clear();
    a.dsnOrcpt.clear();
    a.status = "5.7.1";
    a.diagType = "smtp";
    a.diagText = "550 5.7.1 <nosuchuser@mx.example.com>: Recipient address rejected: the recipient is not known here";
    a.mtaType = "dns";
    a.mtaName = "relay.example.net";
    a.reason = "host relay.example.net[192.0.2.7] said: " + a.diagText + " (in reply to RCPT TO command)";
    std::string text = joined(composeDsnReport(r).lines);
    EXPECT_NE(text.find("\n<nosuchuser@mx.example.com>: host relay.example.net[192.0.2.7] said: 550 5.7.1\n"
                        "    <nosuchuser@mx.example.com>: Recipient address rejected: the recipient is\n"
                        "    not known here (in reply to RCPT TO command)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Status: 5.7.1\n"
                        "Remote-MTA: dns; relay.example.net\n"
                        "Diagnostic-Code: smtp; 550 5.7.1 <nosuchuser@mx.example.com>: Recipient address\n"
                        "    rejected: the recipient is not known here\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("Original-Recipient:"), std::string::npos);
}

TEST(DsnReport, NotifyFilterAndCancelledNotice) {
    DsnReport r = failureReport();
    r.recipients[0].dsnNotify = dsn_notify::kDelay;  // NOTIFY=DELAY: no failure report
    ComposedReport none = composeDsnReport(r);
    EXPECT_EQ(none.reported, 0);
    EXPECT_TRUE(none.lines.empty());
    DsnReportRecipient b = r.recipients[0];
    b.address = "b@mx.example.com";
    b.dsnNotify = dsn_notify::kFailure | dsn_notify::kDelay;
    r.recipients.push_back(b);
    ComposedReport one = composeDsnReport(r);
    EXPECT_EQ(one.reported, 1);
    std::string text = joined(one.lines);
    EXPECT_EQ(text.find("Final-Recipient: rfc822; nosuchuser@"), std::string::npos);
    EXPECT_NE(text.find("Final-Recipient: rfc822; b@mx.example.com"), std::string::npos);
    // The postmaster copy reports everyone.
    r.notifyFilter = dsn_notify::kOverride;
    EXPECT_EQ(composeDsnReport(r).reported, 2);
}

TEST(DsnReport, PostmasterCopyHasNoBoilerplate) {
    DsnReport r = failureReport();
    r.postmasterCopy = true;
    r.to = "postmaster";
    r.notifyFilter = dsn_notify::kOverride;
    r.ret = dsn_ret::kHdrs;
    ComposedReport got = composeDsnReport(r);
    std::string text = joined(got.lines);
    EXPECT_NE(text.find("Subject: Postmaster Copy: Undelivered Mail\nTo: postmaster\n"
                        "Auto-Submitted: auto-generated\n"),
              std::string::npos);
    EXPECT_EQ(text.find("This is the mail system"), std::string::npos);
    EXPECT_NE(text.find("Content-Transfer-Encoding: 8bit\n\n\n<nosuchuser@"), std::string::npos) << text;
    EXPECT_TRUE(got.headersOnly);
    EXPECT_NE(text.find("Content-Description: Undelivered Message Headers\n"
                        "Content-Type: text/rfc822-headers\n"),
              std::string::npos);
    // Only the header is returned, then the closing boundary.
    EXPECT_NE(text.find("Subject: hi\n\n--4QXyZ81cF2z9sT.1796601000/mx.example.com--\n"), std::string::npos);
    EXPECT_EQ(text.find("body line"), std::string::npos);
}

TEST(DsnReport, SizeLimitReturnsHeadersOnly) {
    DsnReport r = failureReport();
    r.messageSize = 50001;
    EXPECT_TRUE(composeDsnReport(r).headersOnly);
    r.messageSize = 50000;
    EXPECT_FALSE(composeDsnReport(r).headersOnly);
    r.messageSize = 0;  // unknown size: headers only, as in Postfix
    EXPECT_TRUE(composeDsnReport(r).headersOnly);
    r.bounceSizeLimit = 0;  // no limit
    EXPECT_FALSE(composeDsnReport(r).headersOnly);
}

TEST(DsnReport, HeadersOnlyKeepsFoldedLines) {
    DsnReport r = failureReport();
    r.ret = dsn_ret::kHdrs;
    r.originalLines = {"Subject: a", "\tfolded", "X-Y: z", "not a header", "From: late"};
    std::string text = joined(composeDsnReport(r).lines);
    EXPECT_NE(text.find("Return-Path: <alice@example.com>\nSubject: a\n\tfolded\nX-Y: z\n\n--"), std::string::npos)
        << text;
    EXPECT_EQ(text.find("From: late"), std::string::npos);
}

TEST(DsnReport, DelayWarning) {
    DsnReport r = failureReport();
    r.kind = DsnReportKind::Delay;
    r.notifyFilter = dsn_notify::kDelay;
    r.ret = dsn_ret::kHdrs;
    r.delayWarningTime = 4 * 3600;
    r.maximalQueueLifetime = 5 * 86400;
    r.willRetryUntil = "Sat, 12 Dec 2026 00:10:00 +0000 (UTC)";
    r.recipients[0].status = "4.4.1";
    r.recipients[0].action = "delayed";
    r.recipients[0].reason = "connect to mx.example.net[192.0.2.7]:25: Connection refused";
    ComposedReport got = composeDsnReport(r);
    std::string text = joined(got.lines);
    EXPECT_NE(text.find("Subject: Delayed Mail (still being retried)\n"), std::string::npos);
    EXPECT_NE(text.find("This is the mail system at host mx.example.com.\n\n"
                        "####################################################################\n"
                        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
                        "####################################################################\n\n"
                        "Your message could not be delivered for more than 4 hour(s).\n"
                        "It will be retried until it is 5 day(s) old.\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Action: delayed\nStatus: 4.4.1\n"
                        "Diagnostic-Code: X-Postfix; connect to mx.example.net[192.0.2.7]:25: Connection\n"
                        "    refused\n"
                        "Will-Retry-Until: Sat, 12 Dec 2026 00:10:00 +0000 (UTC)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Content-Description: Undelivered Message Headers\n"), std::string::npos);
    // A delay warning without a log is cancelled, a failure report is not.
    r.logAvailable = false;
    EXPECT_TRUE(composeDsnReport(r).lines.empty());
}

TEST(DsnReport, PlaceHolders) {
    DsnReport r = failureReport();
    r.logAvailable = false;
    r.originalAvailable = false;
    r.sender.clear();
    ComposedReport got = composeDsnReport(r);
    ASSERT_FALSE(got.lines.empty());
    std::string text = joined(got.lines);
    EXPECT_NE(text.find("\n\n\t--- Delivery report unavailable ---\n"), std::string::npos);
    EXPECT_NE(text.find("Content-Type: message/rfc822\nContent-Transfer-Encoding: 8bit\n\n"
                        "\t--- Undelivered message unavailable ---\n"),
              std::string::npos);
    EXPECT_EQ(text.find("X-Postfix-Sender"), std::string::npos);
    EXPECT_EQ(text.find("Final-Recipient"), std::string::npos);
    // Postfix sends no closing boundary after the place holder.
    EXPECT_EQ(got.lines.back(), "\t--- Undelivered message unavailable ---");
}

TEST(DsnReport, SevenBitEncodingAndObsoleteFrom) {
    DsnReport r = failureReport();
    r.mimeEncoding = "7bit";
    r.obsoleteFrom = true;
    r.envid = "ENV123";
    r.originalMessageId = "<abc@example.com>";
    std::string text = joined(composeDsnReport(r).lines);
    EXPECT_NE(text.find("From: MAILER-DAEMON (Mail Delivery System)\n"), std::string::npos);
    EXPECT_NE(text.find("References: <abc@example.com>\nIn-Reply-To: <abc@example.com>\n"), std::string::npos);
    EXPECT_NE(text.find("\tboundary=\"4QXyZ81cF2z9sT.1796601000/mx.example.com\"\n"
                        "Content-Transfer-Encoding: 7bit\n"),
              std::string::npos);
    EXPECT_NE(text.find("Content-Type: text/plain; charset=us-ascii\n\n"), std::string::npos);
    EXPECT_NE(text.find("Content-Type: message/rfc822\n\nReturn-Path:"), std::string::npos);
    EXPECT_NE(text.find("Reporting-MTA: dns; mx.example.com\nOriginal-Envelope-Id: ENV123\n"), std::string::npos);
    r.mimeEncoding.clear();
    text = joined(composeDsnReport(r).lines);
    EXPECT_EQ(text.find("Content-Transfer-Encoding"), std::string::npos);
}

TEST(DsnReport, Smtputf8) {
    DsnReport r = failureReport();
    r.smtputf8Requested = true;
    r.smtputf8Any = true;
    r.recipients[0].address = "j\xc3\xb6rg@mx.example.com";
    r.recipients[0].dsnOrcpt.clear();
    r.recipients[0].original = "plain@example.com";
    std::string text = joined(composeDsnReport(r).lines);
    EXPECT_NE(text.find("Content-Type: message/global-delivery-status\nContent-Transfer-Encoding: 8bit\n"),
              std::string::npos);
    EXPECT_NE(text.find("Final-Recipient: utf-8; j\xc3\xb6rg@mx.example.com\n"
                        "Original-Recipient: rfc822; plain@example.com\n"),
              std::string::npos);
    EXPECT_NE(text.find("Content-Type: message/global\n"), std::string::npos);
    // Invalid UTF-8 stays rfc822.
    r.recipients[0].address = "j\xc3(rg@mx.example.com";
    text = joined(composeDsnReport(r).lines);
    EXPECT_NE(text.find("Final-Recipient: rfc822; j\xc3(rg@"), std::string::npos);
}

TEST(DsnReport, MailNameBecomesAnAtom) {
    DsnReport r = failureReport();
    r.mailName = "My MTA (x)";
    std::string text = joined(composeDsnReport(r).lines);
    EXPECT_NE(text.find("X-My-MTA--x--Queue-ID: 4QXyZ81cF2z9sT\n"), std::string::npos);
    EXPECT_NE(text.find("Diagnostic-Code: X-My-MTA--x-; unknown"), std::string::npos);
}

TEST(WrapLine, AsLineWrapDoes) {
    EXPECT_EQ(wrapLine("short"), std::vector<std::string>{"short"});
    EXPECT_EQ(wrapLine("aaa bbb ccc", 7, 2), (std::vector<std::string>{"aaa bbb", "  ccc"}));
    EXPECT_EQ(wrapLine("aaa bbb ccc ddd eee", 9, 2), (std::vector<std::string>{"aaa bbb", "  ccc ddd", "  eee"}));
    // A word longer than the width is not broken.
    std::string longWord(100, 'x');
    EXPECT_EQ(wrapLine("a " + longWord + " b", 79, 4), (std::vector<std::string>{"a", "    " + longWord, "    b"}));
    // Runs of blanks at a break are dropped; blanks that end the text after a break
    // leave an indented empty line, as line_wrap() does.
    EXPECT_EQ(wrapLine("aaa    bbb   ", 5, 1), (std::vector<std::string>{"aaa", " bbb", " "}));
    EXPECT_EQ(wrapLine("aaa bbb   ", 79, 4), std::vector<std::string>{"aaa bbb"});
    EXPECT_EQ(wrapLine(""), std::vector<std::string>{""});
    // Negative indent: the first line indented, the others not.
    EXPECT_EQ(wrapLine("aaa bbb", 6, -2), (std::vector<std::string>{"  aaa", "bbb"}));
}

}  // namespace
}  // namespace postline::message

namespace postline::message {
namespace {

TEST(DsnTemplates, BuiltInsAreWhatPostconfShows) {
    DsnTemplates ts = builtInDsnTemplates();
    EXPECT_EQ(ts.failure.origin, "[built-in]");
    EXPECT_EQ(ts.failure.text.size(), 11u);
    EXPECT_EQ(ts.delay.text[6], "Your message could not be delivered for more than $delay_warning_time_hours hour(s).");
    EXPECT_EQ(ts.delay.postmasterSubject, "Postmaster Warning: Delayed Mail");
}

TEST(DsnTemplates, LoadsATemplateFile) {
    std::vector<std::string> warnings;
    auto warn = [&](const std::string& w) { warnings.push_back(w); };
    auto ts = loadDsnTemplates(
        "# site templates\n"
        "\n"
        "failure_template = <<EOF\n"
        "Charset: utf-8\n"
        "From: Postmaster <postmaster>\n"
        "Subject: Bounced: ${mail_name} could not deliver\n"
        "Postmaster-Subject: PM copy\n"
        "\n"
        "\n"
        "Gr\xc3\xbc\xc3\x9f"
        "e from $myhostname ($mydomain).\n"
        "Kept for $maximal_queue_lifetime_days days.\n"
        "EOF\n"
        "bogus_template = <<END\n"
        "x\n"
        "END\n"
        "success_template = <<EOF\n"
        "Subject: ok\n"
        "\n"
        "delivered\n"
        "EOF\n",
        "/etc/postfix/bounce.cf", warn);
    ASSERT_TRUE(ts.ok()) << ts.error().message;
    const DsnTemplate& f = ts->failure;
    EXPECT_EQ(f.origin, "/etc/postfix/bounce.cf");
    EXPECT_EQ(f.charset, "utf-8");
    EXPECT_EQ(f.encoding, "8bit");
    EXPECT_EQ(f.standardFrom, "Postmaster <postmaster>");
    EXPECT_EQ(f.obsoleteFrom, "Postmaster <postmaster>");
    EXPECT_EQ(f.subject, "Bounced: ${mail_name} could not deliver");
    EXPECT_EQ(f.postmasterSubject, "PM copy");
    ASSERT_EQ(f.text.size(), 2u);
    EXPECT_EQ(ts->delay.origin, "[built-in]");  // untouched
    // Postfix counts the file's first line as line 2, and reports a here-document's
    // template at its end marker (Postfix 3.7's postconf -b says the same of this file).
    EXPECT_EQ(warnings, std::vector<std::string>{
                            "/etc/postfix/bounce.cf, line 16: unknown template name: bogus_template -- ignoring this "
                            "template"});

    DsnReport r;
    r.to = "a@example.com";
    r.myhostname = "mx.example.com";
    r.queueId = "ID";
    r.boundary = "B";
    r.maximalQueueLifetime = 3 * 86400;
    r.notice = &f;
    r.recipients.push_back({"b@example.com", "", "", 0, "5.1.1", "failed", "", "", "", "", "unknown"});
    r.parameter = [](std::string_view name) -> std::optional<std::string> {
        if (name == "mydomain") return std::string("example.com");
        return std::nullopt;
    };
    ComposedReport got = composeDsnReport(r);
    ASSERT_TRUE(got.error.empty()) << got.error;
    std::string text = joined(got.lines);
    EXPECT_NE(text.find("From: Postmaster <postmaster>\nSubject: Bounced: ${mail_name} could not deliver\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Content-Type: text/plain; charset=utf-8\n"), std::string::npos);
    EXPECT_NE(text.find("Gr\xc3\xbc\xc3\x9f"
                        "e from mx.example.com (example.com).\nKept for 3 days.\n"),
              std::string::npos)
        << text;
    // An undefined $name is Postfix's fatal error: nothing to post.
    r.parameter = nullptr;
    got = composeDsnReport(r);
    EXPECT_EQ(got.error,
              "/etc/postfix/bounce.cf: undefined $name in failure template: Gr\xc3\xbc\xc3\x9f"
              "e from $myhostname ($mydomain).");
    EXPECT_TRUE(got.lines.empty());
}

TEST(DsnTemplates, UnusableTemplatesAreIgnored) {
    std::vector<std::string> warnings;
    auto warn = [&](const std::string& w) { warnings.push_back(w); };
    auto ts = loadDsnTemplates(
        "failure_template = <<EOF\nX-Foo: bar\n\ntext\nEOF\n"
        "delay_template = <<EOF\n\xc3\xa4 8-bit text\nEOF\n",
        "t.cf", warn);
    ASSERT_TRUE(ts.ok());
    EXPECT_EQ(ts->failure.origin, "[built-in]");
    EXPECT_EQ(ts->delay.origin, "[built-in]");
    EXPECT_EQ(warnings,
              (std::vector<std::string>{
                  "t.cf: unknown \"X-Foo\" header label in failure template -- ignoring this template",
                  "t.cf: 8-bit message text in delay template", "please specify a charset value other than us-ascii",
                  "-- ignoring this template for now"}));
    warnings.clear();
    ts = loadDsnTemplates("failure_template = <<EOF\nSubject: x\n\n  \nEOF\ndelay_template = <<EOF\nno end", "t.cf",
                          warn);
    ASSERT_TRUE(ts.ok());
    EXPECT_EQ(warnings,
              (std::vector<std::string>{"t.cf: missing message text in failure template -- ignoring this template",
                                        "t.cf, line 8: missing \"EOF\" end marker"}));
    EXPECT_EQ(ts->delay.text, std::vector<std::string>{"no end"});
}

TEST(DsnTemplates, FatalSyntax) {
    auto ts = loadDsnTemplates("\nfailure_template <<EOF\n", "t.cf", nullptr);
    ASSERT_FALSE(ts.ok());
    EXPECT_EQ(ts.error().message, "t.cf, line 3: missing '=' after attribute name: \"failure_template <<EOF\"");
    EXPECT_EQ(loadDsnTemplates("failure_template = <<\n", "t.cf", nullptr).error().message,
              "t.cf, line 2: missing end marker after <<");
    EXPECT_EQ(loadDsnTemplates("failure_template = << -x\n", "t.cf", nullptr).error().message,
              "t.cf, line 2: malformed end marker after <<");
}

TEST(DsnTemplates, TimeConversionWarningsAndErrors) {
    DsnReport r = failureReport();
    r.kind = DsnReportKind::Delay;
    r.notifyFilter = dsn_notify::kDelay;
    r.delayWarningTime = 1800;  // under an hour: "0 hour(s)" and Postfix's advice
    r.maximalQueueLifetime = 86400;
    ComposedReport got = composeDsnReport(r);
    EXPECT_NE(joined(got.lines).find("for more than 0 hour(s)."), std::string::npos);
    EXPECT_EQ(got.warnings,
              (std::vector<std::string>{
                  "[built-in]: zero result in delay template conversion of parameter \"delay_warning_time_hours\"",
                  "please reduce time unit \"hours\" of \"delay_warning_time_hours\" in delay template",
                  "for instructions see the bounce(5) manual"}));
    DsnTemplate t = builtInDsnTemplates().delay;
    t.text = {"$delay_warning_time_fortnights", "$maximal_queue_lifetime_minutes"};
    r.notice = &t;
    EXPECT_EQ(composeDsnReport(r).error,
              "[built-in]: unrecognized suffix \"fortnights\" in parameter \"delay_warning_time_fortnights\"");
    t.text = {"${myhostname"};
    EXPECT_EQ(composeDsnReport(r).error, "[built-in]: bad $name syntax in delay template: ${myhostname");
    t.text = {"$maximal_queue_lifetime_minutes"};
    r.maximalQueueLifetime = 100000 * 60;
    got = composeDsnReport(r);
    EXPECT_TRUE(got.error.empty());
    EXPECT_EQ(got.warnings.at(0),
              "[built-in]: excessive result \"100000\" in delay template conversion of parameter "
              "\"maximal_queue_lifetime_minutes\"");
}

}  // namespace
}  // namespace postline::message
