// cleanup(8)'s parameters (Postfix's cleanup/cleanup_init.c tables), read from the
// configuration of the generation in use.
#include "cleanup_settings.h"

#include <cstdlib>

namespace postline::cleanup {
namespace {

long number(const std::string& s, long fallback) {
    if (s.empty()) return fallback;
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    return end == s.c_str() ? fallback : v;
}

// A time value with Postfix's units (s, m, h, d, w); `unit` is the default.
long seconds(const std::string& s, char unit) {
    if (s.empty()) return 0;
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    char u = *end ? *end : unit;
    switch (u) {
        case 'w':
            return v * 7 * 86400;
        case 'd':
            return v * 86400;
        case 'h':
            return v * 3600;
        case 'm':
            return v * 60;
        default:
            return v;
    }
}

bool yes(const std::string& s) { return s == "yes" || s == "true" || s == "on"; }

}  // namespace

CleanupSettings CleanupSettings::read(const std::function<std::string(std::string_view)>& get) {
    CleanupSettings s;
    s.myhostname = get("myhostname");
    s.lineLengthLimit = static_cast<size_t>(number(get("line_length_limit"), 2048));
    if (s.lineLengthLimit == 0) s.lineLengthLimit = 2048;
    s.headerSizeLimit = static_cast<size_t>(number(get("header_size_limit"), 102400));
    s.hopcountLimit = number(get("hopcount_limit"), 50);
    s.messageSizeLimit = number(get("message_size_limit"), 10240000);
    s.delayWarningTime = seconds(get("delay_warning_time"), 'h');
    s.longQueueIds = yes(get("enable_long_queue_ids"));
    s.alwaysAddMissingHeaders = yes(get("always_add_missing_headers"));
    s.enableOriginalRecipient = get("enable_original_recipient") != "no";
    s.dropHeaders = get("message_drop_headers");
    s.undisclosedRecipientsHeader = get("undisclosed_recipients_header");
    s.headerFromFormat = get("header_from_format");
    s.remoteHeaderRewriteDomain = get("remote_header_rewrite_domain");
    s.alwaysBcc = get("always_bcc");
    s.mimeNestingLimit = number(get("mime_nesting_limit"), 100);
    s.disableMimeInput = yes(get("disable_mime_input_processing"));
    s.anyStrictMime = yes(get("strict_7bit_headers")) || yes(get("strict_8bitmime")) ||
                      yes(get("strict_8bitmime_body")) || yes(get("strict_mime_encoding_domain"));
    s.smtputf8Enable = yes(get("smtputf8_enable"));
    s.replaceStrayCrLf = yes(get("cleanup_replace_stray_cr_lf"));
    s.bodyCheckSizeLimit = number(get("body_checks_size_limit"), 51200);
    s.headerChecks = get("header_checks");
    s.mimeHeaderChecks = get("mime_header_checks");
    s.nestedHeaderChecks = get("nested_header_checks");
    s.bodyChecks = get("body_checks");
    s.senderBccMaps = get("sender_bcc_maps");
    s.recipientBccMaps = get("recipient_bcc_maps");
    return s;
}

}  // namespace postline::cleanup
