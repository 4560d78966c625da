// Runs every case of testdata/lint: a small configuration directory with its expected
// findings. Each case is copied to a temporary directory (tables referenced as
// $config_directory/NAME), prepared by its `setup` file, linted, and the findings'
// "RULE FILE:LINE" lines (FILE relative to the case) compared with `expected`.
//
// setup lines:  postmap TYPE:FILE | postalias TYPE:FILE   build a table with lib/maps
//               age FILE SECONDS                           set FILE's mtime SECONDS ago
//               remove FILE
//               configdir FILE                             write the case's directory for
//                                                          @CONFIG_DIR@ in FILE (for absolute
//                                                          paths such as :include: files)
//               default NAME VALUE                         replace a built-in default (LintOptions::defaults)
//               root CONFIG_DIR                            lint with the case's directory as
//                                                          LintOptions::root and CONFIG_DIR (an
//                                                          absolute path, e.g. /etc/postfix) as
//                                                          the configuration directory under it
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "postline/address/alias_table.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/lint/linter.h"
#include "postline/maps/table_build.h"

namespace fs = std::filesystem;
using namespace postline;

namespace {

fs::path casesRoot() { return fs::path(POSTLINE_TESTDATA) / "lint"; }

std::vector<std::string> caseNames() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(casesRoot()))
        if (entry.is_directory()) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> lines(const fs::path& file) {
    std::vector<std::string> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') out.push_back(line);
    return out;
}

void buildTable(const fs::path& dir, const std::string& command, const std::string& spec) {
    maps::DictSpec parsed = maps::parseDictSpec(spec, "hash");
    parsed.name = (dir / parsed.name).string();
    auto source = base::readFile(parsed.name);
    ASSERT_TRUE(source) << source.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(parsed.name.c_str(), &st), 0);
    maps::BuildOptions options;
    options.showProgress = false;
    auto writer = maps::TableWriter::open(parsed, st, options);
    ASSERT_TRUE(writer) << writer.error().message;
    if (command == "postalias") {
        address::AliasTableOptions alias;
        alias.masterName = "lint.example";
        ASSERT_TRUE(address::addAliasTable(**writer, *source, parsed.name, alias).ok());
    } else {
        ASSERT_TRUE((*writer)->addSource(*source, parsed.name).ok());
    }
    ASSERT_TRUE((*writer)->commit().ok());
}

void runSetup(const fs::path& dir, std::map<std::string, std::string>& defaults, std::string& rootedConfigDir) {
    // The builds' own warnings (duplicates, bad lines) are what the cases are about.
    base::setMsgSink([](base::Severity, std::string_view) {});
    struct Restore {
        ~Restore() { base::setMsgSink(nullptr); }
    } restore;
    for (const std::string& line : lines(dir / "setup")) {
        std::istringstream words(line);
        std::string verb, arg, extra;
        words >> verb >> arg >> extra;
        if (verb == "postmap" || verb == "postalias") {
            buildTable(dir, verb, arg);
        } else if (verb == "age") {
            struct utimbuf times;
            times.actime = times.modtime = std::time(nullptr) - std::stol(extra);
            ASSERT_EQ(::utime((dir / arg).c_str(), &times), 0) << arg;
        } else if (verb == "remove") {
            fs::remove(dir / arg);
        } else if (verb == "configdir") {
            auto text = base::readFile((dir / arg).string());
            ASSERT_TRUE(text) << text.error().message;
            std::string out = *text;
            for (size_t at = out.find("@CONFIG_DIR@"); at != std::string::npos; at = out.find("@CONFIG_DIR@", at))
                out.replace(at, 12, dir.string());
            std::ofstream(dir / arg, std::ios::trunc) << out;
        } else if (verb == "default") {
            defaults[arg] = extra;
        } else if (verb == "root") {
            rootedConfigDir = arg;
        } else {
            FAIL() << "unknown setup line: " << line;
        }
    }
}

class LintCase : public ::testing::TestWithParam<std::string> {};

TEST_P(LintCase, FindsWhatIsExpected) {
    fs::path work = fs::temp_directory_path() / ("lint-case-" + std::to_string(::getpid()) + "-" + GetParam());
    fs::remove_all(work);
    fs::copy(casesRoot() / GetParam(), work, fs::copy_options::recursive);
    lint::LintOptions options;
    std::string rootedConfigDir;
    runSetup(work, options.defaults, rootedConfigDir);
    fs::remove(work / "expected");
    fs::remove(work / "setup");

    options.configDir = work.string();
    if (!rootedConfigDir.empty()) {
        options.root = work.string();
        options.configDir = rootedConfigDir;
    }
    auto findings = lint::lintConfiguration(options);
    ASSERT_TRUE(findings) << findings.error().message;
    std::vector<std::string> actual;
    std::string prefix = work.string() + "/";
    for (const lint::Diagnostic& d : *findings) {
        std::string file = d.file.starts_with(prefix) ? d.file.substr(prefix.size()) : d.file;
        actual.push_back(d.rule + " " + file + ":" + std::to_string(d.line));
    }
    std::vector<std::string> expected = lines(casesRoot() / GetParam() / "expected");
    std::sort(actual.begin(), actual.end());
    std::sort(expected.begin(), expected.end());
    std::string detail;
    for (const lint::Diagnostic& d : *findings) detail += d.rule + ": " + d.message + "\n";
    EXPECT_EQ(actual, expected) << detail;
    fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Cases, LintCase, ::testing::ValuesIn(caseNames()), [](const auto& info) {
    std::string name = info.param;
    std::replace_if(
        name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
    return name;
});

}  // namespace
