// One master.cf service as master runs it (Postfix's master/master_ent.c): the eight
// fields read with their defaults ('-'), checked, and what master needs to listen and
// spawn; compared between generations to decide what a reload restarts.
#pragma once

#include <string>
#include <vector>

#include "postline/artifact/generation.h"
#include "postline/base/result.h"

namespace postline::server {

struct ServiceSpec {
    std::string name;  // master.cf's service field
    std::string type;  // inet, unix, unix-dgram, fifo, pass
    bool privateService = true;
    bool unprivileged = true;
    bool chroot = false;
    int wakeupSeconds = 0;
    bool wakeupIfUsed = false;  // the wakeup field ends in '?': only once a process ran
    int maxProcesses = 100;     // 0 = unlimited
    std::string command;        // the command field's program name ("smtpd")
    std::vector<std::string> arguments;
    std::string origin;  // "/etc/postfix/master.cf, line 12" (Postfix's way of naming a place)

    bool operator==(const ServiceSpec&) const = default;
};

// Reads a generation's service. `defaultProcessLimit` replaces a '-' maxproc.
// Errors (Postfix's words, after "FILE, line N: " from `origin`): "bad private
// field value: X", "bad wakeup time field value: X", "bad maximal process count
// field value: X", "inet service cannot be private", "unsupported service type: X".
base::Result<ServiceSpec> serviceSpecOf(const artifact::Service& service, int defaultProcessLimit);

// "FILE:LINE" (a generation's origin) as Postfix names a place: "FILE, line LINE".
std::string originText(const std::string& origin);

// The path of a unix, unix-dgram or fifo service relative to the queue directory:
// "private/NAME" or "public/NAME" by the private field.
std::string serviceEndpoint(const ServiceSpec& spec);

}  // namespace postline::server
