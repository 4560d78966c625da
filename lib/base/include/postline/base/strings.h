// String helpers shared by every layer: ASCII case, whitespace, splitting, joining.
// Postfix's notion of whitespace (ISSPACE) is the C locale's isspace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::base {

inline bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline bool isDigit(char c) { return c >= '0' && c <= '9'; }
inline bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool isAlnum(char c) { return isAlpha(c) || isDigit(c); }
inline char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
inline char asciiUpper(char c) { return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c; }

std::string lowercase(std::string_view s);  // ASCII only, like Postfix's lowercase()
bool equalsIgnoreCase(std::string_view a, std::string_view b);
bool startsWith(std::string_view s, std::string_view prefix);
bool endsWith(std::string_view s, std::string_view suffix);

std::string_view trim(std::string_view s);
std::string_view trimLeft(std::string_view s);
std::string_view trimRight(std::string_view s);

// Splits on any character of `delims`, dropping empty fields (Postfix's mystrtok).
std::vector<std::string_view> splitAny(std::string_view s, std::string_view delims);

std::string join(const std::vector<std::string>& parts, std::string_view sep);

// util/unescape.c: C escapes \a \b \f \n \r \t \v and up to three octal digits;
// any other escaped character stands for itself, a trailing backslash stays.
std::string unescapeC(std::string_view s);

// Concatenates any mix of string-like and integer arguments.
template <class... Parts>
std::string cat(const Parts&... parts);

namespace detail {
inline void append(std::string& out, std::string_view s) { out.append(s); }
inline void append(std::string& out, const char* s) { out.append(s); }
inline void append(std::string& out, char c) { out.push_back(c); }
template <class Int>
requires std::is_integral_v<Int>
void append(std::string& out, Int n) { out.append(std::to_string(n)); }
}  // namespace detail

template <class... Parts>
std::string cat(const Parts&... parts) {
    std::string out;
    (detail::append(out, parts), ...);
    return out;
}

}  // namespace postline::base
