// The three report formats of lint (report.h).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "postline/lint/report.h"
#include "postline/lint/rules.h"

using namespace postline::lint;

namespace {

std::vector<Diagnostic> sample() {
    Diagnostic a{
        "table-stale",           Severity::Warning, "/etc/postfix/main.cf", 12, 0, "table hash:x: x.db is older",
        "run \"postmap hash:x\""};
    Diagnostic b{"open-relay", Severity::Error, "/etc/postfix/master.cf", 7, 3, "open relay", ""};
    Diagnostic c{"table-missing", Severity::Error, "/srv/other/t", 0, 0, "gone", ""};
    return {a, b, c};
}

TEST(Report, TextIsCompilerStyle) {
    EXPECT_EQ(formatText(sample()),
              "/etc/postfix/main.cf:12: warning: table hash:x: x.db is older [table-stale]\n"
              "    hint: run \"postmap hash:x\"\n"
              "/etc/postfix/master.cf:7:3: error: open relay [open-relay]\n"
              "/srv/other/t: error: gone [table-missing]\n"
              "2 errors, 1 warning\n");
    EXPECT_EQ(formatText({}), "");
}

TEST(Report, JsonCarriesEveryField) {
    auto doc = nlohmann::json::parse(formatJson(sample()));
    ASSERT_EQ(doc["diagnostics"].size(), 3u);
    EXPECT_EQ(doc["version"], 1);
    EXPECT_EQ(doc["diagnostics"][0]["rule"], "table-stale");
    EXPECT_EQ(doc["diagnostics"][0]["severity"], "warning");
    EXPECT_EQ(doc["diagnostics"][0]["line"], 12);
    EXPECT_FALSE(doc["diagnostics"][0].contains("column"));
    EXPECT_EQ(doc["diagnostics"][0]["hint"], "run \"postmap hash:x\"");
    EXPECT_EQ(doc["diagnostics"][1]["column"], 3);
    EXPECT_FALSE(doc["diagnostics"][1].contains("hint"));
    EXPECT_EQ(doc["summary"]["errors"], 2);
    EXPECT_EQ(doc["summary"]["warnings"], 1);
}

TEST(Report, SarifNamesRulesAndRelativeLocations) {
    auto log = nlohmann::json::parse(formatSarif(sample(), "0.1", "/etc/postfix"));
    EXPECT_EQ(log["version"], "2.1.0");
    const auto& run = log["runs"][0];
    EXPECT_EQ(run["tool"]["driver"]["name"], "postline");
    EXPECT_EQ(run["tool"]["driver"]["rules"].size(), ruleCatalog().size());
    EXPECT_EQ(run["originalUriBaseIds"]["CONFIGDIR"]["uri"], "file:///etc/postfix/");
    const auto& results = run["results"];
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0]["ruleId"], "table-stale");
    EXPECT_EQ(results[0]["level"], "warning");
    const auto& loc = results[0]["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], "main.cf");
    EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "CONFIGDIR");
    EXPECT_EQ(loc["region"]["startLine"], 12);
    EXPECT_EQ(results[1]["locations"][0]["physicalLocation"]["region"]["startColumn"], 3);
    // Outside the configuration directory: an absolute path, no region for line 0.
    const auto& other = results[2]["locations"][0]["physicalLocation"];
    EXPECT_EQ(other["artifactLocation"]["uri"], "/srv/other/t");
    EXPECT_FALSE(other.contains("region"));
}

TEST(Rules, CatalogueIdsAreUniqueAndFindable) {
    for (const RuleInfo& r : ruleCatalog()) {
        const RuleInfo* found = findRule(r.id);
        ASSERT_NE(found, nullptr);
        EXPECT_EQ(found, &r) << r.id;
    }
    EXPECT_EQ(findRule("no-such-rule"), nullptr);
}

}  // namespace
