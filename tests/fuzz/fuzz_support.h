// Helpers shared by the libFuzzer targets of tests/fuzz: a quiet diagnostics sink, the
// input as text, its first line split off, and a scratch file for parsers that read files.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "postline/base/msg.h"

namespace postline::fuzz {

// Diagnostics are formatted as in the programs, then dropped: the fuzzer's output stays
// readable and the formatting code is exercised all the same.
inline void quietDiagnostics() {
    static bool done = [] {
        base::setMsgSink([](base::Severity, std::string_view text) {
            volatile size_t length = text.size();
            (void)length;
        });
        return true;
    }();
    (void)done;
}

inline std::string_view asText(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

// Splits off the first line of `text` (without its newline) and leaves the rest.
inline std::string_view firstLine(std::string_view& text) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    return line;
}

// A directory of this process for files that the parsers under test must read.
inline const std::string& scratchDirectory() {
    static const std::string dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/postline-fuzz.XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        return pattern;
    }();
    return dir;
}

// Writes `text` to SCRATCH/NAME and returns the path.
inline std::string writeScratch(std::string_view name, std::string_view text) {
    std::string path = scratchDirectory() + "/" + std::string(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), std::streamsize(text.size()));
    out.close();
    if (!out) std::abort();
    return path;
}

}  // namespace postline::fuzz
