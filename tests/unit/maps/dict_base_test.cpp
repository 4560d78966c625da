// The Dict base: which keys get folded, and the UTF-8 policy around every backend.
#include <gtest/gtest.h>

#include <map>

#include "postline/base/msg.h"
#include "postline/maps/dict.h"

namespace postline::maps {
namespace {

// A backend that records the keys it is asked for.
class RecordingDict : public Dict {
public:
    explicit RecordingDict(uint32_t flags) : Dict("test", "rec", flags) {}
    std::map<std::string, std::string> data;
    std::string lastKey;

protected:
    Lookup doLookup(std::string_view key) override {
        lastKey = key;
        auto it = data.find(std::string(key));
        return it == data.end() ? Lookup::notFound() : Lookup::found(it->second);
    }
    base::Status doUpdate(std::string_view key, std::string_view value) override {
        data[std::string(key)] = value;
        return {};
    }
};

class DictBase : public ::testing::Test {
protected:
    void SetUp() override {
        base::setMsgSink([this](base::Severity, std::string_view text) { warnings.emplace_back(text); });
    }
    void TearDown() override { base::setMsgSink(nullptr); }
    std::vector<std::string> warnings;
};

TEST_F(DictBase, FoldsFixedTablesOnlyWhenAsked) {
    RecordingDict fixed(flag::kFixed | flag::kFoldFix);
    (void)fixed.lookup("User@Example.COM");
    EXPECT_EQ(fixed.lastKey, "user@example.com");

    RecordingDict pattern(flag::kPattern | flag::kFoldFix);
    (void)pattern.lookup("User@Example.COM");
    EXPECT_EQ(pattern.lastKey, "User@Example.COM");

    RecordingDict multi(flag::kPattern | flag::kFoldMul);
    (void)multi.lookup("ABC");
    EXPECT_EQ(multi.lastKey, "abc");

    RecordingDict unfolded(flag::kFixed);
    (void)unfolded.lookup("ABC");
    EXPECT_EQ(unfolded.lastKey, "ABC");
}

TEST_F(DictBase, UpdateFoldsLikeLookup) {
    RecordingDict dict(flag::kFixed | flag::kFoldFix);
    ASSERT_TRUE(dict.update("KEY", "Value").ok());
    EXPECT_EQ(dict.data.count("key"), 1u);
    EXPECT_EQ(dict.lookup("Key").value, "Value");
}

TEST_F(DictBase, MalformedUtf8KeyIsAMissWithAWarning) {
    RecordingDict dict(flag::kFixed | flag::kFoldFix | flag::kUtf8Request);
    Lookup result = dict.lookup("bad\xff key");
    EXPECT_EQ(result.status, DictStatus::NotFound);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], "test:rec: non-UTF-8 key \"bad? key\": malformed UTF-8 or invalid codepoint");
    EXPECT_TRUE(dict.lastKey.empty());
}

TEST_F(DictBase, MalformedUtf8ValueIsAConfigurationError) {
    RecordingDict dict(flag::kFixed | flag::kUtf8Request);
    dict.data["k"] = "bad\xc3";
    EXPECT_EQ(dict.lookup("k").status, DictStatus::ConfigError);
}

TEST_F(DictBase, UnsupportedOperationsNameTheTable) {
    RecordingDict dict(flag::kFixed);
    auto removed = dict.remove("k");
    ASSERT_FALSE(removed.ok());
    EXPECT_EQ(removed.error().message, "table test:rec: delete operation is not supported");
    EXPECT_FALSE(dict.forEach([](std::string_view, std::string_view) { return true; }).ok());
}

}  // namespace
}  // namespace postline::maps
