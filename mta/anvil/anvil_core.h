// The counters of anvil(8) (Postfix 3.7's anvil/anvil.c): per (service, client)
// identity the number of open connections and, within anvil_rate_time_unit, the
// connection, message, recipient, new-TLS-session and AUTH rates; a request answers
// with the updated value, which the client (smtpd) compares with its limits. Counts of
// a client connection that goes away without "disconnect" are undone. Peaks are
// reported as Postfix's "statistics:" log lines (every anvil_status_update_time, and
// when master goes away).
#pragma once

#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "postline/queue/attr_stream.h"

namespace postline::anvil {

class AnvilCore {
public:
    explicit AnvilCore(long rateTimeUnit) : unit_(rateTimeUnit) {}

    // One request group from client connection `client` at `now`; returns the reply
    // group's bytes (the attribute protocol's plain flavour, as Postfix's anvil speaks
    // it): status, then the request's values.
    std::string handle(int client, const queue::attr::Attributes& request, time_t now);
    // The client connection closed: its open connections are counted down.
    void clientGone(int client, time_t now);
    // Forgets identities with no connection whose rate window has passed
    // (anvil_remote_expire).
    void expire(time_t now);
    // The "statistics: max ..." lines since the last report (and resets the peaks).
    std::vector<std::string> report(time_t now);

    struct Remote {
        int count = 0;
        int rate = 0, mail = 0, rcpt = 0, ntls = 0, auth = 0;
        time_t start = 0;
        time_t idleSince = 0;
    };
    const Remote* find(const std::string& ident) const;

private:
    struct Peak {
        int value = 0;
        std::string ident;
        time_t when = 0;
    };
    Remote& connectIdent(int client, const std::string& ident, time_t now);
    Remote& remoteFor(int client, const std::string& ident, time_t now);
    void bump(Remote& remote, int Remote::*what, time_t now);
    static void peak(Peak& p, int value, const std::string& ident, time_t now);

    long unit_;
    std::map<std::string, Remote> remotes_;
    std::map<int, std::multiset<std::string>> clients_;  // open connections per client
    Peak connRate_, connCount_, mailRate_, rcptRate_, ntlsRate_, authRate_;
    size_t maxCache_ = 0;
    time_t maxCacheWhen_ = 0;
};

}  // namespace postline::anvil
