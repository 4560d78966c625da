// The "master" rule family over master.cf: lines that postconf (pcf_check_master_entry)
// or master (master_ent.c: "inet service cannot be private") refuses, commands that are
// not Postfix daemons, and `-o` names the way postconf warns about them
// (postconf_unused.c "unused parameter"). The values of `-o` overrides are checked with
// main.cf's (rules_parameters.cpp).
#include <unistd.h>

#include "context.h"
#include "param_names.h"
#include "postline/base/strings.h"

namespace postline::lint {

namespace {

// The programs of Postfix 3.7's daemon_directory that master.cf may run.
constexpr std::string_view kDaemons[] = {
    "anvil", "bounce", "cleanup", "discard",  "dnsblog",    "error",           "flush",  "lmtp",    "local",  "nqmgr",
    "oqmgr", "pickup", "pipe",    "postlogd", "postscreen", "proxymap",        "qmgr",   "qmqpd",   "scache", "showq",
    "smtp",  "smtpd",  "spawn",   "tlsmgr",   "tlsproxy",   "trivial-rewrite", "verify", "virtual",
};

bool isDaemon(std::string_view command) {
    for (std::string_view d : kDaemons)
        if (d == command) return true;
    return false;
}

std::string closestDaemon(std::string_view command) {
    std::string best;
    size_t bestDistance = 3;
    for (std::string_view d : kDaemons) {
        size_t distance = editDistance(command, d);
        if (distance < bestDistance) bestDistance = distance, best = std::string(d);
    }
    return best;
}

void checkMalformed(LintContext& context) {
    for (const config::MasterCfProblem& p : context.masterProblems()) {
        std::string hint = p.message == "bad field count"
                               ? "a service needs eight fields: service type private unpriv chroot wakeup maxproc "
                                 "command; continuation lines start with whitespace"
                               : "see master(5) for the values each field takes";
        context.report("master-entry-malformed", context.masterCfPath(), p.firstLine, p.message, hint);
    }
    for (const config::MasterEntry& entry : context.master()) {
        // master_ent.c: the private field defaults to y, and an inet service cannot be private.
        if (entry.type() == "inet" && entry.argv[2] != "n")
            context.report("master-entry-malformed", context.masterCfPath(), entry.firstLine,
                           base::cat("service ", entry.name(),
                                     "/inet: inet service cannot be private (private field \"", entry.argv[2], "\")"),
                           "set the private field of an inet service to n");
    }
}

void checkCommands(LintContext& context) {
    std::string daemonDirectory = context.value("daemon_directory");
    for (const config::MasterEntry& entry : context.master()) {
        const std::string& command = entry.argv[config::kMasterCommandField];
        if (isDaemon(command)) continue;
        std::string path = base::cat(daemonDirectory, "/", command);
        if (::access(path.c_str(), X_OK) == 0) continue;
        std::string close = closestDaemon(command);
        context.report("master-unknown-command", context.masterCfPath(), entry.firstLine,
                       base::cat("service ", entry.name(), "/", entry.type(), ": command ", command,
                                 " is not a Postfix daemon and ", path, " does not exist"),
                       close.empty()
                           ? "name a program of daemon_directory (smtpd, pipe, ...); external programs run through pipe"
                           : base::cat("did you mean ", close, "?"));
    }
}

void checkOptions(LintContext& context) {
    // postconf's name space: built-in names, per-service names, main.cf's user-defined
    // names and any name that some value references are known.
    config::NameSpace names = buildNameSpace(context);
    for (const config::UnusedMasterParam& unused : names.unusedMaster()) {
        const config::MasterEntry& entry = names.master()[unused.entry];
        std::string close = closestParameterName(unused.name);
        context.report("master-option-unknown", context.optionOrigin(entry, unused.name),
                       base::cat("unused parameter: ", unused.name, "=", unused.value),
                       close.empty() ? base::cat("remove it, or reference it as $", unused.name, " in a value")
                                     : base::cat("did you mean ", close, "?"));
    }
}

}  // namespace

void checkMasterCf(LintContext& context) {
    checkMalformed(context);
    checkCommands(context);
    checkOptions(context);
}

}  // namespace postline::lint
