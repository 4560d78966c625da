// The route of one message as a client sends it over SMTP: MAIL FROM and RCPT TO with
// their arguments as written (smtpd_command.h), smtpd's restrictions when a session is
// given, then the route of the extracted recipient (route.h).
#pragma once

#include <string_view>

#include "postline/simulate/route.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::policy {
class SmtpdRestrictions;
}

namespace postline::simulate {

// `mailArgument` and `rcptArgument` are what follows "MAIL FROM:" and "RCPT TO:"
// (smtpArgumentFor() makes them from written addresses). A command smtpd refuses is
// the smtpd verdict (stage "MAIL FROM" or "RCPT TO"); otherwise the extracted sender
// and recipient are routed by routeRecipient(). `input` is the extracted recipient, or
// the RCPT argument (without its <>) when smtpd refused it.
RouteReport routeSmtpArguments(address::RoutingContext& context, std::string_view mailArgument,
                               std::string_view rcptArgument, policy::SmtpdRestrictions* smtpd = nullptr);

}  // namespace postline::simulate
