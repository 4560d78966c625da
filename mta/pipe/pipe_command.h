// Running a delivery command with the message on its standard input (Postfix's
// global/pipe_command.c and sys_exits.c): no shell, the user's privileges, a clean
// environment, a time limit, and the command's exit status, signal or "D.S.N text"
// output turned into a delivery status as Postfix does.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "postline/delivery/dsn.h"

namespace postline::pipe {

struct CommandSpec {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH (execvp)
    bool switchUser = false;        // set_ugid(uid, gid) in the child (the agent runs as root)
    uid_t uid = 0;
    gid_t gid = 0;
    std::string directory;  // chdir in the child ("" stays)
    std::string chroot;     // chroot in the child (root only; "" none)
    // export_environment: NAME keeps the agent's value, NAME=VALUE sets one; everything
    // else is removed, then PATH is set to "/usr/bin:/bin" (_PATH_DEFPATH).
    std::vector<std::string> exportEnvironment;
    long timeLimit = 1000;             // seconds for the whole run: writing, reading, waiting
    std::string input;                 // the message as mail_copy() formats it
    std::string programName = "pipe";  // the child's own diagnostics' prefix
};

// PIPE_STAT_*: what the run came to.
enum class CommandStatus { Ok, Bounce, Defer };

struct CommandResult {
    CommandStatus status = CommandStatus::Ok;
    delivery::Dsn dsn;   // status, reason, dtype "x-unix" and dtext, unless Ok
    std::string output;  // up to 4096 bytes, tabs and newlines made spaces, other
                         // unprintable bytes '_' (as pipe_command.c captures it)
};

// Runs the command. Ok: it exited 0 (a write error other than EPIPE is a bounce with
// "Command failed: error writing message: REASON: \"ARGV0\""). Otherwise, in
// pipe_command.c's order: the time limit (5.3.0 bounce, "Command time limit exceeded:
// \"ARGV0\"" and ". Command output: OUTPUT" when there is output), a signal (4.3.0
// defer, "Command died with signal N: \"ARGV0\""...), output starting "D.S.N " (its
// status, the rest as the reason; a 4 is a defer), a <sysexits.h> status 64..78 (its
// status and text: 75 is 4.3.0 "temporary failure", a defer; 67 is 5.1.1 "user
// unknown", a bounce), any other status (5.3.0 bounce, "Command died with status N:
// \"ARGV0\""...). A fork failure is a 4.3.0 defer ("Delivery failed: REASON").
CommandResult runCommand(const CommandSpec& spec);

// The <sysexits.h> status's enhanced status and text (sys_exits_detail): 5.3.0 and
// "unknown mail system error N" outside 64..78.
struct SysExit {
    std::string dsn;
    std::string text;
};
SysExit sysExitDetail(int code);

}  // namespace postline::pipe
