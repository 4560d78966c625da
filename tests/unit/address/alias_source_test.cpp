// aliases(5) parsing tests. The expected keys, values and warnings are those Postfix
// 3.7.11's postalias produced for the same input (postalias -s, stderr).
#include "postline/address/alias_source.h"

#include <gtest/gtest.h>

#include <vector>

#include "postline/base/msg.h"
#include "postline/maps/utf8.h"

namespace postline::address {
namespace {

struct Rec {
    std::string key;
    std::string value;
    int line;
    bool operator==(const Rec&) const = default;
};

struct Read {
    std::vector<Rec> records;
    std::vector<std::string> warnings;
};

Read readAll(std::string_view text, AliasSourceOptions options = {}) {
    Read out;
    base::setMsgSink([&](base::Severity, std::string_view msg) { out.warnings.emplace_back(msg); });
    base::Status st = readAliasSource(text, "aliases", options, [&](const std::string& k, const std::string& v, int l) {
        out.records.push_back({k, v, l});
        return base::Status{};
    });
    base::setMsgSink(nullptr);
    EXPECT_TRUE(st.ok());
    return out;
}

TEST(ParseAliasLine, Basic) {
    AliasLine l = parseAliasLine("postmaster: root");
    EXPECT_EQ(l.status, AliasLineStatus::Ok);
    EXPECT_EQ(l.key, "postmaster");
    EXPECT_EQ(l.value, "root");
}

TEST(ParseAliasLine, KeyKeepsCaseForTheTableToFold) {
    AliasLine l = parseAliasLine("Admin:   a1 ,  \"|/usr/bin/prog arg\",/var/mail/file,  :include:/etc/list,");
    EXPECT_EQ(l.key, "Admin");
    EXPECT_EQ(l.value, "a1, \"|/usr/bin/prog arg\", /var/mail/file, :include:/etc/list, ");
}

TEST(ParseAliasLine, QuotedNames) {
    EXPECT_EQ(parseAliasLine("\"odd:local\": y").key, "odd:local");
    EXPECT_EQ(parseAliasLine("\"Quoted Name\" : x").key, "Quoted Name");
    EXPECT_EQ(parseAliasLine("\"a@b\": x").status, AliasLineStatus::Ok);
    EXPECT_EQ(parseAliasLine("foo bar: baz").key, "foo bar");
}

TEST(ParseAliasLine, FirstColonSplits) {
    AliasLine l = parseAliasLine("twocolon: b: c");
    EXPECT_EQ(l.key, "twocolon");
    EXPECT_EQ(l.value, "b:c");
}

TEST(ParseAliasLine, Rejections) {
    EXPECT_EQ(parseAliasLine("a@b: c").status, AliasLineStatus::NotLocal);
    EXPECT_EQ(parseAliasLine("x%y: z").status, AliasLineStatus::NotLocal);
    EXPECT_EQ(parseAliasLine(",q: r").status, AliasLineStatus::NeedPair);
    EXPECT_EQ(parseAliasLine(": nokey").status, AliasLineStatus::NeedPair);
    EXPECT_EQ(parseAliasLine("nokey:").status, AliasLineStatus::NeedPair);
    EXPECT_EQ(parseAliasLine("a,b: c").status, AliasLineStatus::NeedPair);
    EXPECT_EQ(parseAliasLine("no colon here").status, AliasLineStatus::NeedPair);
    EXPECT_EQ(parseAliasLine("a,b@c: d").status, AliasLineStatus::NeedPair);  // pair check comes first
    EXPECT_EQ(parseAliasLine("").status, AliasLineStatus::Empty);
    EXPECT_EQ(aliasLineProblem(AliasLineStatus::NeedPair), "need name:value pair");
    EXPECT_EQ(aliasLineProblem(AliasLineStatus::NotLocal), "name must be local");
}

TEST(ReadAliasSource, WholeFileAsPostaliasSeesIt) {
    Read r = readAll(
        "# comment\n"
        "postmaster: root\n"
        "a@b: c\n"
        "cont: one,\n"
        "  two\n"
        "# mid comment\n"
        "   three\n"
        ": nokey\n"
        "empty: \"\"\n");
    std::vector<Rec> want = {{"postmaster", "root", 2}, {"cont", "one, two three", 4}, {"empty", "\"\"", 9}};
    EXPECT_EQ(r.records, want);
    std::vector<std::string> warns = {"aliases, line 3: name must be local", "aliases, line 8: need name:value pair"};
    EXPECT_EQ(r.warnings, warns);
}

TEST(ReadAliasSource, NonUtf8LinesSkippedOnlyWhenChecking) {
    if (maps::validUtf8("\xff")) GTEST_SKIP() << "lib/maps UTF-8 validation is not available in this build";
    std::string text = "bad: x\xff\ngood: y\n";
    Read checked = readAll(text, {.checkUtf8 = true});
    ASSERT_EQ(checked.records.size(), 1u);
    EXPECT_EQ(checked.records[0].key, "good");
    ASSERT_EQ(checked.warnings.size(), 1u);
    EXPECT_EQ(checked.warnings[0], "aliases, line 1: non-UTF-8 input \"bad: x?\" -- ignoring this line");
    Read raw = readAll(text);
    EXPECT_EQ(raw.records.size(), 2u);
    EXPECT_TRUE(raw.warnings.empty());
}

TEST(ReadAliasSource, CallbackErrorStops) {
    int calls = 0;
    base::Status st = readAliasSource("a: b\nc: d\n", "aliases", {}, [&](const std::string&, const std::string&, int) {
        ++calls;
        return base::Status(base::Error{"write error"});
    });
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.error().message, "write error");
    EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace postline::address
