// Logical-line reader for Postfix's configuration and table sources (util/readlline.c):
// whole-line comments and blank lines are skipped, a line that starts with whitespace
// continues the previous one (joined as is, newline dropped), and a logical line that
// would start with whitespace is reported and skipped. Like Postfix's callers, which
// see a C string, a logical line ends at an embedded NUL byte.
#pragma once

#include <string>
#include <string_view>

namespace postline::base {

class LogicalLineReader {
public:
    // `text` must outlive the reader; `path` names the source in warnings.
    LogicalLineReader(std::string_view text, std::string path);

    // Reads the next logical line into `line`. `firstLine` receives the number of its
    // first physical line, `lastLine` that of its last. Returns false at end of input.
    bool next(std::string& line, int& firstLine, int& lastLine);
    bool next(std::string& line, int& firstLine) {
        int last;
        return next(line, firstLine, last);
    }

    const std::string& path() const { return path_; }

private:
    std::string_view text_;
    size_t pos_ = 0;
    int lineno_ = 0;
    std::string path_;
};

}  // namespace postline::base
