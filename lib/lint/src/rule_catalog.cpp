// The rule catalogue (rules.h). One row per rule id; docs/lint-rules.md follows this order.
#include <algorithm>

#include "postline/lint/rules.h"

namespace postline::lint {

namespace {

constexpr RuleInfo kRules[] = {
    // parameters
    {"param-typo", Severity::Error, "parameters", "an unknown name close to a known one: a setting that has no effect"},
    {"param-unknown", Severity::Warning, "parameters", "a name Postfix does not know and nothing references"},
    {"param-bad-value", Severity::Error, "parameters", "a value of the wrong type (boolean, number, time, enum)"},
    {"param-undefined-reference", Severity::Error, "parameters", "a $name that no parameter defines"},
    {"param-recursive-reference", Severity::Error, "parameters", "parameters whose $name references form a cycle"},
    {"param-deprecated", Severity::Warning, "parameters", "a parameter name that Postfix replaced and will remove"},
    {"restriction-deprecated", Severity::Warning, "parameters", "a restriction name that Postfix replaced"},
    {"restriction-unknown", Severity::Error, "parameters", "a name in a restriction list that smtpd does not know"},
    {"restriction-class-undefined", Severity::Error, "parameters",
     "a restriction class in smtpd_restriction_classes without a definition"},
    {"restriction-argument-missing", Severity::Error, "parameters",
     "a restriction without the table, domain, service or number it takes"},
    // master.cf
    {"master-entry-malformed", Severity::Error, "master", "a master.cf line that postconf or master rejects"},
    {"master-unknown-command", Severity::Error, "master", "a service command that is not a Postfix daemon"},
    {"master-option-unknown", Severity::Warning, "master", "a -o parameter that Postfix does not know"},
    // transports
    {"transport-undefined", Severity::Error, "transports", "a transport that master.cf does not define"},
    // aliases and rewriting
    {"alias-loop", Severity::Error, "aliases", "aliases that expand into each other"},
    {"alias-command-forbidden", Severity::Error, "aliases",
     "an alias to a |command that allow_mail_to_commands forbids"},
    {"alias-file-forbidden", Severity::Error, "aliases", "an alias to a /file that allow_mail_to_files forbids"},
    {"alias-include-unusable", Severity::Error, "aliases",
     "a :include: file that local(8) refuses (relative, missing, not a regular file, world-writable)"},
    {"virtual-alias-loop", Severity::Error, "aliases", "virtual aliases that expand into each other"},
    {"virtual-alias-limit", Severity::Error, "aliases", "a virtual alias expansion beyond Postfix's limits"},
    // tables
    {"table-unknown-type", Severity::Error, "tables", "a table type that Postfix does not know"},
    {"table-missing", Severity::Error, "tables", "a table file that does not exist"},
    {"table-default-missing", Severity::Warning, "tables",
     "a table file that only a parameter's built-in default names (alias_maps = hash:/etc/aliases) does not exist"},
    {"table-unreadable", Severity::Error, "tables", "a table file that cannot be read"},
    {"table-not-built", Severity::Error, "tables", "a source file without its indexed file (run postmap)"},
    {"table-stale", Severity::Warning, "tables", "an indexed file older than its source (run postmap)"},
    {"table-source-missing", Severity::Warning, "tables", "an indexed file whose source file is gone"},
    {"table-format", Severity::Warning, "tables", "a source line that Postfix warns about and ignores"},
    {"table-duplicate", Severity::Warning, "tables", "a key defined more than once (the first one wins)"},
    {"pattern-error", Severity::Error, "tables", "a regexp, pcre or cidr rule that Postfix skips"},
    {"pattern-shadowed", Severity::Warning, "tables", "a rule that never matches: an earlier rule always wins"},
    // relay safety
    {"open-relay", Severity::Error, "relay", "unauthorized clients may relay to any destination"},
    {"mynetworks-too-broad", Severity::Error, "relay", "mynetworks trusts a network far larger than a site"},
    {"mynetworks-style-class", Severity::Warning, "relay", "mynetworks_style = class trusts a whole class A/B/C"},
    {"access-permits-everyone", Severity::Error, "relay", "an access table in a restriction OKs every client"},
    {"smtp-smuggling", Severity::Warning, "relay", "an smtpd strangers reach takes bare newlines (CVE-2023-51764)"},
    // address classes
    {"domain-in-several-classes", Severity::Error, "domains", "a domain listed in more than one address class"},
    {"virtual-mailbox-without-maps", Severity::Error, "domains", "virtual mailbox domains without mailbox maps"},
    // TLS and SASL
    {"tls-file-missing", Severity::Error, "tls", "a certificate or key file that does not exist"},
    {"tls-file-unreadable", Severity::Error, "tls", "a certificate or key file that cannot be read or parsed"},
    {"tls-key-mismatch", Severity::Error, "tls", "a private key that does not belong to its certificate"},
    {"tls-cert-expired", Severity::Error, "tls", "a certificate that has expired"},
    {"tls-cert-expiring", Severity::Warning, "tls", "a certificate that expires within 30 days"},
    {"sasl-without-tls-auth-only", Severity::Warning, "tls", "SASL authentication offered without TLS"},
    {"tls-mandatory-on-port-25", Severity::Warning, "tls", "TLS required from every client on the public port 25"},
    // the compiled generation in use
    {"restart-required", Severity::Warning, "generation",
     "a change since the generation in use that postfix reload does not apply (stop and start)"},
};

}  // namespace

std::span<const RuleInfo> ruleCatalog() { return kRules; }

const RuleInfo* findRule(std::string_view id) {
    auto it = std::find_if(std::begin(kRules), std::end(kRules), [&](const RuleInfo& r) { return r.id == id; });
    return it == std::end(kRules) ? nullptr : it;
}

}  // namespace postline::lint
