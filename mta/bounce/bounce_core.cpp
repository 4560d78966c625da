// The bounce service's requests (bounce_core.h): reading the log and the queue file as
// bounce_mail_alloc() does, choosing who gets which notice as bounce_notify_service()
// and bounce_warn_service() do, composing it (lib/message dsn_report) and posting it.
#include "bounce_core.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "postline/address/tokens.h"
#include "postline/delivery/deliver_request.h"
#include "postline/message/dsn_report.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/bounce_log.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/queue_file.h"
#include "postline/queue/queue_lock.h"
#include "postline/queue/recipient_done.h"

namespace postline::bounce {
namespace {

namespace dsn_notify = message::dsn_notify;
namespace dsn_ret = message::dsn_ret;

constexpr int kFlagClean = 1 << 0;          // BOUNCE_FLAG_CLEAN: remove the log on error
constexpr int kFlagDelrcpt = 1 << 1;        // BOUNCE_FLAG_DELRCPT: mark the recipients done
constexpr int kSmtputf8Requested = 1 << 0;  // SOPT_SMTPUTF8_REQUESTED
constexpr int kSmtputf8All = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3);  // SOPT_SMTPUTF8_ALL

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

std::string errnoText(int err) { return std::strerror(err); }

// What bounce_mail_alloc() gathers: the log's entries and the original message.
struct Material {
    bool logAvailable = false;
    std::vector<queue::BounceLogEntry> entries;
    bool originalAvailable = false;
    int queueFd = -1;    // open (read-write, shared lock) while the notice is made
    std::string sender;  // quoted; MAILER-DAEMON@$myhostname for the null sender
    long arrivalTime = 0;
    long messageSize = 0;
    std::vector<std::string> lines;
    std::string messageId;  // "<id>" (threaded bounces)

    Material() = default;
    Material(const Material&) = delete;
    Material& operator=(const Material&) = delete;
    ~Material() {
        if (queueFd >= 0) ::close(queueFd);
    }
};

class Notifier {
public:
    Notifier(const delivery::BounceRequest& request, const BounceSettings& settings, Poster& poster)
        : req_(request), s_(settings), poster_(poster) {}

    // Loads the material; an Error is a failure that makes the request fail (Postfix's
    // msg_fatal: the queue manager tries again later).
    base::Status load(message::DsnReportKind kind);
    // Whether load() found the service's log.
    bool logAvailable() const { return m_.logAvailable; }
    int flush();
    int warn();
    int trace(const std::string& envelopeSender, const std::string& to);
    void deleteRecipients();

private:
    message::DsnReport report(message::DsnReportKind kind, bool postmasterCopy, const std::string& to, int filter,
                              int ret) const;
    // Posts one notice; returns Postfix's status (0: posted or nothing to post).
    // `what` is the log's word ("sender non-delivery", "postmaster delay", ...).
    int post(const std::string& envelopeSender, const std::string& to, const message::DsnReport& r,
             std::string_view what);
    void info(const std::string& text) const {
        if (s_.info) s_.info(text);
    }
    void warning(const std::string& text) const {
        if (s_.warn) s_.warn(text);
    }
    std::string doubleBounceAddress() const { return s_.doubleBounceSender + "@" + s_.myhostname; }
    std::string logPath() const { return queue::queuePath(s_.layout, s_.serviceName, req_.queueId); }

    const delivery::BounceRequest& req_;
    const BounceSettings& s_;
    Poster& poster_;
    Material m_;
    message::DsnReportKind kind_ = message::DsnReportKind::Failure;
};

base::Status Notifier::load(message::DsnReportKind kind) {
    kind_ = kind;
    // The log: missing is no error (the report says so), unreadable is.
    std::string log = s_.queueDirectory + "/" + logPath();
    if (::access(log.c_str(), F_OK) == 0 || errno != ENOENT) {
        auto entries = queue::readBounceLog(log);
        if (!entries) {
            if (entries.error().errnum != ENOENT)
                return base::Error{"open " + s_.serviceName + " " + req_.queueId + ": " + entries.error().message};
        } else {
            m_.logAvailable = true;
            m_.entries = std::move(*entries);
            // bounce_log_open()'s defaults for entries without status or action.
            bool deferLog = s_.serviceName == "defer";
            for (queue::BounceLogEntry& e : m_.entries) {
                if (e.status.empty()) e.status = deferLog ? "4.0.0" : "5.0.0";
                if (e.action.empty()) e.action = deferLog ? "delayed" : "failed";
            }
        }
    }
    // The queue file: missing is no error either.
    std::string path = s_.queueDirectory + "/" + queue::queuePath(s_.layout, req_.queueName, req_.queueId);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return base::Status::success();
        return base::Error{"open " + s_.serviceName + " " + req_.queueId + ": " + errnoText(errno)};
    }
    m_.queueFd = fd;
    auto locked = queue::tryLockQueueFile(fd, queue::QueueLock::Delivery);
    if (!locked || !*locked)
        return base::Error{"cannot get shared lock on " + path + ": " +
                           (locked ? std::string("Resource temporarily unavailable") : locked.error().message)};
    int dup = ::dup(fd);
    if (dup < 0) return base::Error{"dup " + path + ": " + errnoText(errno)};
    queue::InputStream in = queue::InputStream::fromDescriptor(dup, path);
    auto file = queue::readQueueFile(in);
    ::close(dup);
    if (!file) {
        // Bouncing does not have to be perfect: report without the message.
        warning(req_.queueId + ": " + file.error().message);
        return base::Status::success();
    }
    m_.originalAvailable = file->size.has_value() && file->size->dataOffset > 0;
    if (file->size) m_.messageSize = std::max(0L, file->size->contentSize);
    if (file->arrivalTime) m_.arrivalTime = std::max(0L, file->arrivalTime->first);
    if (file->sender) {
        m_.sender = address::quoteLocalPart(file->sender->empty() ? "MAILER-DAEMON@" + s_.myhostname : *file->sender);
    }
    m_.lines = std::move(file->lines);
    if (s_.threadedBounces) {
        if (auto id = file->attribute("message_id")) {
            std::string_view v = *id;
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
            if (!v.empty() && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
            m_.messageId = "<" + std::string(v) + ">";
        }
    }
    return base::Status::success();
}

message::DsnReport Notifier::report(message::DsnReportKind kind, bool postmasterCopy, const std::string& to, int filter,
                                    int ret) const {
    message::DsnReport r;
    r.kind = kind;
    r.postmasterCopy = postmasterCopy;
    r.notifyFilter = filter;
    r.to = address::quoteLocalPart(to);
    r.myhostname = s_.myhostname;
    r.mailName = s_.mailName;
    r.obsoleteFrom = s_.obsoleteFrom;
    r.queueId = req_.queueId;
    r.sender = m_.sender;
    r.envid = req_.dsnEnvid;
    auto date = [&](long t) { return s_.formatDate ? s_.formatDate(t) : std::to_string(t); };
    if (m_.arrivalTime > 0) r.arrivalDate = date(m_.arrivalTime);
    r.willRetryUntil = date(m_.arrivalTime + s_.maximalQueueLifetime);
    r.originalMessageId = m_.messageId;
    if (s_.smtputf8Enable || req_.encoding == "8bit")
        r.mimeEncoding = "8bit";
    else if (req_.encoding == "7bit")
        r.mimeEncoding = "7bit";
    else
        r.mimeEncoding.clear();
    r.smtputf8Requested = (req_.sendopts & kSmtputf8Requested) != 0;
    r.smtputf8Any = (req_.sendopts & kSmtputf8All) != 0;
    r.boundary = message::dsnBoundary(req_.queueId, s_.now ? s_.now() : 0, s_.myhostname);
    r.delayWarningTime = s_.delayWarningTime;
    r.maximalQueueLifetime = s_.maximalQueueLifetime;
    if (s_.templates) r.notice = &s_.templates->forKind(kind);
    r.parameter = s_.parameter;
    r.logAvailable = m_.logAvailable;
    for (const queue::BounceLogEntry& e : m_.entries) {
        message::DsnReportRecipient x;
        x.address = e.recipient;
        x.original = e.original;
        x.dsnOrcpt = e.dsnOrcpt;
        x.dsnNotify = e.dsnNotify;
        x.status = e.status;
        x.action = e.action;
        x.diagType = e.diagType;
        x.diagText = e.diagText;
        x.mtaType = e.mtaType;
        x.mtaName = e.mtaName;
        x.reason = e.reason;
        r.recipients.push_back(std::move(x));
    }
    r.originalAvailable = m_.originalAvailable;
    r.originalLines = m_.lines;
    r.ret = ret;
    r.messageSize = m_.messageSize;
    r.bounceSizeLimit = s_.bounceSizeLimit;
    return r;
}

int Notifier::post(const std::string& envelopeSender, const std::string& to, const message::DsnReport& r,
                   std::string_view what) {
    auto sub = poster_.open(envelopeSender, to, req_.sendopts);
    if (!sub) return 1;
    message::ComposedReport composed = message::composeDsnReport(r);
    for (const std::string& w : composed.warnings) warning(w);
    if (!composed.error.empty()) {
        // Fatal in Postfix (the process dies with the notice half written).
        warning(composed.error);
        (*sub)->abandon();
        return 1;
    }
    if (composed.lines.empty()) {
        // No applicable recipients: the notice is cancelled.
        (*sub)->abandon();
        return composed.reported == 0 ? 0 : 1;
    }
    for (const std::string& l : composed.lines) (*sub)->line(l);
    std::string newId = (*sub)->queueId();
    auto status = (*sub)->finish();
    if (!status) return queue::cleanup_stat::kWrite;
    // Postfix 3.7 logs the notice once cleanup has taken it (later versions log when
    // they open it, and warn when it fails; 3.7 says nothing then).
    if (*status == 0) info(req_.queueId + ": " + std::string(what) + " notification: " + newId);
    return *status;
}

int Notifier::flush() {
    NotifyClasses classes = parseNotifyClasses(s_.notifyClasses);
    const std::string& recipient = req_.sender;
    const std::string& id = req_.queueId;
    int status = 1;
    if (equalsIgnoreCase(recipient, doubleBounceAddress())) {
        // A double bounce failed: never a triple bounce.
        warning(id + ": undeliverable postmaster notification discarded");
        status = 0;
    } else if (recipient.empty()) {
        // A single bounce failed: a double bounce to the postmaster, if asked for.
        if (!classes.bounce && !classes.doubleBounce) {
            status = 0;
        } else {
            auto r = report(kind_, true, s_.doubleBounceNoticeRecipient, dsn_notify::kOverride, dsn_ret::kFull);
            status = post(doubleBounceAddress(), s_.doubleBounceNoticeRecipient, r, "postmaster non-delivery");
        }
    } else {
        auto r = report(kind_, false, recipient, dsn_notify::kFailure, req_.dsnRet ? req_.dsnRet : dsn_ret::kFull);
        status = post("", recipient, r, "sender non-delivery");
        if (status == 0 && classes.bounce) {
            auto pm = report(kind_, true, s_.bounceNoticeRecipient, dsn_notify::kOverride, dsn_ret::kHdrs);
            int pmStatus = post(doubleBounceAddress(), s_.bounceNoticeRecipient, pm, "postmaster non-delivery");
            if (pmStatus != 0) warning(id + ": postmaster notice failed while bouncing to " + recipient);
        }
    }
    if (status == 0 && (req_.flags & kFlagDelrcpt) != 0) deleteRecipients();
    if (status == 0) {
        std::string log = s_.queueDirectory + "/" + logPath();
        if (::unlink(log.c_str()) < 0 && errno != ENOENT) {
            warning("remove " + s_.serviceName + " " + id + ": " + errnoText(errno));
            return -1;
        }
    }
    return status == 0 ? 0 : -1;
}

int Notifier::warn() {
    NotifyClasses classes = parseNotifyClasses(s_.notifyClasses);
    const std::string& recipient = req_.sender;
    const std::string& id = req_.queueId;
    int status = 1;
    if (equalsIgnoreCase(recipient, doubleBounceAddress())) {
        warning(id + ": undeliverable postmaster notification discarded");
        status = 0;
    } else if (recipient.empty()) {
        if (!classes.delay) {
            status = 0;
        } else {
            auto r = report(kind_, true, s_.delayNoticeRecipient, dsn_notify::kOverride, dsn_ret::kFull);
            status = post(doubleBounceAddress(), s_.delayNoticeRecipient, r, "postmaster delay");
        }
    } else {
        auto r = report(kind_, false, recipient, dsn_notify::kDelay, dsn_ret::kHdrs);
        status = post("", recipient, r, "sender delay");
        if (status == 0 && classes.delay) {
            auto pm = report(kind_, true, s_.delayNoticeRecipient, dsn_notify::kOverride, dsn_ret::kHdrs);
            int pmStatus = post(doubleBounceAddress(), s_.delayNoticeRecipient, pm, "postmaster delay");
            if (pmStatus != 0) warning(id + ": postmaster notice failed while warning " + recipient);
        }
    }
    return status == 0 ? 0 : -1;
}

// bounce_trace_service(): the report of trace/ID to `to` (the sender, or the postmaster
// for a bounce's own success report), every logged recipient in it, the original's
// headers attached.
int Notifier::trace(const std::string& envelopeSender, const std::string& to) {
    auto r = report(kind_, false, to, dsn_notify::kOverride, dsn_ret::kHdrs);
    int status = post(envelopeSender, to, r, "sender delivery status");
    if (status == 0) {
        std::string log = s_.queueDirectory + "/" + logPath();
        if (::unlink(log.c_str()) < 0 && errno != ENOENT) {
            warning("remove " + s_.serviceName + " " + req_.queueId + ": " + errnoText(errno));
            return -1;
        }
    }
    return status == 0 ? 0 : -1;
}

// bounce_delrcpt(): the log's recipients marked done in the queue file.
void Notifier::deleteRecipients() {
    if (m_.queueFd < 0 || !m_.logAvailable) return;
    for (const queue::BounceLogEntry& e : m_.entries) {
        if (e.offset <= 0) continue;
        if (auto st = queue::markRecipientDone(m_.queueFd, e.offset); !st)
            warning(req_.queueId + ": " + st.error().message);
    }
}

}  // namespace

NotifyClasses parseNotifyClasses(std::string_view value) {
    NotifyClasses c;
    size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && (value[i] == ',' || value[i] == ' ' || value[i] == '\t' || value[i] == '\n')) ++i;
        size_t start = i;
        while (i < value.size() && !(value[i] == ',' || value[i] == ' ' || value[i] == '\t' || value[i] == '\n')) ++i;
        std::string_view word = value.substr(start, i - start);
        if (equalsIgnoreCase(word, "bounce")) c.bounce = true;
        if (equalsIgnoreCase(word, "2bounce")) c.doubleBounce = true;
        if (equalsIgnoreCase(word, "delay")) c.delay = true;
    }
    return c;
}

namespace {

// bounce_trace_service(): who gets the success (or verify) report. A bounce's own
// delivery is reported to the postmaster as a double bounce would be, if at all; a
// double bounce's never.
int serveTraceRequest(const delivery::BounceRequest& request, const BounceSettings& settings, Poster& poster) {
    auto info = [&](const std::string& text) {
        if (settings.info) settings.info(text);
    };
    const std::string& id = request.queueId;
    std::string to = request.sender, from;
    if (equalsIgnoreCase(to, settings.doubleBounceSender + "@" + settings.myhostname)) {
        info(id + ": not sending trace/success notification for double-bounce message");
        return 0;
    }
    if (to.empty()) {
        if (!parseNotifyClasses(settings.notifyClasses).doubleBounce) {
            info(id + ": not sending trace/success notification for single-bounce message");
            std::string log =
                settings.queueDirectory + "/" + queue::queuePath(settings.layout, settings.serviceName, id);
            if (::unlink(log.c_str()) < 0 && errno != ENOENT) {
                if (settings.warn) settings.warn("remove " + settings.serviceName + " " + id + ": " + errnoText(errno));
                return -1;
            }
            return 0;
        }
        to = settings.doubleBounceNoticeRecipient;
        from = settings.doubleBounceSender + "@" + settings.myhostname;
    }
    // sendmail -bv and -v ask for the verify report; NOTIFY=SUCCESS for the success one.
    auto kind = (request.flags & (delivery::kFlagUserVerify | delivery::kFlagRecord)) ? message::DsnReportKind::Verify
                                                                                      : message::DsnReportKind::Success;
    Notifier n(request, settings, poster);
    if (auto loaded = n.load(kind); !loaded) {
        if (settings.warn) settings.warn(loaded.error().message);
        return -1;
    }
    // Any recipient may have asked for SUCCESS, so the queue manager asks whenever one
    // did: no trace log means no delivery to report yet.
    if (!n.logAvailable()) return 0;
    return n.trace(from, to);
}

}  // namespace

int serveBounceRequest(const delivery::BounceRequest& request, const BounceSettings& settings, Poster& poster) {
    if (request.command == delivery::BounceCommand::Trace) {
        int status = serveTraceRequest(request, settings, poster);
        if (status != 0 && (request.flags & kFlagClean) != 0) {
            std::string log = settings.queueDirectory + "/" +
                              queue::queuePath(settings.layout, settings.serviceName, request.queueId);
            ::unlink(log.c_str());
        }
        return status;
    }
    bool warning = request.command == delivery::BounceCommand::Warn;
    Notifier n(request, settings, poster);
    if (auto loaded = n.load(warning ? message::DsnReportKind::Delay : message::DsnReportKind::Failure); !loaded) {
        if (settings.warn) settings.warn(loaded.error().message);
        return -1;
    }
    int status = warning ? n.warn() : n.flush();
    if (status != 0 && (request.flags & kFlagClean) != 0) {
        // bounce_cleanup_log(): the client asked for the log to go on error.
        std::string log =
            settings.queueDirectory + "/" + queue::queuePath(settings.layout, settings.serviceName, request.queueId);
        ::unlink(log.c_str());
    }
    return status;
}

void serveBounceConnection(int inFd, int outFd, const BounceSettings& settings, Poster& poster) {
    auto warn = [&](const std::string& text) {
        if (settings.warn) settings.warn(text);
    };
    if (!queue::attr::writeAll(outFd, delivery::encodeBounceHello())) return;
    std::string pending;
    auto group = queue::attr::readGroup(inFd, pending);
    int status = -1;
    if (!group) {
        warn("malformed request");
    } else if (auto request = delivery::decodeBounceRequest(*group); !request) {
        const std::string& why = request.error().message;
        warn(why.rfind("unknown command", 0) == 0 ? why : "malformed request");
    } else if (!queue::queueNameOk(request->queueName)) {
        warn("malformed queue name: " + request->queueName);
    } else if (!queue::queueIdOk(request->queueId)) {
        warn("malformed queue id: " + request->queueId);
    } else {
        status = serveBounceRequest(*request, settings, poster);
    }
    (void)queue::attr::writeAll(outFd, delivery::encodeBounceReply(status));
}

}  // namespace postline::bounce
