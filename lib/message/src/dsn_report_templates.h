// Postfix 3.7's built-in bounce templates (bounce/bounce_templates.c, shown by
// `postconf -b`): the failure and delay notices' From, Subject, charset and text, and
// the template expansion of $myhostname and the time parameters' _hours/_days forms
// (bounce/bounce_template.c). Private to dsn_report.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::message {

struct DsnTemplate {
    std::string_view charset;       // "us-ascii"
    std::string_view encoding;      // "7bit"
    std::string_view obsoleteFrom;  // header_from_format = obsolete
    std::string_view standardFrom;  // header_from_format = standard
    std::string_view subject;
    std::string_view postmasterSubject;
    const std::vector<std::string_view>& text;
};

const DsnTemplate& failureTemplate();
const DsnTemplate& delayTemplate();

// The template's text with $myhostname, $delay_warning_time_UNIT and
// $maximal_queue_lifetime_UNIT (UNIT: seconds, minutes, hours, days, weeks; the value in
// whole units) expanded; other $names are left as written.
std::vector<std::string> expandTemplateText(const DsnTemplate& t, std::string_view myhostname, long delayWarningTime,
                                            long maximalQueueLifetime);

}  // namespace postline::message
