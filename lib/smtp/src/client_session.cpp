// The SMTP/LMTP client session (Postfix's smtp/smtp_proto.c): the greeting and the
// EHLO, HELO or LHLO handshake with the server's features, then one mail transaction
// driven as smtp_loop drives it — a sender and a receiver state machine, the sender
// running ahead while the server offers PIPELINING, both brought back in step before
// the message content and when a refusal calls for RSET — and the outcomes worded as
// smtp_trouble.c words them.
#include "postline/smtp/client_session.h"

#include <strings.h>
#include <cctype>
#include <cstdio>

#include "postline/address/tokens.h"
#include "postline/base/msg.h"
#include "postline/message/mime_state.h"
#include "postline/smtp/ehlo_mask.h"

namespace postline::smtp {

namespace {

// smtp.h PIPELINING_BUFSIZE: what the sender may have outstanding before it reads.
constexpr size_t kPipeliningBufsize = 4096;

// smtp_proto.c's xfer_request (in reasons) and xfer_states (in "lost connection").
const char* requestName(int state) {
    static const char* const kNames[] = {"MAIL FROM command",   "RCPT TO command",    "DATA command",
                                         "end of DATA command", "final RSET command", "QUIT command"};
    return kNames[state];
}
const char* stateName(int state) {
    static const char* const kNames[] = {
        "sending MAIL FROM",    "sending RCPT TO",
        "sending DATA command", "sending end of data -- message may be sent more than once",
        "sending final RSET",   "sending QUIT"};
    return kNames[state];
}

// smtp_quote_821_address(): the local part quoted when it is not a dot-string; the null
// sender stays empty.
std::string quote821(std::string_view address) {
    if (address.empty()) return {};
    return address::quoteLocalPart(address);
}

std::vector<std::string> words(std::string_view text, std::string_view separators) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t start = text.find_first_not_of(separators, pos);
        if (start == std::string_view::npos) break;
        size_t end = text.find_first_of(separators, start);
        if (end == std::string_view::npos) end = text.size();
        out.emplace_back(text.substr(start, end - start));
        pos = end;
    }
    return out;
}

bool sameWord(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

ClientSession::ClientSession(ClientOptions options, ClientMessage message)
    : options_(std::move(options)),
      message_(std::move(message)),
      parser_(options_.replyLineLimit),
      settled_(message_.recipients.size(), false),
      cached_(options_.cacheSession) {}

ClientSession::ClientSession(ClientOptions options, ClientMessage message, const ServerFeatures& cached)
    : ClientSession(std::move(options), std::move(message)) {
    features_ = cached;
    phase_ = Phase::Probe;
    sendCommand("RSET");
}

void ClientSession::feed(std::string_view bytes) {
    parser_.feed(bytes);
    while (!done_) {
        auto reply = parser_.next();
        if (!reply) break;
        onReply(*reply);
    }
}

std::string ClientSession::takeOutput(bool* content) {
    if (content) *content = outputContent_;
    outputContent_ = false;
    return std::exchange(output_, {});
}

std::vector<ClientOutcome> ClientSession::takeOutcomes() { return std::exchange(outcomes_, {}); }

ClientWait ClientSession::waitingFor() const {
    if (done_) return ClientWait::None;
    if (phase_ == Phase::Probe) return ClientWait::Rset;
    if (phase_ != Phase::Transaction) return ClientWait::Helo;
    switch (recvState_) {
        case kMail:
            return ClientWait::Mail;
        case kRcpt:
            return ClientWait::Rcpt;
        case kData:
            return ClientWait::DataInit;
        case kDot:
            return ClientWait::DataDone;
        case kAbort:
            return ClientWait::Rset;
        case kQuit:
            return ClientWait::Quit;
        case kLast:
            break;
    }
    return ClientWait::None;
}

void ClientSession::sendCommand(const std::string& command) {
    output_ += command;
    output_ += "\r\n";
    unsynced_ += command.size() + 2;
}

// ---- outcomes ---------------------------------------------------------------------

void ClientSession::settle(ClientOutcome::Kind kind, std::vector<size_t> recipients, std::string status,
                           std::string reason, const ClientReply* reply) {
    ClientOutcome outcome;
    outcome.kind = kind;
    // vsmtp_fill_dsn(): a server status of another class than 4 or 5 in a failure is a
    // protocol error.
    if (reply && kind != ClientOutcome::Kind::Sent && !status.empty() && status[0] != '4' && status[0] != '5') {
        reason = "Protocol error: " + reason;
        status = "5.5.0";
    }
    outcome.status = std::move(status);
    outcome.reason = std::move(reason);
    if (reply) {
        outcome.remote = true;
        outcome.reply = reply->flat();
    }
    if (kind == ClientOutcome::Kind::Sent) outcome.action = "relayed";
    for (size_t index : recipients) settled_[index] = true;
    outcome.recipients = std::move(recipients);
    if (kind != ClientOutcome::Kind::Ready && outcome.recipients.empty()) return;
    outcomes_.push_back(std::move(outcome));
}

void ClientSession::failRemaining(ClientOutcome::Kind kind, std::string status, std::string reason,
                                  const ClientReply* reply) {
    std::vector<size_t> left;
    for (size_t i = 0; i < settled_.size(); ++i)
        if (!settled_[i]) left.push_back(i);
    settle(kind, std::move(left), std::move(status), std::move(reason), reply);
}

std::string ClientSession::said(const ClientReply& reply, std::string_view command) const {
    return "host " + options_.peer + " said: " + reply.flat() + " (in reply to " + std::string(command) + ")";
}

void ClientSession::failRecipient(size_t index, const ClientReply& reply, std::string_view command) {
    settle(ClientOutcome::Kind::RecipientFailed, {index}, reply.dsn, said(reply, command), &reply);
}

// smtp_site_fail() for the greeting and the handshake, then QUIT (smtp_quit()).
void ClientSession::siteFail(const ClientReply& reply) {
    failRemaining(ClientOutcome::Kind::SiteFailed, reply.dsn,
                  "host " + options_.peer + " refused to talk to me: " + reply.flat(), &reply);
    cached_ = false;
    phase_ = Phase::Transaction;
    sendState_ = kQuit;
    recvState_ = options_.skipQuitResponse ? kLast : kQuit;
    run();
}

void ClientSession::connectionLost(bool timedOut, bool writingContent) {
    if (done_) return;
    cached_ = false;  // smtp_loop's RETURN(): a session that did not end in step
    std::string where;
    switch (phase_) {
        case Phase::Probe:
            // A dead cached connection: smtp_rset() fails quietly, another is tried.
            probeFailed_ = true;
            break;
        case Phase::Greeting:
            where = "receiving the initial server greeting";
            break;
        case Phase::Ehlo:
            where = "performing the EHLO handshake";
            break;
        case Phase::Helo:
            where = "performing the HELO handshake";
            break;
        case Phase::Lhlo:
            where = "performing the LHLO handshake";
            break;
        case Phase::Transaction:
            // Replies to RSET and QUIT do not matter any more (smtp_loop returns -1).
            if (recvState_ <= kDot) where = writingContent ? "sending message body" : stateName(recvState_);
            break;
    }
    done_ = true;
    if (where.empty()) return;
    std::string reason = (timedOut ? "conversation with " : "lost connection with ") + options_.peer +
                         (timedOut ? " timed out while " : " while ") + where;
    failRemaining(ClientOutcome::Kind::SiteFailed, "4.4.2", std::move(reason), nullptr);
}

// ---- greeting and handshake (smtp_helo) --------------------------------------------

void ClientSession::onReply(const ClientReply& reply) {
    if (phase_ == Phase::Probe) {
        // smtp_reuse_common(): a refused RSET makes the connection useless.
        if (reply.code / 100 != 2) {
            probeFailed_ = true;
            cached_ = false;
            done_ = true;
            return;
        }
        startTransaction();
        return;
    }
    if (phase_ == Phase::Transaction)
        receive(reply);
    else
        onHandshakeReply(reply);
}

void ClientSession::onHandshakeReply(const ClientReply& reply) {
    switch (phase_) {
        case Phase::Greeting: {
            if (reply.code / 100 != 2) {
                ClientReply copy = reply;
                if (copy.code / 100 == 5 && options_.skip5xxGreeting) copy.dsn[0] = '4';
                siteFail(copy);
                return;
            }
            // The words after the code of the (flattened) greeting: the first may be
            // our own name, any may be "ESMTP".
            std::string flat = reply.flat();
            size_t codeEnd = flat.find_first_of("- \t");
            auto tokens = words(
                codeEnd == std::string::npos ? std::string_view{} : std::string_view(flat).substr(codeEnd + 1), " \t");
            for (size_t n = 0; n < tokens.size(); ++n) {
                if (n == 0 && sameWord(tokens[n], options_.myHostname)) {
                    if (options_.loopDetect)
                        base::msgWarn("host " + options_.peer + " greeted me with my own hostname " +
                                      options_.myHostname);
                } else if (sameWord(tokens[n], "ESMTP")) {
                    features_.esmtp = true;
                }
            }
            if (options_.lmtp) {
                features_.esmtp = true;
                phase_ = Phase::Lhlo;
                sendCommand("LHLO " + options_.heloName);
                return;
            }
            if (options_.alwaysEhlo) features_.esmtp = true;
            if (options_.neverEhlo) features_.esmtp = false;
            phase_ = features_.esmtp ? Phase::Ehlo : Phase::Helo;
            sendCommand((features_.esmtp ? "EHLO " : "HELO ") + options_.heloName);
            return;
        }
        case Phase::Ehlo:
            if (reply.code / 100 != 2) {
                if (reply.code == 421) {
                    siteFail(reply);
                    return;
                }
                // smtp_helo(): fall back to HELO for any other refusal of EHLO.
                features_.esmtp = false;
                phase_ = Phase::Helo;
                sendCommand("HELO " + options_.heloName);
                return;
            }
            parseEhlo(reply);
            break;
        case Phase::Helo:
            if (reply.code / 100 != 2) {
                siteFail(reply);
                return;
            }
            break;
        case Phase::Lhlo:
            if (reply.code / 100 != 2) {
                siteFail(reply);
                return;
            }
            parseEhlo(reply);
            break;
        case Phase::Probe:
        case Phase::Transaction:
            return;
    }
    if (phase_ == Phase::Transaction || done_) return;
    startTransaction();
}

void ClientSession::parseEhlo(const ClientReply& reply) {
    unsigned discard = options_.discardEhloMask;
    if (discard && !(discard & ehlo_mask::kSilent))
        base::msgInfo("discarding EHLO keywords: " + ehloMaskNames(discard));
    size_t n = 0;
    size_t pos = 0;
    std::string_view text = reply.text;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        // "code (SP|-) keyword (SP|=) params" (smtp_helo(), mystrtok "- " then " \t=").
        size_t codeEnd = line.find_first_of("- ");
        if (codeEnd == std::string_view::npos) continue;
        std::string_view rest = line.substr(codeEnd);
        size_t kwStart = rest.find_first_not_of("- \t=");
        if (kwStart == std::string_view::npos) continue;
        rest.remove_prefix(kwStart);
        size_t kwEnd = rest.find_first_of(" \t=");
        std::string_view keyword = rest.substr(0, kwEnd);
        std::string_view params = kwEnd == std::string_view::npos ? std::string_view{} : rest.substr(kwEnd);
        if (n++ == 0) {
            if (options_.loopDetect && sameWord(keyword, options_.myHostname)) {
                base::msgWarn("host " + options_.peer + " replied to HELO/EHLO with my own hostname " +
                              options_.myHostname);
                failRemaining(ClientOutcome::Kind::SiteFailed, options_.bestMx ? "5.4.6" : "4.4.6",
                              "mail for " + options_.nexthop + " loops back to myself", nullptr);
                cached_ = false;
                phase_ = Phase::Transaction;
                sendState_ = kQuit;
                recvState_ = options_.skipQuitResponse ? kLast : kQuit;
                run();
                return;
            }
        } else if (sameWord(keyword, "8BITMIME")) {
            if (!(discard & ehlo_mask::k8BitMime)) features_.eightBitMime = true;
        } else if (sameWord(keyword, "PIPELINING")) {
            if (!(discard & ehlo_mask::kPipelining)) features_.pipelining = true;
        } else if (sameWord(keyword, "SIZE")) {
            if (!(discard & ehlo_mask::kSize)) {
                features_.size = true;
                auto limit = words(params, " \t");
                if (!limit.empty()) {
                    bool digits = true;
                    for (char c : limit[0]) digits = digits && std::isdigit(static_cast<unsigned char>(c));
                    if (!digits)
                        base::msgWarn("bad EHLO SIZE limit \"" + limit[0] + "\" from " + options_.peer);
                    else if (limit[0].size() < 19)
                        features_.sizeLimit = std::stol(limit[0]);
                }
            }
        } else if (sameWord(keyword, "DSN")) {
            if (!(discard & ehlo_mask::kDsn)) features_.dsn = true;
        } else if (sameWord(keyword, "SMTPUTF8")) {
            if (!(discard & ehlo_mask::kSmtputf8)) features_.smtputf8 = true;
        }
    }
}

void ClientSession::startTransaction() {
    phase_ = Phase::Transaction;
    auto quitNow = [&] { endWithoutTransaction(); };
    if (message_.recipients.empty()) {  // nothing to deliver: say goodbye
        cached_ = false;
        quitNow();
        return;
    }
    if (!features_.smtputf8 && message_.smtputf8Required) {
        failRemaining(ClientOutcome::Kind::MessageFailed, "5.6.7",
                      "SMTPUTF8 is required, but was not offered by host " + options_.peer, nullptr);
        quitNow();
        return;
    }
    if (features_.smtputf8 && !features_.eightBitMime) {
        base::msgInfo("host " + options_.peer + " offers SMTPUTF8 support, but not 8BITMIME");
        features_.eightBitMime = true;
    }
    // smtp_xfer(): a message over the server's announced limit is not offered.
    if (features_.sizeLimit > 0 && features_.sizeLimit < message_.size) {
        failRemaining(ClientOutcome::Kind::MessageFailed, "5.3.4",
                      "message size " + std::to_string(message_.size) + " exceeds size limit " +
                          std::to_string(features_.sizeLimit) + " of server " + options_.peer,
                      nullptr);
        quitNow();
        return;
    }
    settle(ClientOutcome::Kind::Ready, {}, "", "", nullptr);
    sendState_ = recvState_ = kMail;
    run();
}

// smtp_xfer() gave up before MAIL FROM (SMTPUTF8 or SIZE): a cached session stays in
// step for the next delivery; any other says goodbye.
void ClientSession::endWithoutTransaction() {
    if (cached_ && options_.sessionExpired && options_.sessionExpired()) cached_ = false;
    if (cached_) {
        sendState_ = recvState_ = kLast;
        done_ = true;
        return;
    }
    sendState_ = kQuit;
    recvState_ = options_.skipQuitResponse ? kLast : kQuit;
    run();
}

// The sender's state after "." or RSET ends the transaction: nothing more for a session
// that stays cached (unless it has expired now), else QUIT.
ClientSession::Tx ClientSession::afterLastCommand() {
    if (cached_ && options_.sessionExpired && options_.sessionExpired()) cached_ = false;
    return cached_ ? kLast : kQuit;
}

// ---- the transaction (smtp_loop) ---------------------------------------------------

std::string ClientSession::buildCommand(Tx state, size_t rcpt, Tx& next, size_t& nextRcpt) {
    nextRcpt = rcpt;
    std::string command;
    switch (state) {
        case kMail: {
            command = "MAIL FROM:<" + quote821(message_.sender) + ">";
            if (features_.size && !downgrading()) command += " SIZE=" + std::to_string(message_.size);
            if (features_.eightBitMime) {
                if (message_.encoding == "8bit")
                    command += " BODY=8BITMIME";
                else if (message_.encoding == "7bit")
                    command += " BODY=7BIT";
                else if (!message_.encoding.empty())
                    base::msgWarn("unknown content encoding: " + message_.encoding);
            }
            if (features_.dsn) {
                if (!message_.envid.empty()) command += " ENVID=" + xtextQuote(message_.envid, "+=");
                if (message_.dsnRet == 1)
                    command += " RET=FULL";
                else if (message_.dsnRet == 2)
                    command += " RET=HDRS";
            }
            if (features_.smtputf8 && message_.smtputf8Requested) command += " SMTPUTF8";
            next = kRcpt;
            break;
        }
        case kRcpt: {
            const ClientRecipient& r = message_.recipients[rcpt];
            command = "RCPT TO:<" + quote821(r.address) + ">";
            if (features_.dsn) {
                std::string orcpt = r.dsnOrcpt;
                if (orcpt.empty() && !r.original.empty()) orcpt = "rfc822;" + address::quoteLocalPart(r.original);
                if (!orcpt.empty()) command += " ORCPT=" + xtextQuote(orcpt, "+=");
                if (r.dsnNotify) command += " NOTIFY=" + dsnNotifyString(r.dsnNotify);
            }
            nextRcpt = rcpt + 1;
            next = nextRcpt < message_.recipients.size() ? kRcpt : options_.verifyOnly ? kAbort : kData;
            break;
        }
        case kData:
            command = "DATA";
            next = kDot;
            break;
        case kDot:
            command = ".";
            next = afterLastCommand();
            break;
        case kAbort:
            command = "RSET";
            next = afterLastCommand();
            break;
        case kQuit:
            command = "QUIT";
            next = kLast;
            cached_ = false;
            break;
        case kLast:
            next = kLast;
            break;
    }
    return command;
}

void ClientSession::run() {
    while (!done_) {
        if (!havePending_) {
            pending_ = buildCommand(sendState_, sendRcpt_, pendingNext_, pendingNextRcpt_);
            havePending_ = true;
        }
        bool waitState = sendState_ == kDot || sendState_ == kLast;
        // After the dot the sender may add QUIT without counting (smtp_loop's
        // CHECK_PIPELINING_BUFSIZE).
        bool checkBufsize = recvState_ != kDot || sendState_ != kQuit;
        bool sync = waitState ||
                    (senderAhead() &&
                     (!features_.pipelining || (checkBufsize && pending_.size() + 2 + unsynced_ > kPipeliningBufsize)));
        if (sync) {
            if (senderAhead()) {
                unsynced_ = 0;  // the output goes out before the next read
                return;
            }
            // In step: the course corrections (MAIL refused, no recipient accepted,
            // DATA refused) end the transaction with RSET.
            if ((sendState_ == kRcpt && mailFromRejected_) || (sendState_ == kData && nrcpt_ == 0) ||
                (sendState_ == kDot && nrcpt_ < 0)) {
                sendState_ = recvState_ = kAbort;
                sendRcpt_ = recvRcpt_ = 0;
                pending_ = "RSET";
                pendingNext_ = afterLastCommand();
                pendingNextRcpt_ = 0;
            }
        }
        if (sendState_ == kLast) {
            done_ = true;
            return;
        }
        // After 354: the content when a recipient was accepted, else only the dot
        // (RFC 2197).
        if (sendState_ == kDot && nrcpt_ > 0 && !sendContent()) {
            // smtp_loop's RETURN(0) after smtp_mime_fail(): no dot, no QUIT; the
            // server sees the connection end inside DATA and keeps nothing.
            cached_ = false;
            done_ = true;
            return;
        }
        sendCommand(pending_);
        sendState_ = pendingNext_;
        sendRcpt_ = pendingNextRcpt_;
        havePending_ = false;
        if (recvState_ == kLast) {
            done_ = true;
            return;
        }
    }
}

void ClientSession::receive(const ClientReply& reply) {
    if (!senderAhead()) return;  // a reply to nothing we sent: not read by Postfix either
    switch (recvState_) {
        case kMail:
            if (reply.code / 100 != 2) {
                failRemaining(ClientOutcome::Kind::MessageFailed, reply.dsn, said(reply, requestName(kMail)), &reply);
                mailFromRejected_ = true;
            }
            recvState_ = kRcpt;
            break;
        case kRcpt:
            if (!mailFromRejected_) {
                if (reply.code / 100 == 2) {
                    survivors_.push_back(recvRcpt_);
                    ++nrcpt_;
                    // Verifying: the RCPT reply is the outcome (smtp_proto.c).
                    if (options_.verifyOnly)
                        settle(ClientOutcome::Kind::Sent, {recvRcpt_}, reply.dsn, reply.flat(), &reply);
                } else {
                    failRecipient(recvRcpt_, reply, requestName(kRcpt));
                }
            }
            if (++recvRcpt_ == message_.recipients.size()) recvState_ = options_.verifyOnly ? kAbort : kData;
            break;
        case kData:
            recvState_ = kDot;
            if (reply.code / 100 != 3) {
                if (nrcpt_ > 0)
                    failRemaining(ClientOutcome::Kind::MessageFailed, reply.dsn, said(reply, requestName(kData)),
                                  &reply);
                nrcpt_ = -1;
            }
            break;
        case kDot:
            if (!options_.lmtp) {
                if (nrcpt_ > 0) {
                    if (reply.code / 100 != 2) {
                        failRemaining(ClientOutcome::Kind::MessageFailed, reply.dsn, said(reply, requestName(kDot)),
                                      &reply);
                    } else {
                        std::vector<size_t> sent;
                        for (size_t i = 0; i < recvRcpt_; ++i)
                            if (!settled_[i]) sent.push_back(i);
                        settle(ClientOutcome::Kind::Sent, std::move(sent), reply.dsn, reply.flat(), &reply);
                    }
                }
            } else if (nrcpt_ > 0) {
                // LMTP: one reply per accepted recipient, in RCPT order.
                size_t index = survivors_[recvDone_++];
                if (reply.code / 100 != 2)
                    failRecipient(index, reply, requestName(kDot));
                else
                    settle(ClientOutcome::Kind::Sent, {index}, reply.dsn, reply.flat(), &reply);
                if (recvDone_ < static_cast<size_t>(nrcpt_)) break;
            }
            recvState_ = options_.skipQuitResponse || cached_ ? kLast : kQuit;
            break;
        case kAbort:
            recvState_ = options_.skipQuitResponse || cached_ ? kLast : kQuit;
            break;
        case kQuit:
            recvState_ = kLast;
            break;
        case kLast:
            break;
    }
    run();
}

// ---- the content (smtp_text_out) ---------------------------------------------------

bool ClientSession::downgrading() const {
    return !options_.disableMimeOutputConversion && !features_.eightBitMime && message_.encoding != "7bit";
}

bool ClientSession::sendContent() {
    outputContent_ = true;
    if (!message_.content) return true;
    if (!downgrading()) {
        for (const std::string& record : *message_.content) contentRecord(record);
        return true;
    }
    // The downgrade (smtp_header_out, smtp_text_out behind mime_state): each header
    // line by line as it was folded, the body as the MIME state machine puts it out.
    static const message::HeaderTable kHeaders;
    message::MimeCallbacks out;
    out.header = [this](message::HeaderClass, const message::HeaderOpts*, std::string& header) {
        std::string_view rest = header;
        for (size_t nl; (nl = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(nl + 1))
            contentLine(rest.substr(0, nl));
        contentLine(rest);
    };
    out.body = [this](bool, std::string_view text, off_t) { contentRecord(text); };
    message::MimeState mime(kHeaders, options_.headerSizeLimit, options_.mimeNestingLimit,
                            message::mime_option::kDowngrade | message::mime_option::kReportNesting, std::move(out));
    for (const std::string& record : *message_.content) {
        mime.update(true, record);
        if (mime.errors() & message::mime_error::kNesting) {
            failRemaining(ClientOutcome::Kind::MessageFailed, "5.6.0", "MIME nesting exceeds safety limit", nullptr);
            return false;
        }
    }
    mime.finish();
    return true;
}

void ClientSession::contentRecord(std::string_view rest) {
    // An LF inside a record (with or without a CR before it) ends a line of its own:
    // nothing reaches the wire as a bare LF.
    for (;;) {
        size_t nl = rest.find('\n');
        if (nl == std::string_view::npos) {
            contentLine(rest);
            break;
        }
        std::string_view piece = rest.substr(0, nl);
        if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
        contentLine(piece);
        rest.remove_prefix(nl + 1);
    }
}

void ClientSession::contentLine(std::string_view data) {
    const size_t limit = options_.lineLengthLimit;
    size_t spaceLeft = limit;
    do {
        if (spaceLeft == limit && !data.empty() && data.front() == '.') output_ += '.';
        if (limit > 0 && data.size() >= spaceLeft) {
            output_.append(data.substr(0, spaceLeft));
            output_ += "\r\n";
            data.remove_prefix(spaceLeft);
            spaceLeft = limit;
            if (!data.empty()) {
                output_ += ' ';
                spaceLeft -= 1;
                brokeLongLine_ = true;
            }
        } else {
            output_.append(data);
            output_ += "\r\n";
            break;
        }
    } while (!data.empty());
}

}  // namespace postline::smtp
