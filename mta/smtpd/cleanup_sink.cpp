// CleanupSink: the records Postfix's smtpd writes to cleanup, through CleanupClient.
#include "cleanup_sink.h"

#include "postline/base/strings.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/record_type.h"

namespace postline::smtpd {

namespace rt = queue::rec;

CleanupSink::CleanupSink(std::string socketPath, int flags, bool autoUtf8)
    : socketPath_(std::move(socketPath)), flags_(flags), autoUtf8_(autoUtf8) {}

base::Result<std::string> CleanupSink::open(bool smtputf8) {
    int flags = flags_;
    if (smtputf8)
        flags |= queue::cleanup_flag::kSmtputf8;
    else if (autoUtf8_)
        flags |= queue::cleanup_flag::kAutoUtf8;
    auto client = queue::CleanupClient::open(socketPath_, flags);
    if (!client) return client.error();
    client_.emplace(std::move(*client));
    return client_->queueId();
}

void CleanupSink::arrivalTime(long seconds, long microseconds) {
    if (client_) client_->record(rt::kTime, base::cat(seconds, " ", microseconds));
}

void CleanupSink::attribute(std::string_view name, std::string_view value) {
    if (client_) client_->record(rt::kAttr, base::cat(name, "=", value));
}

void CleanupSink::sender(std::string_view address) {
    if (client_) client_->record(rt::kFrom, address);
}

void CleanupSink::recipient(std::string_view address) {
    if (client_) client_->record(rt::kRcpt, address);
}

void CleanupSink::processingFlags(int flags) {
    if (client_) client_->record(rt::kFlags, std::to_string(flags));
}

void CleanupSink::extractedStart() {
    if (client_) client_->record(rt::kXtra, "");
}

void CleanupSink::contentFilter(std::string_view filter) {
    if (client_) client_->record(rt::kFilter, filter);
}

void CleanupSink::redirect(std::string_view address) {
    if (client_) client_->record(rt::kRedirect, address);
}

void CleanupSink::messageStart() {
    if (client_) client_->record(rt::kMesg, "");
}

void CleanupSink::contentLine(std::string_view line, bool complete) {
    if (client_) client_->record(complete ? rt::kNorm : rt::kCont, line);
}

smtp::SinkResult CleanupSink::finish() {
    if (!client_) return sinkResultFor(queue::cleanup_stat::kWrite);
    auto reply = client_->finish();
    client_.reset();
    if (!reply) return sinkResultFor(queue::cleanup_stat::kWrite);
    smtp::SinkResult out = sinkResultFor(reply->status);
    out.why = reply->reason;
    return out;
}

smtp::SinkResult sinkResultFor(int status) {
    smtp::SinkResult out;
    out.status = status;
    auto detail = queue::cleanupStatDetail(status);
    out.smtp = detail.smtp;
    out.dsn = detail.dsn;
    out.text = detail.text;
    return out;
}

void CleanupSink::abandon() {
    if (client_) client_->abandon();
    client_.reset();
}

int cleanupRequestFlags(std::string_view receiveOverrideOptions) {
    namespace f = queue::cleanup_flag;
    int flags = f::kFilterAll | f::kBccOk | f::kMapOk;
    for (std::string_view word : base::splitAny(receiveOverrideOptions, ", \t\r\n")) {
        if (base::equalsIgnoreCase(word, "no_address_mappings")) flags &= ~(f::kBccOk | f::kMapOk);
        if (base::equalsIgnoreCase(word, "no_header_body_checks")) flags &= ~f::kFilter;
        if (base::equalsIgnoreCase(word, "no_milters")) flags &= ~f::kMilter;
    }
    return flags | f::kSmtpReply;
}

bool autodetectUtf8(std::string_view classes) {
    for (std::string_view word : base::splitAny(classes, ", \t\r\n"))
        if (base::equalsIgnoreCase(word, "smtpd") || base::equalsIgnoreCase(word, "all")) return true;
    return false;
}

}  // namespace postline::smtpd
