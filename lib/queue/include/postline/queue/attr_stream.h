// Postfix's attribute protocol in its "0" flavour (util/attr_print0.c, attr_scan0.c),
// the one UNIX-domain services speak (attr_print/attr_scan in util/attr.h): each
// attribute is its name and its value, each ending in a NUL byte; numbers are
// decimal text; an empty name (a lone NUL) ends the group.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/base/result.h"

namespace postline::queue::attr {

// Appends one attribute (SEND_ATTR_STR). Neither may hold a NUL byte; a value that
// does is cut at its first NUL, as C's string functions see it.
void append(std::string& out, std::string_view name, std::string_view value);
// Appends a number (SEND_ATTR_INT/LONG: "%u"/"%lu").
void appendNumber(std::string& out, std::string_view name, unsigned long value);
// Ends the group (the NUL attr_print0 writes unless ATTR_FLAG_MORE).
void appendEnd(std::string& out);

using Attributes = std::vector<std::pair<std::string, std::string>>;

// Reads one group from bytes as they arrive (attr_scan0's input side).
class GroupScanner {
public:
    // Consumes bytes of `in` up to the end of one group and returns how many it used
    // (the rest belongs to what follows the group). A name or value longer than
    // `kMaxLength` is an Error ("attribute too long").
    base::Result<size_t> feed(std::string_view in);
    bool complete() const { return complete_; }
    const Attributes& attributes() const { return attributes_; }
    // The value of `name`, or nullptr.
    const std::string* find(std::string_view name) const;
    void reset();

    static constexpr size_t kMaxLength = 1 << 20;

private:
    Attributes attributes_;
    std::string current_;
    std::string name_;
    bool haveName_ = false;
    bool complete_ = false;
};

// attr_scan0 with ATTR_FLAG_STRICT for a group of expected names: every one present,
// nothing else. The error texts are attr_scan0's warnings without the peer:
// "missing attribute NAME", "unexpected attribute NAME (expecting: WANTED)".
base::Status expectExactly(const Attributes& got, const std::vector<std::string_view>& names);

// Reads one group from a blocking file descriptor, keeping bytes that follow it in
// `pending` (and using what is already there first). Errors: "unexpected EOF",
// "read error: REASON", a scanner error.
base::Result<Attributes> readGroup(int fd, std::string& pending);
// Writes all of `bytes` (no SIGPIPE on a socket whose peer is gone); an Error
// "write error: REASON".
base::Status writeAll(int fd, std::string_view bytes);

// The "plain" flavour (util/attr_print_plain.c, attr_scan_plain.c), which
// attr_clnt-based services speak (anvil): each attribute is a line "name=value", an
// empty line ends the group. Names and values may hold no newline (a value's first
// newline ends it).
namespace plain {

void append(std::string& out, std::string_view name, std::string_view value);
void appendNumber(std::string& out, std::string_view name, long value);
void appendEnd(std::string& out);

// Reads one group from bytes as they arrive.
class GroupScanner {
public:
    // Consumes bytes up to the end of one group; returns how many it used. A line
    // longer than kMaxLength is an Error ("attribute too long"), one without '=' too
    // ("malformed attribute").
    base::Result<size_t> feed(std::string_view in);
    bool complete() const { return complete_; }
    const Attributes& attributes() const { return attributes_; }
    void reset();

private:
    Attributes attributes_;
    std::string line_;
    bool complete_ = false;
};

// Reads one group from a blocking descriptor, keeping what follows it in `pending`.
base::Result<Attributes> readGroup(int fd, std::string& pending);

}  // namespace plain

}  // namespace postline::queue::attr
