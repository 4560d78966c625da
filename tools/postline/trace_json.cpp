// The JSON form of `postline trace` (schemas/trace.schema.json). Addresses and table
// values are bytes: base::dumpJson writes those that are not UTF-8 as Latin-1.
#include <nlohmann/json.hpp>
#include <ostream>

#include "postline/base/json_dump.h"
#include "trace_command.h"

namespace postline::tools {

namespace {

using nlohmann::json;

json stepJson(const address::Step& s) {
    json j = {{"stage", s.stage},
              {"table", s.table},
              {"key", s.key},
              {"result", s.result},
              {"status", address::stepStatusName(s.status)}};
    j["tried"] = s.tried;
    j["warnings"] = s.warnings;
    return j;
}

json stepsJson(const address::Steps& steps) {
    json a = json::array();
    for (auto& s : steps) a.push_back(stepJson(s));
    return a;
}

const char* smtpdVerdict(policy::RecipientCheck::Verdict v) {
    switch (v) {
        case policy::RecipientCheck::Verdict::Accept:
            return "accept";
        case policy::RecipientCheck::Verdict::Reject:
            return "reject";
        case policy::RecipientCheck::Verdict::Defer:
            return "defer";
    }
    return "defer";
}

}  // namespace

void printTraceJson(std::ostream& out, const std::vector<simulate::RouteReport>& reports, int exitStatus,
                    const policy::SmtpdSession* session) {
    json results = json::array();
    for (auto& r : reports) {
        json recipients = json::array();
        for (auto& f : r.recipients) {
            json local = json::array();
            for (auto& d : f.localDeliveries)
                local.push_back(
                    {{"kind", address::localDeliveryKindName(d.kind)}, {"target", d.target}, {"via", d.via}});
            recipients.push_back({{"local_deliveries", local},
                                  {"local_steps", stepsJson(f.localSteps)},
                                  {"address", f.address},
                                  {"resolved", f.resolution.recipient},
                                  {"class", address::addressClassName(f.resolution.addressClass)},
                                  {"transport", f.resolution.transport},
                                  {"nexthop", f.resolution.nexthop},
                                  {"routed", f.resolution.routed},
                                  {"verdict", simulate::verdictName(f.verdict)},
                                  {"reason", f.reason},
                                  {"steps", stepsJson(f.resolution.steps)}});
        }
        json smtpd = {{"verdict", r.smtpd.undecidable ? "undecidable" : smtpdVerdict(r.smtpd.verdict)},
                      {"reply", r.smtpd.reply},
                      {"stage", r.smtpd.stage},
                      {"actions", r.smtpd.actions},
                      {"discard", r.smtpd.discard},
                      {"steps", stepsJson(r.smtpd.steps)}};
        results.push_back({{"input", r.input},
                           {"sender", r.sender},
                           {"verdict", simulate::verdictName(r.verdict)},
                           {"reason", r.reason},
                           {"sender_steps", stepsJson(r.senderSteps)},
                           {"smtpd", smtpd},
                           {"cleanup_steps", stepsJson(r.cleanupSteps)},
                           {"recipients", recipients}});
    }
    json doc = {{"version", 1}, {"results", results}, {"exit_status", exitStatus}};
    if (session) {
        json dns = json::object(), policy = json::object();
        for (auto& [name, answer] : session->offline.dns) dns[name] = policy::dnsAnswerName(answer);
        for (auto& [service, action] : session->offline.policy) policy[service] = action;
        doc["session"] = {{"client_address", session->clientAddress},
                          {"client_name", session->clientName},
                          {"helo", session->helo ? json(*session->helo) : json(nullptr)},
                          {"sasl_username", session->saslUsername},
                          {"dns", dns},
                          {"policy", policy}};
    }
    out << base::dumpJson(doc, 2) << "\n";
}

}  // namespace postline::tools
