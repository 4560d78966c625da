// pipe(8)'s work on one delivery request (Postfix's pipe/pipe.c deliver_message and
// eval_command_status): the checks before the command runs (D and O need one recipient,
// size=, the Delivered-To loop), the command line expanded, the message piped in as
// mail_copy() writes it with the flags= lines and eol=, and every recipient reported
// with the one outcome the command came to.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pipe_args.h"
#include "pipe_command.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/delivery/deliver_request.h"

namespace postline::pipe {

struct PipeEnvironment {
    std::string service;          // master.cf's service name: the log's relay= and the reason's text
    std::string configDirectory;  // for the unknown-macro warning
    PipeAttributes attributes;
    bool switchUser = false;       // the agent runs as root: the command gets user='s uid and gid
    std::string defaultDirectory;  // the working directory without directory= ($queue_directory)
    long timeLimit = 1000;         // SERVICE_time_limit, else command_time_limit (seconds)
    std::vector<std::string> exportEnvironment{"TZ", "MAIL_CONFIG", "LANG"};
    std::string recipientDelimiter;
    bool enableOriginalRecipient = true;
    std::function<std::string(std::string_view)> quoteLocal;  // quote_822_local
    std::function<void(std::string_view)> warn = [](std::string_view) {};
    time_t now = 0;  // the From line's date; 0: the current time
    // Runs the command (tests replace it to see the command without running one).
    std::function<CommandResult(const CommandSpec&)> run = runCommand;
};

// What deliverPipe() decided, before it was reported.
struct PipeOutcome {
    CommandStatus status = CommandStatus::Ok;
    delivery::Dsn dsn;
};

// The decision for the request's recipients, sharing one outcome: "delivered via
// SERVICE service" (2.0.0, action "relayed", or "delivered" with flag X; the first 100
// bytes of the command's output in parentheses when it wrote any), the command's
// failure (pipe_command.h), 4.3.5 "mail system configuration error" for D or O with
// more than one recipient (after pipe.c's warning) and for a bad macro, 5.2.3 "message
// too large" over size=, 5.4.6 "mail forwarding loop for ADDR" when flag D finds the
// recipient in a Delivered-To: header.
PipeOutcome decidePipe(const PipeEnvironment& env, const delivery::DeliverRequest& request,
                       const std::vector<std::string>& lines);

// decidePipe() on the request, then each recipient reported with relay=SERVICE: sent,
// or bounced or deferred by the status's class. kStatusFinal unless something was
// deferred or could not be recorded.
delivery::DeliverReply deliverPipe(const PipeEnvironment& env, delivery::AgentDelivery& delivery);

// delivered_hdr.c: whether the primary header has "Delivered-To: ADDRESS" (compared
// case-insensitively, as FOLD_ADDR_ALL folds both).
bool deliveredToSeen(const std::vector<std::string>& lines, std::string_view address);

}  // namespace postline::pipe
