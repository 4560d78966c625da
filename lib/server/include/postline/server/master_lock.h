// The locks that keep two masters off one spool (Postfix's master.c with
// util/open_lock.c): queue_directory/pid/master.pid and data_directory/master.lock,
// each held with an exclusive flock(2) for the master's life and holding its pid.
#pragma once

#include <optional>
#include <string>

#include "postline/base/result.h"

namespace postline::server {

// Opens (creating, mode 0600) and locks `path` without waiting, then writes the
// caller's pid as Postfix does ("%32lu\n"). The descriptor (close-on-exec) must stay
// open. Errors: "open lock file PATH: unable to set exclusive lock: Resource temporarily
// unavailable" when another master holds it; "open lock file PATH: cannot open file:
// REASON"; "cannot update lock file PATH: REASON".
base::Result<int> acquireMasterLock(const std::string& path);

// The pid of the master holding queue_directory/pid/master.pid, or nullopt when none
// does (no file, or its lock is free): what `master -t` tells postfix-script.
std::optional<long> runningMaster(const std::string& queueDirectory);

}  // namespace postline::server
