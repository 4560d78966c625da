// base::dumpJson: a document holding bytes that are not UTF-8 is written, never thrown.
#include "postline/base/json_dump.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using postline::base::dumpJson;

TEST(JsonDump, ValidDocumentIsDumpedAsTheLibraryDoes) {
    nlohmann::ordered_json doc = {{"b", "caf\xc3\xa9"}, {"a", {1, "x"}}};
    EXPECT_EQ(dumpJson(doc), doc.dump());
    EXPECT_EQ(dumpJson(doc, 2), doc.dump(2));
}

TEST(JsonDump, StrayBytesInValuesAndKeysBecomeLatin1) {
    nlohmann::ordered_json doc;
    doc["name"] = "caf\xe9";
    doc["list"] = {"ok", "\xff"};
    doc["nested"]["caf\xe9"] = "x";
    EXPECT_THROW((void)doc.dump(), nlohmann::ordered_json::type_error);
    std::string text = dumpJson(doc);
    EXPECT_EQ(text, R"({"name":"café","list":["ok","ÿ"],"nested":{"café":"x"}})");
    EXPECT_EQ(nlohmann::ordered_json::parse(text)["nested"]["caf\xc3\xa9"], "x");
}

TEST(JsonDump, UnorderedDocumentsToo) {
    nlohmann::json doc = {{"k", "\xe9t\xe9"}};
    EXPECT_EQ(dumpJson(doc, 1), "{\n \"k\": \"\xc3\xa9t\xc3\xa9\"\n}");
}
