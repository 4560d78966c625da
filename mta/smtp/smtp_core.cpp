// smtp(8)/lmtp(8)'s delivery loop (Postfix's smtp/smtp_connect.c smtp_connect_inet,
// smtp_connect_local and the left-over handling, smtp_trouble.c smtp_bulk_fail and
// smtp_rcpt_fail, smtp_rcpt.c smtp_rcpt_done): sites in order, addresses within a site
// under smtp_mx_address_limit and smtp_mx_session_limit, one ClientSession per
// connection, and each recipient's outcome reported or kept for the next server.
#include "smtp_core.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>

#include "postline/base/msg.h"
#include "postline/config/time_value.h"
#include "postline/smtp/ehlo_mask.h"

namespace postline::smtp_agent {

namespace {

bool yes(const std::string& value) { return value == "yes" || value == "YES" || value == "Yes" || value == "true"; }

long number(const std::string& value, long fallback) {
    try {
        return value.empty() ? fallback : std::stol(value);
    } catch (...) {
        return fallback;
    }
}

// ---- sockets ------------------------------------------------------------------------

int waitFd(int fd, short events, long timeoutSeconds) {
    pollfd p{fd, events, 0};
    int ms = timeoutSeconds > 0 ? static_cast<int>(timeoutSeconds * 1000) : -1;
    for (;;) {
        int n = ::poll(&p, 1, ms);
        if (n < 0 && errno == EINTR) continue;
        return n;  // 0: timed out
    }
}

// timed_connect(): a non-blocking connect waited for; errno set on failure.
int connectTcp(const std::string& address, unsigned port, long timeoutSeconds) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = AF_INET;
    if (address.find(':') != std::string::npos) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(static_cast<uint16_t>(port));
        if (::inet_pton(AF_INET6, address.c_str(), &sin6->sin6_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        family = AF_INET6;
        len = sizeof *sin6;
    } else {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(static_cast<uint16_t>(port));
        if (::inet_pton(AF_INET, address.c_str(), &sin->sin_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        len = sizeof *sin;
    }
    int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
        if (errno != EINPROGRESS) {
            int err = errno;
            ::close(fd);
            errno = err;
            return -1;
        }
        int n = waitFd(fd, POLLOUT, timeoutSeconds);
        int err = 0;
        socklen_t errLen = sizeof err;
        if (n == 0)
            err = ETIMEDOUT;
        else if (n < 0)
            err = errno;
        else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errLen) < 0)
            err = errno;
        if (err != 0) {
            ::close(fd);
            errno = err;
            return -1;
        }
    }
    return fd;
}

int connectUnix(const std::string& path) {
    sockaddr_un sun{};
    if (path.size() >= sizeof sun.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, path.data(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) < 0) {
        int err = errno;
        ::close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

// Writes all of `bytes`; false with `timedOut` on failure.
bool writeAll(int fd, std::string_view bytes, long timeoutSeconds, bool& timedOut) {
    timedOut = false;
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int ready = waitFd(fd, POLLOUT, timeoutSeconds);
            if (ready == 0) timedOut = true;
            if (ready <= 0) return false;
            continue;
        }
        return false;
    }
    return true;
}

// ---- reporting ------------------------------------------------------------------------

// What one delivery request has settled so far.
struct Request {
    delivery::AgentDelivery& delivery;
    std::vector<bool> pending;  // per request recipient: not yet reported
    bool anyDeferred = false;
    bool bounceFailed = false;
    delivery::Dsn hopStatus;
    delivery::Dsn last;  // the last error (Postfix's `why`)

    size_t left() const {
        size_t n = 0;
        for (bool p : pending) n += p ? 1 : 0;
        return n;
    }
};

delivery::Dsn dsnOf(const smtp::ClientOutcome& o, const std::string& mtaHost) {
    delivery::Dsn dsn;
    dsn.status = o.status;
    dsn.action = o.action;
    dsn.reason = o.reason;
    if (o.remote) {
        dsn.dtype = "smtp";
        dsn.dtext = o.reply;
        dsn.mtype = "dns";
        dsn.mname = mtaHost;
    }
    return dsn;
}

// defer_append() or bounce_append() of one recipient, which leaves the request.
void fail(Request& r, size_t index, std::string_view relay, const delivery::Dsn& dsn, bool throttle) {
    const delivery::DeliverRecipient& rcpt = r.delivery.request().recipients[index];
    r.pending[index] = false;
    bool deferred = dsn.isTemporary();
    if (deferred) {
        (void)r.delivery.defer(rcpt, relay, dsn);
    } else if (!r.delivery.bounce(rcpt, relay, dsn)) {
        deferred = true;  // bounce() deferred it instead
    }
    if (deferred) {
        r.anyDeferred = true;
        if (throttle && r.hopStatus.status.empty()) r.hopStatus = dsn;
    }
}

}  // namespace

AgentSettings readAgentSettings(bool lmtp, const std::function<std::string(std::string_view)>& get) {
    AgentSettings s;
    s.lmtp = lmtp;
    const std::string p = lmtp ? "lmtp_" : "smtp_";
    auto param = [&](const char* suffix) { return get(p + suffix); };
    auto seconds = [&](const char* suffix, long fallback) {
        return config::timeValue(param(suffix)).value_or(fallback);
    };
    smtp::ClientOptions& c = s.client;
    c.lmtp = lmtp;
    c.heloName = lmtp ? get("lmtp_lhlo_name") : get("smtp_helo_name");
    c.myHostname = get("myhostname");
    c.skip5xxGreeting = yes(param("skip_5xx_greeting"));
    c.skipQuitResponse = yes(param("skip_quit_response"));
    if (!lmtp) {
        c.alwaysEhlo = yes(get("smtp_always_send_ehlo"));
        c.neverEhlo = yes(get("smtp_never_send_ehlo"));
    }
    c.disableMimeOutputConversion = yes(get("disable_mime_output_conversion"));
    c.headerSizeLimit = static_cast<size_t>(std::max(1L, number(get("header_size_limit"), 102400)));
    c.mimeNestingLimit = static_cast<int>(number(get("mime_nesting_limit"), 100));
    c.discardEhloMask = smtp::ehloMask(lmtp ? get("lmtp_discard_lhlo_keywords") : get("smtp_discard_ehlo_keywords"));
    c.lineLengthLimit = static_cast<size_t>(std::max(0L, number(param("line_length_limit"), 998)));
    c.replyLineLimit = static_cast<size_t>(std::max(512L, number(get("line_length_limit"), 2048)));
    s.defaultService = param("tcp_port");
    if (s.defaultService.empty()) s.defaultService = lmtp ? "24" : "smtp";
    std::string known = get("known_tcp_ports");
    if (!known.empty()) s.knownTcpPorts = known;
    s.fallbackRelay = param("fallback_relay");
    s.relayhost = get("relayhost");
    s.mxAddressLimit = static_cast<int>(number(param("mx_address_limit"), 5));
    s.mxSessionLimit = static_cast<int>(number(param("mx_session_limit"), 2));
    std::string protocols = get("inet_protocols");
    if (protocols.find("all") == std::string::npos && !protocols.empty()) {
        s.addresses.ipv4 = protocols.find("ipv4") != std::string::npos;
        s.addresses.ipv6 = protocols.find("ipv6") != std::string::npos;
    }
    // smtp_dns_support_level (empty: disable_dns_lookups decides), smtp_host_lookup.
    std::string dnsLevel = param("dns_support_level");
    bool dnsEnabled = dnsLevel.empty() ? !yes(get("disable_dns_lookups")) : dnsLevel != "disabled";
    std::string hostLookup = param("host_lookup");
    s.addresses.dnsHosts = dnsEnabled && (hostLookup.empty() || hostLookup.find("dns") != std::string::npos);
    s.addresses.nativeHosts = !dnsEnabled || hostLookup.find("native") != std::string::npos;
    s.addresses.lookupMx = !lmtp && dnsEnabled;
    s.addresses.randomize = yes(param("randomize_addresses"));
    s.connectTimeout = seconds("connect_timeout", lmtp ? 0 : 30);
    s.heloTimeout = seconds(lmtp ? "lhlo_timeout" : "helo_timeout", 300);
    s.mailTimeout = seconds("mail_timeout", 300);
    s.rcptTimeout = seconds("rcpt_timeout", 300);
    s.dataInitTimeout = seconds("data_init_timeout", 120);
    s.dataXferTimeout = seconds("data_xfer_timeout", 180);
    s.dataDoneTimeout = seconds("data_done_timeout", 600);
    s.rsetTimeout = seconds("rset_timeout", 20);
    s.quitTimeout = seconds("quit_timeout", 300);
    s.cacheOnDemand = yes(param("connection_cache_on_demand"));
    s.cacheTimeLimit = std::max(1L, seconds("connection_cache_time_limit", 2));
    s.reuseTimeLimit = std::max(1L, seconds("connection_reuse_time_limit", 300));
    s.reuseCountLimit = static_cast<int>(number(param("connection_reuse_count_limit"), 0));
    return s;
}

namespace {

long waitTimeout(const AgentSettings& s, smtp::ClientWait wait) {
    switch (wait) {
        case smtp::ClientWait::Helo:
            return s.heloTimeout;
        case smtp::ClientWait::Mail:
            return s.mailTimeout;
        case smtp::ClientWait::Rcpt:
            return s.rcptTimeout;
        case smtp::ClientWait::DataInit:
            return s.dataInitTimeout;
        case smtp::ClientWait::DataDone:
            return s.dataDoneTimeout;
        case smtp::ClientWait::Rset:
            return s.rsetTimeout;
        case smtp::ClientWait::Quit:
            return s.quitTimeout;
        case smtp::ClientWait::None:
            break;
    }
    return s.quitTimeout;
}

// One connected server: the host, its address and port.
struct Server {
    std::string host, address;
    unsigned port = 0;
    bool bestMx = false;
};

// How a session starts: a new connection (handshake first) or one from the cache
// (RSET probe first, the cached features), and whether and until when it may be cached.
struct SessionStart {
    bool fromCache = false;
    smtp::ServerFeatures features;  // from the cache
    bool cacheSession = false;      // THIS_SESSION_IS_CACHED at the start
    long expireTime = 0;
    int reuseCount = 0;
};

struct SessionEnd {
    bool reusable = false;     // ended in step with the connection open
    bool throttled = false;    // a site failure: not good enough to stand for the nexthop
    bool probeFailed = false;  // a cached connection that failed its RSET
    smtp::ServerFeatures features;
};

// What one delivery request knows about the connection cache (smtp_connect.c's
// SMTP_STATE misc flags, request_nexthop, cache_used).
struct CacheUse {
    ConnectionCache* cache = nullptr;
    bool load = false, store = false;
    std::string requestNexthop;     // "" once the first good session was saved under it
    std::vector<std::string> used;  // addresses whose cached sessions this request used
    bool smtputf8 = false;          // part of every label

    // smtp_cache_policy(): a listed destination caches both ways; otherwise the queue
    // manager's on-demand flags decide.
    void policy(const AgentSettings& s, const std::string& domain, int requestFlags) {
        load = store = false;
        if (!cache) return;
        if (s.cacheDestinations && s.cacheDestinations(domain)) {
            load = store = true;
        } else if (s.cacheOnDemand) {
            load = (requestFlags & delivery::kFlagConnLoad) != 0;
            store = (requestFlags & delivery::kFlagConnStore) != 0;
        }
    }
};

// The session over the pending recipients on `fd`, outcomes reported as they come
// (smtp_helo + smtp_xfer). `finalNexthop` and `moreAddresses` decide whether a soft
// error keeps recipients for the next server; `sessions` counts sessions that got past
// the handshake (smtp_mx_session_limit). The descriptor stays open.
SessionEnd runSession(int fd, Request& r, const AgentSettings& settings, const Server& server,
                      const SessionStart& start, const std::vector<std::string>& content, bool finalNexthop,
                      bool& moreAddresses, int& sessions, const std::string& nexthop) {
    const delivery::DeliverRequest& request = r.delivery.request();
    std::string namaddr = server.host + "[" + server.address + "]";
    std::string relay = server.port ? namaddr + ":" + std::to_string(server.port) : namaddr;

    smtp::ClientOptions options = settings.client;
    options.peer = namaddr;
    options.peerHost = server.host;
    options.nexthop = nexthop;
    options.loopDetect = !settings.lmtp && server.port == 25;
    options.bestMx = server.bestMx;
    options.verifyOnly = r.delivery.verifyOnly();
    options.cacheSession = start.cacheSession;
    long expireTime = start.expireTime;
    int reuseCount = start.reuseCount, countLimit = settings.reuseCountLimit;
    options.sessionExpired = [expireTime, reuseCount, countLimit] {
        return expireTime < std::time(nullptr) || (countLimit > 0 && reuseCount >= countLimit);
    };

    smtp::ClientMessage message;
    message.sender = request.sender;
    message.size = request.dataSize;
    message.encoding = request.encoding;
    message.envid = request.dsnEnvid;
    message.dsnRet = request.dsnRet;
    message.smtputf8Requested = (request.sendopts & 1) != 0;
    message.smtputf8Required = message.smtputf8Requested && (request.sendopts & (2 | 4 | 8)) != 0;
    message.content = &content;
    std::vector<size_t> map;  // session index -> request index
    for (size_t i = 0; i < request.recipients.size(); ++i) {
        if (!r.pending[i]) continue;
        const delivery::DeliverRecipient& rcpt = request.recipients[i];
        message.recipients.push_back({rcpt.address, rcpt.original, rcpt.dsnOrcpt, rcpt.dsnNotify});
        map.push_back(i);
    }
    smtp::ClientSession session = start.fromCache ? smtp::ClientSession(options, std::move(message), start.features)
                                                  : smtp::ClientSession(options, std::move(message));
    bool loggedBreak = false;
    SessionEnd end;

    auto report = [&] {
        for (const smtp::ClientOutcome& o : session.takeOutcomes()) {
            using Kind = smtp::ClientOutcome::Kind;
            if (o.kind == Kind::Ready) {
                r.delivery.connectionSetupDone(start.fromCache ? start.reuseCount : 0);
                if (++sessions == settings.mxSessionLimit) moreAddresses = false;
                continue;
            }
            if (o.kind == Kind::Sent) {
                delivery::Dsn dsn = dsnOf(o, server.host);
                for (size_t i : o.recipients) {
                    r.pending[map[i]] = false;
                    // smtp_rcpt_done(): a server that announced DSN sends its own success
                    // notice; ours is only for a server that cannot ("relayed").
                    delivery::DeliverRecipient rcpt = request.recipients[map[i]];
                    if (session.features().dsn) rcpt.dsnNotify &= ~delivery::kNotifySuccess;
                    if (!r.delivery.sent(rcpt, relay, dsn)) r.anyDeferred = true;
                }
                continue;
            }
            r.last = dsnOf(o, server.host);
            bool throttle = o.kind == Kind::SiteFailed;
            if (throttle) end.throttled = true;
            bool finalServer = finalNexthop && !moreAddresses;
            // A soft error qualifies the recipients for the next server: only logged.
            if (o.soft() && !finalServer) {
                base::msgInfo(request.queueId + ": " + o.reason);
                continue;
            }
            delivery::Dsn dsn = dsnOf(o, server.host);
            for (size_t i : o.recipients) fail(r, map[i], relay, dsn, throttle);
        }
    };

    bool lost = false;
    for (;;) {
        bool content_ = false;
        std::string out = session.takeOutput(&content_);
        if (content_ && session.brokeLongLine() && !loggedBreak) {
            base::msgInfo(request.queueId + ": breaking line > " + std::to_string(settings.client.lineLengthLimit) +
                          " bytes with <CR><LF>SPACE");
            loggedBreak = true;
        }
        if (!out.empty()) {
            bool timedOut = false;
            long timeout = content_ ? settings.dataXferTimeout : waitTimeout(settings, session.waitingFor());
            if (!writeAll(fd, out, timeout, timedOut)) {
                session.connectionLost(timedOut, content_);
                lost = true;
                report();
                break;
            }
        }
        report();
        if (session.done()) break;
        int ready = waitFd(fd, POLLIN, waitTimeout(settings, session.waitingFor()));
        if (ready == 0) {
            session.connectionLost(true);
            lost = true;
            report();
            break;
        }
        char buf[8192];
        ssize_t n = ready < 0 ? -1 : ::read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            session.connectionLost(false);
            lost = true;
            report();
            break;
        }
        session.feed(std::string_view(buf, static_cast<size_t>(n)));
    }
    end.reusable = !lost && session.reusable();
    end.probeFailed = session.probeFailed();
    end.features = session.features();
    return end;
}

// smtp_cleanup_session(): a good session goes to the cache — under the request's
// nexthop when it is the first good one, and under its endpoint — unless it has
// expired by now (then it says QUIT); any other is closed.
void cleanupSession(int fd, const SessionEnd& end, const Server& server, const std::string& site,
                    const SessionStart& start, CacheUse& cacheUse, const AgentSettings& settings) {
    bool expired = start.expireTime < std::time(nullptr) ||
                   (settings.reuseCountLimit > 0 && start.reuseCount >= settings.reuseCountLimit);
    if (end.reusable && expired) {
        bool timedOut = false;
        (void)writeAll(fd, "QUIT\r\n", settings.quitTimeout, timedOut);
    } else if (end.reusable && cacheUse.cache) {
        CachedSession cached;
        cached.destination = site;
        cached.host = server.host;
        cached.address = server.address;
        cached.port = server.port;
        cached.bestMx = server.bestMx;
        cached.features = end.features;
        cached.reuseCount = start.reuseCount;
        cached.expireTime = start.expireTime;
        std::string endpoint = endpointLabel(settings.serviceName, server.address, server.port, cacheUse.smtputf8);
        if (!cacheUse.requestNexthop.empty())
            cacheUse.cache->saveDestination(
                settings.cacheTimeLimit,
                destinationLabel(settings.serviceName, cacheUse.requestNexthop, cacheUse.smtputf8),
                destinationProperty(cached), endpoint);
        cacheUse.cache->saveEndpoint(settings.cacheTimeLimit, endpoint, endpointProperty(cached), fd);
        fd = -1;  // the cache has it now
    }
    if (fd >= 0) ::close(fd);
    // Only the first good session stands for the nexthop: later ones may be to servers
    // that are less preferred.
    if (!end.throttled) cacheUse.requestNexthop.clear();
}

// A session that a cached connection starts; nothing when the properties do not parse.
std::optional<std::pair<Server, SessionStart>> activate(const ConnectionCache::Found& found, const Server& fallback,
                                                        std::string_view label) {
    auto cached = parseCachedSession(found.destinationProperty, found.endpointProperty);
    if (!cached) {
        base::msgWarn("smtp_reuse_common: bad cached session attribute for " + std::string(label));
        ::close(found.fd);
        return std::nullopt;
    }
    Server server = fallback;
    if (!found.destinationProperty.empty())
        server = Server{cached->host, cached->address, cached->port, cached->bestMx};
    SessionStart start;
    start.fromCache = true;
    start.features = cached->features;
    start.cacheSession = true;
    start.expireTime = cached->expireTime;
    start.reuseCount = cached->reuseCount + 1;
    return std::make_pair(server, start);
}

SessionStart newSessionStart(const CacheUse& cacheUse, const AgentSettings& settings) {
    SessionStart start;
    start.cacheSession = cacheUse.store;
    start.expireTime = cacheUse.store ? std::time(nullptr) + settings.reuseTimeLimit : 0;
    return start;
}

// smtp_update_addr_list(): after a cached session, the list loses that server's
// address, or everything when a session or address limit is reached.
void updateAddresses(std::vector<HostAddress>& addresses, const std::string& used, int sessionCount,
                     const AgentSettings& settings) {
    if (sessionCount == settings.mxSessionLimit || sessionCount == settings.mxAddressLimit) {
        addresses.clear();
        return;
    }
    std::erase_if(addresses, [&](const HostAddress& a) { return a.address == used; });
}

}  // namespace

delivery::DeliverReply deliverSmtp(delivery::AgentDelivery& delivery, const AgentSettings& settings,
                                   const Lookup& lookup, ConnectionCache* cache) {
    const delivery::DeliverRequest& request = delivery.request();
    Request r{delivery, std::vector<bool>(request.recipients.size(), true), false, false, {}, {}};
    auto setLast = [&](const std::string& status, const std::string& reason) {
        r.last = delivery::Dsn{};
        r.last.status = status;
        r.last.reason = reason;
    };
    delivery::DeliverReply reply;

    auto content = delivery.contentLines();
    if (!content) {
        base::msgWarn(request.queueId + ": " + content.error().message);
        delivery::Dsn dsn;
        dsn.status = "4.3.0";
        dsn.reason = "unreadable mail queue entry";
        for (size_t i = 0; i < request.recipients.size(); ++i) fail(r, i, "none", dsn, false);
        reply.status = delivery::kStatusDefer;
        return reply;
    }

    CacheUse cacheUse;
    cacheUse.cache = cache;
    cacheUse.smtputf8 = (request.sendopts & 1) != 0 && (request.sendopts & (2 | 4 | 8)) != 0;

    // One session on a connection (new or cached), then its clean-up.
    auto session = [&](int fd, const Server& server, const SessionStart& start, bool finalNexthop, bool& moreAddresses,
                       int& sessions, const std::string& site) {
        SessionEnd end =
            runSession(fd, r, settings, server, start, *content, finalNexthop, moreAddresses, sessions, site);
        if (end.probeFailed) {
            ::close(fd);
            return false;
        }
        cleanupSession(fd, end, server, site, start, cacheUse, settings);
        return true;
    };

    std::vector<std::string> sites = splitSites(request.nexthop);
    size_t nonFallback = sites.size();
    bool unixDestination = settings.lmtp && request.nexthop.compare(0, 5, "unix:") == 0;
    if (unixDestination) {
        // smtp_connect_local(): the whole nexthop is one socket path; always final.
        if (!settings.fallbackRelay.empty())
            base::msgWarn("ignoring \"lmtp_fallback_relay = " + settings.fallbackRelay +
                          "\" setting for non-TCP connections");
        std::string path = request.nexthop.substr(5);
        Server server{settings.client.myHostname, path, 0, false};
        cacheUse.policy(settings, path, request.flags);
        if (cacheUse.load || cacheUse.store) cacheUse.requestNexthop = path;
        bool more = false, done = false;
        int sessions = 0;
        if (cacheUse.load) {
            std::string label = destinationLabel(settings.serviceName, path, cacheUse.smtputf8);
            if (auto found = cache->findDestination(label)) {
                if (auto started = activate(*found, server, label))
                    done = session(found->fd, started->first, started->second, true, more, sessions, request.nexthop);
            }
        }
        if (!done) {
            int fd = connectUnix(path);
            if (fd < 0) {
                setLast("4.4.1", "connect to " + server.host + "[" + path + "]: " + std::strerror(errno));
                base::msgInfo(r.last.reason);
            } else {
                session(fd, server, newSessionStart(cacheUse, settings), true, more, sessions, request.nexthop);
            }
        }
        sites.clear();
    } else {
        for (auto& fallback : splitSites(settings.fallbackRelay)) sites.push_back(fallback);
    }

    for (size_t s = 0; s < sites.size() && r.left() > 0; ++s) {
        bool finalNexthop = s + 1 == sites.size();
        SiteResult parsed = parseSite(sites[s], settings.defaultService, settings.lmtp, settings.knownTcpPorts);
        if (!parsed.error.empty()) base::msgFatal(parsed.error);
        const Site& site = parsed.site;
        AddressOptions addressOptions = settings.addresses;
        Why why{r.last.status, r.last.reason};
        std::vector<HostAddress> addresses = resolveSite(site, addressOptions, lookup, why);
        if (addresses.empty()) setLast(why.status, why.reason);
        int bestPreference = addresses.empty() ? 0 : addresses.front().preference;
        // The cache policy is the first site's (the request's nexthop), kept for the
        // fallback relays.
        if (!addresses.empty() && s == 0) {
            cacheUse.policy(settings, site.host, request.flags);
            if (cacheUse.load || cacheUse.store) cacheUse.requestNexthop = sites[s];
        }
        int addressCount = 0, sessions = 0;
        // smtp_reuse_session(): a cached connection for the nexthop, then for each best
        // MX address, before any new connection.
        if (!addresses.empty() && cacheUse.load) {
            std::erase_if(addresses, [&](const HostAddress& a) {
                return std::find(cacheUse.used.begin(), cacheUse.used.end(), a.address) != cacheUse.used.end();
            });
            auto reuse = [&](std::optional<ConnectionCache::Found> found, const Server& fallback,
                             const std::string& label) {
                if (!found) return false;
                auto started = activate(*found, fallback, label);
                if (!started) return false;
                const Server& server = started->first;
                bool more = true;
                int count = sessions + 1;
                std::vector<HostAddress> rest = addresses;
                updateAddresses(rest, server.address, count, settings);
                more = !rest.empty();
                if (!session(found->fd, server, started->second, finalNexthop, more, sessions, sites[s])) return false;
                cacheUse.used.push_back(server.address);
                addressCount = sessions = count;
                addresses = std::move(rest);
                return true;
            };
            if (r.left() > 0 && !cacheUse.requestNexthop.empty()) {
                std::string label = destinationLabel(settings.serviceName, cacheUse.requestNexthop, cacheUse.smtputf8);
                reuse(cache->findDestination(label), Server{}, label);
            }
            for (size_t a = 0; a < addresses.size() && r.left() > 0;) {
                const HostAddress& addr = addresses[a];
                if (addr.preference != bestPreference) break;
                std::string label = endpointLabel(settings.serviceName, addr.address, site.port, cacheUse.smtputf8);
                Server server{addr.host, addr.address, site.port, true};
                size_t before = addresses.size();
                if (!reuse(cache->findEndpoint(label), server, label) || addresses.size() == before) ++a;
            }
        }
        for (size_t a = 0; a < addresses.size() && r.left() > 0; ++a) {
            bool moreAddresses = a + 1 < addresses.size();
            if (++addressCount == settings.mxAddressLimit) moreAddresses = false;
            const HostAddress& addr = addresses[a];
            Server server{addr.host, addr.address, site.port, addr.preference == bestPreference};
            bool done = false;
            // Backup MX hosts may have cached connections too.
            if (cacheUse.load && addr.preference != bestPreference) {
                std::string label = endpointLabel(settings.serviceName, addr.address, site.port, cacheUse.smtputf8);
                if (auto found = cache->findEndpoint(label)) {
                    if (auto started = activate(*found, server, label))
                        done = session(found->fd, server, started->second, finalNexthop, moreAddresses, sessions,
                                       sites[s]);
                }
            }
            if (!done) {
                int fd = connectTcp(addr.address, site.port, settings.connectTimeout);
                if (fd < 0) {
                    setLast("4.4.1", "connect to " + addr.host + "[" + addr.address + "]:" + std::to_string(site.port) +
                                         ": " + std::strerror(errno));
                    base::msgInfo(r.last.reason);
                } else {
                    session(fd, server, newSessionStart(cacheUse, settings), finalNexthop, moreAddresses, sessions,
                            sites[s]);
                }
            }
            if (!moreAddresses) break;
        }
        // A site whose addresses could not be looked up ends the list when the error
        // is final (smtp_connect_inet's FINAL_NEXTHOP on a mail loop; a null MX).
    }

    // Left-over recipients: every server was tried (smtp_connect()'s end).
    if (r.left() > 0) {
        delivery::Dsn dsn = r.last;
        if (dsn.status.empty()) {
            dsn.status = "4.3.0";
            dsn.reason = "server unavailable or unable to receive mail";
        } else if (!dsn.isTemporary() && !unixDestination) {
            bool usedFallback = sites.size() > nonFallback;
            if (usedFallback) {
                base::msgWarn((settings.lmtp ? "lmtp" : "smtp") + std::string("_fallback_relay configuration problem"));
                dsn.status = "4.3.5";
            } else if (!settings.lmtp && !sites.empty() && sites.front() == settings.relayhost) {
                base::msgWarn("relayhost configuration problem");
                dsn.status = "4.3.5";
            }
        }
        dsn.action.clear();
        for (size_t i = 0; i < request.recipients.size(); ++i)
            if (r.pending[i]) fail(r, i, "none", dsn, true);
    }
    if (r.anyDeferred) {
        reply.status = delivery::kStatusDefer;
        reply.hopStatus = r.hopStatus;
    }
    return reply;
}

}  // namespace postline::smtp_agent
