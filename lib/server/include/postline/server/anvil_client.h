// The client side of anvil(8) (Postfix 3.7's global/anvil_clnt.c): one persistent
// connection to private/anvil per process, opened on first use and opened again once
// after a failure; every request names the identity "SERVICE:ADDRESS" (non-printable
// characters as '?'). smtpd asks it for the connection count and rates it compares
// with its smtpd_client_*_limit parameters. It speaks the attribute protocol's plain
// flavour, as attr_clnt does, so that it talks to Postfix's anvil as to ours.
#pragma once

#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/queue/attr_stream.h"

namespace postline::server {

class AnvilClient {
public:
    // `socketPath` relative to the queue directory (the current directory).
    explicit AnvilClient(std::string socketPath = "private/anvil", long timeoutSeconds = 10);
    ~AnvilClient();
    AnvilClient(const AnvilClient&) = delete;
    AnvilClient& operator=(const AnvilClient&) = delete;

    struct Connection {
        int count = 0;  // connections from the client now open, this one included
        int rate = 0;   // connections within the time unit
    };
    // Errors (anvil unreachable, a malformed reply): "anvil: REASON"; the caller then
    // applies no limit, as Postfix's smtpd does when the request fails.
    base::Result<Connection> connect(std::string_view service, std::string_view address);
    base::Status disconnect(std::string_view service, std::string_view address);
    // The rate after counting one more.
    base::Result<int> message(std::string_view service, std::string_view address);
    base::Result<int> recipient(std::string_view service, std::string_view address);

    static std::string identity(std::string_view service, std::string_view address);

private:
    base::Result<queue::attr::Attributes> call(std::string_view request, std::string_view ident);
    base::Result<queue::attr::Attributes> callOnce(const std::string& bytes);
    void close();

    std::string socketPath_;
    long timeout_;
    int fd_ = -1;
    std::string pending_;
};

}  // namespace postline::server
