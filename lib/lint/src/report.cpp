// The lint report formats (report.h). JSON and SARIF are built with nlohmann/json and
// written with base::dumpJson (bytes that are not UTF-8 as Latin-1, never an abort).
#include "postline/lint/report.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "postline/base/json_dump.h"
#include "postline/base/strings.h"
#include "postline/lint/rules.h"

namespace postline::lint {

namespace {

struct Counts {
    int errors = 0, warnings = 0, infos = 0;
};

Counts count(const std::vector<Diagnostic>& findings) {
    Counts c;
    for (const Diagnostic& d : findings) {
        if (d.severity == Severity::Error) ++c.errors;
        if (d.severity == Severity::Warning) ++c.warnings;
        if (d.severity == Severity::Info) ++c.infos;
    }
    return c;
}

std::string plural(int n, std::string_view word) { return base::cat(n, " ", word, n == 1 ? "" : "s"); }

}  // namespace

std::string formatText(const std::vector<Diagnostic>& findings) {
    std::string out;
    for (const Diagnostic& d : findings) {
        out += d.file;
        if (d.line > 0) out += base::cat(":", d.line);
        if (d.line > 0 && d.column > 0) out += base::cat(":", d.column);
        out += base::cat(": ", severityName(d.severity), ": ", d.message, " [", d.rule, "]\n");
        if (!d.hint.empty()) out += base::cat("    hint: ", d.hint, "\n");
    }
    if (!findings.empty()) {
        Counts c = count(findings);
        out += base::cat(plural(c.errors, "error"), ", ", plural(c.warnings, "warning"), "\n");
    }
    return out;
}

std::string formatJson(const std::vector<Diagnostic>& findings) {
    nlohmann::ordered_json doc;
    doc["version"] = 1;
    doc["diagnostics"] = nlohmann::ordered_json::array();
    for (const Diagnostic& d : findings) {
        nlohmann::ordered_json item;
        item["rule"] = d.rule;
        item["severity"] = std::string(severityName(d.severity));
        item["file"] = d.file;
        item["line"] = d.line;
        if (d.column > 0) item["column"] = d.column;
        item["message"] = d.message;
        if (!d.hint.empty()) item["hint"] = d.hint;
        doc["diagnostics"].push_back(std::move(item));
    }
    Counts c = count(findings);
    doc["summary"] = {{"errors", c.errors}, {"warnings", c.warnings}, {"infos", c.infos}};
    return base::dumpJson(doc, 2) + "\n";
}

std::string formatSarif(const std::vector<Diagnostic>& findings, const std::string& toolVersion,
                        const std::string& baseDir) {
    using json = nlohmann::ordered_json;
    auto level = [](Severity s) {
        return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
    };
    json rules = json::array();
    for (const RuleInfo& r : ruleCatalog()) {
        rules.push_back({{"id", std::string(r.id)},
                         {"shortDescription", {{"text", std::string(r.summary)}}},
                         {"defaultConfiguration", {{"level", level(r.severity)}}},
                         {"properties", {{"tags", {std::string(r.family)}}}}});
    }
    std::string prefix = baseDir.empty() || baseDir.back() == '/' ? baseDir : baseDir + "/";
    json results = json::array();
    for (const Diagnostic& d : findings) {
        json location;
        std::string uri = d.file;
        bool relative = !prefix.empty() && uri.starts_with(prefix);
        if (relative) uri = uri.substr(prefix.size());
        location["physicalLocation"]["artifactLocation"]["uri"] = uri;
        if (relative) location["physicalLocation"]["artifactLocation"]["uriBaseId"] = "CONFIGDIR";
        if (d.line > 0) {
            location["physicalLocation"]["region"]["startLine"] = d.line;
            if (d.column > 0) location["physicalLocation"]["region"]["startColumn"] = d.column;
        }
        std::string text = d.hint.empty() ? d.message : base::cat(d.message, " (hint: ", d.hint, ")");
        json result = {{"ruleId", d.rule}, {"level", level(d.severity)}, {"message", {{"text", text}}}};
        result["locations"] = json::array({location});
        results.push_back(std::move(result));
    }
    json run;
    run["tool"]["driver"] = {{"name", "postline"}, {"version", toolVersion}, {"rules", rules}};
    if (!prefix.empty()) {
        // SARIF wants an absolute URI for the base; findings keep the name as given.
        std::string absolute = std::filesystem::absolute(prefix).lexically_normal().string();
        if (absolute.back() != '/') absolute += '/';
        run["originalUriBaseIds"]["CONFIGDIR"]["uri"] = "file://" + absolute;
    }
    run["results"] = results;
    json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}};
    log["runs"] = json::array({run});
    return base::dumpJson(log, 2) + "\n";
}

}  // namespace postline::lint
