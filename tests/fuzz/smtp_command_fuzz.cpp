// The SMTP server session (lib/smtp, Postfix's smtpd_proto and command functions) fed
// arbitrary client bytes: once whole and once split where the first input byte says,
// over a configuration of built-in defaults that opens no table of the machine (the
// client allowed XCLIENT and XFORWARD) and a sink that accepts every message. Both runs
// must give the same replies and the same records: the session may not depend on how
// the input arrives.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "postline/address/routing_context.h"
#include "postline/config/config.h"
#include "postline/policy/smtpd_restrictions.h"
#include "postline/smtp/server_session.h"

namespace {

using namespace postline;

class RecordingSink : public smtp::MessageSink {
public:
    std::string records;
    int messages = 0;
    base::Result<std::string> open(bool) override { return "4FUZZ" + std::to_string(++messages); }
    void arrivalTime(long, long) override { records += "T\n"; }
    void attribute(std::string_view n, std::string_view v) override {
        records += "A " + std::string(n) + "=" + std::string(v) + "\n";
    }
    void sender(std::string_view a) override { records += "S " + std::string(a) + "\n"; }
    void recipient(std::string_view a) override { records += "R " + std::string(a) + "\n"; }
    void processingFlags(int flags) override { records += "f " + std::to_string(flags) + "\n"; }
    void messageStart() override { records += "M\n"; }
    void extractedStart() override { records += "X\n"; }
    void contentFilter(std::string_view f) override { records += "FILTER " + std::string(f) + "\n"; }
    void redirect(std::string_view a) override { records += "> " + std::string(a) + "\n"; }
    void contentLine(std::string_view l, bool complete) override {
        records += (complete ? "N " : "L ") + std::string(l) + "\n";
    }
    smtp::SinkResult finish() override {
        records += "E\n";
        return {};
    }
    void abandon() override { records += "abandon\n"; }
};

config::Config fuzzConfig() {
    config::Config config = config::Config::defaults();
    config.set("alias_maps", "");
    config.set("local_recipient_maps", "");
    config.set("myhostname", "mx.example.com");
    config.set("mynetworks", "127.0.0.0/8");
    config.set("smtpd_error_sleep_time", "0");
    config.set("line_length_limit", "600");
    config.set("message_size_limit", "100000");
    // The client may use XCLIENT and XFORWARD, so that their parsers are reached too.
    config.set("smtpd_authorized_xclient_hosts", "192.0.2.1");
    config.set("smtpd_authorized_xforward_hosts", "192.0.2.1");
    return config;
}

struct Run {
    std::string replies;
    std::string records;
};

Run run(address::RoutingContext& context, std::string_view first, std::string_view second) {
    policy::SmtpdSession who;
    who.clientAddress = "192.0.2.1";
    policy::SmtpdRestrictions restrictions(context, who);
    RecordingSink sink;
    smtp::SessionOptions options;
    options.clientAddress = who.clientAddress;
    options.clock = [] { return std::pair<long, long>{1700000000, 0}; };
    Run out;
    {
        smtp::SmtpServerSession session(context, restrictions, sink, options);
        session.start();
        session.feed(first);
        session.feed(second);
        session.endOfInput();
        for (auto& chunk : session.takeOutput()) out.replies += chunk.bytes;
    }
    out.records = sink.records;
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::quietDiagnostics();
    static const config::Config config = fuzzConfig();
    static address::RoutingContext context(config);
    if (size == 0) return 0;
    std::string_view text = fuzz::asText(data + 1, size - 1);
    size_t cut = text.empty() ? 0 : data[0] % (text.size() + 1);
    Run whole = run(context, text, {});
    Run split = run(context, text.substr(0, cut), text.substr(cut));
    if (whole.replies != split.replies || whole.records != split.records) std::abort();
    return 0;
}
