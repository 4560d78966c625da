// `--root DIR` of postline trace and test: the configuration is a checkout whose
// directory DIR stands for "/" (config::underRoot). main.cf is loaded with
// config::Config::load(dir, root) and tables through maps::rootRedirect; this adds what
// the routing context reads by itself.
#pragma once

#include <string>

#include "postline/address/routing_context.h"
#include "postline/config/config.h"

namespace postline::tools {

// A myorigin naming a file (Debian's /etc/mailname) and the /file/name items of main.cf's
// match lists (virtual_mailbox_domains = /etc/postfix/vhost) are read under the root.
void rootFileParameters(config::Config& config, const std::string& root);

// The delivery services come from ROOT/CONFIG_DIR/master.cf (the routing context would
// read CONFIG_DIR/master.cf of this host).
void rootDeliveryServices(address::RoutingContext& context, const config::Config& config, const std::string& root);

}  // namespace postline::tools
