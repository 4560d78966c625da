// smtpd's MessageSink over the cleanup protocol client (Postfix's smtpd.c
// mail_open_stream with mail_stream_service(MAIL_CLASS_PUBLIC, cleanup_service_name),
// rec_fprintf to the stream, mail_stream_finish).
#pragma once

#include <optional>
#include <string>

#include "postline/queue/cleanup_client.h"
#include "postline/smtp/message_sink.h"

namespace postline::smtpd {

class CleanupSink final : public smtp::MessageSink {
public:
    // `socketPath`: QUEUE_DIRECTORY/public/CLEANUP_SERVICE_NAME. `flags`: the request
    // flags before SMTPUTF8 (cleanupRequestFlags()).
    CleanupSink(std::string socketPath, int flags, bool autoUtf8);

    base::Result<std::string> open(bool smtputf8) override;
    void arrivalTime(long seconds, long microseconds) override;
    void attribute(std::string_view name, std::string_view value) override;
    void sender(std::string_view address) override;
    void recipient(std::string_view address) override;
    void processingFlags(int flags) override;
    void messageStart() override;
    void extractedStart() override;
    void contentFilter(std::string_view filter) override;
    void redirect(std::string_view address) override;
    void contentLine(std::string_view line, bool complete) override;
    smtp::SinkResult finish() override;
    void abandon() override;

private:
    std::string socketPath_;
    int flags_;
    bool autoUtf8_;
    std::optional<queue::CleanupClient> client_;
};

// The reply smtpd gives for a cleanup (or postdrop) status: cleanup_stat_detail()'s code,
// enhanced status and text.
smtp::SinkResult sinkResultFor(int status);

// The request flags smtpd sends (input_transp_cleanup of CLEANUP_FLAG_MASK_EXTERNAL by
// receive_override_options, plus CLEANUP_FLAG_SMTP_REPLY).
int cleanupRequestFlags(std::string_view receiveOverrideOptions);
// smtputf8_autodetect(MAIL_SRC_MASK_SMTPD): smtputf8_autodetect_classes names smtpd or all.
bool autodetectUtf8(std::string_view classes);

}  // namespace postline::smtpd
