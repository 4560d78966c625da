// The fast flush service as smtpd's ETRN command asks it (global/flush_clnt.c
// flush_send_site, the flush(8) protocol): an interface the owner of a session fills
// with a client of public/flush, so that lib/smtp itself opens no sockets.
#pragma once

#include <string_view>

namespace postline::smtp {

class FlushService {
public:
    // FLUSH_STAT_* (flush_clnt.h).
    static constexpr int kFail = -1, kOk = 0, kBad = 3, kDeny = 4;

    virtual ~FlushService() = default;
    // The "send_site" request for `site` (already found in fast_flush_domains): the
    // status the service answers, or kFail when it cannot be reached or answers
    // nonsense (the client's warning is the implementation's to log).
    virtual int sendSite(std::string_view site) = 0;
};

}  // namespace postline::smtp
