// bounce(8): the single-server daemon around serveBounceConnection (Postfix's
// bounce/bounce.c main): master runs it as "bounce" and as "defer" (and "trace"), one
// queue manager request per connection; notifications go to cleanup.
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "bounce_core.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/config/config.h"
#include "postline/server/daemon.h"
#include "postline/smtp/received_header.h"

namespace {

using namespace postline;

void serve(server::Connection& conn, const server::DaemonConfig& cfg) {
    std::string queueDir = cfg.get("queue_directory");
    if (::chdir(queueDir.c_str()) != 0) base::msgFatal("chdir " + queueDir + ": " + std::strerror(errno));
    bounce::BounceSettings s;
    s.layout = queue::queueLayout(cfg.get("hash_queue_names"), static_cast<int>(cfg.getLong("hash_queue_depth")));
    s.queueDirectory = ".";
    s.serviceName = cfg.options().serviceName;
    if (!queue::queueNameOk(s.serviceName)) base::msgFatal("malformed service name: " + s.serviceName);
    s.myhostname = cfg.get("myhostname");
    s.mailName = cfg.get("mail_name");
    s.doubleBounceSender = cfg.get("double_bounce_sender");
    s.bounceNoticeRecipient = cfg.get("bounce_notice_recipient");
    s.doubleBounceNoticeRecipient = cfg.get("2bounce_notice_recipient");
    s.delayNoticeRecipient = cfg.get("delay_notice_recipient");
    s.notifyClasses = cfg.get("notify_classes");
    s.smtputf8Enable = cfg.getBool("smtputf8_enable");
    s.obsoleteFrom = cfg.get("header_from_format") == "obsolete";
    s.threadedBounces = cfg.getBool("enable_threaded_bounces");
    s.bounceSizeLimit = cfg.getLong("bounce_size_limit");
    s.delayWarningTime = cfg.getSeconds("delay_warning_time");
    s.maximalQueueLifetime = cfg.getSeconds("maximal_queue_lifetime");
    if (std::string file = cfg.get("bounce_template_file"); !file.empty()) {
        auto text = base::readFile(file);
        if (!text) base::msgFatal(text.error().message);
        auto templates = message::loadDsnTemplates(*text, file, [](const std::string& w) { base::msgWarn(w); });
        if (!templates) base::msgFatal(templates.error().message);
        s.templates = std::make_shared<const message::DsnTemplates>(std::move(*templates));
    }
    const config::Config& config = cfg.config();
    s.parameter = [&cfg, &config](std::string_view name) -> std::optional<std::string> {
        if (!config.raw(name)) return std::nullopt;
        return cfg.get(name);
    };
    s.formatDate = [](long t) { return smtp::mailDate(t); };
    s.now = [] { return static_cast<long>(::time(nullptr)); };
    s.info = [](std::string_view t) { base::msgInfo(t); };
    s.warn = [](std::string_view t) { base::msgWarn(t); };
    auto poster =
        bounce::cleanupPoster("public/" + cfg.get("cleanup_service_name"), s.myhostname, s.mailName, s.formatDate);
    bounce::serveBounceConnection(conn.inFd, conn.outFd, s, *poster);
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "bounce";
    daemon.serveClient = serve;
    return server::runDaemon(argc, argv, daemon);
}
