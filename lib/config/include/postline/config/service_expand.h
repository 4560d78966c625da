// `$name` expansion as the daemon of one master.cf service sees it: master(8) hands the
// daemon its `-o name=value` options, which the daemon puts over main.cf before it reads
// any parameter (mail_params.c, mail_conf.c). Shared by the linter and the compiler, so
// that a table named through another -o of the same service is found by both.
#pragma once

#include <string>
#include <string_view>

#include "postline/config/config.h"
#include "postline/config/master_cf.h"

namespace postline::config {

// `text` with `$name` (also inside main.cf values) replaced by the service's last
// `-o name=...`, else main.cf's value, else the default; `$service_name` is the
// service's name.
std::string expandForService(const Config& config, const MasterEntry& service, std::string_view text);

}  // namespace postline::config
