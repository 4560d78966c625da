// ETRN's client of the fast flush service (Postfix's global/flush_clnt.c
// flush_send_site over mail_command_client.c): one "send_site" request to
// QUEUE_DIRECTORY/public/FLUSH_SERVICE_NAME in the queue_flush_protocol.
#pragma once

#include <string>

#include "postline/smtp/flush_service.h"

namespace postline::smtpd {

class FlushClient final : public smtp::FlushService {
public:
    // `queueDirectory` and `service` (flush_service_name) name the socket; `timeout`
    // (ipc_timeout, seconds) bounds each read and write.
    FlushClient(std::string queueDirectory, std::string service, long timeout);

    // The service's status, or kFail with mail_command_client()'s warning ("connect to
    // public/flush: No such file or directory", "read public/flush socket: ...").
    int sendSite(std::string_view site) override;

private:
    std::string queueDirectory_;
    std::string service_;
    long timeout_;
};

}  // namespace postline::smtpd
