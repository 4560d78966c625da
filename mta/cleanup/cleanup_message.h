// One message through cleanup(8): Postfix's cleanup/cleanup_api.c (open, control,
// record, flush), cleanup_envelope.c, cleanup_message.c, cleanup_extracted.c,
// cleanup_addr.c, cleanup_out_recipient.c and cleanup_final.c over one queue file in
// incoming/. Fed records; answers a CLEANUP_STAT status and a reason.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cleanup_settings.h"
#include "postline/base/result.h"
#include "postline/message/header_opts.h"
#include "postline/message/mime_state.h"
#include "postline/queue/maildrop_file.h"
#include "postline/queue/queue_file_writer.h"
#include "postline/queue/queue_path.h"

namespace postline::address {
class RoutingContext;
struct CleanupResult;
}  // namespace postline::address
namespace postline::maps {
class MapList;
}

namespace postline::cleanup {

// What a message needs from the process around it.
// What cleanup_bounce() needs to bounce a rejected message whose client asked for that
// (pickup's CLEANUP_FLAG_BOUNCE): the queue file written so far and the notification's
// parameters.
struct BounceOrder {
    std::string queueId;
    std::string path;  // the queue file (incoming/ID), relative to the queue directory
    std::string sender;
    std::string status;  // "5.7.1"
    std::string text;    // "message content rejected"
    std::string encoding;
    long sendopts = 0;
    std::string dsnEnvid;
    int dsnRet = 0;
    long arrivalSec = 0;
};

struct CleanupEnvironment {
    CleanupSettings settings;
    // Address rewriting, canonical, masquerading, virtual aliases and the checks tables
    // (the same code `postline trace` runs). Required.
    address::RoutingContext* routing = nullptr;
    queue::QueueLayout layout;
    // Creates the queue file in incoming/ (NewQueueFile::create relative to the queue
    // directory, in production).
    std::function<base::Result<queue::NewQueueFile>()> createFile;
    // The mail log: "QUEUEID: message-id=<...>", warnings.
    std::function<void(std::string_view)> info;
    std::function<void(std::string_view)> warn;
    // Wakes up the queue manager after a message was queued in incoming/ (mail_trigger
    // of public/qmgr with "W"); may be empty.
    std::function<void()> trigger;
    // cleanup_bounce(): records every recipient of the file as bounced (status, reason)
    // and has the bounce service send the sender the report; true when the report was
    // queued. Empty: a rejected message is refused to the client (no bounce).
    std::function<bool(const BounceOrder&)> bounce;
    // The clock (tests fix it).
    std::function<time_t()> now = [] { return ::time(nullptr); };
};

class CleanupMessage {
public:
    // cleanup_open(): creates the queue file. Errors are the creation's.
    static base::Result<std::unique_ptr<CleanupMessage>> open(CleanupEnvironment& env);
    ~CleanupMessage();

    const std::string& queueId() const { return queueId_; }
    // cleanup_control(): the client's CLEANUP_FLAG_* bits.
    void control(int flags);
    // CLEANUP_RECORD(): one record from the client.
    void record(int type, std::string_view data);
    // CLEANUP_OUT_OK(): no error that stops output, not discarded.
    bool outOk() const;
    // Marks a protocol error (a record that could not be read, bad flags).
    void protocolError() { errs_ |= 1; }
    // cleanup_flush(): finishes the file (size record, fsync, 0700; hold/ when asked)
    // or removes it; returns the status. Call once.
    int flush();
    // The reason text cleanup sends with the status ("" when none).
    std::string reason() const;

private:
    explicit CleanupMessage(CleanupEnvironment& env, queue::NewQueueFile file);

    void out(int type, std::string_view data) { file_.out(type, data); }
    void outHeader(std::string_view header);
    void foldHeader(std::string header);
    void warn(const std::string& text);
    void info(const std::string& text);
    void mimeError(std::string_view text);
    void deferExpansion(const address::CleanupResult& r);
    void writeError();
    // cleanup_bounce(): a rejected message of a client that asked for bounces is bounced
    // instead of refused; afterwards only a write error remains (and the file goes).
    void bounceRejected();

    void envelope(int type, std::string_view data);
    void envelopeProcess(int type, std::string_view data);
    void messageStart();
    void content(int type, std::string_view data);
    void extracted(int type, std::string_view data);
    void extractedFinish();
    void extraFlags(const std::string& data);
    bool recipientGroupRecord(int type, int mappedType, const std::string& data, const std::string& mappedBuf,
                              bool extractedSegment);

    void addrSender(std::string_view sender);
    void addrRecipient(std::string_view recipient);
    void addrBcc(std::string_view bcc);
    void outRecipient(const std::string& dsnOrcpt, int dsnNotify, const std::string& orcpt,
                      const std::vector<std::string>& recipients);
    std::string rewriteLocal(std::string_view address);
    void lookupBcc(maps::MapList& tables, const std::string& address);

    void headerCallback(message::HeaderClass cls, const message::HeaderOpts* opts, std::string& header);
    void headerDone();
    void bodyCallback(bool complete, std::string_view text, off_t offset);
    bool rewriteHeaderAddresses(const message::HeaderOpts& opts, std::string& header, bool sender);
    // cleanup_act(): applies a checks action; returns false when the input is dropped,
    // and replaces `text` for REPLACE.
    bool act(const char* context, std::string& text, const std::string& value, const std::string& mapClass);
    void actLog(const std::string& action, const char* context, std::string_view content, std::string_view text);
    maps::MapList* checks(std::string_view parameter);

    CleanupEnvironment& env_;
    queue::QueueFileWriter file_;
    std::string queueId_;
    message::HeaderTable headerTable_;
    std::unique_ptr<message::MimeState> mime_;

    enum class Stage { Envelope, EnvelopeRecords, Content, Extracted, Done };
    Stage stage_ = Stage::Envelope;
    int flags_ = 0;
    int errMask_ = ~0;
    int errs_ = 0;
    bool inRcpt_ = false;
    bool warnSeen_ = false;
    bool endSeen_ = false;
    bool flushed_ = false;
    bool verpSeen_ = false;
    long arrivalSec_ = 0;
    std::optional<std::string> sender_;
    std::optional<std::string> fullname_;
    std::optional<std::string> recip_;
    std::optional<std::string> origRcpt_;
    std::optional<std::string> dsnOrcpt_;
    int dsnNotify_ = 0;
    std::vector<std::pair<std::string, std::string>> attrs_;
    const char* hdrRewriteContext_ = "local";  // nullptr: none
    std::string resent_;
    int hopCount_ = 0;
    unsigned long headersSeen_ = 0;
    std::optional<std::string> messageId_;
    std::optional<std::string> filter_, redirect_;
    std::vector<std::string> hbcRcpt_;
    std::optional<std::string> reason_;
    std::set<std::string> dups_;
    long rcptCount_ = 0;
    long qmgrOpts_ = 0;
    long sendOpts_ = 0;
    off_t dataOffset_ = 0;
    off_t xtraOffset_ = 0;
    off_t contLength_ = 0;
};

}  // namespace postline::cleanup
