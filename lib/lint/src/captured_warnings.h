// Runs a piece of lib/ code that reports problems the Postfix way (base::msgWarn with
// "FILE, line N: TEXT") and hands the warnings back as (file, line, text) for findings.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace postline::lint {

struct CapturedWarning {
    std::string file;  // "" when the warning names no file and line
    int line = 0;
    std::string text;  // after "FILE, line N: " (or the whole warning)
};

std::vector<CapturedWarning> captureWarnings(const std::function<void()>& body);

}  // namespace postline::lint
