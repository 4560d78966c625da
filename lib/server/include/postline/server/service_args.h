// The command line master gives every daemon (Postfix's master/master_ent.c builds it,
// single_server.c, multi_server.c and trigger_server.c read it with getopt, stopping
// at the first argument that is not an option).
#pragma once

#include <string>
#include <vector>

#include "postline/base/result.h"
#include "postline/server/daemon.h"

namespace postline::server {

// Parses argv (argv[0] included) as a Postfix daemon does with "cdDi:lm:n:o:r:s:St:uvVz".
// `program` names the daemon when -n is absent (the service name is then the program's
// name, as master omits -n when they are equal). -i and -m become max_idle and max_use
// overrides, -o name=value must have '=' (Postfix's split_nameval: surrounding blanks
// trimmed, an empty name refused). The configuration directory comes from
// `mailConfig` (MAIL_CONFIG), else /etc/postfix. Errors carry Postfix's fatal texts:
// "invalid option: X", "invalid \"-o TEXT\" option value: missing '=' after attribute
// name", "invalid socket_count: X".
base::Result<ServiceOptions> parseServiceArgs(const std::vector<std::string>& argv, const std::string& program,
                                              const char* mailConfig);

// The command line master runs a service with, argv[0] first: the reverse of
// parseServiceArgs for the flags master sets (-l, -z, -n when the service name differs
// from the command, -t, -d, -v, -u, -c, -s), then the master.cf arguments as written.
struct SpawnFlags {
    std::string command;      // the program path (argv[0])
    std::string serviceName;  // master.cf's first field
    std::string transport;    // its type
    int maxProcesses = 1;     // 0 = unlimited
    int socketCount = 1;
    int verbose = 0;
    bool foreground = false;
    bool unprivileged = true;
    bool chroot = false;
    std::vector<std::string> arguments;
};
std::vector<std::string> spawnArguments(const SpawnFlags& flags);

}  // namespace postline::server
