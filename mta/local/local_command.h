// A command run for local delivery (Postfix's global/pipe_command.c as local/command.c
// uses it): the message on its standard input, its output collected for the reason,
// the environment local builds, a time limit, and the exit status mapped to a DSN as
// <sysexits.h> says (75 defers, other failures bounce).
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "postline/delivery/dsn.h"

namespace postline::local {

struct CommandRun {
    std::string command;
    std::string shell;                                             // local_command_shell; "" runs "/bin/sh -c COMMAND"
    std::string input;                                             // what the command reads
    std::vector<std::pair<std::string, std::string>> environment;  // set after PATH
    std::vector<std::string> exportEnvironment;                    // kept from ours
    long timeLimit = 1000;
    bool switchUser = false;  // as root: run as uid/gid
    uid_t uid = 0;
    gid_t gid = 0;
    std::string directory;  // command_execution_directory ("" stays where we are)
};

enum class CommandStatus { Ok, Bounce, Defer };

struct CommandResult {
    CommandStatus status = CommandStatus::Ok;
    delivery::Dsn dsn;  // status and reason for Bounce and Defer
};

// Runs the command to completion (killed with its process group after timeLimit).
CommandResult runCommand(const CommandRun& run);

// sys_exits.c: the status and text for an exit code; known is false outside 64..78.
struct SysExit {
    bool known = false;
    std::string dsn;
    std::string text;
};
SysExit sysExitDetail(int code);

}  // namespace postline::local
