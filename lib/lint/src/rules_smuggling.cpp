// The SMTP smuggling rule: an smtpd that strangers reach and that leaves
// smtpd_forbid_bare_newline at Postfix 3.7's default "no" takes a bare <LF>.<LF> (or
// <CR>.<LF>) inside DATA as the end of the message, which lets another server's client
// smuggle a second message past it (CVE-2023-51764; Postfix's smtpd_forbid_bare_newline,
// backported to 3.7.10).
#include <string>
#include <vector>

#include "context.h"
#include "postline/base/strings.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

// A listening address that only this machine can reach: a loopback address or name.
bool loopbackHost(std::string host) {
    host = base::lowercase(host);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return host == "localhost" || host == "::1" || host.starts_with("127.") || host == "loopback-only";
}

// inet_interfaces (as the service sees it) lists only loopback addresses.
bool loopbackInterfaces(const std::string& interfaces) {
    std::vector<std::string> items = listItems(interfaces);
    if (items.empty()) return false;
    for (const std::string& item : items)
        if (!loopbackHost(item)) return false;
    return true;
}

// Whether clients from elsewhere can reach `service`: an inet smtpd whose address (the
// service name's host, else inet_interfaces) is not loopback, or the pass service
// postscreen hands port 25's clients to. A unix or fifo smtpd is fed by local programs.
bool reachableFromOutside(const LintContext& context, const config::MasterEntry& service) {
    const std::string& type = service.type();
    if (type != "inet" && type != "pass") return false;
    if (type == "inet") {
        const std::string& name = service.name();
        if (auto colon = name.rfind(':'); colon != std::string::npos) return !loopbackHost(name.substr(0, colon));
    }
    return !loopbackInterfaces(context.serviceSetting(service, "inet_interfaces").value);
}

}  // namespace

void checkSmtpSmuggling(LintContext& context) {
    for (const config::MasterEntry* service : context.services("smtpd")) {
        if (!reachableFromOutside(context, *service)) continue;
        ServiceSetting forbid = context.serviceSetting(*service, "smtpd_forbid_bare_newline");
        if (base::lowercase(std::string(base::trim(forbid.value))) != "no") continue;
        // Left at the default, the finding points at the exposed service.
        Origin where = forbid.explicitlySet ? forbid.origin : Origin{context.masterCfPath(), service->firstLine};
        if (!forbid.explicitlySet && service->firstLine == 0) where = context.origin("smtpd_forbid_bare_newline");
        context.report("smtp-smuggling", where,
                       base::cat(LintContext::serviceLabel(*service),
                                 ": smtpd_forbid_bare_newline = no: a bare newline ends a line in DATA, so clients "
                                 "outside mynetworks can smuggle in a second message (CVE-2023-51764)"),
                       "set smtpd_forbid_bare_newline = normalize");
    }
}

}  // namespace postline::lint
