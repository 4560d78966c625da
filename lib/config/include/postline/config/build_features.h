// What a Postfix build reports it supports through `postconf -a`, `-A` and `-l`
// (postconf_other.c): the SASL server and client plugin types and the mailbox lock
// methods, i.e. the values smtpd_sasl_type, smtp_sasl_type and mailbox_delivery_lock
// accept.
#pragma once

#include <span>
#include <string_view>

namespace postline::config {

// `postconf -a`: server-side SASL types. Postline's SASL layer speaks the Dovecot auth
// protocol and provides the Cyrus-compatible server side, so it lists what Debian's
// Postfix 3.7 is built with: "cyrus", "dovecot" (xsasl_server_types()).
std::span<const std::string_view> saslServerTypes();
// `postconf -A`: client-side SASL types: "cyrus" (xsasl_client_types()).
std::span<const std::string_view> saslClientTypes();
// `postconf -l`: mailbox lock methods in Postfix's order: "flock", "fcntl", "dotlock"
// (mbox_lock_names(), Linux).
std::span<const std::string_view> mailboxLockMethods();

}  // namespace postline::config
