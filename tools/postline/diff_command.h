// `postline diff`: the addresses whose routing outcome differs between two
// configuration directories (docs/routing-tests.md, "postline diff").
#pragma once

#include <iosfwd>
#include <string>

namespace postline::tools {

struct DiffCommandOptions {
    std::string dirA;
    std::string dirB;
    std::string addressesFile;  // --addresses FILE ("-": standard input); optional
    std::string rootA;          // --root-a / --root: dirA and its files read under this root
    std::string rootB;          // --root-b / --root
};

// Exit status: 0 no differences, 1 some address differs, 2 error (a configuration or
// the address file cannot be read).
int runDiff(const DiffCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace postline::tools
