// smtp(8) and lmtp(8): one program, as in Postfix (smtp/smtp.c), that speaks LMTP when
// it runs under the name "lmtp". A single-server delivery agent: one delivery request
// per client from the queue manager, its recipients delivered to the nexthop's servers
// (MX lookups through lib/dns) and each outcome reported, connections saved to and
// taken from scache(8) as smtp_connect.c does. No TLS or SASL yet.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>

#include "postline/address/match_list.h"
#include "postline/base/msg.h"
#include "postline/delivery/agent_service.h"
#include "postline/dns/resolver.h"
#include "postline/server/agent_queue.h"
#include "postline/server/daemon.h"
#include "postline/server/scache_client.h"
#include "smtp_core.h"

namespace {

using namespace postline;

bool lmtpMode = false;
std::unique_ptr<dns::Resolver> resolver;

dns::Resolver* dnsResolver() {
    if (!resolver) {
        auto created = dns::Resolver::create(dns::ResolverOptions{});
        if (!created) {
            base::msgWarn("DNS resolver: " + created.error().message);
            return nullptr;
        }
        resolver = std::move(*created);
    }
    return resolver.get();
}

std::string dnsText(dns::Status status) {
    switch (status) {
        case dns::Status::NxDomain:
            return "Host not found";
        case dns::Status::NoData:
            return "Host found but no data record of requested type";
        case dns::Status::TempFail:
            return "Host not found, try again";
        default:
            return "Non-recoverable error";
    }
}

smtp_agent::Lookup dnsLookup() {
    smtp_agent::Lookup lookup;
    lookup.mx = [](const std::string& domain) {
        smtp_agent::MxAnswer out;
        dns::Resolver* r = dnsResolver();
        if (!r) {
            out.status = smtp_agent::MxAnswer::TempFail;
            out.error = dnsText(dns::Status::TempFail);
            return out;
        }
        dns::Answer answer = r->lookup(domain, dns::RecordType::MX);
        if (answer.found() && answer.nullMx()) {
            out.status = smtp_agent::MxAnswer::NullMx;
        } else if (answer.found()) {
            out.status = smtp_agent::MxAnswer::Found;
            for (auto& mx : answer.mx) out.exchanges.emplace_back(mx.preference, mx.exchange);
        } else if (answer.notFound()) {
            out.status = smtp_agent::MxAnswer::NotFound;
        } else {
            out.status =
                answer.status == dns::Status::TempFail ? smtp_agent::MxAnswer::TempFail : smtp_agent::MxAnswer::Failed;
        }
        out.error = dnsText(answer.status);
        return out;
    };
    lookup.host = [](const std::string& host, bool ipv4, bool ipv6) {
        smtp_agent::HostAnswer out;
        dns::Resolver* r = dnsResolver();
        if (!r) {
            out.status = smtp_agent::HostAnswer::TempFail;
            out.error = dnsText(dns::Status::TempFail);
            return out;
        }
        dns::Status worst = dns::Status::NxDomain;
        for (auto type : {dns::RecordType::A, dns::RecordType::AAAA}) {
            if ((type == dns::RecordType::A && !ipv4) || (type == dns::RecordType::AAAA && !ipv6)) continue;
            dns::Answer answer = r->lookup(host, type);
            if (answer.found()) {
                for (auto& a : answer.addresses) out.addresses.push_back(a);
            } else if (answer.status == dns::Status::TempFail) {
                worst = dns::Status::TempFail;
            } else if (answer.status == dns::Status::NoData && worst == dns::Status::NxDomain) {
                worst = dns::Status::NoData;
            } else if (!answer.notFound() && worst != dns::Status::TempFail) {
                worst = answer.status;
            }
        }
        if (!out.addresses.empty()) {
            out.status = smtp_agent::HostAnswer::Found;
            return out;
        }
        out.status = worst == dns::Status::TempFail                                   ? smtp_agent::HostAnswer::TempFail
                     : worst == dns::Status::NxDomain || worst == dns::Status::NoData ? smtp_agent::HostAnswer::NotFound
                                                                                      : smtp_agent::HostAnswer::Failed;
        out.error = dnsText(worst);
        return out;
    };
    lookup.native = [](const std::string& host, bool ipv4, bool ipv6) {
        smtp_agent::HostAnswer out;
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        int err = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
        if (err != 0) {
            out.status = err == EAI_AGAIN                         ? smtp_agent::HostAnswer::TempFail
                         : err == EAI_NONAME || err == EAI_NODATA ? smtp_agent::HostAnswer::NotFound
                                                                  : smtp_agent::HostAnswer::Failed;
            out.error = ::gai_strerror(err);
            return out;
        }
        out.status = smtp_agent::HostAnswer::Found;
        for (addrinfo* ai = res; ai; ai = ai->ai_next) {
            char buf[INET6_ADDRSTRLEN] = "";
            if (ai->ai_family == AF_INET && ipv4)
                ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, buf, sizeof buf);
            else if (ai->ai_family == AF_INET6 && ipv6)
                ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, buf, sizeof buf);
            if (buf[0] && std::find(out.addresses.begin(), out.addresses.end(), buf) == out.addresses.end())
                out.addresses.emplace_back(buf);
        }
        ::freeaddrinfo(res);
        return out;
    };
    return lookup;
}

// scache(8) through lib/server's client, for the delivery loop's ConnectionCache.
class ScacheCache : public smtp_agent::ConnectionCache {
public:
    ScacheCache(std::string path, long timeout) : client_(std::move(path), timeout) {}
    std::optional<Found> findDestination(std::string_view label) override {
        return convert(client_.findDestination(label));
    }
    std::optional<Found> findEndpoint(std::string_view label) override { return convert(client_.findEndpoint(label)); }
    void saveDestination(long ttl, std::string_view label, std::string_view property,
                         std::string_view endpointLabel) override {
        client_.saveDestination(ttl, label, property, endpointLabel);
    }
    void saveEndpoint(long ttl, std::string_view label, std::string_view property, int fd) override {
        client_.saveEndpoint(ttl, label, property, fd);
    }

private:
    static std::optional<Found> convert(std::optional<server::ScacheClient::Found> found) {
        if (!found) return std::nullopt;
        return Found{found->fd, std::move(found->destinationProperty), std::move(found->endpointProperty)};
    }
    server::ScacheClient client_;
};

// The process's cache client and smtp_connection_cache_destinations, made once: the
// connection to scache stays open from one delivery request to the next.
std::unique_ptr<ScacheCache> cacheClient;
std::unique_ptr<address::MatchList> cacheDestinations;

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    auto get = [&](std::string_view n) { return cfg.get(n); };
    delivery::AgentQueue queue = server::agentQueueOf(cfg);
    smtp_agent::AgentSettings settings = smtp_agent::readAgentSettings(lmtpMode, get);
    settings.serviceName = cfg.options().serviceName;
    if (!cacheClient) {
        cacheClient = std::make_unique<ScacheCache>("private/" + cfg.get("connection_cache_service_name"),
                                                    std::max(1L, cfg.getSeconds("connection_cache_protocol_timeout")));
        std::string param = lmtpMode ? "lmtp_connection_cache_destinations" : "smtp_connection_cache_destinations";
        cacheDestinations = std::make_unique<address::MatchList>(
            address::MatchList::create(param, cfg.get(param), address::MatchKind::String));
    }
    if (!cacheDestinations->empty())
        settings.cacheDestinations = [](const std::string& domain) { return cacheDestinations->match(domain).matched; };
    smtp_agent::Lookup lookup = dnsLookup();
    auto served = delivery::serveDeliveryRequest(conn.inFd, conn.outFd, queue, [&](delivery::AgentDelivery& d) {
        // deliver_message(): an empty nexthop is a queue manager bug.
        if (d.request().nexthop.empty()) base::msgFatal("empty nexthop hostname");
        return smtp_agent::deliverSmtp(d, settings, lookup, cacheClient.get());
    });
    if (!served) base::msgFatal(served.error().message);
}

}  // namespace

int main(int argc, char** argv) {
    std::string name = argc > 0 ? argv[0] : "smtp";
    if (auto slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
    lmtpMode = name == "lmtp";
    server::Daemon daemon;
    daemon.program = lmtpMode ? "lmtp" : "smtp";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
