// `postline test`: runs routing test files (docs/routing-tests.md) against a
// configuration directory, with the same route computation as `postline trace`.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace postline::tools {

struct TestCommandOptions {
    std::string configDir;           // -c DIR; empty: $MAIL_CONFIG, then /etc/postfix
    std::vector<std::string> files;  // routing test files
    bool verbose = false;            // -v: a line for every passing case too
    std::string root;                // --root DIR: main.cf, master.cf and tables read under DIR
};

// Exit status: 0 every case passed, 1 some case failed, 2 the
// tests could not run (a malformed test file, with FILE:LINE; an unreadable file or
// configuration; a usage error).
inline constexpr int kTestsFailed = 1;
inline constexpr int kTestsCannotRun = 2;
int runTest(const TestCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace postline::tools
