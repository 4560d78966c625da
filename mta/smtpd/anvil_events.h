// smtpd's client event counts from anvil(8) (Postfix 3.7's smtpd.c with anvil_clnt.c):
// lib/smtp's ClientEvents over lib/server's AnvilClient, whose one connection to
// private/anvil lasts as long as the smtpd process. A failed request is logged as
// Postfix's anvil client does and applies no limit.
#pragma once

#include <string>

#include "postline/server/anvil_client.h"
#include "postline/smtp/client_events.h"

namespace postline::smtpd {

class AnvilEvents : public smtp::ClientEvents {
public:
    // `socketPath`: the queue directory's private/anvil.
    explicit AnvilEvents(std::string socketPath, long timeoutSeconds)
        : client_(std::move(socketPath), timeoutSeconds) {}
    std::optional<Connection> connect(std::string_view service, std::string_view address) override;
    void disconnect(std::string_view service, std::string_view address) override;
    std::optional<int> message(std::string_view service, std::string_view address) override;
    std::optional<int> recipient(std::string_view service, std::string_view address) override;

private:
    server::AnvilClient client_;
};

}  // namespace postline::smtpd
