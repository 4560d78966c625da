// Connection cache labels and session properties (smtp_key.c, smtp_session.c).
#include "session_cache.h"

#include <arpa/inet.h>

#include <cstdlib>

#include "postline/base/base64.h"
#include "postline/queue/attr_stream.h"

namespace postline::smtp_agent {

namespace {

// smtp.h's SMTP_FEATURE_* bits that a cached session keeps.
constexpr int kEsmtp = 1 << 0, k8BitMime = 1 << 1, kPipelining = 1 << 2, kSize = 1 << 3, kBestMx = 1 << 12,
              kDsn = 1 << 15, kSmtputf8 = 1 << 21;
// The TLS level field: Postfix's "none" (Postline's client speaks no TLS yet).
constexpr std::string_view kTlsLevelNone = "0";

void appendField(std::string& key, std::string_view value) {
    if (value.empty()) {
        key += "*\n";
    } else if (value.find_first_of("\n*") != std::string_view::npos) {
        key += base::base64Encode(value);
        key += '\n';
    } else {
        key.append(value);
        key += '\n';
    }
}

int featureBits(const smtp::ServerFeatures& f) {
    return (f.esmtp ? kEsmtp : 0) | (f.eightBitMime ? k8BitMime : 0) | (f.pipelining ? kPipelining : 0) |
           (f.size ? kSize : 0) | (f.dsn ? kDsn : 0) | (f.smtputf8 ? kSmtputf8 : 0);
}

const std::string* find(const queue::attr::Attributes& group, std::string_view name) {
    for (const auto& [n, v] : group)
        if (n == name) return &v;
    return nullptr;
}

std::optional<long> number(const queue::attr::Attributes& group, std::string_view name) {
    const std::string* text = find(group, name);
    if (!text || text->empty()) return std::nullopt;
    char* end = nullptr;
    long value = std::strtol(text->c_str(), &end, 10);
    if (*end != 0) return std::nullopt;
    return value;
}

std::optional<queue::attr::Attributes> parsePlain(std::string_view text) {
    queue::attr::plain::GroupScanner scanner;
    auto used = scanner.feed(text);
    if (used && !scanner.complete()) used = scanner.feed("\n");  // tolerate a missing group end
    if (!used || !scanner.complete()) return std::nullopt;
    return scanner.attributes();
}

}  // namespace

std::string destinationLabel(std::string_view service, std::string_view requestNexthop, bool smtputf8Required) {
    std::string key;
    appendField(key, service);
    appendField(key, requestNexthop);
    appendField(key, kTlsLevelNone);
    appendField(key, smtputf8Required ? "1" : "0");
    return key;
}

std::string endpointLabel(std::string_view service, std::string_view address, unsigned port, bool smtputf8Required) {
    std::string key;
    appendField(key, service);
    appendField(key, address);
    appendField(key, std::to_string(port));
    appendField(key, kTlsLevelNone);
    appendField(key, smtputf8Required ? "1" : "0");
    return key;
}

std::string destinationProperty(const CachedSession& s) {
    std::string out;
    queue::attr::plain::append(out, "destination", s.destination);
    queue::attr::plain::append(out, "host_name", s.host);
    queue::attr::plain::append(out, "host_addr", s.address);
    queue::attr::plain::appendNumber(out, "host_port", long(htons(static_cast<uint16_t>(s.port))));
    queue::attr::plain::appendNumber(out, "destination_features", s.bestMx ? kBestMx : 0);
    queue::attr::plain::appendEnd(out);
    return out;
}

std::string endpointProperty(const CachedSession& s) {
    std::string out;
    queue::attr::plain::append(out, "tls_level", kTlsLevelNone);
    queue::attr::plain::appendNumber(out, "reuse_count", s.reuseCount);
    queue::attr::plain::appendNumber(out, "endpoint_features", featureBits(s.features));
    queue::attr::plain::appendNumber(out, "expire_time", s.expireTime);
    queue::attr::plain::appendEnd(out);
    return out;
}

std::optional<CachedSession> parseCachedSession(std::string_view destinationProperty,
                                                std::string_view endpointProperty) {
    CachedSession s;
    auto endpoint = parsePlain(endpointProperty);
    if (!endpoint) return std::nullopt;
    auto reuse = number(*endpoint, "reuse_count");
    auto features = number(*endpoint, "endpoint_features");
    auto expire = number(*endpoint, "expire_time");
    auto tls = number(*endpoint, "tls_level");
    // A TLS session (from Postfix's smtp) cannot be continued in plain text.
    if (!reuse || !features || !expire || (tls && *tls != 0)) return std::nullopt;
    s.reuseCount = int(*reuse);
    s.expireTime = *expire;
    s.features.esmtp = (*features & kEsmtp) != 0;
    s.features.eightBitMime = (*features & k8BitMime) != 0;
    s.features.pipelining = (*features & kPipelining) != 0;
    s.features.size = (*features & kSize) != 0;
    s.features.dsn = (*features & kDsn) != 0;
    s.features.smtputf8 = (*features & kSmtputf8) != 0;
    if (!destinationProperty.empty()) {
        auto dest = parsePlain(destinationProperty);
        if (!dest) return std::nullopt;
        const std::string* destination = find(*dest, "destination");
        const std::string* host = find(*dest, "host_name");
        const std::string* address = find(*dest, "host_addr");
        auto port = number(*dest, "host_port");
        auto destFeatures = number(*dest, "destination_features");
        if (!destination || !host || !address || !port || !destFeatures) return std::nullopt;
        s.destination = *destination;
        s.host = *host;
        s.address = *address;
        s.port = ntohs(static_cast<uint16_t>(*port));
        s.bestMx = (*destFeatures & kBestMx) != 0;
    }
    return s;
}

}  // namespace postline::smtp_agent
