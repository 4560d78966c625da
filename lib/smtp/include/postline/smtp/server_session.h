// One SMTP server session as Postfix's smtpd holds it (smtpd/smtpd.c smtpd_proto and
// the command functions, smtpd_chat.c, global/smtp_stream.c smtp_get): a byte-fed state
// machine without sockets or clocks. The owner feeds it what the client sent, writes
// out what it answers (sleeping where it says), and closes the connection when it is
// done; restrictions come from lib/policy, accepted mail goes to a MessageSink.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/policy/smtpd_restrictions.h"
#include "postline/smtp/client_events.h"
#include "postline/smtp/flush_service.h"
#include "postline/smtp/message_sink.h"
#include "postline/smtp/xclient.h"

namespace postline::address {
class RoutingContext;
class HostAddressList;
}  // namespace postline::address
namespace postline::maps {
class MapList;
}

namespace postline::smtp {

// smtpd's parameters as a session uses them (smtpd.c's var_* tables), read from a
// routing context's configuration by read(). An owner that serves many sessions with
// one configuration reads them once and passes them in SessionOptions::parameters.
struct SessionParameters {
    std::string myhostname;
    long lineLimit = 2048;
    long softErrorLimit = 10, hardErrorLimit = 20, junkLimit = 100, errorSleep = 1;
    long overshootLimit = 1000;
    long recipientLimit = 1000, messageSizeLimit = 10240000, timeout = 300;
    bool delayReject = true, helloRequired = false, disableVrfy = false, smtputf8Enable = true;
    bool forbidUnauthPipelining = false;
    bool softBounce = false;
    int bareLfMode = 0;  // smtpd_forbid_bare_newline: 0 no, 1 normalize, 2 reject
    int bareLfCode = 550;
    unsigned discardMask = 0;
    std::vector<std::string> noopCommands;
    std::string rejectFooter;     // smtpd_reject_footer, unexpanded
    std::string expansionFilter;  // smtpd_expansion_filter, unescaped
    // smtpd_forbid_bare_newline_exclusions (null when bareLfMode is 0); its lookups
    // are shared by the sessions that share these parameters.
    std::shared_ptr<address::HostAddressList> bareLfExclusions;
    // smtpd_authorized_xclient_hosts and smtpd_authorized_xforward_hosts (null when
    // empty), and smtpd_reject_footer_maps (null when empty; opened as Postfix's
    // smtpd_chat.c opens it, without case folding), shared the same way.
    std::shared_ptr<address::HostAddressList> xclientHosts, xforwardHosts;
    std::shared_ptr<maps::MapList> rejectFooterMaps;
    // smtpd_client_connection_count_limit, _connection_rate_limit, _message_rate_limit,
    // _recipient_rate_limit (0: none), and the clients they do not apply to
    // (smtpd_client_event_limit_exceptions; null when empty).
    long connectionCountLimit = 50, connectionRateLimit = 0, messageRateLimit = 0, recipientRateLimit = 0;
    std::shared_ptr<address::HostAddressList> eventLimitExceptions;
    unsigned inetFamilies = kFamilyIpv4 | kFamilyIpv6;  // inet_protocols, for XCLIENT and XFORWARD addresses

    // Also opens smtpd_discard_ehlo_keyword_address_maps and smtpd_forbidden_commands
    // in `context` (kept there for the sessions).
    static SessionParameters read(address::RoutingContext& context);
};

// Who is at the other end and how this session runs (smtpd_peer.c, smtpd.c's main).
struct SessionOptions {
    std::string clientName = "unknown";   // verified name, or "unknown"
    std::string reverseName = "unknown";  // reverse lookup result, or "unknown"
    std::string clientAddress = "127.0.0.1";
    std::string clientPort = "unknown";
    std::string serverAddress;
    std::string serverPort;
    int addressFamily = 2;  // AF_INET 2, AF_INET6 10, as client_address_type; 0: not on an Internet socket
    // SMTPD_STAND_ALONE: smtpd -S run by a user other than mail_owner (sendmail -bs):
    // no restrictions, no pipelining check, no bare newline detection.
    bool standAlone = false;
    // The current time (seconds, microseconds): arrival time and the Received date.
    std::function<std::pair<long, long>()> clock;
    // The parameters of the context's configuration (SessionParameters::read); null:
    // the session reads them.
    std::shared_ptr<const SessionParameters> parameters;
    // The fast flush service ETRN asks (not owned; it must outlive the session); null:
    // there is none, and ETRN for a fast_flush_domains site answers as Postfix's smtpd
    // does when it cannot reach public/flush.
    FlushService* flush = nullptr;
    // anvil(8)'s counts (not owned; it must outlive the session); null: no client limits.
    ClientEvents* events = nullptr;
    std::string service = "smtp";  // master.cf's service name, anvil's identity prefix
};

// What the owner writes: `bytes` after sleeping `sleepBefore` seconds (smtpd_chat_reply
// sleeps smtpd_error_sleep_time before a reply once smtpd_soft_error_limit errors were made).
struct OutputChunk {
    long sleepBefore = 0;
    std::string bytes;
};

class SmtpServerSession {
public:
    // `context`, `restrictions` and `sink` must outlive the session. `restrictions`'
    // session (client address and names) must describe the same client as `options`.
    SmtpServerSession(address::RoutingContext& context, policy::SmtpdRestrictions& restrictions, MessageSink& sink,
                      SessionOptions options);
    ~SmtpServerSession();
    SmtpServerSession(const SmtpServerSession&) = delete;
    SmtpServerSession& operator=(const SmtpServerSession&) = delete;

    // Logs "connect from NAME[ADDR]", evaluates the CONNECT stage, sends the greeting.
    // `pending`: what the client sent before the greeting (logged as improper
    // pipelining), fed after it.
    void start(std::string_view pending = {});
    // Bytes the client sent; replies are queued as output. Bytes fed after the session
    // is done are ignored.
    void feed(std::string_view bytes);
    // The client closed the connection (or reading failed): "lost connection after X".
    void endOfInput();
    // No input within timeoutSeconds(): 421 4.4.2 and "timeout after X".
    void timedOut();
    // The replies queued so far, in order; the queue is emptied.
    std::vector<OutputChunk> takeOutput();
    // True once the session ended (QUIT, a 421/521 reply, a fatal protocol error, end of
    // input): the owner writes the remaining output and closes the connection.
    bool done() const { return done_; }
    // smtpd_timeout: how long the owner waits for input now.
    long timeoutSeconds() const;
    // Ends the session: abandons an unfinished message and logs "disconnect from ...
    // commands=..." (once; the destructor calls it too).
    void close();

    // What the session knows, for tests and the owner's logs.
    const std::string& where() const { return where_; }
    const std::string& protocol() const { return protocol_; }
    int errorCount() const { return errorCount_; }

private:
    void processInput();
    void command(std::string line, bool bareLf, bool more);
    void dataLine(std::string_view line, bool complete, bool bareLf);
    void reply(std::string text);
    void endOfData();
    void startContent();
    void mailReset();
    std::string namaddrWarning(const std::string& why) const;
    policy::RecipientCheck liveCheck(policy::SmtpdRestrictions::LiveStage stage, std::string_view sender,
                                     std::string_view recipient);
    void hangup() { done_ = true; }
    void logWhatsup(std::string_view action, std::string_view text);
    std::string whatsup() const;
    std::string disconnectStats() const;

    // commands (smtpd.c's *_cmd functions): true on success
    bool heloCmd(const std::vector<std::string>& argv, bool ehlo);
    bool mailCmd(const std::vector<std::string>& argv, const std::string& line);
    bool rcptCmd(const std::vector<std::string>& argv, const std::string& line);
    bool dataCmd(const std::vector<std::string>& argv);
    bool rsetCmd(const std::vector<std::string>& argv);
    bool noopCmd(const std::vector<std::string>& argv);
    bool vrfyCmd(const std::vector<std::string>& argv);
    bool etrnCmd(const std::vector<std::string>& argv);
    bool quitCmd(const std::vector<std::string>& argv);
    bool bdatCmd(const std::vector<std::string>& argv, const std::string& line);
    void bdatContent(std::string_view chunk);
    void bdatChunkDone();
    void finishCommand(int cmd, bool ok);
    bool xclientCmd(const std::vector<std::string>& argv);
    bool xforwardCmd(const std::vector<std::string>& argv);
    // After a successful XCLIENT: the session starts over as the new client.
    void xclientRestart();
    // The greeting stage (smtpd_proto's case 0): EHLO keyword maps, the CONNECT
    // restrictions, the 220 banner. `again`: after XCLIENT.
    void greeting(bool again);
    // The client's authorization for XCLIENT (namadr_list_match), and for XFORWARD when
    // `xforwardToo` (at the start only: XCLIENT does not change who may use XFORWARD).
    void authorizeXcommands(bool xforwardToo);
    // SMTP_ERR_DATA: "don't know if ..." and a 421 (cant_announce_feature, cant_permit_command).
    void localDataError(const std::string& warning);
    // rfc_addr: the client address as the Received header and cleanup show it.
    std::string rfcAddress() const;
    // The client limits (anvil): at the start a 421 when the connection count or rate
    // is exceeded (false then); at MAIL and RCPT a 450 when the rate is.
    bool connectionLimits();
    bool messageRateExceeded();
    bool recipientRateExceeded();
    bool starttlsCmd(const std::vector<std::string>& argv);
    bool authCmd(const std::vector<std::string>& argv);
    void commandFailed(const std::string& text, const std::string& line, const std::string& address);
    void applyActions(const std::vector<std::string>& actions, const std::vector<std::string>& stepTexts);

    address::RoutingContext& context_;
    policy::SmtpdRestrictions& restrictions_;
    MessageSink& sink_;
    SessionOptions options_;
    std::shared_ptr<const SessionParameters> params_;
    bool inetSocket_ = true;  // the client came over an Internet socket (XCLIENT does not change that)

    // configuration read once (var_*)
    std::string myhostname_;
    long lineLimit_ = 2048;
    long softErrorLimit_ = 10, hardErrorLimit_ = 20, junkLimit_ = 100, errorSleep_ = 1;
    long overshootLimit_ = 1000;
    long recipientLimit_ = 1000, messageSizeLimit_ = 10240000, timeout_ = 300;
    bool delayReject_ = true, helloRequired_ = false, disableVrfy_ = false, smtputf8Enable_ = true;
    bool forbidUnauthPipelining_ = false;
    int bareLfMode_ = 0;  // 0 no, 1 normalize, 2 reject
    int bareLfCode_ = 550;
    unsigned discardMask_ = 0;
    bool discardMapError_ = false;  // smtpd_discard_ehlo_keyword_address_maps failed
    std::vector<std::string> noopCommands_;
    std::string rejectFooter_;     // smtpd_reject_footer, unexpanded
    std::string expansionFilter_;  // smtpd_expansion_filter, unescaped
    bool softBounce_ = false;

    // input
    std::string in_;
    bool skipping_ = false;  // discarding an over-long command's rest
    std::string longLine_;   // the over-long command's first line_length_limit bytes
    bool inData_ = false;
    bool inBdat_ = false;
    long bdatRemaining_ = 0;
    long bdatChunk_ = 0;
    bool bdatLast_ = false;
    bool bdatSkip_ = false;  // this chunk is read and dropped; bdatReply_ answers it
    std::string bdatReply_;
    std::string bdatLine_;  // a content line continued in the next chunk
    enum class BdatState { None, Ok, Error } bdatState_ = BdatState::None;  // SMTPD_BDAT_STAT_*

    // session state
    std::vector<OutputChunk> out_;
    bool started_ = false, done_ = false, closed_ = false;
    std::string where_ = "CONNECT";
    std::string reason_;
    std::string protocol_ = "SMTP";
    std::optional<std::string> helo_;
    std::optional<std::string> accessDenied_;
    int errorCount_ = 0;
    int junkCommands_ = 0;
    bool illPipelining_ = false;
    // XCLIENT and XFORWARD
    bool xclientAllowed_ = false, xforwardAllowed_ = false;
    // anvil: whether this client's events are counted, and its connection was.
    bool eventsCounted_ = false, anvilConnected_ = false;
    std::string anvilAddress_;
    bool xclientError_ = false, xforwardError_ = false;      // the host list lookup failed
    XforwardState xforward_;                                 // reset with each mail transaction
    std::optional<std::string> saslMethod_;                  // "XCLIENT" after XCLIENT LOGIN=
    std::shared_ptr<policy::NetworkFacts> xclientFacts_;     // the name lookup status XCLIENT set
    const policy::NetworkFacts* originalNetwork_ = nullptr;  // restored when the session ends

    // mail transaction
    std::optional<std::string> sender_;
    std::string rewriteContext_ = "remote";    // rewrite_context: local_header_rewrite_clients' verdict
    std::optional<std::string> recipient_;     // the first accepted recipient
    std::optional<std::string> logRecipient_;  // the recipient a RCPT reject logs
    bool smtputf8_ = false;
    std::string encoding_;
    std::string envid_;
    int dsnRet_ = 0;
    long msgSize_ = 0;  // MAIL FROM's SIZE=
    std::pair<long, long> arrival_{0, 0};
    int rcptCount_ = 0;
    long rcptOvershoot_ = 0;
    std::optional<std::string> queueId_;
    bool sinkOpen_ = false;

    // what access actions asked for (saved_flags, saved_filter, saved_redirect, saved_bcc,
    // prepend, discard)
    int savedFlags_ = 0;
    std::string savedFilter_;
    std::string savedRedirect_;
    std::vector<std::string> savedBcc_;
    std::vector<std::string> prepend_;
    bool discard_ = false;

    // message content
    long actSize_ = 0;
    int err_ = 0;
    bool firstLine_ = true;
    bool prevCont_ = false;
    bool prevBareLf_ = false;

    // per-command counts for the disconnect line: {success, total}
    std::vector<std::pair<int, int>> counts_;
};

}  // namespace postline::smtp
