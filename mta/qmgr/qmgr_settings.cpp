// The queue manager's parameters (qmgr/qmgr.c's tables, qmgr_transport.c's
// per-transport limits).
#include "qmgr_settings.h"

#include <cstdlib>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/server/agent_queue.h"
#include "postline/server/daemon.h"

namespace postline::qmgr {

namespace {

// A per-transport parameter (TRANSPORT_destination_..._limit) when it is set to a
// number, else `fallback`.
long perTransport(const server::DaemonConfig* config, std::string_view transport, std::string_view suffix,
                  long fallback) {
    if (!config) return fallback;
    std::string value = config->get(base::cat(transport, suffix));
    if (value.empty()) return fallback;
    char* end = nullptr;
    long n = std::strtol(value.c_str(), &end, 10);
    return end && *end == 0 ? n : fallback;
}

// The value of TRANSPORT_destination_SUFFIX, else of default_destination_SUFFIX, else
// `fallback`.
std::string perTransportText(const server::DaemonConfig* config, std::string_view transport, std::string_view suffix,
                             std::string_view fallback) {
    if (!config) return std::string(fallback);
    std::string value = config->get(base::cat(transport, "_destination_", suffix));
    if (value.empty()) value = config->get(base::cat("default_destination_", suffix));
    return value.empty() ? std::string(fallback) : value;
}

// qmgr_feedback_init(): "N" (a constant), "N/M" (a constant fraction) or "N/concurrency"
// (divided by the window); a value outside 0..1 or malformed is 1, with a warning.
QmgrSettings::Feedback parseFeedback(const std::string& text, const std::string& name) {
    QmgrSettings::Feedback fb;
    char* end = nullptr;
    double number = std::strtod(text.c_str(), &end);
    bool ok = end != text.c_str();
    std::string_view rest = ok ? std::string_view(end) : std::string_view{};
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    fb.base = number;
    if (ok && !rest.empty()) {
        ok = rest.front() == '/';
        if (ok) rest.remove_prefix(1);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (ok && rest == "concurrency") {
            fb.perWindow = true;
        } else if (ok) {
            std::string denominator(rest);
            char* dend = nullptr;
            double d = std::strtod(denominator.c_str(), &dend);
            ok = dend != denominator.c_str() && *dend == 0 && d > 0;
            if (ok) fb.base = number / d;
        }
    }
    if (!ok || fb.base < 0 || fb.base > 1) {
        base::msgWarn(base::cat(name, ": ignoring malformed or unreasonable feedback: ", text));
        fb = {};
    }
    return fb;
}

}  // namespace

QmgrSettings::Feedback QmgrSettings::positiveFeedback(std::string_view transport) const {
    return parseFeedback(perTransportText(config, transport, "concurrency_positive_feedback", "1"),
                         base::cat(transport, "_destination_concurrency_positive_feedback"));
}

QmgrSettings::Feedback QmgrSettings::negativeFeedback(std::string_view transport) const {
    return parseFeedback(perTransportText(config, transport, "concurrency_negative_feedback", "1"),
                         base::cat(transport, "_destination_concurrency_negative_feedback"));
}

double QmgrSettings::failedCohortLimit(std::string_view transport) const {
    std::string text = perTransportText(config, transport, "concurrency_failed_cohort_limit", "1");
    char* end = nullptr;
    double limit = std::strtod(text.c_str(), &end);
    return end != text.c_str() && *end == 0 && limit >= 0 ? limit : 1;
}

long QmgrSettings::concurrencyLimit(std::string_view transport) const {
    return perTransport(config, transport, "_destination_concurrency_limit", defaultConcurrencyLimit);
}

long QmgrSettings::recipientLimit(std::string_view transport) const {
    return perTransport(config, transport, "_destination_recipient_limit", defaultRecipientLimit);
}

long QmgrSettings::rateDelay(std::string_view transport) const {
    if (!config) return defaultRateDelay;
    std::string name = base::cat(transport, "_destination_rate_delay");
    if (config->get(name).empty()) return defaultRateDelay;
    return config->getSeconds(name);
}

QmgrSettings readQmgrSettings(const server::DaemonConfig& config) {
    QmgrSettings s;
    s.config = &config;
    s.queueRunDelay = config.getSeconds("queue_run_delay");
    s.minimalBackoff = config.getSeconds("minimal_backoff_time");
    s.maximalBackoff = config.getSeconds("maximal_backoff_time");
    s.maximalQueueLifetime = config.getSeconds("maximal_queue_lifetime");
    s.bounceQueueLifetime = config.getSeconds("bounce_queue_lifetime");
    s.messageActiveLimit = config.getLong("qmgr_message_active_limit");
    s.initialConcurrency = config.getLong("initial_destination_concurrency");
    s.ipcTimeout = config.getSeconds("qmgr_ipc_timeout");
    s.defaultConcurrencyLimit = config.getLong("default_destination_concurrency_limit");
    s.defaultRecipientLimit = config.getLong("default_destination_recipient_limit");
    s.processLimit = config.getLong("default_process_limit");
    s.defaultRateDelay = config.getSeconds("default_destination_rate_delay");
    s.messageRecipientLimit = config.getLong("qmgr_message_recipient_limit");
    std::string deferTransports = config.get("defer_transports");
    for (std::string_view t : base::splitAny(deferTransports, ", \t\r\n"))
        if (!t.empty()) s.deferTransports.insert(std::string(t));
    s.bounceService = config.get("bounce_service_name");
    s.layout = queue::queueLayout(config.get("hash_queue_names"), int(config.getLong("hash_queue_depth")));
    s.softBounce = config.getBool("soft_bounce");
    s.reporting = server::agentQueueOf(config);
    if (s.minimalBackoff <= 0) s.minimalBackoff = 1;
    if (s.maximalBackoff < s.minimalBackoff) s.maximalBackoff = s.minimalBackoff;
    if (s.initialConcurrency <= 0) s.initialConcurrency = 1;
    if (s.messageActiveLimit <= 0) s.messageActiveLimit = 1;
    return s;
}

}  // namespace postline::qmgr
