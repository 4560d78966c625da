// The expansion of a notice template's text (bounce/bounce_template.c's
// bounce_template_expand and bounce_template_lookup). Private to dsn_report.cpp.
#pragma once

#include <string>
#include <vector>

#include "postline/message/dsn_report.h"

namespace postline::message {

struct TemplateExpansion {
    std::vector<std::string> lines;
    std::string error;                  // Postfix's fatal text; lines are then incomplete
    std::vector<std::string> warnings;  // zero or excessive time conversions
};

// $myhostname, $delay_warning_time_UNIT and $maximal_queue_lifetime_UNIT (UNIT:
// seconds, minutes, hours, days, weeks; the value in whole units), other names through
// report.parameter.
TemplateExpansion expandTemplateText(const DsnTemplate& notice, const DsnReport& report);

}  // namespace postline::message
