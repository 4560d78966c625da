// SmtpServerSession: Postfix's smtpd_proto() command loop, its command functions and
// smtpd_chat_reply() as a byte-fed state machine (smtpd/smtpd.c, smtpd/smtpd_chat.c,
// global/smtp_stream.c smtp_get). Replies, texts, enhanced status codes, error counting
// and the log lines follow Postfix 3.7; restrictions are lib/policy's SmtpdRestrictions.
#include "postline/smtp/server_session.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "postline/address/host_address_list.h"
#include "postline/address/routing_context.h"
#include "postline/address/table_open.h"
#include "postline/address/tokens.h"
#include "postline/base/json_quote.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/config/time_value.h"
#include "postline/policy/smtpd_command.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/smtp/ehlo_mask.h"
#include "postline/smtp/received_header.h"
#include "postline/smtp/reply_footer.h"

namespace postline::smtp {

namespace {

using policy::SmtpdRestrictions;
using Verdict = policy::RecipientCheck::Verdict;

// smtpd_cmd_table's order, which the disconnect line's counts follow; "unknown" last.
enum Cmd {
    kHelo,
    kEhlo,
    kXclient,
    kXforward,
    kStarttls,
    kAuth,
    kMail,
    kRcpt,
    kData,
    kBdat,
    kRset,
    kNoop,
    kVrfy,
    kEtrn,
    kQuit,
    kUnknown,
    kCmdCount
};
constexpr const char* kCmdNames[] = {"HELO", "EHLO", "XCLIENT", "XFORWARD", "STARTTLS", "AUTH", "MAIL", "RCPT",
                                     "DATA", "BDAT", "RSET",    "NOOP",     "VRFY",     "ETRN", "QUIT", "UNKNOWN"};
// SMTPD_CMD_FLAG_LIMIT and SMTPD_CMD_FLAG_LAST.
bool limited(int c) { return c == kHelo || c == kEhlo || c == kRset || c == kNoop || c == kVrfy || c == kEtrn; }
bool lastInGroup(int c) { return c == kHelo || c == kEhlo || c == kData || c == kNoop || c == kVrfy; }

// escape(): how smtpd logs raw client bytes.
std::string escapeBytes(std::string_view data) {
    std::string out;
    for (unsigned char c : data) {
        switch (c) {
            case '\a':
                out += "\\a";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\v':
                out += "\\v";
                break;
            case '\\':
                out += "\\\\";
                break;
            default:
                if (c >= 0x20 && c < 0x7f) {
                    out += static_cast<char>(c);
                } else {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\%03o", c);
                    out += buf;
                }
        }
    }
    return out;
}

// is_header(): a word that looks like "Name:" (a mail header sent as a command).
bool isHeader(std::string_view word) {
    size_t i = 0;
    while (i < word.size() && word[i] != ':') {
        unsigned char c = static_cast<unsigned char>(word[i]);
        if (c <= ' ' || c >= 0x7f) return false;
        ++i;
    }
    return i > 0 && i < word.size();
}

// printable() + neuter(): how smtpd stores a HELO name.
std::string heloName(std::string_view arg) {
    std::string out = base::printable(arg, false);
    for (char& c : out)
        if (std::string_view(" <>()\\\";@").find(c) != std::string_view::npos) c = '?';
    return out;
}

bool allDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return base::isDigit(c); });
}

// xtext_unquote() of a value already checked by lib/policy.
std::string xtextDecode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// dsn_notify_mask(): NEVER 1, SUCCESS 2, FAILURE 4, DELAY 8.
int notifyMask(std::string_view value) {
    int mask = 0;
    for (std::string_view word : base::splitAny(value, ",")) {
        if (base::equalsIgnoreCase(word, "NEVER")) mask |= 1;
        if (base::equalsIgnoreCase(word, "SUCCESS")) mask |= 2;
        if (base::equalsIgnoreCase(word, "FAILURE")) mask |= 4;
        if (base::equalsIgnoreCase(word, "DELAY")) mask |= 8;
    }
    return mask;
}

std::vector<std::string> stepTexts(const policy::RecipientCheck& check) {
    std::vector<std::string> out;
    for (const auto& step : check.steps) out.push_back(step.result);
    return out;
}

std::string externalForm(std::string_view address) {
    return address.empty() ? std::string() : address::quoteLocalPart(address);
}

}  // namespace

SessionParameters SessionParameters::read(address::RoutingContext& context) {
    SessionParameters p;
    p.myhostname = context.get("myhostname");
    p.lineLimit = context.getLong("line_length_limit");
    p.softErrorLimit = context.getLong("smtpd_soft_error_limit");
    p.hardErrorLimit = context.getLong("smtpd_hard_error_limit");
    p.junkLimit = context.getLong("smtpd_junk_command_limit");
    p.recipientLimit = context.getLong("smtpd_recipient_limit");
    p.overshootLimit = context.getLong("smtpd_recipient_overshoot_limit");
    p.messageSizeLimit = context.getLong("message_size_limit");
    p.delayReject = context.getBool("smtpd_delay_reject");
    p.helloRequired = context.getBool("smtpd_helo_required");
    p.disableVrfy = context.getBool("disable_vrfy_command");
    p.smtputf8Enable = context.getBool("smtputf8_enable");
    p.forbidUnauthPipelining = context.getBool("smtpd_forbid_unauth_pipelining");
    p.softBounce = context.getBool("soft_bounce");
    p.discardMask = ehloMask(context.get("smtpd_discard_ehlo_keywords"));
    // Raw parameters: their $names are smtpd's macros, not main.cf's.
    p.rejectFooter = context.config().raw("smtpd_reject_footer").value_or("");
    p.expansionFilter = unescapeFilter(context.config().raw("smtpd_expansion_filter").value_or(""));
    // smtpd_discard_ehlo_keyword_address_maps is opened now and asked in start().
    (void)context.maps("smtpd_discard_ehlo_keyword_address_maps");
    (void)context.list("smtpd_forbidden_commands", address::MatchKind::String);
    std::string noop = context.get("smtpd_noop_commands");  // splitAny's views point into it
    for (std::string_view w : base::splitAny(noop, ", \t\r\n")) p.noopCommands.emplace_back(w);
    auto seconds = [&](std::string_view name) { return config::timeValue(context.get(name)).value_or(0); };
    p.errorSleep = seconds("smtpd_error_sleep_time");
    p.timeout = seconds("smtpd_timeout");
    std::string bare = base::lowercase(context.get("smtpd_forbid_bare_newline"));
    if (bare == "yes" || bare == "normalize") p.bareLfMode = 1;
    if (bare == "reject") p.bareLfMode = 2;
    p.bareLfCode = static_cast<int>(context.getLong("smtpd_forbid_bare_newline_reject_code"));
    if (p.bareLfMode != 0)
        p.bareLfExclusions = std::make_shared<address::HostAddressList>(
            address::HostAddressList::fromParameter(context.config(), "smtpd_forbid_bare_newline_exclusions"));
    auto hosts = [&](const char* name) {
        auto list =
            std::make_shared<address::HostAddressList>(address::HostAddressList::fromParameter(context.config(), name));
        return list->empty() ? nullptr : list;
    };
    p.inetFamilies = smtp::inetFamilies(context.get("inet_protocols"));
    p.xclientHosts = hosts("smtpd_authorized_xclient_hosts");
    p.eventLimitExceptions = hosts("smtpd_client_event_limit_exceptions");
    p.connectionCountLimit = context.getLong("smtpd_client_connection_count_limit");
    p.connectionRateLimit = context.getLong("smtpd_client_connection_rate_limit");
    p.messageRateLimit = context.getLong("smtpd_client_message_rate_limit");
    p.recipientRateLimit = context.getLong("smtpd_client_recipient_rate_limit");
    p.xforwardHosts = hosts("smtpd_authorized_xforward_hosts");
    std::string footerMaps = context.get("smtpd_reject_footer_maps");
    if (!base::trim(footerMaps).empty()) {
        uint32_t flags = maps::flag::kLock;
        if (p.smtputf8Enable) flags |= maps::flag::kUtf8Request;
        maps::OpenContext open;
        open.config = &context.config();
        p.rejectFooterMaps = std::make_shared<maps::MapList>(
            address::openAddressTables("smtpd_reject_footer_maps", footerMaps, flags, open));
        // dict_surrogate()'s error at open ("TYPE:NAME is unavailable. REASON" is what
        // each lookup warns).
        for (const std::string& w : p.rejectFooterMaps->openWarnings()) {
            size_t at = w.find(" is unavailable. ");
            base::msgError(at == std::string::npos ? w : w.substr(at + 17));
        }
    }
    return p;
}

SmtpServerSession::SmtpServerSession(address::RoutingContext& context, SmtpdRestrictions& restrictions,
                                     MessageSink& sink, SessionOptions options)
    : context_(context), restrictions_(restrictions), sink_(sink), options_(std::move(options)) {
    params_ = options_.parameters;
    inetSocket_ = options_.addressFamily != 0;
    if (!params_) params_ = std::make_shared<const SessionParameters>(SessionParameters::read(context_));
    const SessionParameters& p = *params_;
    myhostname_ = p.myhostname;
    lineLimit_ = p.lineLimit;
    softErrorLimit_ = p.softErrorLimit;
    hardErrorLimit_ = p.hardErrorLimit;
    junkLimit_ = p.junkLimit;
    recipientLimit_ = p.recipientLimit;
    overshootLimit_ = p.overshootLimit;
    messageSizeLimit_ = p.messageSizeLimit;
    delayReject_ = p.delayReject;
    helloRequired_ = p.helloRequired;
    disableVrfy_ = p.disableVrfy;
    smtputf8Enable_ = p.smtputf8Enable;
    forbidUnauthPipelining_ = p.forbidUnauthPipelining;
    softBounce_ = p.softBounce;
    discardMask_ = p.discardMask;
    rejectFooter_ = p.rejectFooter;
    expansionFilter_ = p.expansionFilter;
    noopCommands_ = p.noopCommands;
    errorSleep_ = p.errorSleep;
    timeout_ = p.timeout;
    bareLfMode_ = p.bareLfMode;
    bareLfCode_ = p.bareLfCode;
    if (options_.standAlone) bareLfMode_ = 0;
    if (bareLfMode_ != 0 && p.bareLfExclusions &&
        p.bareLfExclusions->match(options_.clientName, options_.clientAddress).matched)
        bareLfMode_ = 0;
    counts_.assign(kCmdCount, {0, 0});
}

SmtpServerSession::~SmtpServerSession() {
    close();
    if (xclientFacts_) restrictions_.mutableSession().network = originalNetwork_;
}

long SmtpServerSession::timeoutSeconds() const { return timeout_; }

std::string SmtpServerSession::whatsup() const {
    std::string out;
    if (sender_) out += " from=<" + externalForm(*sender_) + ">";
    if (logRecipient_)
        out += " to=<" + externalForm(*logRecipient_) + ">";
    else if (recipient_ && rcptCount_ == 1)  // smtpd_check_data/eod hide it when there are more
        out += " to=<" + externalForm(*recipient_) + ">";
    out += " proto=" + protocol_;
    if (helo_) out += " helo=<" + *helo_ + ">";
    return out;
}

void SmtpServerSession::logWhatsup(std::string_view action, std::string_view text) {
    base::msgInfo(base::cat(queueId_ ? *queueId_ : std::string("NOQUEUE"), ": ", action, ": ", where_, " from ",
                            restrictions_.session().namaddr(), ": ", text, ";", whatsup()));
}

void SmtpServerSession::reply(std::string text) {
    long sleep = errorCount_ >= softErrorLimit_ ? errorSleep_ : 0;
    // smtpd_reject_footer_maps, looked up with the whole reply, else smtpd_reject_footer.
    std::string footer;
    if (!text.empty() && (text[0] == '4' || text[0] == '5')) {
        if (params_->rejectFooterMaps) {
            auto hit = params_->rejectFooterMaps->find(text);
            for (const std::string& w : hit.warnings) base::msgWarn(w);
            if (hit.isFound()) footer = hit.value;
        }
        if (footer.empty()) footer = rejectFooter_;
    }
    if (!footer.empty()) {
        const policy::SmtpdSession& who = restrictions_.session();
        FooterMacros m;
        m.serverName = myhostname_;
        m.namaddr = who.namaddr();
        m.clientAddress = who.clientAddress;
        m.clientPort = options_.clientPort;
        m.clientName = who.clientName;
        m.reverseName = who.reverseName;
        m.helo = helo_.value_or("");
        m.sender = sender_;
        m.recipient = recipient_;
        m.now = options_.clock ? options_.clock().first : 0;
        text = applyReplyFooter(text, footer, m, expansionFilter_, [](std::string_view w) { base::msgWarn(w); });
    }
    if (out_.empty() || sleep > 0) out_.push_back({sleep, {}});
    std::string& bytes = out_.back().bytes;
    // Multi-line text: "\r\n" between lines; all but the last get '-' after the code.
    std::string_view rest = text;
    while (true) {
        size_t next = rest.find("\r\n");
        std::string line(rest.substr(0, next));
        if (softBounce_ && !line.empty() && line[0] == '5') {
            line[0] = '4';
            if (line.size() > 4 && line[4] == '5') line[4] = '4';
        }
        bool more = next != std::string_view::npos && next + 2 < rest.size();
        if (more && line.size() > 3) line[3] = '-';
        bytes += line + "\r\n";
        if (!more) break;
        rest = rest.substr(next + 2);
    }
    if (text.compare(0, 3, "421") == 0 || text.compare(0, 3, "521") == 0) hangup();
}

std::vector<OutputChunk> SmtpServerSession::takeOutput() {
    std::vector<OutputChunk> out;
    out.swap(out_);
    return out;
}

void SmtpServerSession::start(std::string_view pending) {
    if (started_) return;
    started_ = true;
    const std::string namaddr = restrictions_.session().namaddr();
    base::msgInfo("connect from " + namaddr);
    authorizeXcommands(true);
    // 3.7 notices a client that talks before the greeting.
    if (!options_.standAlone && !pending.empty()) {
        base::msgInfo("improper command pipelining after CONNECT from " + namaddr + ": " +
                      escapeBytes(pending.substr(0, 100)));
        illPipelining_ = true;
        if (forbidUnauthPipelining_) {
            reply("554 5.5.0 Error: SMTP protocol synchronization");
            hangup();
            return;
        }
    }
    if (!options_.standAlone) {
        std::string missing = restrictions_.relayProtectionError();
        if (!missing.empty()) {
            base::msgError(missing);
            reply("421 4.3.0 " + myhostname_ + " Server local error");
            return;
        }
    }
    if (!connectionLimits()) return;
    greeting(false);
    feed(pending);
}

void SmtpServerSession::greeting(bool again) {
    // After XCLIENT: a client that did not wait for the new greeting.
    if (again && !options_.standAlone && !illPipelining_ && !in_.empty()) {
        base::msgInfo("improper command pipelining after " + where_ + " from " + restrictions_.session().namaddr() +
                      ": " + escapeBytes(std::string_view(in_).substr(0, 100)));
        illPipelining_ = true;
        if (forbidUnauthPipelining_) {
            reply("554 5.5.0 Error: SMTP protocol synchronization");
            hangup();
            return;
        }
    }
    // smtpd_discard_ehlo_keyword_address_maps: the client address's own list, if any.
    discardMask_ = params_->discardMask;
    auto& discardMaps = context_.maps("smtpd_discard_ehlo_keyword_address_maps");
    if (!discardMaps.empty()) {
        auto hit = discardMaps.find(restrictions_.session().clientAddress);
        for (const std::string& w : hit.warnings) base::msgWarn(w);
        if (hit.isFound()) discardMask_ = ehloMask(hit.value);
        discardMapError_ = hit.isError();
    }
    if (!options_.standAlone) {
        auto check = liveCheck(SmtpdRestrictions::LiveStage::Connect, "", "");
        applyActions(check.actions, stepTexts(check));
        if (check.verdict != Verdict::Accept) {
            // The rejection is the greeting; every command but QUIT is refused after it.
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            logWhatsup("reject", text);
            accessDenied_ = text;
            reply(text);
            ++errorCount_;
            return;
        }
    }
    reply("220 " + context_.get("smtpd_banner"));
}

void SmtpServerSession::feed(std::string_view bytes) {
    if (done_) return;
    in_.append(bytes);
    processInput();
}

void SmtpServerSession::endOfInput() {
    if (done_) return;
    reason_ = "lost connection";
    done_ = true;
}

void SmtpServerSession::timedOut() {
    if (done_) return;
    reason_ = "timeout";
    reply("421 4.4.2 " + myhostname_ + " Error: timeout exceeded");
    done_ = true;
}

void SmtpServerSession::processInput() {
    const size_t bound = lineLimit_ > 0 ? static_cast<size_t>(lineLimit_) : std::string::npos;
    while (!done_ && !in_.empty()) {
        if (inBdat_) {
            size_t take = std::min(in_.size(), static_cast<size_t>(bdatRemaining_));
            if (!bdatSkip_) bdatContent(std::string_view(in_.data(), take));
            in_.erase(0, take);
            bdatRemaining_ -= static_cast<long>(take);
            if (bdatRemaining_ > 0) return;
            inBdat_ = false;
            bdatChunkDone();
            continue;
        }
        if (skipping_) {
            size_t nl = in_.find('\n');
            if (nl == std::string::npos) {
                in_.clear();
                return;
            }
            in_.erase(0, nl + 1);
            skipping_ = false;
            std::string line = std::move(longLine_);
            longLine_.clear();
            command(std::move(line), false, !in_.empty());
            continue;
        }
        // smtp_get(): a line up to '\n' of at most line_length_limit bytes.
        size_t nl = in_.find('\n');
        std::string line;
        bool complete = false;
        if (nl != std::string::npos && (bound == std::string::npos || nl + 1 <= bound)) {
            line = in_.substr(0, nl);
            in_.erase(0, nl + 1);
            complete = true;
        } else if (bound != std::string::npos && in_.size() > bound) {
            if (in_[bound - 1] == '\r' && in_[bound] == '\n') {
                line = in_.substr(0, bound);
                in_.erase(0, bound + 1);
                complete = true;
            } else {
                line = in_.substr(0, bound);
                in_.erase(0, bound);
            }
        } else if (bound != std::string::npos && in_.size() == bound && in_[bound - 1] != '\r') {
            line = in_;
            in_.clear();
        } else {
            return;  // wait for more
        }
        bool bareLf = false;
        if (complete) {
            if (bareLfMode_ != 0) {
                if (!line.empty() && line.back() == '\r')
                    line.pop_back();
                else
                    bareLf = true;
            } else {
                while (!line.empty() && line.back() == '\r') line.pop_back();
            }
        }
        if (inData_) {
            dataLine(line, complete, bareLf);
            continue;
        }
        if (!complete) {
            base::msgWarn(base::cat(restrictions_.session().namaddr(), ": request longer than ", lineLimit_, ": ",
                                    base::printable(std::string_view(line).substr(0, 30), false), "..."));
            longLine_ = std::move(line);
            skipping_ = true;
            continue;
        }
        command(std::move(line), bareLf, !in_.empty());
    }
}

void SmtpServerSession::command(std::string line, bool bareLf, bool more) {
    const std::string namaddr = restrictions_.session().namaddr();
    // 3.7 does not count these in the disconnect line's "unknown".
    auto unknownCommand = [&] { where_ = "UNKNOWN"; };
    auto afterCommand = [&] {
        if (!done_ && errorCount_ >= hardErrorLimit_) {
            reason_ = "too many errors";
            reply("421 4.7.0 " + myhostname_ + " Error: too many errors");
        }
    };
    if (bareLf && bareLfMode_ == 2) {
        logWhatsup("reject", "bare <LF> received");
        reply(base::cat(bareLfCode_, " 5.5.2 ", myhostname_, " Error: bare <LF> received"));
        hangup();
        return;
    }
    if (smtputf8Enable_ && !base::isValidUtf8(line)) {
        reply("500 5.5.2 Error: bad UTF-8 syntax");
        ++errorCount_;
        unknownCommand();
        return afterCommand();
    }
    // smtpd_command_filter: the command line, without leading space, looked up as a whole.
    auto& commandFilter = context_.maps("smtpd_command_filter");
    if (!commandFilter.empty()) {
        size_t start = line.find_first_not_of(" \t");
        auto hit = commandFilter.find(start == std::string::npos ? "" : std::string_view(line).substr(start));
        for (const std::string& w : hit.warnings) base::msgWarn(w);
        if (hit.isFound()) {
            base::msgInfo(base::cat(namaddr, ": replacing command \"", std::string_view(line).substr(0, 100),
                                    "\" with \"", std::string_view(hit.value).substr(0, 100), "\""));
            line = hit.value;
        } else if (hit.isError()) {
            // smtpd gives up on the session (SMTP_ERR_DATA).
            base::msgInfo(base::cat(queueId_ ? *queueId_ : std::string("NOQUEUE"), ": reject: ", where_, " from ",
                                    namaddr, ": 421 4.3.0 ", myhostname_, " Server local data error"));
            reply("421 4.3.0 " + myhostname_ + " Server local data error");
            return;
        }
    }
    std::vector<std::string> argv;
    for (auto& t : policy::smtpdTokens(line)) argv.push_back(std::move(t.text));
    if (argv.empty()) {
        reply("500 5.5.2 Error: bad syntax");
        ++errorCount_;
        unknownCommand();
        return afterCommand();
    }
    for (const std::string& noop : noopCommands_)
        if (base::equalsIgnoreCase(noop, argv[0])) {
            reply("250 2.0.0 Ok");
            if (junkCommands_++ > junkLimit_) ++errorCount_;
            return afterCommand();
        }
    int cmd = kUnknown;
    for (int c = 0; c < kUnknown; ++c)
        if (base::equalsIgnoreCase(argv[0], kCmdNames[c])) cmd = c;
    ++counts_[cmd].second;
    // Improper pipelining (3.7 checks before it looks at the command): more input after a
    // command that must end a group, or after any command before EHLO.
    if (!options_.standAlone && (protocol_ != "ESMTP" || lastInGroup(cmd)) && !illPipelining_ && more) {
        base::msgInfo("improper command pipelining after " + where_ + " from " + namaddr + ": " +
                      escapeBytes(std::string_view(in_).substr(0, 100)));
        illPipelining_ = true;
        if (forbidUnauthPipelining_) {
            reply("554 5.5.0 Error: SMTP protocol synchronization");
            hangup();
            return;
        }
    }
    if (cmd == kUnknown) {
        where_ = "UNKNOWN";
        // A mail header or a name in smtpd_forbidden_commands (table errors are ignored).
        bool bad = isHeader(argv[0]);
        if (!bad) {
            auto& forbidden = context_.list("smtpd_forbidden_commands", address::MatchKind::String);
            bad = !forbidden.empty() && forbidden.match(argv[0]).matched;
        }
        if (bad) {
            base::msgWarn("non-SMTP command from " + namaddr + ": " + escapeBytes(line.substr(0, 100)));
            reply("221 2.7.0 Error: I can break rules, too. Goodbye.");
            hangup();
            return;
        }
    }
    if (accessDenied_ && cmd != kQuit) {
        if (accessDenied_->compare(1, 2, "21") == 0) {
            reply(*accessDenied_);
            return afterCommand();
        }
        reply("503 5.7.0 Error: access denied for " + namaddr);
        ++errorCount_;
        return afterCommand();
    }
    if (cmd == kUnknown) {
        reply("500 5.5.2 Error: command not recognized");
        ++errorCount_;
        return afterCommand();
    }
    where_ = kCmdNames[cmd];
    bool ok = false;
    switch (cmd) {
        case kHelo:
            ok = heloCmd(argv, false);
            break;
        case kEhlo:
            ok = heloCmd(argv, true);
            break;
        case kMail:
            ok = mailCmd(argv, line);
            break;
        case kRcpt:
            ok = rcptCmd(argv, line);
            break;
        case kData:
            ok = dataCmd(argv);
            break;
        case kBdat:
            ok = bdatCmd(argv, line);
            break;
        case kRset:
            ok = rsetCmd(argv);
            break;
        case kNoop:
            ok = noopCmd(argv);
            break;
        case kVrfy:
            ok = vrfyCmd(argv);
            break;
        case kEtrn:
            ok = etrnCmd(argv);
            break;
        case kQuit:
            ok = quitCmd(argv);
            break;
        case kXclient:
            // Success starts the session over (Postfix jumps back to the greeting
            // without counting the command as a success).
            if (xclientCmd(argv)) {
                xclientRestart();
                return;
            }
            break;
        case kXforward:
            ok = xforwardCmd(argv);
            break;
        case kStarttls:
            ok = starttlsCmd(argv);
            break;
        case kAuth:
            ok = authCmd(argv);
            break;
        default:
            break;
    }
    // DATA and BDAT count when their content has arrived; BDAT always counts itself.
    if (inData_ || inBdat_ || cmd == kBdat) return;
    finishCommand(cmd, ok);
}

void SmtpServerSession::finishCommand(int cmd, bool ok) {
    if (ok)
        ++counts_[cmd].first;
    else
        ++errorCount_;
    if (limited(cmd) && junkCommands_++ > junkLimit_) ++errorCount_;
    if (cmd == kQuit) {
        hangup();
        return;
    }
    if (!done_ && errorCount_ >= hardErrorLimit_) {
        reason_ = "too many errors";
        reply("421 4.7.0 " + myhostname_ + " Error: too many errors");
    }
}

bool SmtpServerSession::heloCmd(const std::vector<std::string>& argv, bool ehlo) {
    if (argv.size() < 2) {
        reply(ehlo ? "501 Syntax: EHLO hostname" : "501 Syntax: HELO hostname");
        return false;
    }
    std::string arg = argv[1];
    for (size_t i = 2; i < argv.size(); ++i) arg += " " + argv[i];
    if (!options_.standAlone && !delayReject_) {
        auto& session = restrictions_.mutableSession();
        auto saved = session.helo;
        session.helo = arg;
        auto check = liveCheck(SmtpdRestrictions::LiveStage::Helo, "", "");
        applyActions(check.actions, stepTexts(check));
        session.helo = saved;
        if (check.verdict != Verdict::Accept) {
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            // The reject line shows the name being checked (smtpd_check_helo sets it).
            auto savedHelo = helo_;
            helo_ = heloName(arg);
            logWhatsup("reject", text);
            helo_ = savedHelo;
            reply(text);
            return false;
        }
    }
    mailReset();
    helo_ = heloName(arg);
    restrictions_.mutableSession().helo = *helo_;
    if (ehlo) {
        protocol_ = "ESMTP";
    } else if (protocol_ != "ESMTP" && protocol_ != "SMTP") {
        protocol_ = "SMTP";
    }
    if (!ehlo) {
        reply("250 " + myhostname_);
        return true;
    }
    unsigned discard = discardMask_;
    if (discard && !(discard & ehlo_mask::kSilent))
        base::msgInfo("discarding EHLO keywords: " + ehloMaskNames(discard));
    if (discardMapError_) {
        // A table that failed: smtpd gives up on the session (SMTP_ERR_DATA).
        base::msgWarn("don't know what EHLO features to announce to " + restrictions_.session().namaddr());
        base::msgInfo(base::cat(queueId_ ? *queueId_ : std::string("NOQUEUE"), ": reject: ", where_, " from ",
                                restrictions_.session().namaddr(), ": 421 4.3.0 ", myhostname_,
                                " Server local data error"));
        reply("421 4.3.0 " + myhostname_ + " Server local data error");
        return false;
    }
    std::vector<std::string> words{myhostname_};
    if (!(discard & ehlo_mask::kPipelining)) words.push_back("PIPELINING");
    if (!(discard & ehlo_mask::kSize))
        words.push_back(messageSizeLimit_ > 0 ? "SIZE " + std::to_string(messageSizeLimit_) : "SIZE");
    if (!(discard & ehlo_mask::kVrfy) && !disableVrfy_) words.push_back("VRFY");
    if (!(discard & ehlo_mask::kEtrn)) words.push_back("ETRN");
    // XCLIENT and XFORWARD for the clients authorized for them.
    if (!(discard & ehlo_mask::kXclient)) {
        if (xclientAllowed_) {
            words.push_back(kXclientEhlo);
        } else if (xclientError_) {
            localDataError("don't know if EHLO feature XCLIENT should be announced to " +
                           restrictions_.session().namaddr());
            return false;
        }
    }
    if (!(discard & ehlo_mask::kXforward)) {
        if (xforwardAllowed_) {
            words.push_back(kXforwardEhlo);
        } else if (xforwardError_) {
            localDataError("don't know if EHLO feature XFORWARD should be announced to " +
                           restrictions_.session().namaddr());
            return false;
        }
    }
    if (!(discard & ehlo_mask::kEnhancedStatusCodes)) words.push_back("ENHANCEDSTATUSCODES");
    if (!(discard & ehlo_mask::k8BitMime)) words.push_back("8BITMIME");
    if (!(discard & ehlo_mask::kDsn)) words.push_back("DSN");
    if (smtputf8Enable_ && !(discard & ehlo_mask::kSmtputf8)) words.push_back("SMTPUTF8");
    if (!(discard & ehlo_mask::kChunking)) words.push_back("CHUNKING");
    std::string text;
    for (size_t i = 0; i < words.size(); ++i) text += (i ? "\r\n250 " : "250 ") + words[i];
    reply(text);
    return true;
}

void SmtpServerSession::mailReset() {
    if (sinkOpen_) sink_.abandon();
    sinkOpen_ = false;
    queueId_.reset();
    sender_.reset();
    recipient_.reset();
    logRecipient_.reset();
    smtputf8_ = false;
    encoding_.clear();
    envid_.clear();
    dsnRet_ = 0;
    rcptCount_ = 0;
    rcptOvershoot_ = 0;
    msgSize_ = 0;
    actSize_ = 0;
    err_ = 0;
    bdatState_ = BdatState::None;
    savedFlags_ = 0;
    savedFilter_.clear();
    savedRedirect_.clear();
    savedBcc_.clear();
    prepend_.clear();
    discard_ = false;
    xforward_ = XforwardState{};
}

bool SmtpServerSession::mailCmd(const std::vector<std::string>& argv, const std::string& line) {
    if (helloRequired_ && !helo_) {
        reply("503 5.5.1 Error: send HELO/EHLO first");
        return false;
    }
    if (sender_) {
        reply("503 5.5.1 Error: nested MAIL command");
        return false;
    }
    if (bdatState_ != BdatState::None) {
        reply("503 5.5.1 Error: MAIL after BDAT");
        return false;
    }
    if (argv.size() < 3 || !base::equalsIgnoreCase(argv[1], "from:")) {
        reply("501 5.5.4 Syntax: MAIL FROM:<address>");
        return false;
    }
    if (messageRateExceeded()) return false;
    auto result = policy::smtpdMailFrom(context_, std::string_view(line).substr(line.find(':') + 1));
    if (!result.ok) {
        commandFailed(result.reply, line, result.address);
        return false;
    }
    // The parameters lib/policy accepted, as cleanup gets them.
    std::string encoding, envid;
    int ret = 0;
    long size = 0;
    for (size_t i = 3; i < argv.size(); ++i) {
        std::string_view arg = argv[i];
        bool dsnParam = base::startsWith(base::lowercase(arg.substr(0, 4)), "ret=") ||
                        base::startsWith(base::lowercase(arg.substr(0, 6)), "envid=");
        if (dsnParam && (discardMask_ & ehlo_mask::kDsn)) {
            reply("501 5.7.1 DSN support is disabled");
            return false;
        }
        if (base::equalsIgnoreCase(arg, "BODY=8BITMIME")) encoding = "8bit";
        if (base::equalsIgnoreCase(arg, "BODY=7BIT")) encoding = "7bit";
        if (base::lowercase(arg.substr(0, 4)) == "ret=") ret = base::equalsIgnoreCase(arg.substr(4), "FULL") ? 1 : 2;
        if (base::lowercase(arg.substr(0, 6)) == "envid=") envid = xtextDecode(arg.substr(6));
        if (base::lowercase(arg.substr(0, 5)) == "size=")
            size = std::strtol(std::string(arg.substr(5)).c_str(), nullptr, 10);
    }
    if (!options_.standAlone && !delayReject_) {
        auto check = liveCheck(SmtpdRestrictions::LiveStage::Mail, result.address, "");
        applyActions(check.actions, stepTexts(check));
        if (check.verdict != Verdict::Accept) {
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            sender_ = result.address;
            logWhatsup("reject", text);
            sender_.reset();
            reply(text);
            return false;
        }
    }
    // local_header_rewrite_clients (smtpd_check_rewrite): how cleanup rewrites this mail.
    if (!options_.standAlone) {
        auto rewrite = restrictions_.rewriteContext(inetSocket_);
        for (const std::string& w : rewrite.warnings) base::msgWarn(w);
        if (!rewrite.reply.empty()) {
            logWhatsup("reject", rewrite.reply);
            mailReset();
            reply(rewrite.reply);
            return false;
        }
        rewriteContext_ = rewrite.context;
    }
    sender_ = result.address;
    smtputf8_ = result.smtputf8;
    encoding_ = encoding;
    envid_ = envid;
    dsnRet_ = ret;
    msgSize_ = size;
    arrival_ = options_.clock ? options_.clock() : std::pair<long, long>{0, 0};
    reply("250 2.1.0 Ok");
    return true;
}

bool SmtpServerSession::rcptCmd(const std::vector<std::string>& argv, const std::string& line) {
    if (!sender_) {
        reply("503 5.5.1 Error: need MAIL command");
        return false;
    }
    if (bdatState_ != BdatState::None) {
        reply("503 5.5.1 Error: RCPT after BDAT");
        return false;
    }
    if (argv.size() < 3 || !base::equalsIgnoreCase(argv[1], "to:")) {
        reply("501 5.5.4 Syntax: RCPT TO:<address>");
        return false;
    }
    if (recipientRateExceeded()) return false;
    auto result = policy::smtpdRcptTo(context_, std::string_view(line).substr(line.find(':') + 1), *sender_, smtputf8_);
    if (!result.ok) {
        commandFailed(result.reply, line, "");
        return false;
    }
    int notify = 0;
    std::string orcptType, orcptAddress;
    bool haveOrcpt = false;
    for (size_t i = 3; i < argv.size(); ++i) {
        std::string_view arg = argv[i];
        bool notifyParam = base::lowercase(arg.substr(0, 7)) == "notify=";
        bool orcptParam = base::lowercase(arg.substr(0, 6)) == "orcpt=";
        if ((notifyParam || orcptParam) && (discardMask_ & ehlo_mask::kDsn)) {
            reply("501 5.7.1 DSN support is disabled");
            return false;
        }
        if (notifyParam) notify = notifyMask(arg.substr(7));
        if (orcptParam) {
            std::string_view v = arg.substr(6);
            size_t semi = v.find(';');
            orcptType = std::string(v.substr(0, semi));
            std::string_view coded = v.substr(semi + 1);
            orcptAddress = base::equalsIgnoreCase(orcptType, "utf-8") ? std::string(coded) : xtextDecode(coded);
            haveOrcpt = true;
        }
    }
    if (recipientLimit_ > 0 && rcptCount_ >= recipientLimit_) {
        reply("452 4.5.3 Error: too many recipients");
        // Up to smtpd_recipient_overshoot_limit of these are not errors.
        return rcptOvershoot_++ < overshootLimit_;
    }
    if (!options_.standAlone && !discard_) {
        auto check = liveCheck(SmtpdRestrictions::LiveStage::Rcpt, *sender_, result.address);
        logRecipient_ = result.address;
        applyActions(check.actions, stepTexts(check));
        logRecipient_.reset();
        if (check.verdict != Verdict::Accept) {
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            if (check.undecidable) base::msgWarn(namaddrWarning(check.reply));
            logRecipient_ = result.address;
            logWhatsup("reject", text);
            logRecipient_.reset();
            reply(text);
            return false;
        }
    }
    bool wasOpen = sinkOpen_;
    if (!sinkOpen_) {
        auto id = sink_.open(smtputf8_);
        if (!id) {
            base::msgWarn(id.error().message);
            if (!options_.standAlone)
                base::msgWarn("unable to connect to the public " + context_.get("cleanup_service_name") + " service");
            reason_.clear();
            hangup();
            return false;
        }
        sinkOpen_ = true;
        queueId_ = *id;
        // Stand-alone mail goes to postdrop, which takes its own time and trusts no
        // session attributes: only the sender, encoding and recipients are sent.
        if (!options_.standAlone) {
            sink_.arrivalTime(arrival_.first, arrival_.second);
            // FORWARD_IDENT and FORWARD_DOMAIN: XFORWARD's IDENT and SOURCE, else the
            // queue id and local_header_rewrite_clients' verdict.
            sink_.attribute("log_ident", xforward_.ident ? *xforward_.ident : *queueId_);
            sink_.attribute("rewrite_context", xforward_.domain ? *xforward_.domain : rewriteContext_);
            // XCLIENT LOGIN= (smtpd_sasl_auth_extern).
            if (saslMethod_) sink_.attribute("sasl_method", *saslMethod_);
            if (!restrictions_.session().saslUsername.empty())
                sink_.attribute("sasl_username", restrictions_.session().saslUsername);
            if (!envid_.empty()) sink_.attribute("envelope_id", envid_);
            if (dsnRet_) sink_.attribute("ret_flags", std::to_string(dsnRet_));
        }
        sink_.sender(*sender_);
        if (!encoding_.empty()) sink_.attribute("encoding", encoding_);
    }
    if (!wasOpen && !options_.standAlone) {
        const policy::SmtpdSession& s = restrictions_.session();
        // The FORWARD_* attributes: XFORWARD's client when it named one.
        const XforwardState& fw = xforward_;
        bool forwarded = fw.haveClient();
        sink_.attribute("log_client_name", forwarded ? fw.name : s.clientName);
        sink_.attribute("log_client_address", forwarded ? fw.rfcAddress : rfcAddress());
        sink_.attribute("log_client_port", forwarded ? fw.port : options_.clientPort);
        sink_.attribute("log_message_origin", forwarded ? fw.namaddr : s.namaddr());
        if (forwarded ? fw.helo.has_value() : helo_.has_value())
            sink_.attribute("log_helo_name", forwarded ? *fw.helo : *helo_);
        sink_.attribute("log_protocol_name", forwarded ? fw.protocol : protocol_);
        sink_.attribute("client_name", s.clientName);
        sink_.attribute("reverse_client_name", s.reverseName);
        sink_.attribute("client_address", s.clientAddress);
        sink_.attribute("client_port", options_.clientPort);
        sink_.attribute("server_address", options_.serverAddress);
        sink_.attribute("server_port", options_.serverPort);
        if (helo_) sink_.attribute("helo_name", *helo_);
        sink_.attribute("protocol_name", protocol_);
        sink_.attribute("client_address_type", std::to_string(options_.addressFamily));
    }
    if (!wasOpen) {
        std::string line = *queueId_ + ": client=" + restrictions_.session().namaddr();
        if (!options_.standAlone) {
            if (saslMethod_) line += ", sasl_method=" + *saslMethod_;
            if (!restrictions_.session().saslUsername.empty())
                line += ", sasl_username=" + restrictions_.session().saslUsername;
            if (xforward_.ident) line += ", orig_queue_id=" + *xforward_.ident;
            if (xforward_.haveClient()) line += ", orig_client=" + xforward_.namaddr;
        }
        base::msgInfo(line);
    }
    ++rcptCount_;
    if (!recipient_) recipient_ = result.address;
    if (!haveOrcpt) {
        orcptType = "rfc822";
        std::string_view written = argv[2];
        if (written.size() >= 2 && written.front() == '<' && written.back() == '>')
            written = written.substr(1, written.size() - 2);
        orcptAddress = std::string(written);
    }
    if (notify) sink_.attribute("notify_flags", std::to_string(notify));
    sink_.attribute("dsn_orig_rcpt", orcptType + ";" + orcptAddress);
    sink_.recipient(result.address);
    reply("250 2.1.5 Ok");
    return true;
}

// The log lines of a MAIL FROM or RCPT TO that lib/policy refused, then the reply:
// extract_addr()'s "Illegal address syntax" warning, dsn_notify_mask()'s warning about
// an unknown NOTIFY word, and smtpd_check_size()'s reject line.
void SmtpServerSession::commandFailed(const std::string& text, const std::string& line, const std::string& address) {
    auto tokens = policy::smtpdTokens(line);
    if ((base::startsWith(text, "501 5.1.3 ") || base::startsWith(text, "501 5.1.7 ")) && tokens.size() >= 3 &&
        !tokens[2].error)
        base::msgWarn("Illegal address syntax from " + restrictions_.session().namaddr() + " in " + where_ +
                      " command: " + base::printable(tokens[2].text, false));
    if (text == "501 5.5.4 Error: Bad NOTIFY parameter syntax") {
        for (size_t i = 3; i < tokens.size(); ++i) {
            std::string_view arg = tokens[i].text;
            if (base::lowercase(arg.substr(0, 7)) != "notify=") continue;
            std::string_view value = arg.substr(7);
            for (std::string_view word : base::splitAny(value, ", \t\r\n"))
                if (!notifyMask(word))
                    base::msgWarn(base::cat("unknown DSN NOTIFY command value \"", word, "\" in \"", value, "\""));
            break;
        }
    }
    if (base::startsWith(text, "552 5.3.4 Message size exceeds fixed limit")) {
        sender_ = address;
        logWhatsup("reject", text);
        sender_.reset();
    }
    reply(text);
}

// The access actions an evaluation met (lib/policy's RecipientCheck::actions), as
// smtpd_check.c's check_table_result() applies them: logged with the session's
// whatsup, remembered for the message.
void SmtpServerSession::applyActions(const std::vector<std::string>& actions,
                                     const std::vector<std::string>& stepTexts) {
    // "<NAME>: CLASS triggers WORD TEXT" as lib/policy's step for the action says it.
    auto triggered = [&](const std::string& word, const std::string& text) {
        std::string needle = " triggers " + word + " " + text;
        for (const std::string& t : stepTexts) {
            size_t at = t.find(needle), lt = t.find('<');
            if (at != std::string::npos && lt != std::string::npos && lt < at)
                return t.substr(lt, at + needle.size() - lt);
        }
        return "triggers " + word + " " + text;
    };
    for (const std::string& a : actions) {
        size_t sp = a.find(' ');
        std::string word = a.substr(0, sp), text = sp == std::string::npos ? "" : a.substr(sp + 1);
        if (word == "HOLD") {
            if (savedFlags_ & SinkResult::kFlagHold) continue;
            logWhatsup("hold", text);
            savedFlags_ |= SinkResult::kFlagHold;
        } else if (word == "DISCARD") {
            logWhatsup("discard", text);
            savedFlags_ |= SinkResult::kFlagDiscard;
            discard_ = true;
        } else if (word == "FILTER") {
            logWhatsup("filter", triggered(word, text));
            savedFilter_ = text;
        } else if (word == "REDIRECT") {
            logWhatsup("redirect", triggered(word, text));
            savedRedirect_ = text;
        } else if (word == "BCC") {
            logWhatsup("bcc", triggered(word, text));
            savedBcc_.push_back(text);
        } else if (word == "PREPEND") {
            prepend_.push_back(text);
        } else if (word == "info:" || word == "warn:") {
            logWhatsup(word.substr(0, word.size() - 1), text);
        }
    }
}

// One stage's restrictions, with what smtpd knows of the session brought up to date
// first (the recipient count and the policy request attributes smtpd fills).
policy::RecipientCheck SmtpServerSession::liveCheck(policy::SmtpdRestrictions::LiveStage stage, std::string_view sender,
                                                    std::string_view recipient) {
    policy::SmtpdSession& s = restrictions_.mutableSession();
    s.recipientCount = rcptCount_;
    s.policyAttributes = {
        {"protocol_name", protocol_},
        {"client_port", options_.clientPort},
        {"server_address", options_.serverAddress},
        {"server_port", options_.serverPort},
        {"queue_id", queueId_ ? *queueId_ : ""},
        {"size", std::to_string(stage == SmtpdRestrictions::LiveStage::EndOfData ? actSize_ : msgSize_)},
        {"recipient_count", std::to_string(rcptCount_)},
    };
    if (saslMethod_) s.policyAttributes.emplace_back("sasl_method", *saslMethod_);
    if (stage == SmtpdRestrictions::LiveStage::Etrn) s.policyAttributes.emplace_back("etrn_domain", recipient);
    policy::RecipientCheck check = restrictions_.checkLive(stage, sender, recipient);
    // What the evaluation warned about, as smtpd_check.c logs it: a warn_if_reject
    // verdict as "reject_warning" with the session's whatsup, anything else as a warning.
    for (const auto& step : check.steps)
        for (const std::string& w : step.warnings) {
            if (base::startsWith(w, "reject_warning: ")) {
                std::optional<std::string> saved = logRecipient_;
                if (stage == SmtpdRestrictions::LiveStage::Rcpt) logRecipient_ = std::string(recipient);
                logWhatsup("reject_warning", std::string_view(w).substr(16));
                logRecipient_ = saved;
            } else {
                base::msgWarn(w);
            }
        }
    return check;
}

std::string SmtpServerSession::namaddrWarning(const std::string& why) const {
    return restrictions_.session().namaddr() + ": " + why;
}

void SmtpServerSession::startContent() {
    if (savedFlags_ && !options_.standAlone) sink_.processingFlags(savedFlags_);
    sink_.messageStart();
    for (const std::string& header : prepend_) sink_.contentLine(header, true);
    ReceivedFields f;
    const policy::SmtpdSession& s = restrictions_.session();
    f.heloName = helo_ ? *helo_ : "";
    f.clientName = s.clientName;
    f.clientAddress = s.clientAddress;
    f.ipv6 = s.clientAddress.find(':') != std::string::npos;
    f.myhostname = myhostname_;
    f.mailName = context_.get("mail_name");
    f.protocol = smtputf8_ ? "UTF8SMTP" : protocol_;
    // RFC 3848: ESMTPA for an authenticated ESMTP client (XCLIENT LOGIN=).
    if (!s.saslUsername.empty() && protocol_ == "ESMTP") f.protocol += "A";
    f.queueId = queueId_ ? *queueId_ : "";
    f.recipient = rcptCount_ == 1 && recipient_ ? *recipient_ : "";
    f.arrival = arrival_.first;
    for (const std::string& l : receivedHeader(f)) sink_.contentLine(l, true);
    actSize_ = 0;
    err_ = 0;
    firstLine_ = true;
    prevCont_ = false;
    prevBareLf_ = false;
}

bool SmtpServerSession::dataCmd(const std::vector<std::string>& argv) {
    if (bdatState_ != BdatState::None) {
        reply("503 5.5.1 Error: DATA after BDAT");
        return false;
    }
    if (rcptCount_ == 0) {
        reply(sender_ ? "554 5.5.1 Error: no valid recipients" : "503 5.5.1 Error: need RCPT command");
        return false;
    }
    if (argv.size() != 1) {
        reply("501 5.5.4 Syntax: DATA");
        return false;
    }
    if (!options_.standAlone && !discard_) {
        auto check = liveCheck(SmtpdRestrictions::LiveStage::Data, *sender_, rcptCount_ == 1 ? *recipient_ : "");
        applyActions(check.actions, stepTexts(check));
        if (check.verdict != Verdict::Accept) {
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            logWhatsup("reject", text);
            reply(text);
            return false;
        }
    }
    startContent();
    reply("354 End data with <CR><LF>.<CR><LF>");
    where_ = "DATA content";
    inData_ = true;
    return true;
}

void SmtpServerSession::dataLine(std::string_view line, bool complete, bool bareLf) {
    if (bareLf && bareLfMode_ == 2) err_ |= SinkResult::kBareLf;
    if (firstLine_) {
        std::string_view rest = line.substr(std::min(line.size(), line.find_first_not_of('>')));
        if (rest.substr(0, 5) == "From ") {
            if (err_ == 0) sink_.contentLine("X-Mailbox-Line: ", false);
            actSize_ += 16;
        }
        firstLine_ = false;
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && err_ == 0) sink_.contentLine("", true);
    }
    bool wasCont = prevCont_;
    bool prevBare = prevBareLf_;
    prevCont_ = !complete;
    prevBareLf_ = bareLf;
    if (inData_ && !wasCont && !line.empty() && line[0] == '.') {
        line.remove_prefix(1);
        if (line.empty() && complete) {
            if (bareLfMode_ != 0 && (bareLf || prevBare)) return;
            inData_ = false;
            endOfData();
            return;
        }
    }
    if (err_ == 0) {
        long len = static_cast<long>(line.size());
        if (messageSizeLimit_ > 0 && messageSizeLimit_ - actSize_ < len + 2) {
            err_ = SinkResult::kSize;
            base::msgWarn((queueId_ ? *queueId_ : std::string("NOQUEUE")) + ": queue file size limit exceeded");
        } else {
            actSize_ += len + 2;
            sink_.contentLine(line, complete);
        }
    }
}

void SmtpServerSession::endOfData() {
    where_ = "END-OF-MESSAGE";
    bool bdat = bdatState_ != BdatState::None;
    int cmd = bdat ? kBdat : kData;
    auto done = [&](bool ok) {
        mailReset();
        finishCommand(cmd, ok);
    };
    if (err_ == 0 && !options_.standAlone && !discard_) {
        auto check = liveCheck(SmtpdRestrictions::LiveStage::EndOfData, *sender_, rcptCount_ == 1 ? *recipient_ : "");
        applyActions(check.actions, stepTexts(check));
        if (check.verdict != Verdict::Accept) {
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            logWhatsup("reject", text);
            reply(text);
            done(false);
            return;
        }
    }
    SinkResult result;
    if (err_ == 0) {
        sink_.extractedStart();
        if (!savedFilter_.empty()) sink_.contentFilter(savedFilter_);
        if (!savedRedirect_.empty()) sink_.redirect(savedRedirect_);
        for (const std::string& bcc : savedBcc_) {
            sink_.recipient(bcc);
            sink_.attribute("notify_flags", "1");  // DSN_NOTIFY_NEVER
        }
        if (savedFlags_) sink_.processingFlags(savedFlags_);
        result = sink_.finish();
        sinkOpen_ = false;
        err_ = result.status;
    } else {
        sink_.abandon();
        sinkOpen_ = false;
    }
    auto isSmtpReject = [](const std::string& s) {
        return s.size() >= 3 && (s[0] == '4' || s[0] == '5') && base::isDigit(s[1]) && base::isDigit(s[2]) &&
               (s.size() == 3 || s[3] == ' ' || s[3] == '-');
    };
    auto detail = [&](int smtp, const char* dsn, const char* text) {
        return base::cat(result.smtp ? result.smtp : smtp, " ", result.dsn.empty() ? dsn : result.dsn.c_str(),
                         " Error: ", result.text.empty() ? text : result.text.c_str());
    };
    if (err_ == 0) {
        errorCount_ = 0;
        junkCommands_ = 0;
        if (bdat)
            reply(base::cat("250 2.0.0 Ok: ", actSize_, " bytes queued as ", *queueId_));
        else
            reply("250 2.0.0 Ok: queued as " + *queueId_);
    } else if (err_ & SinkResult::kBareLf) {
        logWhatsup("reject", "bare <LF> received");
        reply(base::cat(bareLfCode_, " 5.5.2 ", myhostname_, " Error: bare <LF> received"));
    } else if (isSmtpReject(result.why)) {
        reply(result.why);
    } else if (err_ & SinkResult::kDefer) {
        reply(!result.why.empty() ? base::cat(result.smtp ? result.smtp : 451, " ", result.why)
                                  : detail(451, "4.7.1", "service unavailable"));
    } else if (err_ & SinkResult::kBad) {
        reply(base::cat(result.smtp ? result.smtp : 451, " ", result.dsn.empty() ? "4.3.0" : result.dsn,
                        " Error: internal error ", err_));
    } else if (err_ & SinkResult::kSize) {
        reply(err_ == SinkResult::kSize && result.status == 0 ? "552 5.3.4 Error: message file too big"
                                                              : detail(552, "5.3.4", "message file too big"));
    } else if (err_ & SinkResult::kHops) {
        reply(detail(554, "5.4.0", "too many hops"));
    } else if (err_ & SinkResult::kCont) {
        reply(!result.why.empty() ? base::cat(result.smtp ? result.smtp : 550, " ", result.why)
                                  : detail(550, "5.7.1", "message content rejected"));
    } else if (err_ & SinkResult::kWrite) {
        reply(detail(451, "4.3.0", "queue file write error"));
    } else {
        reply(base::cat(451, " ", "4.3.0", " Error: internal error ", err_));
    }
    done(err_ == 0);
}

// bdat_cmd(): BDAT SIZE [LAST]; SIZE bytes of content follow the command line.
bool SmtpServerSession::bdatCmd(const std::vector<std::string>& argv, const std::string& line) {
    const std::string id = queueId_ ? *queueId_ : "NOQUEUE";
    const std::string namaddr = restrictions_.session().namaddr();
    if (discardMask_ & ehlo_mask::kChunking) {
        reply("521 5.5.1 Error: command not implemented");
        finishCommand(kBdat, false);
        return false;
    }
    long size = -1;
    if (argv.size() >= 2 && allDigits(argv[1]) && argv[1].size() < 19) size = std::stol(argv[1]);
    if (argv.size() < 2 || argv.size() > 3 || size < 0 ||
        (argv.size() == 3 && !base::equalsIgnoreCase(argv[2], "LAST"))) {
        base::msgWarn(id + ": malformed BDAT command syntax from " + namaddr + ": " +
                      base::printable(std::string_view(line).substr(0, 100), false));
        reply("521 5.5.4 Syntax: BDAT count [LAST]");
        finishCommand(kBdat, false);
        return false;
    }
    bdatChunk_ = size;
    bdatRemaining_ = size;
    bdatLast_ = argv.size() == 3;
    bdatSkip_ = false;
    bdatReply_.clear();
    auto skip = [&](std::string text) {
        bdatSkip_ = true;
        bdatReply_ = std::move(text);
        actSize_ += size;
    };
    if (size == 0 && !bdatLast_) {
        base::msgWarn(id + ": null BDAT request from " + namaddr);
        skip("551 5.7.1 Null BDAT request");
    } else if (bdatState_ == BdatState::Error) {
        skip(base::cat("551 5.0.0 Discarded ", size, " bytes after earlier error"));
    } else if (bdatState_ == BdatState::None && rcptCount_ == 0) {
        skip(sender_ ? "554 5.5.1 Error: no valid recipients" : "503 5.5.1 Error: need RCPT command");
    } else if (bdatState_ == BdatState::None && !options_.standAlone && !discard_) {
        auto check = liveCheck(SmtpdRestrictions::LiveStage::Data, *sender_, rcptCount_ == 1 ? *recipient_ : "");
        applyActions(check.actions, stepTexts(check));
        if (check.verdict != Verdict::Accept) {
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            logWhatsup("reject", text);
            skip(text);
        }
    }
    if (!bdatSkip_ && messageSizeLimit_ > 0 && actSize_ > messageSizeLimit_ - size) {
        base::msgWarn(id + ": BDAT request from " + namaddr + " exceeds message size limit");
        skip("552 5.3.4 Chunk exceeds message size limit");
    }
    if (!bdatSkip_) {
        if (bdatState_ == BdatState::None) {
            startContent();
            bdatLine_.clear();
        }
        bdatState_ = BdatState::Ok;
        where_ = "BDAT content";
    }
    if (size > 0) {
        inBdat_ = true;
        return true;
    }
    bdatChunkDone();
    return true;
}

// A chunk's bytes as lines for cleanup: smtp_get() over the chunk with line_length_limit,
// a line left open at the chunk's end continued by the next chunk.
void SmtpServerSession::bdatContent(std::string_view chunk) {
    const size_t limit = lineLimit_ > 0 ? static_cast<size_t>(lineLimit_) : std::string::npos;
    while (!chunk.empty()) {
        size_t nl = chunk.find('\n');
        size_t room = limit == std::string::npos ? std::string::npos : limit - std::min(limit, bdatLine_.size());
        if (nl != std::string_view::npos && (room == std::string::npos || nl < room + 1)) {
            bdatLine_.append(chunk.substr(0, nl));
            chunk.remove_prefix(nl + 1);
            bool bareLf = false;
            if (bareLfMode_ != 0) {
                if (!bdatLine_.empty() && bdatLine_.back() == '\r')
                    bdatLine_.pop_back();
                else
                    bareLf = true;
            } else {
                while (!bdatLine_.empty() && bdatLine_.back() == '\r') bdatLine_.pop_back();
            }
            dataLine(bdatLine_, true, bareLf);
            bdatLine_.clear();
        } else if (room != std::string::npos && chunk.size() > room) {
            bdatLine_.append(chunk.substr(0, room));
            chunk.remove_prefix(room);
            dataLine(bdatLine_, false, false);
            bdatLine_.clear();
        } else {
            bdatLine_.append(chunk);
            chunk = {};
        }
    }
}

// The end of a chunk: its reply, and the message's end after the last one.
void SmtpServerSession::bdatChunkDone() {
    if (bdatSkip_) {
        reply(bdatReply_);
        if (bdatLast_)
            mailReset();
        else
            bdatState_ = BdatState::Error;
        finishCommand(kBdat, false);
        return;
    }
    if (bdatLast_) {
        if (!bdatLine_.empty()) dataLine(bdatLine_, true, false);
        bdatLine_.clear();
        endOfData();
        return;
    }
    if (err_ != 0) {
        endOfData();
        bdatState_ = BdatState::Error;
        return;
    }
    reply(base::cat("250 2.0.0 Ok: ", bdatChunk_, " bytes"));
    finishCommand(kBdat, true);
}

bool SmtpServerSession::rsetCmd(const std::vector<std::string>& argv) {
    if (argv.size() != 1) {
        reply("501 5.5.4 Syntax: RSET");
        return false;
    }
    mailReset();
    reply("250 2.0.0 Ok");
    return true;
}

bool SmtpServerSession::noopCmd(const std::vector<std::string>&) {
    reply("250 2.0.0 Ok");
    return true;
}

bool SmtpServerSession::vrfyCmd(const std::vector<std::string>& argvIn) {
    std::vector<std::string> argv = argvIn;
    if (disableVrfy_) {
        reply("502 5.5.1 VRFY command is disabled");
        return false;
    }
    bool utf8 = false;
    if (smtputf8Enable_ && !(discardMask_ & ehlo_mask::kSmtputf8) && argv.size() > 1 &&
        base::equalsIgnoreCase(argv.back(), "SMTPUTF8")) {
        argv.pop_back();
        utf8 = true;
    }
    if (argv.size() < 2) {
        reply(std::string("501 5.5.4 Syntax: VRFY address") + (smtputf8Enable_ ? " [SMTPUTF8]" : ""));
        return false;
    }
    std::string arg = argv[1];
    for (size_t i = 2; i < argv.size(); ++i) arg += " " + argv[i];
    auto result = policy::smtpdRcptTo(context_, argv.size() == 2 ? arg : "<" + arg + ">", "", utf8);
    if (!result.ok || result.address.empty()) {
        base::msgWarn("Illegal address syntax from " + restrictions_.session().namaddr() +
                      " in VRFY command: " + base::printable(arg, false));
        reply("501 5.1.3 Bad recipient address syntax");
        return false;
    }
    if (!options_.standAlone) {
        auto check = liveCheck(SmtpdRestrictions::LiveStage::Rcpt, sender_ ? *sender_ : "", result.address);
        logRecipient_ = result.address;
        applyActions(check.actions, stepTexts(check));
        logRecipient_.reset();
        if (check.verdict != Verdict::Accept) {
            std::string text = check.undecidable ? "451 4.3.5 Server configuration problem" : check.reply;
            logRecipient_ = result.address;
            logWhatsup("reject", text);
            logRecipient_.reset();
            reply(text);
            return false;
        }
    }
    reply("252 2.0.0 " + arg);
    return true;
}

// STARTTLS without TLS support (starttls_cmd with smtpd_use_tls off).
bool SmtpServerSession::starttlsCmd(const std::vector<std::string>& argv) {
    if (argv.size() != 1) {
        reply("501 5.5.4 Syntax: STARTTLS");
        return false;
    }
    reply("502 5.5.1 Error: command not implemented");
    return false;
}

// AUTH without SASL (smtpd_sasl_auth_cmd with smtpd_sasl_auth_enable off).
bool SmtpServerSession::authCmd(const std::vector<std::string>&) {
    if (helloRequired_ && !helo_) {
        reply("503 5.5.1 Error: send HELO/EHLO first");
        return false;
    }
    reply("503 5.5.1 Error: authentication not enabled");
    return false;
}

bool SmtpServerSession::quitCmd(const std::vector<std::string>&) {
    reply("221 2.0.0 Bye");
    return true;
}

std::string SmtpServerSession::disconnectStats() const {
    std::string out;
    int ok = 0, total = 0;
    for (int c = 0; c < kCmdCount; ++c) {
        auto [success, all] = counts_[c];
        if (all == 0) continue;
        out += " " + base::lowercase(kCmdNames[c]) + "=" + std::to_string(success);
        if (success != all) out += "/" + std::to_string(all);
        ok += success;
        total += all;
    }
    out += " commands=" + std::to_string(ok);
    if (ok != total || total == 0) out += "/" + std::to_string(total);
    return out;
}

void SmtpServerSession::close() {
    if (closed_ || !started_) return;
    closed_ = true;
    done_ = true;
    const std::string namaddr = restrictions_.session().namaddr();
    if (!reason_.empty()) {
        // The bytes of the complete content lines: a last line without its end was
        // taken from the stream by smtp_get() and is neither counted nor unread.
        if (where_ == "DATA content")
            base::msgInfo(base::cat(reason_, " after DATA (", actSize_, " bytes) from ", namaddr));
        else if (where_ == "BDAT content")
            base::msgInfo(base::cat(reason_, " after BDAT (", actSize_, " bytes) from ", namaddr));
        else if (where_ != "END-OF-MESSAGE" || reason_ != "lost connection")
            base::msgInfo(base::cat(reason_, " after ", where_, " from ", namaddr));
    }
    if (sinkOpen_) sink_.abandon();
    sinkOpen_ = false;
    if (anvilConnected_) options_.events->disconnect(options_.service, anvilAddress_);
    anvilConnected_ = false;
    base::msgInfo("disconnect from " + namaddr + disconnectStats());
}

}  // namespace postline::smtp
