// configOf and tableRedirectOf: a compiled generation run as a configuration, its tables
// opened from its own files while the sources have changed.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "postline/artifact/compiler.h"
#include "postline/artifact/generation_config.h"
#include "postline/maps/map_list.h"
#include "postline/maps/registry.h"
#include "scratch_config.h"

namespace postline::artifact {
namespace {

namespace fs = std::filesystem;

class GenerationConfigTest : public ScratchConfigTest {
protected:
    void SetUp() override {
        ScratchConfigTest::SetUp();
        writeFile(conf + "/main.cf",
                  "mydomain = example.com\n"
                  "myorigin = $mydomain\n"
                  "virtual_alias_maps = hash:$config_directory/virtual, inline:{ a@example.net = b }\n"
                  "alias_maps =\n");  // not the default, the host's /etc/aliases
        writeFile(conf + "/master.cf", "smtp      inet  n       -       y       -       -       smtpd\n");
        writeFile(conf + "/virtual", "info@example.net  alice@example.com\n");
        auto summary = compile(scratchOptions());
        ASSERT_TRUE(summary.ok()) << summary.error().message;
    }
};

TEST_F(GenerationConfigTest, ParametersAreTheGenerations) {
    writeFile(conf + "/main.cf", "mydomain = example.org\n");  // not compiled: not seen
    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
    auto config = configOf(*gen);
    EXPECT_EQ(config.configDirectory(), conf);
    EXPECT_EQ(config.get("myorigin"), "example.com");
    EXPECT_EQ(config.raw("myorigin"), "$mydomain");
    EXPECT_EQ(config.get("virtual_alias_maps"), "hash:" + conf + "/virtual, inline:{ a@example.net = b }");
}

TEST_F(GenerationConfigTest, TablesOpenFromTheGeneration) {
    writeFile(conf + "/virtual", "info@example.net  carol@example.com\n");
    auto gen = Generation::openCurrent(out);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
    auto config = configOf(*gen);
    std::string compiled = *gen->tableSpec("hash:" + conf + "/virtual");
    {
        maps::TableRedirect redirect(tableRedirectOf(*gen));
        EXPECT_EQ(maps::redirectedSpec("proxy:hash:" + conf + "/virtual"), compiled);
        EXPECT_EQ(maps::redirectedSpec("hash:/elsewhere"), "hash:/elsewhere");
        auto list = maps::MapList::create("virtual_alias_maps", config.get("virtual_alias_maps"), 0);
        ASSERT_EQ(list.specs().size(), 2u);
        EXPECT_EQ(list.specs()[0], compiled);  // named as opened
        EXPECT_EQ(list.specs()[1], "inline:{ a@example.net = b }");
        // The generation's table, not the (unbuilt, changed) source.
        auto dict = maps::openDict("hash:" + conf + "/virtual", maps::OpenMode::Read, 0);
        ASSERT_TRUE(dict.ok()) << dict.error().message;
        EXPECT_EQ((*dict)->lookup("info@example.net").value, "alice@example.com");
    }
    // Uninstalled: the source is opened again (it has no .db: an error).
    EXPECT_EQ(maps::redirectedSpec("hash:" + conf + "/virtual"), "hash:" + conf + "/virtual");
    EXPECT_FALSE(maps::openDict("hash:" + conf + "/virtual", maps::OpenMode::Read, 0).ok());
}

}  // namespace
}  // namespace postline::artifact
