// The Resolver over one c-ares channel: queries, the poll loop around
// ares_process_fd, and the translation of c-ares results and replies into Answers
// (the statuses Postfix's dns_lookup.c derives from res_query's h_errno).
#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>

#include <sys/time.h>
#include <algorithm>
#include <cstring>
#include <mutex>

#include "postline/dns/resolver.h"

namespace postline::dns {

namespace {

constexpr int kClassIn = 1;

int wireType(RecordType type) {
    switch (type) {
        case RecordType::A:
            return 1;
        case RecordType::AAAA:
            return 28;
        case RecordType::MX:
            return 15;
        case RecordType::PTR:
            return 12;
        case RecordType::TXT:
            return 16;
        case RecordType::NS:
            return 2;
    }
    return 1;
}

std::string withoutDot(const char* name) {
    std::string s = name ? name : "";
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// The query's own outcome (before any parsing): Found means "parse the reply".
Status queryStatus(int status) {
    switch (status) {
        case ARES_SUCCESS:
            return Status::Found;
        case ARES_ENODATA:
            return Status::NoData;
        case ARES_ENOTFOUND:
        case ARES_EBADNAME:
            return Status::NxDomain;
        case ARES_EREFUSED:
        case ARES_ENOTIMP:
        case ARES_EFORMERR:
        case ARES_EBADQUERY:
            return Status::Failed;
        case ARES_EBADRESP:
            return Status::Malformed;
        default:  // ARES_ESERVFAIL, ARES_ETIMEOUT, ARES_ECONNREFUSED, ARES_ENOMEM, cancelled
            return Status::TempFail;
    }
}

// A parse result other than success.
void parseFailed(Answer& a, int status) {
    a.status = status == ARES_ENODATA ? Status::NoData : status == ARES_ENOMEM ? Status::TempFail : Status::Malformed;
    a.error = status == ARES_ENODATA ? "no " + std::string(recordTypeName(a.type)) + " records"
                                     : std::string("malformed reply: ") + ares_strerror(status);
}

void parseAddresses(Answer& a, const unsigned char* buf, int len) {
    hostent* host = nullptr;
    int st = a.type == RecordType::A ? ares_parse_a_reply(buf, len, &host, nullptr, nullptr)
                                     : ares_parse_aaaa_reply(buf, len, &host, nullptr, nullptr);
    if (st != ARES_SUCCESS) return parseFailed(a, st);
    char text[INET6_ADDRSTRLEN];
    for (char** p = host->h_addr_list; p && *p; ++p)
        if (inet_ntop(host->h_addrtype, *p, text, sizeof text)) a.addresses.emplace_back(text);
    ares_free_hostent(host);
    if (a.addresses.empty()) parseFailed(a, ARES_ENODATA);
}

void parseMx(Answer& a, const unsigned char* buf, int len) {
    ares_mx_reply* mx = nullptr;
    int st = ares_parse_mx_reply(buf, len, &mx);
    if (st != ARES_SUCCESS) return parseFailed(a, st);
    for (auto* p = mx; p; p = p->next) a.mx.push_back({p->priority, withoutDot(p->host)});
    ares_free_data(mx);
    std::stable_sort(a.mx.begin(), a.mx.end(),
                     [](const MxRecord& x, const MxRecord& y) { return x.preference < y.preference; });
    if (a.mx.empty()) parseFailed(a, ARES_ENODATA);
}

void parsePtr(Answer& a, const unsigned char* buf, int len) {
    // The address is only copied into the hostent; the names are what we want.
    in_addr dummy{};
    hostent* host = nullptr;
    int st = ares_parse_ptr_reply(buf, len, &dummy, sizeof dummy, AF_INET, &host);
    if (st != ARES_SUCCESS) return parseFailed(a, st);
    // c-ares lists the first name both as h_name and among the aliases.
    auto add = [&a](const char* name) {
        std::string n = withoutDot(name);
        if (!n.empty() && std::find(a.names.begin(), a.names.end(), n) == a.names.end()) a.names.push_back(n);
    };
    if (host->h_name) add(host->h_name);
    for (char** p = host->h_aliases; p && *p; ++p) add(*p);
    ares_free_hostent(host);
    if (a.names.empty()) parseFailed(a, ARES_ENODATA);
}

void parseNs(Answer& a, const unsigned char* buf, int len) {
    hostent* host = nullptr;
    int st = ares_parse_ns_reply(buf, len, &host);
    if (st != ARES_SUCCESS) return parseFailed(a, st);
    for (char** p = host->h_aliases; p && *p; ++p) {
        std::string n = withoutDot(*p);
        if (!n.empty() && std::find(a.names.begin(), a.names.end(), n) == a.names.end()) a.names.push_back(n);
    }
    ares_free_hostent(host);
    if (a.names.empty()) parseFailed(a, ARES_ENODATA);
}

void parseTxt(Answer& a, const unsigned char* buf, int len) {
    ares_txt_ext* txt = nullptr;
    int st = ares_parse_txt_reply_ext(buf, len, &txt);
    if (st != ARES_SUCCESS) return parseFailed(a, st);
    for (auto* p = txt; p; p = p->next) {
        std::string chunk(reinterpret_cast<const char*>(p->txt), p->length);
        if (p->record_start || a.texts.empty())
            a.texts.push_back(std::move(chunk));
        else
            a.texts.back() += chunk;
    }
    ares_free_data(txt);
    if (a.texts.empty()) parseFailed(a, ARES_ENODATA);
}

struct Query {
    Answer answer;
    Resolver::Callback done;
    size_t* pending;
};

void queryDone(void* arg, int status, int /*timeouts*/, unsigned char* buf, int len) {
    std::unique_ptr<Query> q(static_cast<Query*>(arg));
    --*q->pending;
    Answer& a = q->answer;
    a.status = queryStatus(status);
    if (a.status != Status::Found) {
        a.error = ares_strerror(status);
    } else {
        switch (a.type) {
            case RecordType::A:
            case RecordType::AAAA:
                parseAddresses(a, buf, len);
                break;
            case RecordType::MX:
                parseMx(a, buf, len);
                break;
            case RecordType::PTR:
                parsePtr(a, buf, len);
                break;
            case RecordType::TXT:
                parseTxt(a, buf, len);
                break;
            case RecordType::NS:
                parseNs(a, buf, len);
                break;
        }
    }
    if (q->done) q->done(std::move(a));
}

std::once_flag libraryInit;
int libraryStatus = ARES_SUCCESS;

}  // namespace

struct Resolver::Impl {
    ares_channel channel = nullptr;
    size_t pending = 0;
    ~Impl() {
        if (channel) ares_destroy(channel);  // runs pending callbacks with ARES_EDESTRUCTION
    }
};

Resolver::Resolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Resolver::~Resolver() = default;

base::Result<std::unique_ptr<Resolver>> Resolver::create(const ResolverOptions& options) {
    std::call_once(libraryInit, [] { libraryStatus = ares_library_init(ARES_LIB_INIT_ALL); });
    if (libraryStatus != ARES_SUCCESS)
        return base::Error{std::string("DNS resolver initialization: ") + ares_strerror(libraryStatus)};
    ares_options opts{};
    opts.timeout = static_cast<int>(std::max<long long>(1, options.timeout.count()));
    opts.tries = std::max(1, options.tries);
    opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | (options.useTcp ? ARES_FLAG_USEVC : 0);
    auto impl = std::make_unique<Impl>();
    int st = ares_init_options(&impl->channel, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
    if (st != ARES_SUCCESS) {
        impl->channel = nullptr;
        return base::Error{std::string("DNS resolver initialization: ") + ares_strerror(st)};
    }
    if (!options.nameservers.empty()) {
        std::string csv;
        for (const auto& s : options.nameservers) {
            if (s.empty() || s.find_first_of(", \t") != std::string::npos)
                return base::Error{"bad nameserver \"" + s + "\""};
            csv += (csv.empty() ? "" : ",") + s;
        }
        st = ares_set_servers_ports_csv(impl->channel, csv.c_str());
        if (st != ARES_SUCCESS)
            return base::Error{"bad nameserver list \"" + csv + "\": " + std::string(ares_strerror(st))};
    }
    return std::unique_ptr<Resolver>(new Resolver(std::move(impl)));
}

void Resolver::start(std::string_view name, RecordType type, Callback done) {
    auto* q = new Query{};
    q->answer.name = std::string(name);
    q->answer.type = type;
    q->done = std::move(done);
    q->pending = &impl_->pending;
    ++impl_->pending;
    // c-ares wants no trailing dot for ares_query's name; one is allowed here.
    std::string query = q->answer.name;
    if (!query.empty() && query.back() == '.') query.pop_back();
    ares_query(impl_->channel, query.c_str(), kClassIn, wireType(type), queryDone, q);
}

size_t Resolver::pending() const { return impl_->pending; }

std::vector<Resolver::Interest> Resolver::interests() const {
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(impl_->channel, socks, ARES_GETSOCK_MAXNUM);
    std::vector<Interest> out;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        bool r = ARES_GETSOCK_READABLE(bits, i), w = ARES_GETSOCK_WRITABLE(bits, i);
        if (!r && !w) continue;
        out.push_back({socks[i], r, w});
    }
    return out;
}

std::chrono::milliseconds Resolver::nextTimeout(std::chrono::milliseconds cap) const {
    timeval max{static_cast<time_t>(cap.count() / 1000), static_cast<suseconds_t>((cap.count() % 1000) * 1000)};
    timeval buf{};
    timeval* tv = ares_timeout(impl_->channel, &max, &buf);
    long long ms = static_cast<long long>(tv->tv_sec) * 1000 + (tv->tv_usec + 999) / 1000;
    return std::chrono::milliseconds(std::max<long long>(0, ms));
}

void Resolver::process(int fd, bool readable, bool writable) {
    ares_process_fd(impl_->channel, fd >= 0 && readable ? fd : ARES_SOCKET_BAD,
                    fd >= 0 && writable ? fd : ARES_SOCKET_BAD);
}

void Resolver::runOnce(std::chrono::milliseconds cap) {
    auto wanted = interests();
    std::vector<pollfd> fds;
    for (auto& i : wanted)
        fds.push_back({i.fd, static_cast<short>((i.read ? POLLIN : 0) | (i.write ? POLLOUT : 0)), 0});
    int wait = static_cast<int>(nextTimeout(cap).count());
    int n = ::poll(fds.data(), fds.size(), wait);
    if (n <= 0) {
        process(-1, false, false);  // timeouts (an EINTR also lands here: harmless)
        return;
    }
    for (auto& p : fds) {
        if (!p.revents) continue;
        bool r = p.revents & (POLLIN | POLLERR | POLLHUP), w = p.revents & (POLLOUT | POLLERR);
        process(p.fd, r, w);
    }
}

Answer Resolver::lookup(std::string_view name, RecordType type) {
    std::optional<Answer> result;
    start(name, type, [&result](Answer a) { result = std::move(a); });
    while (!result) runOnce(std::chrono::milliseconds(1000));
    return std::move(*result);
}

Answer Resolver::lookupAddress(std::string_view address) {
    auto name = reverseLookupName(address);
    if (!name) {
        Answer a;
        a.name = std::string(address);
        a.type = RecordType::PTR;
        a.status = Status::Malformed;
        a.error = "not a numeric address: " + a.name;
        return a;
    }
    return lookup(*name, RecordType::PTR);
}

}  // namespace postline::dns
