// DNS lookups for the mail daemons: A, AAAA, MX, PTR, TXT and NS records through c-ares,
// synchronous with a timeout for single-client smtpd processes, and an event-driven
// shape (start queries, watch sockets, process) for clients that overlap lookups.
// Mirrors what Postfix's dns/dns_lookup.c gets from the system resolver (res_query).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::dns {

enum class RecordType { A, AAAA, MX, PTR, TXT, NS };
const char* recordTypeName(RecordType type);  // "A", "AAAA", "MX", "PTR", "TXT", "NS"

// How a query ended. NxDomain and NoData are both "not found" (Postfix's
// DNS_NOTFOUND); Failed is a permanent server failure (REFUSED, NOTIMP, FORMERR:
// Postfix's DNS_FAIL); TempFail covers SERVFAIL, timeouts and unreachable servers
// (DNS_RETRY); Malformed is a reply that does not parse (DNS_INVAL).
enum class Status { Found, NxDomain, NoData, TempFail, Failed, Malformed };
const char* statusName(Status status);  // "found", "nxdomain", "nodata", "tempfail", "failed", "malformed"

struct MxRecord {
    int preference = 0;
    std::string exchange;  // without the trailing dot; "" for a null MX (RFC 7505 ".")
};

struct Answer {
    std::string name;  // the name queried
    RecordType type = RecordType::A;
    Status status = Status::TempFail;
    std::string error;                   // why, for every status but Found
    std::vector<std::string> addresses;  // A, AAAA: printable addresses, in reply order
    std::vector<MxRecord> mx;            // MX: sorted by preference (stable)
    std::vector<std::string> names;      // PTR: host names without the trailing dot
    std::vector<std::string> texts;      // TXT: each record's strings joined

    bool found() const { return status == Status::Found; }
    bool notFound() const { return status == Status::NxDomain || status == Status::NoData; }
    // RFC 7505: an MX answer with a record whose exchange is the root ("").
    bool nullMx() const;
};

struct ResolverOptions {
    // "ADDRESS" or "ADDRESS:PORT" ("[IPV6]:PORT"), tried in order; empty: the servers
    // of /etc/resolv.conf.
    std::vector<std::string> nameservers;
    // The wait for the first try; c-ares doubles it for each round over the servers.
    std::chrono::milliseconds timeout{5000};
    int tries = 2;        // rounds over the servers before TempFail
    bool useTcp = false;  // every query over TCP (UDP otherwise, TCP after truncation)
};

// The reverse-lookup name of a printable address ("192.0.2.1" ->
// "1.2.0.192.in-addr.arpa", IPv6 -> nibbles under ip6.arpa); nullopt if not an address.
std::optional<std::string> reverseLookupName(std::string_view address);

// One c-ares channel. Not thread-safe: one thread uses a Resolver at a time. Names are
// queried as given (no search list, no /etc/hosts); a trailing dot is allowed.
class Resolver {
public:
    using Callback = std::function<void(Answer)>;

    // Errors: the channel cannot be created, or a nameserver entry does not parse.
    static base::Result<std::unique_ptr<Resolver>> create(const ResolverOptions& options);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Synchronous: the answer once c-ares is done with the query (at most about
    // timeout * (2^tries - 1) per server).
    Answer lookup(std::string_view name, RecordType type);
    // PTR lookup of a printable address (Malformed with an error if it is not one).
    Answer lookupAddress(std::string_view address);

    // Event-driven use: start() queues a query; `done` runs from process() or
    // runOnce() (or from the destructor, with TempFail, for queries still pending).
    void start(std::string_view name, RecordType type, Callback done);
    size_t pending() const;
    struct Interest {
        int fd;
        bool read;
        bool write;
    };
    std::vector<Interest> interests() const;  // the sockets to watch now
    // How long until c-ares must process timeouts (at most `cap`).
    std::chrono::milliseconds nextTimeout(std::chrono::milliseconds cap) const;
    // After poll: an fd that became ready, or -1 for "the timeout passed".
    void process(int fd, bool readable, bool writable);
    // poll() over interests() for at most `cap` (and nextTimeout), then process.
    void runOnce(std::chrono::milliseconds cap);

private:
    struct Impl;
    explicit Resolver(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace postline::dns
