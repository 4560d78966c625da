// The bounce service's way into the queue: a notification posted to cleanup as
// Postfix's global/post_mail.c does it (post_mail_fopen_nowait, post_mail_init,
// post_mail_fclose): the internal-source flags, a minimal envelope, the Received: and
// Date: lines, the message, the extracted-segment and end records, cleanup's status.
#include <sys/time.h>

#include <string>
#include <utility>

#include "bounce_core.h"
#include "postline/queue/cleanup_client.h"
#include "postline/queue/record_type.h"

namespace postline::bounce {
namespace {

namespace rec = queue::rec;
namespace flag = queue::cleanup_flag;

constexpr int kSmtputf8Requested = 1 << 0;  // SOPT_SMTPUTF8_REQUESTED

class CleanupSubmission : public Submission {
public:
    explicit CleanupSubmission(queue::CleanupClient client) : client_(std::move(client)) {}
    const std::string& queueId() const override { return client_.queueId(); }
    void line(std::string_view text) override { client_.contentLine(text); }
    base::Result<int> finish() override {
        client_.record(rec::kXtra, "");
        auto reply = client_.finish();
        if (!reply) return reply.error();
        return reply->status;
    }
    void abandon() override { client_.abandon(); }

private:
    queue::CleanupClient client_;
};

class CleanupPoster : public Poster {
public:
    CleanupPoster(std::string socketPath, std::string myhostname, std::string mailName,
                  std::function<std::string(long)> formatDate)
        : socketPath_(std::move(socketPath)),
          myhostname_(std::move(myhostname)),
          mailName_(std::move(mailName)),
          formatDate_(std::move(formatDate)) {}

    base::Result<std::unique_ptr<Submission>> open(const std::string& sender, const std::string& recipient,
                                                   int sendopts) override {
        // CLEANUP_FLAG_MASK_INTERNAL; internal_mail_filter_classes and
        // smtputf8_autodetect_classes do not name bounces by default.
        int flags = flag::kMapOk | ((sendopts & kSmtputf8Requested) ? flag::kSmtputf8 : 0);
        auto client = queue::CleanupClient::open(socketPath_, flags);
        if (!client) return client.error();
        timeval now{};
        ::gettimeofday(&now, nullptr);
        std::string date = formatDate_ ? formatDate_(now.tv_sec) : std::to_string(now.tv_sec);
        queue::CleanupClient& c = *client;
        c.record(rec::kTime, std::to_string(now.tv_sec) + " " + std::to_string(now.tv_usec));
        c.record(rec::kAttr, "log_origin=local");
        c.record(rec::kAttr, "trace_flags=0");
        c.record(rec::kFrom, sender);
        c.record(rec::kRcpt, recipient);
        c.record(rec::kMesg, "");
        c.contentLine("Received: by " + myhostname_ + " (" + mailName_ + ")");
        c.contentLine("\tid " + c.queueId() + "; " + date);
        c.contentLine("Date: " + date);
        return std::unique_ptr<Submission>(new CleanupSubmission(std::move(c)));
    }

private:
    std::string socketPath_, myhostname_, mailName_;
    std::function<std::string(long)> formatDate_;
};

}  // namespace

std::unique_ptr<Poster> cleanupPoster(std::string socketPath, std::string myhostname, std::string mailName,
                                      std::function<std::string(long)> formatDate) {
    return std::make_unique<CleanupPoster>(std::move(socketPath), std::move(myhostname), std::move(mailName),
                                           std::move(formatDate));
}

}  // namespace postline::bounce
