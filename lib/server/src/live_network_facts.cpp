// LiveNetworkFacts: the NetworkFacts smtpd's restrictions ask, answered from the DNS
// and from policy servers; the smtpd_policy_service_* settings and Postfix 3.0's
// per-service "{ endpoint, name = value }" overrides (smtpd_check.c's
// policy_client_register and global/attr_override.c).
#include <arpa/inet.h>

#include <cctype>

#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/config/registry.h"
#include "postline/server/live_network_facts.h"

namespace postline::server {

namespace {

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return "";
    auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

// The seconds of a time value as conv_time() reads it under `parameter`'s default unit.
std::optional<long long> seconds(std::string_view parameter, std::string_view value) {
    const auto* info = config::findBuiltinParameter(parameter);
    if (!info) return std::nullopt;
    return config::numericValue(*info, value);
}

// mystrtokq(): the next token separated by ", \t\r\n", a { } group kept whole.
std::optional<std::string> nextToken(std::string_view& s) {
    size_t i = s.find_first_not_of(", \t\r\n");
    if (i == std::string_view::npos) {
        s = {};
        return std::nullopt;
    }
    size_t j = i;
    int depth = 0;
    for (; j < s.size(); ++j) {
        char c = s[j];
        if (c == '{') ++depth;
        if (c == '}' && depth > 0) --depth;
        if (depth == 0 && std::string_view(", \t\r\n").find(c) != std::string_view::npos) break;
    }
    std::string token(s.substr(i, j - i));
    s.remove_prefix(j);
    return token;
}

// extpar(): "{ text }" -> "text"; error if the braces do not match.
std::optional<std::string> unbrace(const std::string& s) {
    if (s.empty() || s.front() != '{') return s;
    if (s.back() != '}') return std::nullopt;
    return trim(std::string_view(s).substr(1, s.size() - 2));
}

}  // namespace

PolicySettings policySettings(const config::Config& config) {
    PolicySettings p;
    auto time = [&](const char* name, std::chrono::milliseconds& out) {
        if (auto v = seconds(name, config.get(name))) out = std::chrono::seconds(*v);
    };
    time("smtpd_policy_service_timeout", p.timeout);
    time("smtpd_policy_service_max_idle", p.maxIdle);
    time("smtpd_policy_service_max_ttl", p.maxTtl);
    time("smtpd_policy_service_retry_delay", p.retryDelay);
    p.requestLimit = static_cast<int>(config.getLong("smtpd_policy_service_request_limit"));
    p.tryLimit = static_cast<int>(config.getLong("smtpd_policy_service_try_limit"));
    p.defaultAction = config.get("smtpd_policy_service_default_action");
    p.policyContext = config.get("smtpd_policy_service_policy_context");
    return p;
}

base::Result<PolicyService> parsePolicyService(std::string_view spec, const PolicySettings& defaults) {
    PolicyService out;
    out.settings = defaults;
    std::string text = trim(spec);
    if (text.empty()) return base::Error{"empty policy service"};
    if (text.front() != '{') {
        out.endpoint = text;
    } else {
        auto inner = unbrace(text);
        if (!inner) return base::Error{"policy service syntax error: missing '}' in \"" + text + "\""};
        std::string_view rest = *inner;
        auto endpoint = nextToken(rest);
        if (!endpoint) return base::Error{"empty policy service: \"" + text + "\""};
        out.endpoint = *endpoint;
        while (auto token = nextToken(rest)) {
            auto nameval = unbrace(*token);
            if (!nameval) return base::Error{"missing '}' in \"" + *token + "\""};
            auto eq = nameval->find('=');
            if (eq == std::string::npos)
                return base::Error{"malformed option: missing '=': \"..." + *nameval + "...\""};
            std::string key = trim(std::string_view(*nameval).substr(0, eq));
            std::string value = trim(std::string_view(*nameval).substr(eq + 1));
            if (key.empty()) return base::Error{"malformed option: missing attribute name: \"..." + *nameval + "...\""};
            auto& s = out.settings;
            std::chrono::milliseconds* time = key == "timeout"       ? &s.timeout
                                              : key == "max_idle"    ? &s.maxIdle
                                              : key == "max_ttl"     ? &s.maxTtl
                                              : key == "retry_delay" ? &s.retryDelay
                                                                     : nullptr;
            int* number = key == "request_limit" ? &s.requestLimit : key == "try_limit" ? &s.tryLimit : nullptr;
            if (time) {
                auto v = seconds("smtpd_policy_service_" + key, value);
                if (!v || *v < 1) return base::Error{key + ": bad time value or unit: " + value};
                *time = std::chrono::seconds(*v);
            } else if (number) {
                char* end = nullptr;
                long v = std::strtol(value.c_str(), &end, 10);
                if (value.empty() || *end || v < (key == "try_limit" ? 1 : 0) || v > 1'000'000)
                    return base::Error{"bad numerical configuration: " + key + " = " + value};
                *number = static_cast<int>(v);
            } else if (key == "default_action") {
                s.defaultAction = value;
            } else if (key == "policy_context") {
                s.policyContext = value;
            } else {
                return base::Error{"unknown option: \"" + key + " = " + value + "\""};
            }
        }
    }
    if (out.endpoint.find(':') == std::string::npos)
        return base::Error{"policy service " + out.endpoint + " must be transport:server"};
    return out;
}

LiveNetworkOptions liveNetworkOptions(const config::Config& config) {
    LiveNetworkOptions o;
    o.policy = policySettings(config);
    o.policyBaseDirectory = config.get("queue_directory");
    o.peernameLookup = config.getBool("smtpd_peername_lookup");
    return o;
}

base::Result<std::unique_ptr<LiveNetworkFacts>> LiveNetworkFacts::create(LiveNetworkOptions options) {
    auto resolver = dns::Resolver::create(options.resolver);
    if (!resolver) return resolver.error();
    return std::unique_ptr<LiveNetworkFacts>(new LiveNetworkFacts(std::move(options), std::move(resolver.value())));
}

LiveNetworkFacts::LiveNetworkFacts(LiveNetworkOptions options, std::unique_ptr<dns::Resolver> resolver)
    : options_(std::move(options)), resolver_(std::move(resolver)) {}

ClientNames LiveNetworkFacts::lookupClient(std::string_view address) const {
    std::string key(address);
    if (auto it = clientCache_.find(key); it != clientCache_.end()) return it->second;
    ClientNames names;
    if (options_.peernameLookup) names = lookupClientNames(*resolver_, address);
    clientCache_[key] = names;
    return names;
}

void LiveNetworkFacts::forgetDns() {
    hostCache_.clear();
    mailhostCache_.clear();
    clientCache_.clear();
    listCache_.clear();
    serverCache_.clear();
    addressCache_.clear();
}

std::optional<policy::DnsAnswer> LiveNetworkFacts::dnsLookup(std::string_view name, policy::DnsQuery kind) const {
    if (kind == policy::DnsQuery::Client) return lookupClient(name).nameStatus;
    if (kind == policy::DnsQuery::ClientReverse) return lookupClient(name).reverseNameStatus;
    std::string key(name);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!key.empty() && key.back() == '.') key.pop_back();
    auto& cache = kind == policy::DnsQuery::Host ? hostCache_ : mailhostCache_;
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    policy::DnsAnswer answer = lookupHost(*resolver_, key, kind);
    cache[key] = answer;
    return answer;
}

std::optional<policy::DnsAnswer> LiveNetworkFacts::dnsAnswer(std::string_view name) const {
    unsigned char buf[16];
    std::string s(name);
    bool address = inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
    return dnsLookup(name, address ? policy::DnsQuery::Client : policy::DnsQuery::MailHost);
}

std::optional<policy::DnsListAnswer> LiveNetworkFacts::dnsListLookup(std::string_view query) const {
    std::string key(query);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto it = listCache_.find(key); it != listCache_.end()) return it->second;
    policy::DnsListAnswer out;
    dns::Answer a = resolver_->lookup(key, dns::RecordType::A);
    if (a.found()) {
        out.status = policy::DnsAnswer::Found;
        out.addresses = a.addresses;
        dns::Answer txt = resolver_->lookup(key, dns::RecordType::TXT);
        constexpr size_t kLimit = 500;  // RBL_TXT_LIMIT
        for (size_t i = 0; i < txt.texts.size() && out.text.size() < kLimit; ++i) {
            out.text += txt.texts[i].substr(0, kLimit - out.text.size());
            if (i + 1 < txt.texts.size() && kLimit - out.text.size() > 3) out.text += " / ";
        }
    } else if (!a.notFound()) {
        base::msgWarn(key + ": RBL lookup error: Host or domain name not found. Name service error for name=" + key +
                      " type=A: " + (a.status == dns::Status::TempFail ? "Host not found, try again" : a.error));
        out.status = policy::DnsAnswer::TempFail;
    }
    listCache_[key] = out;
    return out;
}

std::optional<policy::DnsServerList> LiveNetworkFacts::dnsServers(std::string_view domain,
                                                                  policy::DnsServerType type) const {
    std::string key = std::string(type == policy::DnsServerType::MX ? "MX " : "NS ") + std::string(domain);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto it = serverCache_.find(key); it != serverCache_.end()) return it->second;
    return serverCache_[key] = lookupServers(*resolver_, domain, type);
}

std::optional<policy::HostAddresses> LiveNetworkFacts::hostAddresses(std::string_view host) const {
    std::string key(host);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto it = addressCache_.find(key); it != addressCache_.end()) return it->second;
    return addressCache_[key] = lookupAddresses(*resolver_, host);
}

PolicyClient* LiveNetworkFacts::policyClient(std::string_view service) const {
    std::string key(service);
    if (auto it = policyClients_.find(key); it != policyClients_.end()) return it->second.get();
    auto parsed = parsePolicyService(service, options_.policy);
    if (!parsed) {
        base::msgWarn(parsed.error().message);
        return nullptr;
    }
    auto client = std::make_unique<PolicyClient>(std::move(parsed.value()), options_.policyBaseDirectory);
    return (policyClients_[key] = std::move(client)).get();
}

std::optional<std::string> LiveNetworkFacts::policyQuery(std::string_view service,
                                                         const policy::PolicyRequest& request) const {
    PolicyClient* client = policyClient(service);
    if (!client) return options_.policy.defaultAction;
    auto action = client->query(request);
    if (!action) return client->service().settings.defaultAction;
    return action;
}

std::optional<std::string> LiveNetworkFacts::policyAction(std::string_view service) const {
    return policyQuery(service, {{"request", "smtpd_access_policy"}});
}

}  // namespace postline::server
