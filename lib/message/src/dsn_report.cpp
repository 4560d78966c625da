// Composition of the delivery status notification (dsn_report.h), in the order and
// shape of Postfix 3.7's bounce_notify_util.c: the header, the template text, the
// human-readable recipient list, the message/delivery-status fields, then the returned
// message or its headers.
#include "postline/message/dsn_report.h"

#include <cstddef>
#include <string>

#include "dsn_report_templates.h"
#include "postline/message/header_opts.h"

namespace postline::message {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool allAscii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// Well-formed UTF-8 (util/valid_utf8_string.c: no overlong forms, no surrogates).
bool validUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        unsigned min = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

// IS_UTF8_ADDRESS: non-empty, not all ASCII, valid UTF-8.
bool isUtf8Address(std::string_view s) { return !s.empty() && !allAscii(s) && validUtf8(s); }

// RFC 1894: the diagnostic type is an atom; mail_name's specials become '-'.
std::string atomMailName(std::string_view name) {
    std::string out(name);
    for (char& c : out)
        if (std::string_view(" \t\r\n()<>@,;:\\\".[]").find(c) != std::string_view::npos) c = '-';
    return out;
}

class Writer {
public:
    void line(std::string text) { lines_.push_back(std::move(text)); }
    void wrapped(std::string_view text) {
        for (std::string& l : wrapLine(text)) lines_.push_back(std::move(l));
    }
    std::vector<std::string> take() { return std::move(lines_); }

private:
    std::vector<std::string> lines_;
};

bool selected(const DsnReportRecipient& r, int filter) { return r.dsnNotify == 0 || (r.dsnNotify & filter) != 0; }

bool notSevenBit(const DsnReport& r) { return !r.mimeEncoding.empty() && !equalsIgnoreCase(r.mimeEncoding, "7bit"); }

void header(Writer& w, const DsnReport& r, const DsnTemplate& t) {
    w.line("From: " + (r.obsoleteFrom ? t.obsoleteFrom : t.standardFrom));
    w.line("Subject: " + (r.postmasterCopy && !t.postmasterSubject.empty() ? t.postmasterSubject : t.subject));
    w.line("To: " + r.to);
    if (!r.originalMessageId.empty()) {
        w.line("References: " + r.originalMessageId);
        w.line("In-Reply-To: " + r.originalMessageId);
    }
    w.line(std::string("Auto-Submitted: ") + (r.postmasterCopy ? "auto-generated" : "auto-replied"));
    w.line("MIME-Version: 1.0");
    w.line("Content-Type: multipart/report; report-type=delivery-status;");
    w.line("\tboundary=\"" + r.boundary + "\"");
    if (!r.mimeEncoding.empty())
        w.line("Content-Transfer-Encoding: " +
               (equalsIgnoreCase(r.mimeEncoding, "7bit") ? t.encoding : r.mimeEncoding));
    w.line("");
    w.line("This is a MIME-encapsulated message.");
    w.line("");
    w.line("--" + r.boundary);
    w.line("Content-Description: Notification");
    std::string charset = !equalsIgnoreCase(t.charset, "us-ascii") ? t.charset : notSevenBit(r) ? "utf-8" : "us-ascii";
    w.line("Content-Type: text/plain; charset=" + charset);
    if (notSevenBit(r)) w.line("Content-Transfer-Encoding: " + r.mimeEncoding);
    w.line("");
}

// bounce_diagnostic_log(): the human-readable list.
int diagnosticLog(Writer& w, const DsnReport& r) {
    int count = 0;
    if (!r.logAvailable) {
        if (r.kind == DsnReportKind::Failure) {
            w.line("");
            w.line("\t--- Delivery report unavailable ---");
            count = 1;
        }
        return count;
    }
    for (const DsnReportRecipient& rcpt : r.recipients) {
        if (!selected(rcpt, r.notifyFilter)) continue;
        ++count;
        w.line("");
        if (!rcpt.original.empty())
            w.wrapped("<" + rcpt.address + "> (expanded from <" + rcpt.original + ">): " + rcpt.reason);
        else
            w.wrapped("<" + rcpt.address + ">: " + rcpt.reason);
    }
    return count;
}

void headerDsn(Writer& w, const DsnReport& r) {
    w.line("");
    w.line("--" + r.boundary);
    w.line("Content-Description: Delivery report");
    w.line(std::string("Content-Type: message/") + (r.smtputf8Requested ? "global-" : "") + "delivery-status");
    if (notSevenBit(r) && r.smtputf8Requested) w.line("Content-Transfer-Encoding: " + r.mimeEncoding);
    w.line("");
    w.line("Reporting-MTA: dns; " + r.myhostname);
    if (!r.envid.empty()) w.line("Original-Envelope-Id: " + r.envid);
    std::string name = atomMailName(r.mailName);
    w.line("X-" + name + "-Queue-ID: " + r.queueId);
    if (!r.sender.empty())
        w.line("X-" + name + "-Sender: " + (r.smtputf8Any && isUtf8Address(r.sender) ? "utf-8" : "rfc822") + "; " +
               r.sender);
    if (!r.arrivalDate.empty()) w.line("Arrival-Date: " + r.arrivalDate);
}

void recipientDsn(Writer& w, const DsnReport& r, const DsnReportRecipient& rcpt) {
    auto type = [&](std::string_view a) { return std::string(r.smtputf8Any && isUtf8Address(a) ? "utf-8" : "rfc822"); };
    w.line("");
    w.line("Final-Recipient: " + type(rcpt.address) + "; " + rcpt.address);
    if (!rcpt.dsnOrcpt.empty())
        w.line("Original-Recipient: " + rcpt.dsnOrcpt);
    else if (!rcpt.original.empty())
        w.line("Original-Recipient: " + type(rcpt.original) + "; " + rcpt.original);
    w.line("Action: " + (r.kind == DsnReportKind::Failure ? std::string("failed") : rcpt.action));
    w.line("Status: " + rcpt.status);
    if (!rcpt.mtaType.empty() && !rcpt.mtaName.empty()) w.wrapped("Remote-MTA: " + rcpt.mtaType + "; " + rcpt.mtaName);
    if (!rcpt.diagType.empty() && !rcpt.diagText.empty())
        w.wrapped("Diagnostic-Code: " + rcpt.diagType + "; " + rcpt.diagText);
    else
        w.wrapped("Diagnostic-Code: X-" + atomMailName(r.mailName) + "; " + rcpt.reason);
    if (r.kind == DsnReportKind::Delay) w.line("Will-Retry-Until: " + r.willRetryUntil);
}

int diagnosticDsn(Writer& w, const DsnReport& r) {
    if (!r.logAvailable) return r.kind == DsnReportKind::Failure ? 1 : 0;
    int count = 0;
    for (const DsnReportRecipient& rcpt : r.recipients) {
        if (!selected(rcpt, r.notifyFilter)) continue;
        ++count;
        recipientDsn(w, r, rcpt);
    }
    return count;
}

// bounce_original(): returns whether only the headers were returned.
bool original(Writer& w, const DsnReport& r) {
    bool headersOnly = r.ret == dsn_ret::kHdrs;
    if (r.bounceSizeLimit > 0 && r.originalAvailable && (r.messageSize <= 0 || r.messageSize > r.bounceSizeLimit))
        headersOnly = true;
    w.line("");
    w.line("--" + r.boundary);
    bool undelivered = r.kind == DsnReportKind::Failure || r.kind == DsnReportKind::Delay;
    w.line(std::string("Content-Description: ") + (undelivered ? "Undelivered " : "") +
           (headersOnly ? "Message Headers" : "Message"));
    if (r.smtputf8Requested)
        w.line(std::string("Content-Type: message/") + (headersOnly ? "global-headers" : "global"));
    else
        w.line(std::string("Content-Type: ") + (headersOnly ? "text/rfc822-headers" : "message/rfc822"));
    if (notSevenBit(r)) w.line("Content-Transfer-Encoding: " + r.mimeEncoding);
    w.line("");
    if (!r.originalAvailable) {
        w.line("\t--- Undelivered message unavailable ---");
        return headersOnly;
    }
    w.line("Return-Path: <" + r.sender + ">");
    for (const std::string& l : r.originalLines) {
        if (headersOnly && !(!l.empty() && (l[0] == ' ' || l[0] == '\t')) && isHeader(l) == 0) break;
        w.line(l);
    }
    w.line("");
    w.line("--" + r.boundary + "--");
    return headersOnly;
}

}  // namespace

std::string dsnBoundary(std::string_view queueId, long now, std::string_view myhostname) {
    return std::string(queueId) + "." + std::to_string(static_cast<unsigned long>(now)) + "/" + std::string(myhostname);
}

std::vector<std::string> wrapLine(std::string_view text, int width, int indent) {
    // util/line_wrap.c over string positions: a word starts after each blank, so runs
    // of blanks give empty words, as there.
    std::vector<std::string> out;
    auto isBlank = [](char c) { return c == ' ' || c == '\t'; };
    auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    int currIndent = 0;
    long currLen = width;
    if (indent < 0) {
        currIndent = -indent;
        currLen = width + indent;
    }
    auto emit = [&](size_t from, size_t len) {
        while (len > 0 && isSpace(text[from + len - 1])) --len;
        out.push_back(std::string(static_cast<size_t>(currIndent), ' ') + std::string(text.substr(from, len)));
    };
    size_t start = 0;
    size_t word = 0;
    bool more = true;
    while (more) {
        size_t nextSpace = word;
        while (nextSpace < text.size() && !isBlank(text[nextSpace])) ++nextSpace;
        if (word > start && static_cast<long>(nextSpace - start) > currLen) {
            emit(start, word - start);
            while (word < text.size() && isSpace(text[word])) ++word;
            if (start == 0) {
                currIndent += indent;
                currLen -= indent;
            }
            start = word;
        }
        if (nextSpace < text.size()) {
            word = nextSpace + 1;
        } else {
            more = false;
        }
    }
    emit(start, text.size() - start);
    return out;
}

ComposedReport composeDsnReport(const DsnReport& r) {
    DsnTemplates builtIn;
    const DsnTemplate* t = r.notice;
    if (t == nullptr) {
        builtIn = builtInDsnTemplates();
        t = &builtIn.forKind(r.kind);
    }
    Writer w;
    ComposedReport result;
    header(w, r, *t);
    if (!r.postmasterCopy) {
        TemplateExpansion text = expandTemplateText(*t, r);
        result.warnings = std::move(text.warnings);
        if (!text.error.empty()) {
            result.error = std::move(text.error);
            return result;
        }
        for (std::string& l : text.lines) w.line(std::move(l));
    }
    int count = diagnosticLog(w, r);
    if (count <= 0) return result;
    headerDsn(w, r);
    if (diagnosticDsn(w, r) <= 0) return result;
    result.headersOnly = original(w, r);
    result.reported = count;
    result.lines = w.take();
    return result;
}

}  // namespace postline::message
