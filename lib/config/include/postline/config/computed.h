// Defaults Postfix computes at run time (postconf_builtin.c, global/mynetworks.c,
// util/get_hostname.c, util/inet_addr_local.c): the host name and the mynetworks list
// built from the host's interfaces by mynetworks_style.
#pragma once

#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::config {

// gethostname(), as Postfix's get_hostname() returns it.
std::string systemHostname();

// mynetworks for `style` ("host", "subnet" or "class") over the addresses of the host's
// up interfaces, IPv4 then IPv6 as getifaddrs() lists them, limited by `protocols`
// ("all", "ipv4", "ipv6" or a list of them). Example: "127.0.0.0/8 [::1]/128".
std::string computeMynetworks(std::string_view style, std::string_view protocols);

// The checks Postfix makes while it computes mynetworks (inet_proto_init(),
// mynetworks_core()), with its fatal texts: every inet_protocols word is "all", "ipv4"
// or "ipv6" (`unknown inet_protocols value "X" in "VALUE"`); unless that leaves no
// protocol, mynetworks_style names exactly one of "host", "subnet", "class" (`unknown
// mynetworks mask style value "X" in "VALUE"`, `bad mynetworks_style value: VALUE;
// specify exactly one value`). Words are case-sensitive, as in Postfix.
base::Status checkMynetworksInputs(std::string_view style, std::string_view protocols);

}  // namespace postline::config
