// The JSON writers: lint's JSON and SARIF reports (lint::formatJson, formatSarif), trace's
// JSON (printTraceJson over a real route of the input's address), compile's documents
// (base::dumpJson, as manifest.json and config.json are written) and postconf -j's
// quoting (base::quoteForJson). Whatever bytes the input holds, each writer must return
// valid JSON, which is parsed back here: a throw or a parse error is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "postline/address/routing_context.h"
#include "postline/base/json_dump.h"
#include "postline/base/json_quote.h"
#include "postline/config/config.h"
#include "postline/lint/report.h"
#include "postline/simulate/route.h"
#include "trace_command.h"

namespace {

void mustParse(const std::string& text) {
    if (!postline::base::isValidUtf8(text)) std::abort();
    if (nlohmann::json::parse(text, nullptr, false).is_discarded()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string_view text = fuzz::asText(data, size);
    std::string_view first = fuzz::firstLine(text);
    std::string_view second = fuzz::firstLine(text);

    // lint: every text field of a finding from the input.
    std::vector<lint::Diagnostic> findings;
    findings.push_back({std::string(first), lint::Severity::Error, std::string(second), 3, 1, std::string(text), ""});
    findings.push_back({"param-unknown", lint::Severity::Warning, "/etc/postfix/main.cf", 0, 0, std::string(first),
                        std::string(second)});
    mustParse(lint::formatJson(findings));
    mustParse(lint::formatSarif(findings, std::string(second), "/etc/postfix"));

    // trace: the first line routed as a recipient through a virtual alias table whose
    // answer is the second line, so that both reach the report's fields.
    // The defaults once (their computed values are cached), a copy per input.
    static const config::Config base = [] {
        config::Config c = config::Config::defaults();
        c.set("alias_maps", "");
        c.set("myhostname", "mx.example.com");
        c.set("virtual_alias_domains", "example.com");
        (void)c.get("mynetworks");
        return c;
    }();
    config::Config config = base;
    config.set("virtual_alias_maps", "static:{" + std::string(second) + "}");
    address::RoutingContext context(config);
    std::vector<simulate::RouteReport> reports;
    reports.push_back(simulate::routeRecipient(context, std::string(second), std::string(first)));
    policy::SmtpdSession session;
    session.clientAddress = std::string(first);
    session.helo = std::string(second);
    session.offline.policy[std::string(first)] = std::string(second);
    std::ostringstream out;
    tools::printTraceJson(out, reports, 0, &session);
    mustParse(out.str());

    // compile: documents holding configuration text, keys included (config.json's
    // parameters are keyed by name).
    nlohmann::ordered_json doc;
    doc["config_directory"] = std::string(second);
    doc["parameters"][std::string(first)] = {{"value", std::string(text)}, {"origin", "main.cf:1"}};
    doc["tables"] = nlohmann::ordered_json::array({{{"source", std::string(first)}}});
    mustParse(base::dumpJson(doc, 2));

    // postconf -j: one {"key": "value"} line.
    mustParse("{" + base::quoteForJson(first) + ": " + base::quoteForJson(text) + "}");
    return 0;
}
