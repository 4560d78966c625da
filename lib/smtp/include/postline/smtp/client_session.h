// One SMTP or LMTP client session as Postfix's smtp(8) and lmtp(8) hold it
// (smtp/smtp_proto.c smtp_helo, smtp_xfer and smtp_loop, smtp_chat.c smtp_chat_resp,
// smtp_trouble.c's reasons): a byte-fed state machine without sockets or clocks. The
// owner connects, feeds it what the server sent, writes out what it yields, applies the
// timeout it names while waiting, and reports each outcome it returns.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postline::smtp {

// One server reply (smtp_chat_resp()): the code of its last line (0 when that line does
// not start with three digits), the enhanced status of its last line when it has one of
// the code's class, else "C.0.0" ("5.5.0" for a malformed reply), and its lines as
// received (without line ends, non-printable characters as '?'), joined by '\n'.
struct ClientReply {
    int code = 0;
    std::string dsn;
    std::string text;
    // The lines joined by spaces, as Postfix puts a reply in a log line or a reason.
    std::string flat() const;
};

// Assembles replies from bytes: lines end with LF (a CR before it is dropped); lines
// "DDD-" continue the reply; "DDD " or "DDD" end it; other lines are kept in the text and
// do not end it (smtp_chat_resp reads on). A line longer than `lineLimit` is cut there
// and the rest of it dropped; once a reply's text reaches `lineLimit`, further lines are
// parsed but not kept.
class ReplyParser {
public:
    explicit ReplyParser(size_t lineLimit = 2048) : lineLimit_(lineLimit) {}
    void feed(std::string_view bytes);
    // The next complete reply, in order.
    std::optional<ClientReply> next();

private:
    size_t lineLimit_;
    std::string partial_;
    bool skipping_ = false;
    std::vector<ClientReply> ready_;
    ClientReply building_;
    bool buildingAny_ = false;
    void line(std::string text);
};

// A recipient as the delivery request holds it.
struct ClientRecipient {
    std::string address;   // RCPT TO (internal form; quoted here)
    std::string original;  // the original recipient ("" when none)
    std::string dsnOrcpt;  // "rfc822;user@example" or ""
    int dsnNotify = 0;     // DSN NOTIFY bits: 1 NEVER, 2 SUCCESS, 4 FAILURE, 8 DELAY
};

// The transaction: envelope and content. `content` points at the message lines (no line
// ends) that stay alive for the session; each is sent with CRLF, a leading '.' doubled,
// an embedded LF (with or without a CR before it) made a line break of its own, and a
// line longer than the line length limit broken with CRLF SPACE (smtp_text_out).
struct ClientMessage {
    std::string sender;              // "" is the null sender
    long size = 0;                   // SIZE= (the request's data size)
    std::string encoding;            // "7bit", "8bit" or "" (unknown: no BODY=)
    std::string envid;               // DSN ENVID (xtext-quoted here)
    int dsnRet = 0;                  // 1 FULL, 2 HDRS
    bool smtputf8Requested = false;  // the sender asked for SMTPUTF8
    bool smtputf8Required = false;   // ... and the message needs it (UTF-8 addresses/headers)
    std::vector<ClientRecipient> recipients;
    const std::vector<std::string>* content = nullptr;
};

struct ClientOptions {
    bool lmtp = false;             // LHLO and one reply per accepted recipient after the dot
    std::string heloName;          // smtp_helo_name / lmtp_lhlo_name
    std::string peer;              // "host[address]" for reasons ("host mx[192.0.2.1] said: ...")
    std::string peerHost;          // the host name (the reason's reporting MTA)
    std::string nexthop;           // for "mail for NEXTHOP loops back to myself"
    std::string myHostname;        // loop detection: a server that answers with our name
    bool loopDetect = false;       // SMTP to port 25 (smtp_connect.c)
    bool bestMx = false;           // the server is a best MX (a loop is then 5.4.6, else 4.4.6)
    bool skip5xxGreeting = true;   // smtp_skip_5xx_greeting
    bool alwaysEhlo = true;        // smtp_always_send_ehlo
    bool neverEhlo = false;        // smtp_never_send_ehlo
    bool skipQuitResponse = true;  // smtp_skip_quit_response (lmtp_: no)
    // disable_mime_output_conversion: no 8-bit to 7-bit downgrade for a server without
    // 8BITMIME (the content then goes out as it is, and SIZE= is sent).
    bool disableMimeOutputConversion = false;
    size_t headerSizeLimit = 102400;  // header_size_limit (the downgrade's header buffer)
    int mimeNestingLimit = 100;       // mime_nesting_limit (deeper: the downgrade fails)
    unsigned discardEhloMask = 0;     // smtp_discard_ehlo_keywords (ehlo_mask.h bits)
    size_t lineLengthLimit = 998;     // smtp_line_length_limit (0: none)
    size_t replyLineLimit = 2048;     // line_length_limit for server replies
    // DEL_REQ_TRACE_ONLY (sendmail -bv, smtp_address_verify_target = rcpt): no DATA;
    // each accepted recipient is Sent with its RCPT reply, then RSET and QUIT.
    bool verifyOnly = false;
    // Connection caching (smtp_session.c, smtp_proto.c): `cacheSession` lets the session
    // end its transaction without QUIT so that the connection can be saved for the next
    // delivery; `sessionExpired` (smtp_connection_reuse_time_limit and _count_limit)
    // is asked when the last command of the transaction is built and turns that off.
    bool cacheSession = false;
    std::function<bool()> sessionExpired;
};

// What happened to recipients. Indices are into ClientMessage::recipients. Reasons are
// worded as smtp_trouble.c words them; status is the reply's enhanced status (a non-4/5
// status from the server becomes 5.5.0 with "Protocol error: " before the reason).
struct ClientOutcome {
    enum class Kind {
        Ready,            // handshake done, the transaction starts (no recipients)
        Sent,             // accepted: reason and reply are the server's reply
        RecipientFailed,  // one recipient refused (RCPT TO, or LMTP's end of data)
        MessageFailed,    // every recipient not yet settled (MAIL, DATA, end of data, size)
        SiteFailed,       // every recipient not yet settled; the destination is throttled
    };
    Kind kind = Kind::Ready;
    std::vector<size_t> recipients;
    std::string status;
    std::string reason;
    std::string action;   // "relayed" for Sent, else "" (the reporter's default)
    std::string reply;    // the remote reply (DSN diagnostic text), "" for local ones
    bool remote = false;  // reported by the server (its name is ClientOptions::peerHost)
    bool soft() const { return !status.empty() && status[0] == '4'; }
};

// Which of the driver's timeouts applies while waiting for the next reply.
enum class ClientWait { None, Helo, Mail, Rcpt, DataInit, DataDone, Rset, Quit };

// Features the server offered (its EHLO/LHLO reply after smtp_discard_ehlo_keywords).
struct ServerFeatures {
    bool esmtp = false, pipelining = false, size = false, eightBitMime = false, dsn = false, smtputf8 = false;
    long sizeLimit = 0;  // 0: none announced
};

class ClientSession {
public:
    ClientSession(ClientOptions options, ClientMessage message);
    // A connection taken from the cache (smtp_reuse.c): no greeting and no handshake;
    // the session probes the server with RSET first and, when that is accepted, runs
    // the transaction with the `cached` features. A connection that is gone or whose
    // RSET is refused ends the session with no outcome (probeFailed()): the owner closes
    // it and tries another.
    ClientSession(ClientOptions options, ClientMessage message, const ServerFeatures& cached);

    // What the server sent (any split). Outcomes and output are available afterwards.
    void feed(std::string_view bytes);
    // The bytes to send now (commands and message content, CRLF line ends only). When
    // `content` is given it is set to whether the bytes carry message content (the
    // driver then writes with smtp_data_xfer_timeout).
    std::string takeOutput(bool* content = nullptr);
    std::vector<ClientOutcome> takeOutcomes();

    // The session needs no more replies: the owner writes out what is left and closes.
    bool done() const { return done_; }
    ClientWait waitingFor() const;

    // The connection ended (EOF, a read or write error) or the wait timed out: every
    // recipient not yet settled fails with 4.4.2 "lost connection with PEER while
    // STATE" or "conversation with PEER timed out while STATE", throttling the
    // destination; nothing is reported once the message is done (QUIT, RSET). STATE is
    // "sending message body" when `writingContent` (a write of content output failed).
    // Ends the session.
    void connectionLost(bool timedOut, bool writingContent = false);

    const ServerFeatures& features() const { return features_; }
    // The session ended with the connection open and in step, no QUIT sent: it may be
    // saved in the connection cache.
    bool reusable() const { return done_ && cached_; }
    // A cached connection failed its RSET probe (or was gone).
    bool probeFailed() const { return probeFailed_; }
    // Whether a line was broken for smtp_line_length_limit (logged once per message).
    bool brokeLongLine() const { return brokeLongLine_; }

private:
    enum class Phase { Probe, Greeting, Ehlo, Helo, Lhlo, Transaction };
    enum Tx { kMail, kRcpt, kData, kDot, kAbort, kQuit, kLast };

    void onReply(const ClientReply& reply);
    void onHandshakeReply(const ClientReply& reply);
    void parseEhlo(const ClientReply& reply);
    void startTransaction();
    void endWithoutTransaction();
    Tx afterLastCommand();
    void receive(const ClientReply& reply);
    void run();
    std::string buildCommand(Tx state, size_t rcpt, Tx& next, size_t& nextRcpt);
    void sendCommand(const std::string& command);
    // Postfix's SMTP_MIME_DOWNGRADE: a message not known to be 7bit, to a server
    // without 8BITMIME, unless disable_mime_output_conversion.
    bool downgrading() const;
    // The content (downgraded when it must be); false when the downgrade failed (MIME
    // nesting): the recipients have failed and the connection is to be dropped.
    bool sendContent();
    void contentRecord(std::string_view record);
    void contentLine(std::string_view line);

    void settle(ClientOutcome::Kind kind, std::vector<size_t> recipients, std::string status, std::string reason,
                const ClientReply* reply);
    void failRemaining(ClientOutcome::Kind kind, std::string status, std::string reason, const ClientReply* reply);
    void failRecipient(size_t index, const ClientReply& reply, std::string_view command);
    void siteFail(const ClientReply& reply);
    std::string said(const ClientReply& reply, std::string_view command) const;
    bool senderAhead() const { return recvState_ < sendState_ || recvRcpt_ != sendRcpt_; }

    ClientOptions options_;
    ClientMessage message_;
    ReplyParser parser_;
    ServerFeatures features_;
    Phase phase_ = Phase::Greeting;
    std::string output_;
    bool outputContent_ = false;
    std::vector<ClientOutcome> outcomes_;
    std::vector<bool> settled_;
    bool done_ = false;
    bool brokeLongLine_ = false;
    bool cached_ = false;  // THIS_SESSION_IS_CACHED
    bool probeFailed_ = false;

    // smtp_loop's two state machines.
    Tx sendState_ = kMail, recvState_ = kMail;
    size_t sendRcpt_ = 0, recvRcpt_ = 0, recvDone_ = 0;
    int nrcpt_ = 0;  // accepted recipients; -1 once DATA was refused
    bool mailFromRejected_ = false;
    std::vector<size_t> survivors_;  // LMTP: the accepted recipients, in order
    bool havePending_ = false;       // a built command waiting for the receiver
    std::string pending_;
    Tx pendingNext_ = kLast;
    size_t pendingNextRcpt_ = 0;
    size_t unsynced_ = 0;  // bytes sent since sender and receiver were last in step
};

// xtext_quote(): characters outside '!'..'~', '+' and those in `specials` as "+HH".
std::string xtextQuote(std::string_view text, std::string_view specials = "");
// dsn_notify_str(): "NEVER" or "SUCCESS,FAILURE,DELAY" (those set, in that order).
std::string dsnNotifyString(int notify);

}  // namespace postline::smtp
