// SmtpdRestrictions::rewriteContext: which clients' mail cleanup rewrites in the local
// context (Postfix's smtpd_check.c smtpd_check_rewrite over local_header_rewrite_clients;
// its permit_* entries answer as the restrictions of the same names do).
#include "postline/address/local_domains.h"
#include "postline/policy/smtpd_restrictions.h"
#include "smtpd_evaluation.h"

namespace postline::policy {

SmtpdRestrictions::RewriteContext SmtpdRestrictions::rewriteContext(bool inetSocket) {
    RewriteContext out;
    std::vector<std::string> items = splitRestrictions(context_.get("local_header_rewrite_clients"));
    for (size_t i = 0; i < items.size(); ++i) {
        std::string name = items[i];
        std::string table;
        // A bare type:table is a check_address_map of that table.
        if (name.find(':') != std::string::npos) {
            table = name;
        } else if (ieq(name, "check_address_map")) {
            if (i + 1 >= items.size()) {
                out.warnings.push_back("parameter local_header_rewrite_clients: invalid request: " + name);
                continue;
            }
            table = items[++i];
        }
        bool ok = false;
        if (!table.empty()) {
            maps::MapHit hit = accessTable(table).find(session_.clientAddress);
            for (auto& w : hit.warnings) out.warnings.push_back(std::move(w));
            if (hit.isError()) {
                out.reply = hit.status == maps::DictStatus::Retry ? "451 4.3.0 Temporary lookup error"
                                                                  : "451 4.3.5 Server configuration error";
                return out;
            }
            ok = hit.isFound();
        } else if (ieq(name, "permit_inet_interfaces")) {
            const std::string& peer = session_.socketAddress.empty() ? session_.clientAddress : session_.socketAddress;
            auto r = context_.localDomains().check("[" + peer + "]");
            ok = inetSocket && r.locality == address::Locality::Local && base::startsWith(r.reason, "inet_interfaces");
        } else if (ieq(name, "permit_mynetworks")) {
            auto m = mynetworks().match(session_.clientName, session_.clientAddress);
            if (m.error) {
                out.warnings.push_back("mynetworks: " + m.errorText);
                out.reply = "451 4.3.0 Temporary lookup error";
                return out;
            }
            ok = m.matched;
        } else if (ieq(name, "permit_sasl_authenticated")) {
            ok = context_.getBool("smtpd_sasl_auth_enable") && !session_.saslUsername.empty();
        } else if (ieq(name, "permit_tls_all_clientcerts") || ieq(name, "permit_tls_clientcerts")) {
            ok = false;  // no TLS session, no client certificate
        } else {
            out.warnings.push_back("parameter local_header_rewrite_clients: invalid request: " + name);
            continue;
        }
        if (ok) {
            out.context = "local";
            return out;
        }
    }
    return out;
}

}  // namespace postline::policy
