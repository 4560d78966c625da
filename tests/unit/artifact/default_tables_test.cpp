// Tables that only built-in defaults name: compiled as Postfix would use them (the
// alias_maps default is built like postalias builds it, and local_recipient_maps =
// proxy:unix:passwd.byname $alias_maps uses the same table), recorded with origin
// "default", and, when their source does not exist, left out without failing the
// compile. The alias_maps default is replaced (CompileOptions::defaults) by a file of the
// scratch directory so that nothing of the host is read.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "postline/artifact/compiler.h"
#include "postline/artifact/generation.h"
#include "postline/base/files.h"
#include "postline/maps/registry.h"
#include "scratch_config.h"

namespace postline::artifact {
namespace {

using Json = nlohmann::json;

// A small aliases(5) reader: "name: value" lines (the real one, postalias's, lives in a
// layer this one may not use; compile() takes it as a parameter).
base::Status addAliases(maps::TableWriter& writer, std::string_view text, const std::string&, const config::Config&) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
        start = end == std::string_view::npos ? text.size() : end + 1;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (auto added = writer.add(line.substr(0, colon), value); !added) return added.error();
    }
    return {};
}

class DefaultTablesTest : public ScratchConfigTest {
protected:
    void SetUp() override {
        ScratchConfigTest::SetUp();
        writeFile(conf + "/main.cf",
                  "myhostname = mx.example.com\n"
                  "virtual_alias_maps = hash:$config_directory/virtual\n");
        writeFile(conf + "/master.cf",
                  "smtp      inet  n       -       y       -       -       smtpd\n"
                  "local     unix  -       n       n       -       -       local\n");
        writeFile(conf + "/virtual", "info@example.net  alice@example.com\n");
    }

    CompileOptions options() const {
        CompileOptions o = scratchOptions();
        o.addAliasSource = addAliases;
        o.defaults["alias_maps"] = "hash:$config_directory/aliases, nis:mail.aliases";
        return o;
    }

    // config.json's table of `reference`, or null.
    Json table(const std::string& reference) const {
        auto text = base::readFile(out + "/current/config.json");
        EXPECT_TRUE(text.ok());
        if (!text) return nullptr;
        Json graph = Json::parse(*text);
        for (const Json& t : graph["tables"])
            if (t["reference"] == reference) return t;
        return nullptr;
    }
    static std::vector<std::string> users(const Json& table) {
        std::vector<std::string> out;
        for (const Json& use : table["used_by"])
            out.push_back(use["parameter"].get<std::string>() + "@" + use["origin"].get<std::string>());
        return out;
    }
};

TEST_F(DefaultTablesTest, TheDefaultAliasTableIsCompiled) {
    writeFile(conf + "/aliases", "postmaster: root\n");
    auto summary = compile(options());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->tablesBuilt, 2u);  // virtual, aliases

    // One table, in aliases(5) format, for local(8) and for smtpd(8)'s recipient check.
    Json aliases = table("hash:" + conf + "/aliases");
    ASSERT_FALSE(aliases.is_null());
    EXPECT_TRUE(aliases["alias_format"].get<bool>());
    EXPECT_TRUE(aliases["compiled"].is_string());
    EXPECT_EQ(users(aliases), (std::vector<std::string>{"alias_maps@default", "local_recipient_maps@default"}));
    // External tables of the defaults are named, not compiled.
    Json passwd = table("unix:passwd.byname");
    ASSERT_FALSE(passwd.is_null());
    EXPECT_EQ(passwd["kind"], "external");
    EXPECT_EQ(users(passwd), (std::vector<std::string>{"local_recipient_maps@default"}));
    EXPECT_FALSE(table("nis:mail.aliases").is_null());
    // A default made of another parameter's value uses that table: one table, two uses.
    EXPECT_EQ(users(table("hash:" + conf + "/virtual")),
              (std::vector<std::string>{"virtual_alias_maps@" + conf + "/main.cf:2", "virtual_alias_domains@default"}));
    // Caches the daemons write and proxymap's access lists are no tables to compile.
    EXPECT_TRUE(table("btree:/var/lib/postfix/verify_cache").is_null());

    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
    auto spec = gen->tableSpec("hash:" + conf + "/aliases");
    ASSERT_TRUE(spec.has_value());
    EXPECT_TRUE(spec->starts_with("hash:" + out + "/gen-1/tables/")) << *spec;
    auto dict = maps::openDict(*spec, maps::OpenMode::Read, maps::flag::kFoldFix);
    ASSERT_TRUE(dict.ok()) << dict.error().message;
    EXPECT_EQ((*dict)->lookup("postmaster").value, "root");
}

TEST_F(DefaultTablesTest, AMissingDefaultSourceDoesNotFailTheCompile) {
    auto summary = compile(options());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->tablesBuilt, 1u);  // virtual
    Json aliases = table("hash:" + conf + "/aliases");
    ASSERT_FALSE(aliases.is_null());
    EXPECT_TRUE(aliases["compiled"].is_null());
    EXPECT_TRUE(aliases["source_missing"].get<bool>());
    // Opened as named, as Postfix opens it: its lookups fail until the file exists.
    EXPECT_EQ(aliases["open"], "hash:" + conf + "/aliases");
    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok());
    EXPECT_EQ(gen->tableSpec("hash:" + conf + "/aliases"), "hash:" + conf + "/aliases");

    // Named by main.cf, the same missing file is an error.
    writeFile(conf + "/main.cf", "alias_maps = hash:$config_directory/aliases\n");
    auto refused = compile(options());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find(conf + "/aliases"), std::string::npos) << refused.error().message;
}

TEST_F(DefaultTablesTest, OnlyWhatADaemonOfTheConfigurationOpens) {
    // local(8) has its own alias_maps and smtpd(8) no recipient check: nobody opens the
    // default alias table.
    writeFile(conf + "/master.cf",
              "smtp      inet  n       -       y       -       -       smtpd\n"
              "  -o local_recipient_maps=\n"
              "local     unix  -       n       n       -       -       local\n"
              "  -o alias_maps=\n");
    auto summary = compile(options());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_TRUE(table("hash:" + conf + "/aliases").is_null());
    EXPECT_TRUE(table("unix:passwd.byname").is_null());
}

}  // namespace
}  // namespace postline::artifact
