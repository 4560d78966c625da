// check_client_mx_access, check_sender_ns_access, check_helo_a_access and the other
// check_*_{mx,ns,a}_access restrictions for domain names, as smtpd_check.c's
// check_server_access() makes them when the network facts can answer: the MX or NS
// hosts (or the name itself for A), each host's name, then its addresses, in the table.
#include "smtpd_evaluation.h"

namespace postline::policy {

int SmtpdEvaluation::serverAccessByDns(const std::string& restriction, const std::string& n, const std::string& target,
                                       const std::string& domain, const std::string& table,
                                       const std::string& replyName, const std::string& replyClass,
                                       const std::string& defAcl) {
    const NetworkFacts& facts = session.facts();
    bool typeA = n.size() > 9 && n.compare(n.size() - 9, 9, "_a_access") == 0;
    bool typeNs = n.find("_ns_") != std::string::npos;
    std::string typeName = typeA ? "A" : typeNs ? "NS" : "MX";
    std::string name = domain.empty() ? target : domain;
    std::vector<std::string> hosts;
    if (typeA) {
        hosts.push_back(name);  // its own host: no name check, only its addresses
    } else {
        auto list = facts.dnsServers(name, typeNs ? DnsServerType::NS : DnsServerType::MX);
        if (!list) return cannotDecide(restriction, "needs the " + typeName + " hosts of " + name);
        if (list->status == DnsAnswer::NullMx) return finish(restriction, kDunno, name + " has a null MX", "", target);
        if (list->status != DnsAnswer::Found) {
            warn("Unable to look up " + typeName + " host for " + name + ": " + list->error);
            return finish(restriction, kDunno, typeName + " lookup failed", "", target);
        }
        hosts = list->hosts;
    }
    constexpr size_t kAddressLimit = 100;  // dns_rr_list_limit
    size_t addresses = 0;
    for (const auto& host : hosts) {
        bool found = false;
        if (validHostAddress(host)) {
            int st = checkAddrAccess(restriction, table, host, found, replyName, replyClass, defAcl);
            if (st != kDunno || found) return st;
            continue;
        }
        if (!typeA) {
            int st = checkDomainAccess(restriction, table, host, found, replyName, replyClass, defAcl);
            if (st != kDunno || found) return st;
        }
        auto addrs = facts.hostAddresses(host);
        if (!addrs) return cannotDecide(restriction, "needs the addresses of " + host);
        if (!addrs->found) {
            if (!typeA)
                warn("Unable to look up " + typeName + " host " + host + " for " + replyClass + " " + replyName + ": " +
                     addrs->error);
            continue;
        }
        for (const auto& a : addrs->addresses) {
            if (++addresses > kAddressLimit) {
                warn("check_server_access: " + typeName + " server address count limit (" +
                     std::to_string(kAddressLimit) + ") exceeded for " + replyClass + " " + replyName +
                     " -- ignoring the remainder");
                return finish(restriction, kDunno, "too many addresses", "", target);
            }
            int st = checkAddrAccess(restriction, table, a, found, replyName, replyClass, defAcl);
            if (st != kDunno || found) return st;
        }
    }
    return finish(restriction, kDunno, "no " + typeName + " host name or address of " + name + " is listed", "",
                  target);
}

}  // namespace postline::policy
