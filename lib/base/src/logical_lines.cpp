// Logical-line reader, mirroring util/readlline.c (readllines) of Postfix 3.7.
#include "postline/base/logical_lines.h"

#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::base {

LogicalLineReader::LogicalLineReader(std::string_view text, std::string path) : text_(text), path_(std::move(path)) {}

bool LogicalLineReader::next(std::string& line, int& firstLine, int& lastLine) {
    for (;;) {
        line.clear();
        firstLine = lineno_ + 1;
        for (;;) {
            if (pos_ >= text_.size()) break;
            size_t start = line.size();
            size_t nl = text_.find('\n', pos_);
            bool sawNewline = nl != std::string_view::npos;
            size_t end = sawNewline ? nl : text_.size();
            line.append(text_.substr(pos_, end - pos_));
            pos_ = sawNewline ? nl + 1 : text_.size();
            if (sawNewline || line.size() > start) ++lineno_;
            // Comment line, all-whitespace line or empty line: drop it.
            size_t cp = start;
            while (cp < line.size() && isSpace(line[cp])) ++cp;
            if (cp == line.size() || line[cp] == '#') line.resize(start);
            if (start == 0) firstLine = lineno_;
            if (pos_ >= text_.size()) break;
            // A logical line ends where the next physical line starts with neither
            // whitespace nor '#'.
            if (!line.empty()) {
                char next = text_[pos_];
                if (next != '#' && !isSpace(next)) break;
            }
        }
        lastLine = lineno_;
        if (line.empty()) return false;
        // Postfix handles the line as a C string: text after a NUL byte is not seen.
        if (auto nul = line.find('\0'); nul != std::string::npos) line.resize(nul);
        if (!isSpace(line[0])) return true;
        // Continuation text without preceding text: warn and skip, as Postfix does.
        std::string shown = line.substr(0, 30);
        msgWarn(cat(path_, ": logical line must not start with whitespace: \"", shown, line.size() > 30 ? "..." : "",
                    "\""));
    }
}

}  // namespace postline::base
