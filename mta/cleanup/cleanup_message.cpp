// One message through cleanup(8): the envelope (Postfix's cleanup_envelope.c), the
// content with its headers (cleanup_message.c), the extracted segment
// (cleanup_extracted.c), the addresses (cleanup_addr.c, cleanup_out_recipient.c) and
// the end (cleanup_api.c's cleanup_flush, cleanup_final.c).
#include "cleanup_message.h"

#include <strings.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "postline/address/addr_find.h"
#include "postline/address/canonical.h"
#include "postline/address/cleanup_address.h"
#include "postline/address/masquerade.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/maps/map_list.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/queue_state.h"
#include "postline/queue/record_type.h"

namespace postline::cleanup {
namespace {

namespace stat = queue::cleanup_stat;
using message::HeaderType;

// CLEANUP_FLAG_* bits this file tests (cleanup_user.h and cleanup.h's internal ones).
constexpr int kFlagBounce = 1 << 0;
constexpr int kFlagFilter = 1 << 1;
constexpr int kFlagHold = 1 << 2;
constexpr int kFlagDiscard = 1 << 3;
constexpr int kFlagBccOk = 1 << 4;
constexpr int kFlagMapOk = 1 << 5;
constexpr int kFlagMilter = 1 << 6;
constexpr int kFlagSmtpUtf8 = 1 << 8;
constexpr int kFlagAutoUtf8 = 1 << 9;
constexpr int kFlagFilterAll = kFlagFilter | kFlagMilter;
// CLEANUP_FLAG_MASK_EXTRA: what an 'f' record may add.
constexpr int kMaskExtra = kFlagHold | kFlagDiscard;
// CLEANUP_STAT_MASK_INCOMPLETE.
constexpr int kMaskIncomplete = stat::kBad | stat::kWrite | stat::kSize | stat::kDefer;
constexpr int kQmgrMixed = 1 << 0;
// SOPT_SMTPUTF8_*: the size record's last field.
constexpr int kSoptSmtpUtf8Requested = 1 << 0;
constexpr int kSoptSmtpUtf8Header = 1 << 1;
constexpr int kSoptSmtpUtf8Sender = 1 << 2;
constexpr int kSoptDerived = 0xe;  // SMTPUTF8_FLAG_DERIVED: what cleanup works out itself
constexpr int kDsnNotifyNever = 1;
constexpr int kQattrCountLimit = 100;

bool allDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

bool allPrintTab(std::string_view s) {
    for (char c : s)
        if (c != '\t' && !std::isprint(static_cast<unsigned char>(c))) return false;
    return true;
}

bool dsnNotifyOk(int v) {
    constexpr int kNever = 1, kAny = 2 | 4 | 8;
    return v == kNever || (v != 0 && (v & ~kAny) == 0);
}

// split_nameval(): "name=value", blanks around both trimmed.
bool splitNameValue(std::string_view text, std::string& name, std::string& value, const char** error) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
        return s;
    };
    std::string_view t = trim(text);
    size_t eq = t.find('=');
    if (t.empty() || t[0] == '=') {
        *error = "missing attribute name";
        return false;
    }
    if (eq == std::string_view::npos) {
        *error = "missing '=' after attribute name";
        return false;
    }
    name = std::string(trim(t.substr(0, eq)));
    value = std::string(trim(t.substr(eq + 1)));
    return true;
}

// rec_attr_map(): the attributes that stand for pseudo record types.
int attrMap(std::string_view name) {
    if (name == "dsn_orig_rcpt") return queue::rec::kDsnOrcpt;
    if (name == "notify_flags") return queue::rec::kDsnNotify;
    if (name == "envelope_id") return queue::rec::kDsnEnvid;
    if (name == "ret_flags") return queue::rec::kDsnRet;
    if (name == "create_time") return queue::rec::kCreateTime;
    return 0;
}

// mail_date(): "Sun,  6 Dec 2026 21:05:00 +0000 (UTC)" in local time.
std::string mailDate(time_t when) {
    struct tm gmt {};
    struct tm lt {};
    ::gmtime_r(&when, &gmt);
    ::localtime_r(&when, &lt);
    long off = lt.tm_gmtoff / 60;
    char buf[128];
    size_t n = std::strftime(buf, sizeof buf, "%a, %e %b %Y %H:%M:%S ", &lt);
    std::string out(buf, n);
    char zone[48];
    std::snprintf(zone, sizeof zone, "%+03ld%02ld", off / 60, std::labs(off) % 60);
    out += zone;
    n = std::strftime(buf, sizeof buf, " (%Z)", &lt);
    out.append(buf, n);
    return out;
}

bool allAscii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) & 0x80) return false;
    return true;
}

// valid_utf8_string(): well-formed UTF-8 without overlong forms or surrogates.
bool validUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
        if (n == 9 || (n == 1 && c < 0xc2) || i + n >= s.size() + (n ? 0 : 1)) return false;
        unsigned long cp = n == 0 ? c : (c & (0x3f >> n));
        for (size_t k = 1; k <= n; ++k) {
            unsigned char d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += n + 1;
    }
    return true;
}

// balpar(): the length of a balanced "<...>" at the start, 0 when unbalanced.
size_t balancedAngle(std::string_view s) {
    if (s.empty() || s[0] != '<') return 0;
    int level = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<') ++level;
        if (s[i] == '>' && --level == 0) return i + 1;
    }
    return 0;
}

std::string printableSpace(std::string s) {
    for (char& c : s)
        if (!std::isprint(static_cast<unsigned char>(c))) c = ' ';
    return s;
}

bool headerSeen(unsigned long mask, HeaderType t) { return (mask >> static_cast<int>(t)) & 1UL; }
unsigned long headerBit(HeaderType t) { return 1UL << static_cast<int>(t); }

}  // namespace

base::Result<std::unique_ptr<CleanupMessage>> CleanupMessage::open(CleanupEnvironment& env) {
    auto file = env.createFile();
    if (!file) return file.error();
    return std::unique_ptr<CleanupMessage>(new CleanupMessage(env, std::move(*file)));
}

CleanupMessage::CleanupMessage(CleanupEnvironment& env, queue::NewQueueFile file)
    : env_(env),
      file_(std::move(file), env.settings.lineLengthLimit, env.settings.messageSizeLimit,
            [this](std::string text) { warn(text); }),
      queueId_(file_.id()),
      headerTable_(env.settings.dropHeaders) {
    // cleanup_state_alloc(): the origin is "local" until a client says otherwise.
    attrs_.emplace_back("log_message_origin", "local");
}

CleanupMessage::~CleanupMessage() {
    if (!flushed_) file_.remove();
}

void CleanupMessage::warn(const std::string& text) {
    if (env_.warn) env_.warn(text);
}
void CleanupMessage::info(const std::string& text) {
    if (env_.info) env_.info(text);
}

bool CleanupMessage::outOk() const { return (errs_ & errMask_) == 0 && (flags_ & kFlagDiscard) == 0; }

void CleanupMessage::control(int flags) {
    flags_ = flags;
    errMask_ = (flags & kFlagBounce) ? kMaskIncomplete : ~0;
    if (flags & kFlagSmtpUtf8) sendOpts_ |= kSoptSmtpUtf8Requested;
}

void CleanupMessage::record(int type, std::string_view data) {
    switch (stage_) {
        case Stage::Envelope:
            envelope(type, data);
            break;
        case Stage::EnvelopeRecords:
            envelopeProcess(type, data);
            break;
        case Stage::Content:
            content(type, data);
            break;
        case Stage::Extracted:
            extracted(type, data);
            break;
        case Stage::Done:
            break;
    }
    errs_ |= file_.errors();
}

// ---- The envelope ------------------------------------------------------------------

void CleanupMessage::envelope(int type, std::string_view data) {
    // The size record goes first so that it can be updated in place.
    out(queue::rec::kSize, queue::formatSizeFields({}));
    stage_ = Stage::EnvelopeRecords;
    envelopeProcess(type, data);
}

void CleanupMessage::envelopeProcess(int type, std::string_view buf) {
    using namespace queue::rec;
    std::string data(buf);
    if (type == kFlags) {
        extraFlags(data);
        return;
    }
    if (type == kMilterCount) return;  // no milters here

    int mappedType = type;
    std::string mappedBuf = data;
    std::string attrName, attrValue;
    if (type == kAttr) {
        const char* error = nullptr;
        if (!splitNameValue(data, attrName, attrValue, &error)) {
            warn(queueId_ + ": message rejected: malformed attribute: " + error + ": " + data.substr(0, 100));
            errs_ |= stat::kBad;
            return;
        }
        if (attrValue.empty()) {
            warn(queueId_ + ": spurious null attribute value for \"" + attrName + "\" -- ignored");
            return;
        }
        if (int m = attrMap(attrName); m != 0) {
            mappedBuf = attrValue;
            mappedType = m;
        }
    }
    if (type == 0 || !inSet(kEnvelopeTypes, type)) {
        warn(queueId_ + ": message rejected: unexpected record type " + std::to_string(type) + " in envelope");
        errs_ |= stat::kBad;
        return;
    }
    if (!inRcpt_ && inSet("MDRO/Kon", type)) {
        if (!sender_) {
            warn(queueId_ + ": message rejected: missing sender envelope record");
            errs_ |= stat::kBad;
            return;
        }
        if (arrivalSec_ == 0) {
            warn(queueId_ + ": message rejected: missing time envelope record");
            errs_ |= stat::kBad;
            return;
        }
        if (!warnSeen_ && !sender_->empty() && env_.settings.delayWarningTime > 0) {
            char w[32];
            std::snprintf(w, sizeof w, "%15ld", arrivalSec_ + env_.settings.delayWarningTime);
            out(kWarn, w);
        }
        inRcpt_ = true;
    }
    if (recipientGroupRecord(type, mappedType, data, mappedBuf, false)) return;
    if (type == kMesg) {
        stage_ = Stage::Content;
        inRcpt_ = false;
        messageStart();
        return;
    }
    if (inRcpt_) qmgrOpts_ |= kQmgrMixed;
    if (type == kSize) {
        // Ignore their size record, but keep the sender options that are not derived.
        int opts = 0;
        std::sscanf(data.c_str(), "%*s %*s %*s %*s %*s %d", &opts);
        sendOpts_ = opts & ~kSoptDerived;
        return;
    }
    if (mappedType == kCreateTime) return;  // we make our own
    if (type == kTime) {
        if (arrivalSec_ == 0) {
            arrivalSec_ = std::atol(data.c_str());
            if (arrivalSec_ == 0) arrivalSec_ = -1;  // "0 0" still counts as present
            out(type, data);
        }
        out(kAttr, "create_time=" + std::to_string(static_cast<long>(env_.now())));
        return;
    }
    if (type == kFullName) {
        if (!fullname_) {
            fullname_ = data;
            out(type, data);
        }
        return;
    }
    if (type == kFrom) {
        if (sender_) {
            warn(queueId_ + ": message rejected: multiple envelope sender records");
            errs_ |= stat::kBad;
            return;
        }
        addrSender(data);
        return;
    }
    if (mappedType == kDsnEnvid) {
        if (!allPrintTab(mappedBuf)) {
            warn(queueId_ + ": message rejected: bad DSN envelope ID record");
            errs_ |= stat::kBad;
            return;
        }
        out(type, data);
        return;
    }
    if (mappedType == kDsnRet) {
        int v = allDigits(mappedBuf) ? std::atoi(mappedBuf.c_str()) : 0;
        if (v != 1 && v != 2) {
            warn(queueId_ + ": message rejected: bad DSN RET record <" + data.substr(0, 200) + ">");
            errs_ |= stat::kBad;
            return;
        }
        out(type, data);
        return;
    }
    if (type == kWarn) {
        if (!warnSeen_) {
            warnSeen_ = true;
            out(type, data);
        }
        return;
    }
    if (type == kVerp) {
        if (verpSeen_) return;  // the first good request wins
        if (!sender_ || sender_->empty())
            warn(queueId_ + ": ignoring VERP request for null sender");
        else if (data.size() != 2 ||
                 std::strchr(std::string(env_.routing->get("verp_delimiter_filter")).c_str(), data[0]) == nullptr ||
                 std::strchr(std::string(env_.routing->get("verp_delimiter_filter")).c_str(), data[1]) == nullptr)
            warn(queueId_ + ": ignoring bad VERP request: \"" + data.substr(0, 100) + "\"");
        else {
            verpSeen_ = true;
            out(type, data);
        }
        return;
    }
    if (type == kAttr) {
        if (attrs_.size() >= static_cast<size_t>(kQattrCountLimit)) {
            warn(queueId_ + ": message rejected: attribute count exceeds limit " + std::to_string(kQattrCountLimit));
            errs_ |= stat::kBad;
            return;
        }
        if (attrName == "rewrite_context") {
            if (attrValue == "local") {
                hdrRewriteContext_ = "local";
            } else if (attrValue == "remote") {
                hdrRewriteContext_ = env_.settings.remoteHeaderRewriteDomain.empty() ? nullptr : "remote";
            } else {
                warn(queueId_ + ": message rejected: bad rewriting context: " + attrValue.substr(0, 100));
                errs_ |= stat::kBad;
                return;
            }
        }
        if (attrName == "trace_flags" && !allDigits(attrValue)) {
            warn(queueId_ + ": message rejected: bad TFLAG record <" + data.substr(0, 200) + ">");
            errs_ |= stat::kBad;
            return;
        }
        bool replaced = false;
        for (auto& [n, v] : attrs_)
            if (n == attrName) {
                v = attrValue;
                replaced = true;
            }
        if (!replaced) attrs_.emplace_back(attrName, attrValue);
        out(type, data);
        return;
    }
    out(type, data);
}

// ---- Addresses ---------------------------------------------------------------------

std::string CleanupMessage::rewriteLocal(std::string_view address) {
    return address::rewriteAddress(address, address::RewriteSettings::local(env_.routing->config()));
}

// An extra flags record (REC_TYPE_FLGS, envelope or extracted segment): flags a client
// may set besides the request's, anything else ignored with Postfix's warning.
void CleanupMessage::extraFlags(const std::string& data) {
    int extra = std::atoi(data.c_str());
    if (extra & ~kMaskExtra) {
        char hex[32];
        std::snprintf(hex, sizeof hex, "0x%x", extra);
        warn(queueId_ + ": ignoring bad extra flags: " + hex);
    } else {
        flags_ |= extra;
    }
}

// The records of a recipient group (recipient, done and cancelled recipients, original
// recipient, DSN original recipient and notify), which the envelope and the extracted
// segment take alike, as Postfix's cleanup_envelope.c and cleanup_extracted.c do; their
// warnings keep each file's own wording. True when `type` was one of them.
bool CleanupMessage::recipientGroupRecord(int type, int mappedType, const std::string& data,
                                          const std::string& mappedBuf, bool extractedSegment) {
    using namespace queue::rec;
    if (type == kRcpt) {
        if (!sender_) {
            warn(queueId_ + ": message rejected: envelope recipient precedes sender");
            errs_ |= stat::kBad;
            return true;
        }
        if (!origRcpt_) origRcpt_ = data;
        addrRecipient(data);
        origRcpt_.reset();
        dsnOrcpt_.reset();
        dsnNotify_ = 0;
        return true;
    }
    if (type == kDone || type == kCanceled) {
        origRcpt_.reset();
        dsnOrcpt_.reset();
        dsnNotify_ = 0;
        return true;
    }
    if (mappedType == kDsnOrcpt) {
        if (dsnOrcpt_)
            warn(queueId_ + ": ignoring out-of-order DSN original recipient record <" + dsnOrcpt_->substr(0, 200) +
                 ">");
        dsnOrcpt_ = mappedBuf;
        return true;
    }
    if (mappedType == kDsnNotify) {
        if (dsnNotify_) {
            warn(queueId_ + ": ignoring out-of-order DSN notify record <" + std::to_string(dsnNotify_) + ">");
            dsnNotify_ = 0;
        }
        int v = allDigits(mappedBuf) ? std::atoi(mappedBuf.c_str()) : 0;
        if (v == 0 || !dsnNotifyOk(v)) {
            warn(queueId_ +
                 (extractedSegment ? ": ignoring malformed dsn notify record <" + mappedBuf.substr(0, 200)
                                   : ": ignoring malformed DSN notify record <" + data.substr(0, 200)) +
                 ">");
        } else {
            dsnNotify_ = v;
            qmgrOpts_ |= static_cast<long>(v) << 1;
        }
        return true;
    }
    if (type == kOrigRcpt) {
        if (origRcpt_)
            warn(queueId_ + ": ignoring out-of-order original recipient record <" +
                 (extractedSegment ? data : *origRcpt_).substr(0, 200) + ">");
        origRcpt_ = data;
        return true;
    }
    return false;
}

void CleanupMessage::writeError() { errs_ |= stat::kWrite; }

// cleanup_map1n: a virtual alias expansion that reached a limit defers the message with
// the reason the client sees ("451 4.6.0 Alias expansion error"); a table that failed is
// a write error ("451 4.3.0 Error: queue file write error"). The cause goes to the log.
void CleanupMessage::deferExpansion(const address::CleanupResult& r) {
    errs_ |= r.lookupFailed ? stat::kWrite : stat::kDefer;
    for (const address::Step& step : r.steps)
        for (const std::string& w : step.warnings) warn(queueId_ + ": " + w);
    if (!r.reason.empty()) reason_ = r.reason;
}

void CleanupMessage::lookupBcc(maps::MapList& tables, const std::string& address) {
    address::AddrFindOptions opt;
    opt.query = address::QueryForm::Internal;
    opt.internalResult = true;
    auto r = address::findAddress(*env_.routing, tables, address, opt);
    if (r.isFound()) {
        addrBcc(r.value);
    } else if (r.isError()) {
        warn(queueId_ + ": " + tables.title() + " map lookup problem -- message not accepted, try again later");
        writeError();
    }
}

void CleanupMessage::addrSender(std::string_view buf) {
    std::string clean;
    if (flags_ & kFlagMapOk) {
        auto r = address::cleanupSender(*env_.routing, buf);
        clean = r.address;
        if (r.defer) writeError();
    } else {
        clean = rewriteLocal(buf);
        if (clean.size() > 13 && ::strncasecmp(clean.c_str(), "MAILER-DAEMON@", 14) == 0 &&
            ::strcasecmp(clean.c_str(), rewriteLocal("MAILER-DAEMON").c_str()) == 0)
            clean.clear();
    }
    if (env_.settings.smtputf8Enable && !clean.empty() && !allAscii(clean) && validUtf8(clean)) {
        sendOpts_ |= kSoptSmtpUtf8Sender;
        if (flags_ & kFlagAutoUtf8) sendOpts_ |= kSoptSmtpUtf8Requested;
    }
    out(queue::rec::kFrom, clean);
    sender_ = clean;
    if ((flags_ & kFlagBccOk) && !clean.empty() && !env_.settings.senderBccMaps.empty())
        lookupBcc(env_.routing->maps("sender_bcc_maps"), clean);
}

void CleanupMessage::addrRecipient(std::string_view buf) {
    std::string clean;
    std::vector<std::string> expanded;
    if (flags_ & kFlagMapOk) {
        auto r = address::cleanupRecipient(*env_.routing, buf);
        clean = r.address;
        expanded = r.recipients;
        if (r.defer) deferExpansion(r);
    } else {
        clean = rewriteLocal(buf.empty() ? std::string_view(env_.routing->get("empty_address_recipient")) : buf);
        expanded = {clean};
    }
    if (env_.settings.smtputf8Enable && !clean.empty() && !allAscii(clean) && validUtf8(clean) &&
        (flags_ & kFlagAutoUtf8))
        sendOpts_ |= kSoptSmtpUtf8Requested;
    if (!dsnOrcpt_ && !clean.empty())
        dsnOrcpt_ = (!allAscii(clean) && (sendOpts_ & kSoptSmtpUtf8Requested) ? "utf-8;" : "rfc822;") + clean;
    outRecipient(dsnOrcpt_.value_or(""), dsnNotify_, origRcpt_.value_or(""), expanded);
    recip_ = clean;
    if ((flags_ & kFlagBccOk) && !clean.empty() && !env_.settings.recipientBccMaps.empty())
        lookupBcc(env_.routing->maps("recipient_bcc_maps"), clean);
}

void CleanupMessage::addrBcc(std::string_view bcc) {
    std::string clean;
    std::vector<std::string> expanded;
    if (flags_ & kFlagMapOk) {
        auto r = address::cleanupRecipient(*env_.routing, bcc);
        clean = r.address;
        expanded = r.recipients;
        if (r.defer) deferExpansion(r);
    } else {
        clean = rewriteLocal(bcc);
        expanded = {clean};
    }
    if (env_.settings.smtputf8Enable && !clean.empty() && !allAscii(clean) && validUtf8(clean) &&
        (flags_ & kFlagAutoUtf8))
        sendOpts_ |= kSoptSmtpUtf8Requested;
    // cleanup_addr_bcc(): no DSN original recipient, NOTIFY=NEVER.
    outRecipient("", kDsnNotifyNever, clean, expanded);
}

void CleanupMessage::outRecipient(const std::string& dsnOrcpt, int dsnNotify, const std::string& orcpt,
                                  const std::vector<std::string>& recipients) {
    using namespace queue::rec;
    for (const std::string& r : recipients) {
        std::string key = env_.settings.enableOriginalRecipient
                              ? dsnOrcpt + "\n" + std::to_string(dsnNotify) + "\n" + orcpt + "\n" + r
                              : r;
        if (!dups_.insert(key).second) continue;
        if (dsnNotify) out(kAttr, "notify_flags=" + std::to_string(dsnNotify));
        if (!dsnOrcpt.empty()) out(kAttr, "dsn_orig_rcpt=" + dsnOrcpt);
        out(kOrigRcpt, orcpt);
        out(kRcpt, r);
        ++rcptCount_;
    }
}

// ---- The content -------------------------------------------------------------------

void CleanupMessage::messageStart() {
    out(queue::rec::kMesg, "");
    dataOffset_ = file_.offset();
    message::MimeCallbacks cb;
    cb.header = [this](message::HeaderClass c, const message::HeaderOpts* o, std::string& h) {
        headerCallback(c, o, h);
    };
    cb.headerEnd = [this] { headerDone(); };
    cb.body = [this](bool complete, std::string_view t, off_t off) { bodyCallback(complete, t, off); };
    cb.error = [this](int, std::string_view text) { mimeError(text); };
    // cleanup_message.c: nesting is reported (and the message rejected) only for mail
    // that is filtered, and only when some content check or strict_* setting is on.
    const CleanupSettings& s = env_.settings;
    int options = s.disableMimeInput ? message::mime_option::kDisableMime : 0;
    if (!s.disableMimeInput && (flags_ & kFlagFilter) &&
        (s.anyStrictMime || !s.headerChecks.empty() || !s.mimeHeaderChecks.empty() || !s.nestedHeaderChecks.empty()))
        options |= message::mime_option::kReportNesting;
    mime_ =
        std::make_unique<message::MimeState>(headerTable_, env_.settings.headerSizeLimit,
                                             static_cast<int>(env_.settings.mimeNestingLimit), options, std::move(cb));
}

void CleanupMessage::content(int type, std::string_view data) {
    using namespace queue::rec;
    if (type == kNorm || type == kCont) {
        // cleanup_replace_stray_cr_lf (Postfix 3.7.11): a CR or LF inside a content
        // record is not allowed in SMTP and could smuggle a message into the next hop;
        // each becomes a space, before the header/body checks and everything later see it.
        if (env_.settings.replaceStrayCrLf && data.find_first_of("\r\n") != std::string_view::npos) {
            std::string masked(data);
            for (char& c : masked)
                if (c == '\r' || c == '\n') c = ' ';
            mime_->update(type == kNorm, masked);
            return;
        }
        mime_->update(type == kNorm, data);
        return;
    }
    if (type == kXtra) {
        mime_->finish();
        if ((mime_->errors() & message::mime_error::kNesting) && !reason_) {
            errs_ |= stat::kCont;
            reason_ = "5.6.0 MIME nesting exceeds safety limit";
        }
        mime_.reset();
        xtraOffset_ = file_.offset();
        contLength_ = xtraOffset_ - dataOffset_;
        stage_ = Stage::Extracted;
        out(kXtra, "");
        return;
    }
    warn("cleanup_message_headerbody: message rejected: unexpected record type " + std::to_string(type) +
         " in message content");
    errs_ |= stat::kBad;
}

void CleanupMessage::outHeader(std::string_view header) {
    // cleanup_out_header(): an 8-bit header asks for SMTPUTF8 (when auto-detecting).
    if (env_.settings.smtputf8Enable && !header.empty() && !allAscii(header)) {
        sendOpts_ |= kSoptSmtpUtf8Header;
        if (flags_ & kFlagAutoUtf8) sendOpts_ |= kSoptSmtpUtf8Requested;
    }
    file_.outHeader(header, env_.settings.headerSizeLimit);
}

void CleanupMessage::foldHeader(std::string header) {
    // cleanup_fold_header(): one address per line becomes as many per line as fit.
    size_t lineStart = 0;
    size_t pos = header.find('\n');
    while (pos != std::string::npos) {
        size_t end = header.find('\n', pos + 1);
        size_t lineEnd = end == std::string::npos ? header.size() : end;
        if (lineEnd - lineStart < 70)
            header[pos] = ' ';
        else
            lineStart = pos + 1;
        pos = end;
    }
    outHeader(header);
}

bool CleanupMessage::rewriteHeaderAddresses(const message::HeaderOpts& opts, std::string& header, bool sender) {
    auto& ctx = *env_.routing;
    address::RewriteSettings settings = std::strcmp(hdrRewriteContext_, "remote") == 0
                                            ? address::RewriteSettings::remote(ctx.config())
                                            : address::RewriteSettings::local(ctx.config());
    std::string_view value(header);
    value.remove_prefix(std::min(header.size(), opts.name.size() + 1));
    address::TokenList tree = address::parseAddressList(value, static_cast<size_t>(ctx.getLong("token_limit")));
    bool did = false;
    address::AddressRole role = sender ? address::AddressRole::HeaderSender : address::AddressRole::HeaderRecipient;
    for (address::Token& t : tree) {
        if (t.type != address::TokenType::Address) continue;
        std::string src = address::externalize(t.children);
        address::TokenList flat = address::scanTokens(src);
        address::rewriteTokens(flat, settings);
        std::string dst = address::externalize(flat);
        if (dst != src) {
            did = true;
            t.children = address::scanTokens(dst);
        }
        if (flags_ & kFlagMapOk) {
            std::string internal = address::internalize(t.children);
            std::string before = internal;
            address::Steps steps;
            bool propagate = false;
            const char* specific = sender ? "sender_canonical_maps" : "recipient_canonical_maps";
            const char* specificClasses = sender ? "sender_canonical_classes" : "recipient_canonical_classes";
            for (auto [maps, classes] :
                 {std::pair{specific, specificClasses}, std::pair{"canonical_maps", "canonical_classes"}}) {
                auto& tables = ctx.maps(maps);
                if (tables.empty() || !address::classIncludes(ctx, classes, role)) continue;
                auto o = address::mapOneToOne(ctx, tables, internal, propagate, steps);
                if (o.defer) writeError();
            }
            if (address::classIncludes(ctx, "masquerade_classes", role)) {
                auto m = address::masquerade(ctx, internal, steps);
                if (m.defer) writeError();
            }
            if (internal != before) {
                did = true;
                t.children = address::scanTokens(address::quoteLocalPart(internal));
            }
        }
    }
    if (did) header = opts.name + ": " + address::externalize(tree, {.lineBreaks = true});
    return did;
}

void CleanupMessage::headerCallback(message::HeaderClass cls, const message::HeaderOpts* opts, std::string& header) {
    if (opts && (opts->flags & message::header_flag::kMime)) cls = message::HeaderClass::Multipart;
    if (opts && opts->type == HeaderType::Received) hopCount_ += 1;
    if (flags_ & kFlagFilter) {
        const std::string* param = cls == message::HeaderClass::Primary     ? &env_.settings.headerChecks
                                   : cls == message::HeaderClass::Multipart ? &env_.settings.mimeHeaderChecks
                                                                            : &env_.settings.nestedHeaderChecks;
        const char* name = cls == message::HeaderClass::Primary     ? "header_checks"
                           : cls == message::HeaderClass::Multipart ? "mime_header_checks"
                                                                    : "nested_header_checks";
        if (!param->empty()) {
            // Postfix's maps_create opens each "type:name" once per process (dict_handle):
            // mime_header_checks and nested_header_checks, which default to
            // $header_checks, use header_checks' tables instead of compiling them again.
            maps::MapList* tables = checks(*param == env_.settings.headerChecks ? "header_checks" : name);
            auto hit = tables->find(header);
            if (hit.isFound()) {
                std::string text = header;
                if (!act("header", text, hit.value, name)) return;
                if (text != header) {
                    header = text;
                    opts = headerTable_.find(header);
                }
            } else if (hit.isError()) {
                warn(queueId_ + ": " + name + " map lookup problem -- message not accepted, try again later");
                writeError();
            }
        }
    }
    if (!opts) {
        outHeader(header);
        return;
    }
    std::string_view value(header);
    value.remove_prefix(std::min(header.size(), opts->name.size() + 1));
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value[0]))) value.remove_prefix(1);
    if (opts->type == HeaderType::ContentTransferEncoding) {
        if (::strcasecmp(std::string(value).c_str(), "8bit") == 0 ||
            ::strcasecmp(std::string(value).c_str(), "binary") == 0) {
            bool replaced = false;
            for (auto& [n, v] : attrs_)
                if (n == "encoding") v = "8bit", replaced = true;
            if (!replaced) attrs_.emplace_back("encoding", "8bit");
        }
    }
    if (cls != message::HeaderClass::Primary) {
        outHeader(header);
        return;
    }
    headersSeen_ |= headerBit(opts->type);
    if (opts->type == HeaderType::MessageId) {
        info(queueId_ + ": message-id=" + std::string(value));
        if (!messageId_) {
            if (size_t len = balancedAngle(value); len > 0)
                messageId_ = printableSpace(std::string(value.substr(0, len)));
        }
    }
    if (opts->type == HeaderType::ResentMessageId) info(queueId_ + ": resent-message-id=" + std::string(value));
    if (opts->type == HeaderType::Received) {
        if (hopCount_ >= env_.settings.hopcountLimit) {
            warn(queueId_ + ": message rejected: hopcount exceeded");
            errs_ |= stat::kHops;
        }
    }
    if (outOk()) {
        if (opts->flags & message::header_flag::kResent) resent_ = "Resent-";
        bool drop = opts->flags & message::header_flag::kDrop;
        if ((opts->flags & message::header_flag::kSender) && hdrRewriteContext_) {
            bool did = rewriteHeaderAddresses(*opts, header, true);
            if (!drop) did ? foldHeader(header) : outHeader(header);
        } else if ((opts->flags & message::header_flag::kRecip) && hdrRewriteContext_) {
            bool did = rewriteHeaderAddresses(*opts, header, false);
            if (!drop) did ? foldHeader(header) : outHeader(header);
        } else if (!drop) {
            outHeader(header);
        }
    }
}

void CleanupMessage::headerDone() {
    if (!outOk()) return;
    if (hopCount_ < 1) {
        warn(queueId_ + ": message rejected: no Received: header");
        errs_ |= stat::kBad;
        return;
    }
    bool add = hdrRewriteContext_ != nullptr || env_.settings.alwaysAddMissingHeaders;
    bool resent = !resent_.empty();
    if (add && !headerSeen(headersSeen_, resent ? HeaderType::ResentMessageId : HeaderType::MessageId)) {
        std::string id;
        if (env_.settings.longQueueIds) {
            id = queueId_ + "@" + env_.settings.myhostname;
        } else {
            time_t created = static_cast<time_t>(file_.createdSec());
            struct tm tm {};
            ::gmtime_r(&created, &tm);
            char stamp[32];
            std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
            id = std::string(stamp) + "." + queueId_ + "@" + env_.settings.myhostname;
        }
        outHeader(resent_ + "Message-Id: <" + id + ">");
        info(queueId_ + ": " + (resent ? "resent-" : "") + "message-id=<" + id + ">");
        headersSeen_ |= headerBit(resent ? HeaderType::ResentMessageId : HeaderType::MessageId);
        if (!resent && !messageId_) messageId_ = "<" + id + ">";
    }
    if (!headerSeen(headersSeen_, HeaderType::MessageId)) info(queueId_ + ": message-id=<>");
    if (add && !headerSeen(headersSeen_, resent ? HeaderType::ResentDate : HeaderType::Date))
        outHeader(resent_ + "Date: " + mailDate(static_cast<time_t>(arrivalSec_ > 0 ? arrivalSec_ : 0)));
    if (add && !headerSeen(headersSeen_, resent ? HeaderType::ResentFrom : HeaderType::From)) {
        std::string sender = sender_ && !sender_->empty() ? *sender_ : "MAILER-DAEMON";
        std::string quoted = address::quoteLocalPart(sender);
        std::string text;
        std::string name = fullname_.value_or("");
        // get_fullname_hdr_text(): control characters become blanks; ASCII names are
        // quoted as a phrase (or a comment with header_from_format = obsolete).
        // clean_ascii_cntrl_space(): runs of ASCII controls and blanks become one space,
        // none at either end.
        std::string clean;
        for (char c : name) {
            unsigned char u = static_cast<unsigned char>(c);
            if (u < 0x80 && (std::iscntrl(u) || u == ' ')) {
                if (!clean.empty() && clean.back() != ' ') clean.push_back(' ');
            } else {
                clean.push_back(c);
            }
        }
        while (!clean.empty() && clean.back() == ' ') clean.pop_back();
        bool standard = env_.settings.headerFromFormat != "obsolete";
        if (sender_ && !sender_->empty() && !clean.empty()) {
            std::string phrase;
            if (standard) {
                bool needQuote = false;
                for (char c : clean)
                    if (std::strchr("()<>@,;:\\\".[]", c)) needQuote = true;
                if (needQuote) {
                    phrase = "\"";
                    for (char c : clean) {
                        if (c == '"' || c == '\\') phrase.push_back('\\');
                        phrase.push_back(c);
                    }
                    phrase += "\"";
                } else {
                    phrase = clean;
                }
                text = resent_ + "From: " + phrase + "\n<" + quoted + ">";
            } else {
                for (char c : clean) {
                    if (c == '(' || c == ')' || c == '\\') phrase.push_back('\\');
                    phrase.push_back(c);
                }
                text = resent_ + "From: " + quoted + "\n(" + phrase + ")";
            }
        } else {
            text = resent_ + "From: " + quoted;
        }
        foldHeader(text);
    }
    bool visible = headerSeen(headersSeen_, HeaderType::To) || headerSeen(headersSeen_, HeaderType::ResentTo) ||
                   headerSeen(headersSeen_, HeaderType::Cc) || headerSeen(headersSeen_, HeaderType::ResentCc);
    const std::string& witheld = env_.settings.undisclosedRecipientsHeader;
    if (add && !visible && !witheld.empty()) {
        if (message::isHeader(witheld) == 0)
            warn("bad undisclosed_recipients_header header text \"" + witheld +
                 "\" -- need \"headername: headervalue\"");
        else
            out(queue::rec::kNorm, witheld);
    }
}

void CleanupMessage::bodyCallback(bool complete, std::string_view text, off_t offset) {
    if (!outOk()) return;
    int type = complete ? queue::rec::kNorm : queue::rec::kCont;
    if ((flags_ & kFlagFilter) && !env_.settings.bodyChecks.empty() &&
        (env_.settings.bodyCheckSizeLimit == 0 || offset < env_.settings.bodyCheckSizeLimit)) {
        maps::MapList* tables = checks("body_checks");
        auto hit = tables->find(text);
        if (hit.isFound()) {
            std::string result(text);
            if (!act("body", result, hit.value, "body_checks")) return;
            if (result != text) {
                out(type, result);
                return;
            }
        } else if (hit.isError()) {
            warn(queueId_ + ": " + tables->title() + " map lookup problem -- message not accepted, try again later");
            writeError();
        }
    }
    out(type, text);
}

maps::MapList* CleanupMessage::checks(std::string_view parameter) {
    // Postfix opens checks tables with DICT_FLAG_LOCK (and FOLD_FIX via maps_create).
    return &env_.routing->maps(parameter);
}

// cleanup_mime_error_callback(): logged when found; the message is rejected at its end.
void CleanupMessage::mimeError(std::string_view text) {
    const std::string* origin = nullptr;
    for (const auto& [n, v] : attrs_)
        if (n == "log_message_origin") origin = &v;
    info(queueId_ + ": reject: mime-error MIME nesting exceeds safety limit: " + std::string(text.substr(0, 100)) +
         " from " + (origin ? *origin : std::string("unknown")) + "; from=<" + (sender_ ? *sender_ : std::string()) +
         "> to=<" + (recip_ ? *recip_ : std::string("unknown")) + ">");
}

void CleanupMessage::actLog(const std::string& action, const char* context, std::string_view content,
                            std::string_view text) {
    auto find = [&](std::string_view name) -> const std::string* {
        for (const auto& [n, v] : attrs_)
            if (n == name) return &v;
        return nullptr;
    };
    const std::string* origin = find("log_message_origin");
    std::string line = queueId_ + ": " + action + ": " + context + " " + std::string(content.substr(0, 200)) +
                       " from " + (origin ? *origin : std::string("unknown")) + ";";
    if (sender_) line += " from=<" + *sender_ + ">";
    if (recip_) line += " to=<" + *recip_ + ">";
    if (const std::string* p = find("log_protocol_name")) line += " proto=" + *p;
    if (const std::string* h = find("log_helo_name")) line += " helo=<" + *h + ">";
    if (!text.empty()) line += ": " + std::string(text);
    info(line);
}

bool CleanupMessage::act(const char* context, std::string& text, const std::string& value,
                         const std::string& mapClass) {
    size_t cmdLen = value.find_first_of(" \t");
    if (cmdLen == std::string::npos) cmdLen = value.size();
    std::string cmd = value.substr(0, cmdLen);
    size_t optStart = value.find_first_not_of(" \t\r\n\f\v", cmdLen);
    std::string optional = optStart == std::string::npos ? "" : value.substr(optStart);
    auto is = [&](const char* name) { return ::strcasecmp(cmd.c_str(), name) == 0; };
    const std::string original = text;
    if (is("REJECT")) {
        if (!optional.empty()) {
            // dsn_prepend(): text that starts with a status code keeps it.
            bool hasDsn = optional.size() >= 5 && (optional[0] == '4' || optional[0] == '5') && optional[1] == '.';
            reason_ = hasDsn ? optional : "5.7.1 " + optional;
            if ((*reason_)[0] != '4' && (*reason_)[0] != '5')
                warn("bad DSN action in " + optional + " -- need 4.x.x or 5.x.x");
        } else {
            reason_ = "5.7.1 message content rejected";
        }
        errs_ |= (*reason_)[0] == '4' ? stat::kDefer : stat::kCont;
        flags_ &= ~kFlagFilterAll;
        actLog("reject", context, original, *reason_);
        return true;
    }
    if (is("WARN")) {
        actLog("warning", context, original, optional);
        return true;
    }
    if (is("INFO")) {
        actLog("info", context, original, optional);
        return true;
    }
    if (is("FILTER")) {
        if (optional.empty())
            warn("missing FILTER command argument in " + mapClass + " map");
        else if (optional.find(':') == std::string::npos)
            warn("bad FILTER command " + optional + " in " + mapClass + " -- need transport:destination");
        else {
            filter_ = optional;
            actLog("filter", context, original, optional);
        }
        return true;
    }
    if (is("PASS")) {
        actLog("pass", context, original, optional);
        flags_ &= ~kFlagFilterAll;
        return true;
    }
    if (is("DISCARD")) {
        actLog("discard", context, original, optional);
        flags_ |= kFlagDiscard;
        flags_ &= ~kFlagFilterAll;
        return true;
    }
    if (is("HOLD")) {
        if ((flags_ & (kFlagHold | kFlagDiscard)) == 0) {
            actLog("hold", context, original, optional);
            flags_ |= kFlagHold;
        }
        return true;
    }
    if (is("PREPEND")) {
        if (optional.empty()) {
            warn("PREPEND action without text in " + mapClass + " map");
        } else if (std::strcmp(context, "header") == 0) {
            if (message::isHeader(optional) == 0) {
                warn("bad PREPEND header text \"" + optional + "\" in " + mapClass +
                     " map -- need \"headername: headervalue\"");
            } else {
                actLog("prepend", context, original, optional);
                outHeader(optional);
            }
        } else {
            actLog("prepend", context, original, optional);
            out(queue::rec::kNorm, optional);
        }
        return true;
    }
    if (is("REPLACE")) {
        if (optional.empty()) {
            warn("REPLACE action without text in " + mapClass + " map");
        } else if (std::strcmp(context, "header") == 0 && message::isHeader(optional) == 0) {
            warn("bad REPLACE header text \"" + optional + "\" in " + mapClass +
                 " map -- need \"headername: headervalue\"");
        } else {
            actLog("replace", context, original, optional);
            text = optional;
        }
        return true;
    }
    if (is("REDIRECT")) {
        if (optional.find('@') == std::string::npos) {
            warn("bad REDIRECT target \"" + optional + "\" in " + mapClass + " map -- need user@domain");
        } else {
            redirect_ = optional;
            actLog("redirect", context, original, optional);
            flags_ &= ~kFlagFilterAll;
        }
        return true;
    }
    if (is("BCC")) {
        if (optional.find('@') == std::string::npos) {
            warn("bad BCC address \"" + optional + "\" in " + mapClass + " map -- need user@domain");
        } else {
            hbcRcpt_.push_back(optional);
            actLog("bcc", context, original, optional);
        }
        return true;
    }
    if (is("STRIP")) {
        actLog("strip", context, original, optional);
        return false;
    }
    if (is("IGNORE")) return false;
    if (is("DUNNO") || is("OK")) return true;
    warn("unknown command in " + mapClass + " map: " + value);
    return true;
}

// ---- The extracted segment ---------------------------------------------------------

void CleanupMessage::extracted(int type, std::string_view buf) {
    using namespace queue::rec;
    std::string data(buf);
    if (type == kFlags) {
        extraFlags(data);
        return;
    }
    if (type == 0 || !inSet(kExtractTypes, type)) {
        warn(queueId_ + ": message rejected: unexpected record type " + std::to_string(type) +
             " in extracted envelope");
        errs_ |= stat::kBad;
        return;
    }
    int mappedType = type;
    std::string mappedBuf = data;
    if (type == kAttr) {
        std::string name, value;
        const char* error = nullptr;
        if (!splitNameValue(data, name, value, &error)) {
            warn(queueId_ + ": message rejected: malformed attribute: " + error + ": " + data.substr(0, 100));
            errs_ |= stat::kBad;
            return;
        }
        if (value.empty()) {
            warn(queueId_ + ": spurious null attribute value for \"" + name + "\" -- ignored");
            return;
        }
        if (int m = attrMap(name); m != 0) {
            mappedBuf = value;
            mappedType = m;
        }
    }
    if (!inRcpt_ && inSet("EDRO/Kon", type)) {
        if (filter_) out(kFilter, *filter_);
        if (redirect_) out(kRedirect, *redirect_);
        // Postfix 3.7 keeps the Message-ID to itself (later versions write message_id=).
        for (const auto& [n, v] : attrs_)
            if (n == "encoding") out(kAttr, "encoding=" + v);
        inRcpt_ = true;
    }
    if (recipientGroupRecord(type, mappedType, data, mappedBuf, true)) return;
    if (type == kEnd) {
        inRcpt_ = false;
        endSeen_ = true;
        extractedFinish();
        return;
    }
    if (inRcpt_) qmgrOpts_ |= kQmgrMixed;
    out(type, data);
}

void CleanupMessage::extractedFinish() {
    if ((flags_ & kFlagBccOk) && recip_ && !env_.settings.alwaysBcc.empty()) addrBcc(env_.settings.alwaysBcc);
    if (!hbcRcpt_.empty()) {
        if (outOk() && recip_)
            for (const std::string& b : hbcRcpt_) addrBcc(b);
        hbcRcpt_.clear();
    }
    out(queue::rec::kEnd, "");
    stage_ = Stage::Done;
}

// ---- The end -----------------------------------------------------------------------

int CleanupMessage::flush() {
    flushed_ = true;
    errs_ |= file_.errors();
    if (outOk()) {
        if (!recip_) errs_ |= stat::kRcpt;
        if (!endSeen_) errs_ |= stat::kBad;
    }
    if (flags_ & kFlagDiscard) errs_ = 0;
    if (outOk()) {
        // cleanup_final(): the size record with the real offsets and counts.
        queue::SizeFields f;
        f.extractedOffsetDelta = static_cast<long>(xtraOffset_ - dataOffset_);
        f.contentOffset = static_cast<long>(dataOffset_);
        f.recipients = rcptCount_;
        f.qmgrOptions = qmgrOpts_;
        f.contentLength = static_cast<long>(contLength_);
        f.sendOptions = sendOpts_;
        file_.patchSize(f);
        errs_ |= file_.errors();
    }
    stage_ = Stage::Done;
    // CAN_BOUNCE(): not for what cannot be bounced (a broken or deferred submission, no
    // recipients) nor without a sender.
    constexpr int kCantBounce = stat::kBad | stat::kWrite | stat::kDefer | stat::kRcpt;
    if (errs_ != 0 && (errs_ & kCantBounce) == 0 && sender_ && (flags_ & kFlagBounce)) bounceRejected();
    if (errs_ == 0 && (flags_ & kFlagDiscard) == 0) {
        errs_ = file_.finish();
        if (errs_ == 0 && (flags_ & kFlagHold)) {
            if (auto st = queue::moveQueueFile(env_.layout, "incoming", "hold", queueId_); !st) {
                warn(queueId_ + ": " + st.error().message);
                errs_ |= stat::kWrite;
            }
        }
    }
    // Postfix 3.7 removes the file without a word (later versions log "removed").
    if (errs_ != 0 || (flags_ & kFlagDiscard)) {
        if (!file_.remove()) warn("remove " + file_.path() + ": " + std::strerror(errno));
    } else if ((flags_ & kFlagHold) == 0 && env_.trigger) {
        // mail_stream_finish_file(): wake up the queue manager (not for hold/).
        env_.trigger();
    }
    return errs_;
}

void CleanupMessage::bounceRejected() {
    BounceOrder order;
    order.queueId = queueId_;
    order.path = file_.path();
    order.sender = *sender_;
    if (reason_) {
        // dsn_split() with 5.0.0 for a reason without its own status.
        std::string_view text = *reason_;
        size_t space = text.find(' ');
        std::string_view head = text.substr(0, space);
        bool valid = head.size() >= 5 && (head[0] == '2' || head[0] == '4' || head[0] == '5') && head[1] == '.' &&
                     head.find_first_not_of("0123456789.") == std::string_view::npos;
        order.status = valid ? std::string(head) : "5.0.0";
        order.text = valid ? std::string(space == std::string_view::npos ? "" : text.substr(space + 1)) : *reason_;
    } else {
        queue::CleanupStatDetail detail = queue::cleanupStatDetail(errs_);
        order.status = detail.dsn;
        order.text = detail.text;
    }
    for (const auto& [name, value] : attrs_) {
        if (name == "encoding") order.encoding = value;
        if (name == "envelope_id") order.dsnEnvid = value;
        if (name == "ret_flags") order.dsnRet = std::atoi(value.c_str());
    }
    // A message rejected for its content or size returns only its headers.
    if (errs_ & (stat::kCont | stat::kSize)) order.dsnRet = 2;
    order.sendopts = sendOpts_;
    order.arrivalSec = arrivalSec_;
    file_.sync();
    if (env_.bounce && env_.bounce(order)) {
        errs_ = 0;
        flags_ |= kFlagDiscard;  // the notification has the message; the file goes
    } else {
        if (env_.bounce) warn(queueId_ + ": bounce message failure");
        errs_ |= stat::kWrite;
    }
}

std::string CleanupMessage::reason() const { return reason_.value_or(""); }

}  // namespace postline::cleanup
