// applyImportEnvironment() and cleanEnvironment() (import_environment.h): update_env()
// and clean_env() of Postfix 3.7's global/clean_env.c.
#include "postline/config/import_environment.h"

#include <cctype>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

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

void cleanEnvironment(std::string_view value) {
    std::vector<std::pair<std::string, std::string>> keep;
    std::string word;
    auto take = [&] {
        if (word.empty()) return;
        if (auto eq = word.find('='); eq != std::string::npos)
            keep.emplace_back(word.substr(0, eq), word.substr(eq + 1));
        else if (const char* current = std::getenv(word.c_str()))
            keep.emplace_back(word, current);
        word.clear();
    };
    for (char c : value) {
        if (c == ',' || std::isspace(static_cast<unsigned char>(c)))
            take();
        else
            word.push_back(c);
    }
    take();
    ::clearenv();
    for (const auto& [name, setting] : keep) ::setenv(name.c_str(), setting.c_str(), 1);
}

}  // namespace postline::config
