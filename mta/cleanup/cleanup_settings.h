// The parameters cleanup(8) reads (Postfix's cleanup/cleanup_init.c), taken once per
// message from the configuration in use.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace postline::cleanup {

struct CleanupSettings {
    std::string myhostname;
    size_t lineLengthLimit = 2048;     // line_length_limit
    size_t headerSizeLimit = 102400;   // header_size_limit
    long hopcountLimit = 50;           // hopcount_limit
    long messageSizeLimit = 10240000;  // message_size_limit
    long delayWarningTime = 0;         // delay_warning_time, seconds
    bool longQueueIds = false;         // enable_long_queue_ids
    bool alwaysAddMissingHeaders = false;
    bool enableOriginalRecipient = true;
    std::string dropHeaders = "bcc, content-length, resent-bcc, return-path";  // message_drop_headers
    std::string undisclosedRecipientsHeader;                                   // undisclosed_recipients_header
    std::string headerFromFormat = "standard";                                 // header_from_format
    std::string remoteHeaderRewriteDomain;                                     // remote_header_rewrite_domain
    std::string alwaysBcc;                                                     // always_bcc
    long mimeNestingLimit = 100;
    bool disableMimeInput = false;  // disable_mime_input_processing
    // Any of strict_7bit_headers, strict_8bitmime, strict_8bitmime_body,
    // strict_mime_encoding_domain (here only: they turn on MIME nesting reports).
    bool anyStrictMime = false;
    bool smtputf8Enable = true;    // smtputf8_enable
    bool replaceStrayCrLf = true;  // cleanup_replace_stray_cr_lf
    long bodyCheckSizeLimit = 51200;
    bool hashQueueDefault = true;
    // The checks tables' parameter values ("" when unset).
    std::string headerChecks, mimeHeaderChecks, nestedHeaderChecks, bodyChecks;
    std::string senderBccMaps, recipientBccMaps;

    // Reads every field through `get` (a parameter's expanded value) and `getLong`.
    static CleanupSettings read(const std::function<std::string(std::string_view)>& get);
};

}  // namespace postline::cleanup
