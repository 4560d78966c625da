// The lists behind `postconf -a`, `-A` and `-l`, as Debian 12's Postfix 3.7 prints them.
#include "postline/config/build_features.h"

namespace postline::config {

namespace {
constexpr std::string_view kSaslServer[] = {"cyrus", "dovecot"};
constexpr std::string_view kSaslClient[] = {"cyrus"};
constexpr std::string_view kLocks[] = {"flock", "fcntl", "dotlock"};
}  // namespace

std::span<const std::string_view> saslServerTypes() { return kSaslServer; }
std::span<const std::string_view> saslClientTypes() { return kSaslClient; }
std::span<const std::string_view> mailboxLockMethods() { return kLocks; }

}  // namespace postline::config
