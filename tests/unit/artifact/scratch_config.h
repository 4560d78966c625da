// A scratch configuration directory for the artifact tests: ROOT/conf (the configuration
// a test writes) and ROOT/out (where generations go), removed after each test, and the
// compile options that join them.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "postline/artifact/compiler.h"

namespace postline::artifact {

inline void writeFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

class ScratchConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/artifact_test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root = tmpl;
        conf = root + "/conf";
        out = root + "/out";
        std::filesystem::create_directory(conf);
    }
    void TearDown() override { std::filesystem::remove_all(root); }

    // A compile of ROOT/conf into ROOT/out, with a fixed tool version.
    CompileOptions scratchOptions() const {
        CompileOptions o;
        o.configDir = conf;
        o.outDir = out;
        o.toolVersion = "test";
        return o;
    }

    std::string root, conf, out;
};

}  // namespace postline::artifact
