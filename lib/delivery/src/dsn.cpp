// RFC 3463 status codes as Postfix's global/dsn_util.c checks and splits them
// (dsn_valid, dsn_split): the error and discard agents take a status from the front of
// their nexthop text this way, the other agents from a remote or command's reply.
#include "postline/delivery/dsn.h"

namespace postline::delivery {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The length of a status at the start of `s` that ends at the end or at white space;
// 0 when there is none.
size_t statusLength(std::string_view s) {
    if (s.size() < 2 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return 0;
    size_t i = 2, n = 0;
    while (i < s.size() && isDigit(s[i])) ++i, ++n;
    if (n < 1 || n > 3 || i >= s.size() || s[i] != '.') return 0;
    ++i;
    n = 0;
    while (i < s.size() && isDigit(s[i])) ++i, ++n;
    if (n < 1 || n > 3 || (i < s.size() && !isSpace(s[i]))) return 0;
    return i;
}

}  // namespace

bool dsnValid(std::string_view status) {
    size_t len = statusLength(status);
    return len > 0 && len == status.size();
}

DsnSplit splitDsn(std::string_view defaultStatus, std::string_view text) {
    DsnSplit out;
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    if (size_t len = statusLength(text); len > 0) {
        out.status = std::string(text.substr(0, len));
        text.remove_prefix(len);
    } else {
        out.status = std::string(defaultStatus);
    }
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    out.text = std::string(text);
    return out;
}

}  // namespace postline::delivery
