// qmgr(8): the queue manager, an event-driven solitary service (Postfix 3.7's
// qmgr/qmgr.c) on lib/server's skeleton; the work is qmgr_core's Scheduler.
#include "postline/server/daemon.h"
#include "scheduler.h"

int main(int argc, char** argv) {
    postline::server::Daemon daemon;
    daemon.program = "qmgr";
    daemon.runEvents = [](postline::server::EventContext& context) { return postline::qmgr::runQmgr(context); };
    return postline::server::runDaemon(argc, argv, daemon);
}
