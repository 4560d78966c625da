// serviceSpecOf: master.cf's fields with master_ent.c's defaults and checks.
#include "postline/server/service_spec.h"

#include "postline/base/strings.h"

namespace postline::server {

namespace {

base::Result<bool> yesNo(const std::string& value, bool fallback, std::string_view field) {
    if (value == "-") return fallback;
    if (value == "y") return true;
    if (value == "n") return false;
    return base::Error{base::cat("bad ", field, " field value: ", value)};
}

bool number(std::string_view text, int& out) {
    if (text.empty() || text.size() > 9) return false;
    int n = 0;
    for (char c : text) {
        if (!base::isDigit(c)) return false;
        n = n * 10 + (c - '0');
    }
    out = n;
    return true;
}

}  // namespace

std::string originText(const std::string& origin) {
    auto colon = origin.rfind(':');
    if (colon == std::string::npos) return origin;
    return base::cat(origin.substr(0, colon), ", line ", origin.substr(colon + 1));
}

base::Result<ServiceSpec> serviceSpecOf(const artifact::Service& service, int defaultProcessLimit) {
    auto fail = [&](std::string text) -> base::Result<ServiceSpec> {
        return base::Error{base::cat(originText(service.origin), ": ", text)};
    };
    if (service.fields.size() < 8) return fail("missing fields");
    ServiceSpec spec;
    spec.name = service.name.empty() ? service.fields[0] : service.name;
    spec.type = service.type.empty() ? service.fields[1] : service.type;
    spec.origin = originText(service.origin);
    if (spec.type != "inet" && spec.type != "unix" && spec.type != "unix-dgram" && spec.type != "fifo" &&
        spec.type != "pass")
        return fail("unsupported service type: " + spec.type);
    auto privateField = yesNo(service.fields[2], true, "private");
    if (!privateField) return fail(privateField.error().message);
    spec.privateService = *privateField;
    if (spec.type == "inet") {
        if (service.fields[2] == "y") return fail("inet service cannot be private");
        spec.privateService = false;
    }
    auto unpriv = yesNo(service.fields[3], true, "unprivileged");
    if (!unpriv) return fail(unpriv.error().message);
    spec.unprivileged = *unpriv;
    auto chroot = yesNo(service.fields[4], false, "chroot");
    if (!chroot) return fail(chroot.error().message);
    spec.chroot = *chroot;
    std::string wakeup = service.fields[5];
    if (wakeup != "-") {
        if (!wakeup.empty() && wakeup.back() == '?') {
            spec.wakeupIfUsed = true;
            wakeup.pop_back();
        }
        if (!number(wakeup, spec.wakeupSeconds)) return fail("bad wakeup time field value: " + service.fields[5]);
    }
    const std::string& maxproc = service.fields[6];
    if (maxproc == "-") {
        spec.maxProcesses = defaultProcessLimit;
    } else if (!number(maxproc, spec.maxProcesses)) {
        return fail("bad maximal process count field value: " + maxproc);
    }
    spec.command = service.fields[7];
    spec.arguments = service.args;
    return spec;
}

std::string serviceEndpoint(const ServiceSpec& spec) {
    return base::cat(spec.privateService ? "private/" : "public/", spec.name);
}

}  // namespace postline::server
