// applyImportEnvironment() (import_environment.h): update_env() of Postfix 3.7.
#include "postline/config/import_environment.h"

#include <cctype>
#include <cstdlib>
#include <string>

namespace postline::config {

void applyImportEnvironment(std::string_view value) {
    std::string word;
    auto apply = [&] {
        if (auto eq = word.find('='); eq != std::string::npos && eq > 0)
            ::setenv(word.substr(0, eq).c_str(), word.substr(eq + 1).c_str(), 1);
        word.clear();
    };
    for (char c : value) {
        if (c == ',' || std::isspace(static_cast<unsigned char>(c)))
            apply();
        else
            word.push_back(c);
    }
    apply();
}

}  // namespace postline::config
