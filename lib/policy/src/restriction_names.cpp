// The restriction names of smtpd_check.c (Postfix 3.7), with their arguments.
#include "postline/policy/restriction_names.h"

#include <strings.h>

#include <string>

namespace postline::policy {

const std::vector<RestrictionName>& smtpdRestrictionNames() {
    using A = RestrictionArgument;
    static const std::vector<RestrictionName> names = {
        // Generic.
        {"permit"},
        {"defer"},
        {"reject"},
        {"warn_if_reject"},
        {"reject_unauth_pipelining"},
        {"defer_if_permit"},
        {"defer_if_reject"},
        {"sleep", A::Seconds},
        {"check_policy_service", A::PolicyService},
        // Client.
        {"permit_mynetworks"},
        {"permit_inet_interfaces"},
        {"permit_sasl_authenticated"},
        {"permit_tls_clientcerts"},
        {"permit_tls_all_clientcerts"},
        {"reject_plaintext_session"},
        {"reject_unknown_client"},
        {"reject_unknown_client_hostname"},
        {"reject_unknown_reverse_client_hostname"},
        {"check_client_access", A::Table},
        {"check_client_a_access", A::Table},
        {"check_client_mx_access", A::Table},
        {"check_client_ns_access", A::Table},
        {"check_reverse_client_hostname_access", A::Table},
        {"check_reverse_client_hostname_a_access", A::Table},
        {"check_reverse_client_hostname_mx_access", A::Table},
        {"check_reverse_client_hostname_ns_access", A::Table},
        {"check_ccert_access", A::Table},
        {"check_sasl_access", A::Table},
        {"reject_maps_rbl"},
        {"reject_rbl_client", A::Domain},
        {"reject_rbl", A::Domain},
        {"permit_dnswl_client", A::Domain},
        {"reject_rhsbl_client", A::Domain},
        {"permit_rhswl_client", A::Domain},
        {"reject_rhsbl_reverse_client", A::Domain},
        // HELO/EHLO.
        {"check_helo_access", A::Table},
        {"check_helo_a_access", A::Table},
        {"check_helo_mx_access", A::Table},
        {"check_helo_ns_access", A::Table},
        {"reject_invalid_helo_hostname"},
        {"reject_invalid_hostname"},
        {"reject_unknown_helo_hostname"},
        {"reject_unknown_hostname"},
        {"reject_non_fqdn_helo_hostname"},
        {"reject_non_fqdn_hostname"},
        {"permit_naked_ip_address"},
        {"reject_rhsbl_helo", A::Domain},
        // Sender.
        {"check_sender_access", A::Table},
        {"check_sender_a_access", A::Table},
        {"check_sender_mx_access", A::Table},
        {"check_sender_ns_access", A::Table},
        {"reject_unknown_sender_domain"},
        {"reject_unknown_address"},
        {"reject_non_fqdn_sender"},
        {"reject_unlisted_sender"},
        {"reject_unverified_sender"},
        {"reject_sender_login_mismatch"},
        {"reject_authenticated_sender_login_mismatch"},
        {"reject_known_sender_login_mismatch"},
        {"reject_unauthenticated_sender_login_mismatch"},
        {"reject_rhsbl_sender", A::Domain},
        // Recipient.
        {"check_recipient_access", A::Table},
        {"check_recipient_a_access", A::Table},
        {"check_recipient_mx_access", A::Table},
        {"check_recipient_ns_access", A::Table},
        {"permit_auth_destination"},
        {"reject_unauth_destination"},
        {"defer_unauth_destination"},
        {"permit_mx_backup"},
        {"check_relay_domains"},
        {"reject_unknown_recipient_domain"},
        {"reject_non_fqdn_recipient"},
        {"reject_unlisted_recipient"},
        {"check_recipient_maps"},
        {"reject_unverified_recipient"},
        {"reject_multi_recipient_bounce"},
        {"reject_rhsbl_recipient", A::Domain},
        // ETRN.
        {"check_etrn_access", A::Table},
    };
    return names;
}

const RestrictionName* findSmtpdRestriction(std::string_view name) {
    std::string text(name);
    for (const RestrictionName& entry : smtpdRestrictionNames())
        if (entry.name.size() == text.size() && ::strncasecmp(entry.name.data(), text.c_str(), text.size()) == 0)
            return &entry;
    return nullptr;
}

}  // namespace postline::policy
