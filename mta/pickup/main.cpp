// pickup(8): the trigger-server daemon around pickupScan (Postfix's pickup/pickup.c
// main): each wakeup, from postdrop's trigger or master's timer, drains maildrop/.
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pickup_core.h"
#include "postline/base/msg.h"
#include "postline/queue/cleanup_client.h"
#include "postline/server/daemon.h"

namespace {

using namespace postline;

void onTrigger(std::string_view, const server::DaemonConfig& cfg) {
    std::string queueDir = cfg.get("queue_directory");
    if (::chdir(queueDir.c_str()) != 0) base::msgFatal("chdir " + queueDir + ": " + std::strerror(errno));
    pickup::PickupEnvironment env;
    env.cleanupSocket = "public/" + cfg.get("cleanup_service_name");
    env.myhostname = cfg.get("myhostname");
    env.mailName = cfg.get("mail_name");
    env.lineLimit = static_cast<size_t>(cfg.getLong("line_length_limit"));
    env.contentFilter = cfg.get("content_filter");
    if (const passwd* pw = ::getpwnam(cfg.get("mail_owner").c_str())) env.ownerUid = pw->pw_uid;
    // CLEANUP_FLAG_BOUNCE | CLEANUP_FLAG_MASK_EXTERNAL, less what receive_override_options
    // turns off.
    namespace f = queue::cleanup_flag;
    env.cleanupFlags = pickup::applyReceiveOverrides(f::kBounce | f::kFilter | f::kMilter | f::kBccOk | f::kMapOk,
                                                     cfg.get("receive_override_options"));
    env.autoUtf8 = pickup::autodetectsUtf8(cfg.get("smtputf8_autodetect_classes"), "sendmail");
    env.info = [](std::string_view t) { base::msgInfo(t); };
    env.warn = [](std::string_view t) { base::msgWarn(t); };
    pickup::pickupScan(env);
}

}  // namespace

int main(int argc, char** argv) {
    server::Daemon daemon;
    daemon.program = "pickup";
    daemon.onTrigger = onTrigger;
    return server::runDaemon(argc, argv, daemon);
}
