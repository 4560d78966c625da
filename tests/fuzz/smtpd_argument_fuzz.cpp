// RFC 5321 argument extraction as smtpd does it (smtpd/smtpd.c mail_cmd, rcpt_cmd and
// extract_addr, smtpd_token.c): the input's first line is a MAIL FROM argument, the
// second a RCPT TO argument, each read with smtputf8 off and on, over a configuration of
// built-in defaults that opens no table of the machine.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_support.h"
#include "postline/address/routing_context.h"
#include "postline/config/config.h"
#include "postline/policy/smtpd_command.h"

namespace {

postline::config::Config fuzzConfig(bool smtputf8) {
    postline::config::Config config = postline::config::Config::defaults();
    config.set("alias_maps", "");
    config.set("myhostname", "mx.example.com");
    config.set("smtputf8_enable", smtputf8 ? "yes" : "no");
    return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    static const config::Config configs[] = {fuzzConfig(false), fuzzConfig(true)};
    std::string_view text = fuzz::asText(data, size);
    (void)policy::smtpdTokens(text);
    std::string_view mail = fuzz::firstLine(text);
    std::string_view rcpt = fuzz::firstLine(text);
    for (const config::Config& config : configs) {
        address::RoutingContext context(config);
        (void)policy::smtpdCommandLine(context, "MAIL FROM:", mail);
        policy::SmtpdCommandResult from = policy::smtpdMailFrom(context, mail);
        policy::SmtpdCommandResult to = policy::smtpdRcptTo(context, rcpt, from.ok ? from.address : "", from.smtputf8);
        if (!to.ok) (void)policy::softBounced(context, to.reply);
    }
    (void)policy::smtpArgumentFor(mail);
    return 0;
}
