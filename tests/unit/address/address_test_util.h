// Helpers of the lib/address unit tests: a scratch directory and a configuration with
// fixed host names (no dependence on the machine's own name).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "postline/config/config.h"

namespace postline::address::testing {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "addrtestXXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

// myhostname mail.example.org, mydomain example.org, myorigin $mydomain,
// mydestination $myhostname, localhost.$mydomain, localhost, $mydomain;
// inet_interfaces 127.0.0.1, compatibility_level 3.6.
inline config::Config testConfig() {
    auto c = config::Config::defaults("/nonexistent");
    c.set("compatibility_level", "3.6");
    c.set("myhostname", "mail.example.org");
    c.set("mydomain", "example.org");
    c.set("myorigin", "$mydomain");
    c.set("mydestination", "$myhostname, localhost.$mydomain, localhost, $mydomain");
    c.set("inet_interfaces", "127.0.0.1");
    return c;
}

}  // namespace postline::address::testing
