// The positional attribute reader of the delivery protocols (util/attr_scan0.c's
// strict, in-order reading, with its number parsing).
#include "attr_reader.h"

#include <charconv>
#include <climits>

namespace postline::delivery::detail {
namespace {

// Decimal digits, optionally after one '-' (a negative int an older peer printed
// with "%d"); anything else, or a value past `max`, is malformed.
bool parseNumber(const std::string& text, unsigned long max, bool& negative, unsigned long& value) {
    std::string_view s = text;
    negative = !s.empty() && s.front() == '-';
    if (negative) s.remove_prefix(1);
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 10);
    return ec == std::errc() && end == s.data() + s.size() && value <= max;
}

base::Error malformed(std::string_view name) {
    return base::Error{"malformed numerical data for attribute " + std::string(name)};
}

}  // namespace

base::Result<std::string> AttrReader::string(std::string_view name) {
    if (next_ >= group_.size()) return base::Error{"missing attribute " + std::string(name)};
    const auto& [got, value] = group_[next_];
    if (got != name) return base::Error{"unexpected attribute " + got + " (expecting: " + std::string(name) + ")"};
    ++next_;
    return value;
}

base::Result<int> AttrReader::integer(std::string_view name) {
    auto text = string(name);
    if (!text) return text.error();
    bool negative = false;
    unsigned long value = 0;
    if (!parseNumber(*text, UINT_MAX, negative, value)) return malformed(name);
    if (negative) {
        if (value > static_cast<unsigned long>(INT_MAX) + 1) return malformed(name);
        return static_cast<int>(-static_cast<long>(value));
    }
    return static_cast<int>(static_cast<unsigned int>(value));
}

base::Result<long> AttrReader::longInteger(std::string_view name) {
    auto text = string(name);
    if (!text) return text.error();
    bool negative = false;
    unsigned long value = 0;
    if (!parseNumber(*text, ULONG_MAX, negative, value)) return malformed(name);
    if (negative) {
        if (value > static_cast<unsigned long>(LONG_MAX)) return malformed(name);
        return -static_cast<long>(value);
    }
    return static_cast<long>(value);
}

base::Status AttrReader::end() const {
    if (next_ < group_.size()) return base::Error{"unexpected attribute " + group_[next_].first};
    return base::Status::success();
}

void appendInt(std::string& out, std::string_view name, int value) {
    queue::attr::appendNumber(out, name, static_cast<unsigned int>(value));
}

std::string encodeHello(std::string_view protocol) {
    std::string out;
    queue::attr::append(out, "protocol", protocol);
    queue::attr::appendEnd(out);
    return out;
}

base::Status checkHello(const queue::attr::Attributes& group, std::string_view protocol) {
    AttrReader in(group);
    auto got = in.string("protocol");
    if (!got) return got.error();
    if (*got != protocol)
        return base::Error{"unexpected protocol: " + *got + " (expecting: " + std::string(protocol) + ")"};
    return in.end();
}

}  // namespace postline::delivery::detail
