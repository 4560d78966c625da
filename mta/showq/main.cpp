// showq(8): Postfix 3.7's showq/showq.c — a single server on public/showq that writes
// the mail queue listing to each client (postqueue -p, -j, mailq) in its attribute
// stream, so that users who cannot read the queue directory can see the queue. The
// walk and the per-file report are lib/queue's showq scan; the stream is
// showq_protocol.h. Run by root as "showq -u -S", it lists the queue on stdout, which
// is what postqueue does when the mail system is down.
#include <unistd.h>

#include <algorithm>

#include "postline/address/tokens.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/showq.h"
#include "postline/queue/showq_protocol.h"
#include "postline/server/daemon.h"
#include "postline/server/local_socket.h"

namespace {

using namespace postline;

void serve(server::Connection& connection, const server::DaemonConfig& config) {
    // This service takes no command-line arguments.
    if (!config.options().arguments.empty())
        base::msgFatal("unexpected command-line argument: " + config.options().arguments.front());
    queue::ShowqOptions options;
    options.layout = queue::queueLayout(config.get("hash_queue_names"), int(config.getLong("hash_queue_depth")));
    options.emptyAddress = config.get("empty_address_recipient");
    options.utf8 = config.getBool("smtputf8_enable");
    options.dupFilterLimit = config.getLong("duplicate_filter_limit");
    options.quoteLocal = [](std::string_view address) { return address::quoteLocalPart(address); };
    options.warn = [](std::string_view text) { base::msgWarn(text); };
    base::setMsgUtf8(options.utf8);

    // A client that goes away, or stops reading for ipc_timeout (single_server's
    // timed_ipc_setup), ends the listing early; the walk finishes without writing.
    server::setStreamTimeout(connection.outFd, std::max(1L, config.getSeconds("ipc_timeout")));
    bool writing = bool(queue::attr::writeAll(connection.outFd, queue::showqHello()));
    auto status = queue::scanShowq(options, [&](const queue::ShowqEntry& entry) {
        if (writing) writing = bool(queue::attr::writeAll(connection.outFd, queue::showqFileReport(entry)));
    });
    // showq's scan_dir_open() failure is fatal: the client sees the listing cut short.
    if (!status) base::msgFatal(status.error().message);
    if (writing) (void)queue::attr::writeAll(connection.outFd, queue::showqEndOfListing());
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "showq";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
