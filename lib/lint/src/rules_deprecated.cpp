// Names that Postfix 3.7 still accepts but has replaced: parameters that later releases
// warn about ("support for parameter X will be removed; instead, specify Y",
// DEPRECATION_README) or that postconf(5) calls obsolete, and restriction names that
// smtpd_check.c keeps only as aliases of their successors.
#include <span>

#include "context.h"
#include "postline/base/strings.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

struct Replacement {
    std::string_view name;
    std::string_view instead;  // what to specify instead ("" = leave it out)
    std::string_view note;
};

// {smtp,lmtp,smtpd,tlsproxy}_ variants are spelled out.
constexpr Replacement kParameters[] = {
    {"authorized_verp_clients", "smtpd_authorized_verp_clients", "renamed in Postfix 2.1"},
    {"fallback_relay", "smtp_fallback_relay", "renamed in Postfix 2.3"},
    {"postscreen_blacklist_action", "postscreen_denylist_action", "renamed in Postfix 3.6"},
    {"postscreen_dnsbl_ttl", "postscreen_dnsbl_max_ttl", "renamed in Postfix 3.1"},
    {"postscreen_dnsbl_whitelist_threshold", "postscreen_dnsbl_allowlist_threshold", "renamed in Postfix 3.6"},
    {"postscreen_whitelist_interfaces", "postscreen_allowlist_interfaces", "renamed in Postfix 3.6"},
    {"smtpd_client_connection_limit_exceptions", "smtpd_client_event_limit_exceptions", "renamed in Postfix 2.9"},
    {"tlsproxy_client_level", "tlsproxy_client_security_level", "renamed in Postfix 3.4"},
    {"tlsproxy_client_policy", "tlsproxy_client_policy_maps", "renamed in Postfix 3.4"},
    {"virtual_maps", "virtual_alias_maps", "renamed in Postfix 2.0"},
    {"smtp_cname_overrides_servername", "", "off by default since Postfix 2.11"},
    {"lmtp_cname_overrides_servername", "", "off by default since Postfix 2.11"},
    {"smtp_tls_enforce_peername", "smtp_tls_security_level", "obsolete since Postfix 2.3"},
    {"lmtp_tls_enforce_peername", "lmtp_tls_security_level", "obsolete since Postfix 2.3"},
    {"tlsproxy_tls_enforce_peername", "tlsproxy_tls_security_level", "obsolete since Postfix 2.3"},
    {"disable_dns_lookups", "smtp_dns_support_level", "deprecated since Postfix 2.11"},
    {"smtp_use_tls", "smtp_tls_security_level", "obsolete since Postfix 2.3"},
    {"lmtp_use_tls", "lmtp_tls_security_level", "obsolete since Postfix 2.3"},
    {"smtpd_use_tls", "smtpd_tls_security_level", "obsolete since Postfix 2.3"},
    {"tlsproxy_use_tls", "tlsproxy_tls_security_level", "obsolete since Postfix 2.3"},
    {"smtp_enforce_tls", "smtp_tls_security_level", "obsolete since Postfix 2.3"},
    {"lmtp_enforce_tls", "lmtp_tls_security_level", "obsolete since Postfix 2.3"},
    {"smtpd_enforce_tls", "smtpd_tls_security_level", "obsolete since Postfix 2.3"},
    {"tlsproxy_enforce_tls", "tlsproxy_tls_security_level", "obsolete since Postfix 2.3"},
    {"smtp_tls_per_site", "smtp_tls_policy_maps", "obsolete since Postfix 2.3"},
    {"lmtp_tls_per_site", "lmtp_tls_policy_maps", "obsolete since Postfix 2.3"},
    {"smtpd_tls_dh1024_param_file", "", "with OpenSSL 3 Postfix 3.7 lets the library choose"},
    {"tlsproxy_tls_dh1024_param_file", "", "with OpenSSL 3 Postfix 3.7 lets the library choose"},
    {"smtpd_tls_dh512_param_file", "", "ignored since Postfix 3.6: no export-grade ciphers"},
    {"tlsproxy_tls_dh512_param_file", "", "ignored since Postfix 3.6: no export-grade ciphers"},
    {"smtpd_tls_eecdh_grade", "", "ignored since Postfix 3.6: always auto"},
    {"tlsproxy_tls_eecdh_grade", "", "ignored since Postfix 3.6: always auto"},
};

constexpr Replacement kRestrictions[] = {
    {"check_relay_domains", "permit_mynetworks, reject_unauth_destination", "removed in Postfix 3.9"},
    {"reject_maps_rbl", "reject_rbl_client", "removed in Postfix 3.9"},
    {"permit_naked_ip_address", "permit_mynetworks, permit_sasl_authenticated", "removed in Postfix 3.9"},
    {"permit_mx_backup", "relay_domains", "deprecated in Postfix 3.9"},
    {"reject_unknown_client", "reject_unknown_client_hostname", "renamed in Postfix 2.3"},
    {"reject_unknown_hostname", "reject_unknown_helo_hostname", "renamed in Postfix 2.3"},
    {"reject_invalid_hostname", "reject_invalid_helo_hostname", "renamed in Postfix 2.3"},
    {"reject_non_fqdn_hostname", "reject_non_fqdn_helo_hostname", "renamed in Postfix 2.3"},
};

const Replacement* find(std::span<const Replacement> table, std::string_view name) {
    for (const Replacement& r : table)
        if (r.name == name) return &r;
    return nullptr;
}

void reportParameter(LintContext& context, const Replacement& r, const Origin& where, std::string_view prefix) {
    context.report("param-deprecated", where, base::cat(prefix, "parameter ", r.name, " is obsolete (", r.note, ")"),
                   r.instead.empty() ? std::string("remove it; the default is right")
                                     : base::cat("specify ", r.instead, " instead"));
}

}  // namespace

void checkDeprecated(LintContext& context) {
    for (const std::string& name : context.config().definedNames())
        if (const Replacement* r = find(kParameters, name)) reportParameter(context, *r, context.origin(name), "");
    for (const config::MasterEntry& entry : context.master())
        for (const auto& [name, value] : entry.params())
            if (const Replacement* r = find(kParameters, name))
                reportParameter(context, *r, context.optionOrigin(entry, name),
                                LintContext::serviceLabel(entry) + ": ");
    forEachRestrictionList(context, [&](const std::string& parameter, const std::string& value, const Origin& where,
                                        const std::string& label) {
        for (const std::string& item : listItems(value))
            if (const Replacement* r = find(kRestrictions, base::lowercase(item)))
                context.report("restriction-deprecated", where,
                               base::cat(label, parameter, ": restriction ", r->name, " is obsolete (", r->note, ")"),
                               base::cat("use ", r->instead, " instead"));
    });
}

}  // namespace postline::lint
