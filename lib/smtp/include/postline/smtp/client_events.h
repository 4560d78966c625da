// The client event counts smtpd compares with its smtpd_client_*_limit parameters, as
// Postfix's smtpd asks anvil(8) for them (global/anvil_clnt.h): an interface the
// session's owner fills with anvil's client, so that lib/smtp itself opens no sockets.
#pragma once

#include <optional>
#include <string_view>

namespace postline::smtp {

class ClientEvents {
public:
    virtual ~ClientEvents() = default;
    struct Connection {
        int count = 0;  // the client's open connections, this one included
        int rate = 0;   // its connections within anvil_rate_time_unit
    };
    // Each returns nullopt when the counter cannot answer (no limit is applied then,
    // as in Postfix; the implementation logs why). `service` is master.cf's service
    // name, `address` the client's.
    virtual std::optional<Connection> connect(std::string_view service, std::string_view address) = 0;
    virtual void disconnect(std::string_view service, std::string_view address) = 0;
    virtual std::optional<int> message(std::string_view service, std::string_view address) = 0;
    virtual std::optional<int> recipient(std::string_view service, std::string_view address) = 0;
};

}  // namespace postline::smtp
