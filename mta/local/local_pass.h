// deliver_pass(): one recipient passed to another delivery agent (Postfix's
// global/deliver_pass.c as local's mailbox.c and unknown.c use it).
#pragma once

#include <string>

#include "local_core.h"
#include "postline/delivery/deliver_request.h"

namespace postline::local {

// Connects to the UNIX-domain socket `path` (private/TRANSPORT, relative to the queue
// directory), reads the agent's hello, sends `request` and reads the reply. The stage
// says how far it got; `problem` is the warning to log ("connect to PATH: REASON",
// "PATH: malformed response").
PassResult passToAgent(const std::string& path, const delivery::DeliverRequest& request);

}  // namespace postline::local
