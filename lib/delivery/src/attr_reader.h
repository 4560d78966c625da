// A positional reader over one attribute group, for the delivery protocols whose
// groups repeat names (a request's recipients, a reply's two "status" attributes):
// attr_scan0 with ATTR_FLAG_STRICT reads in order, so each attribute is checked by
// position, not looked up by name. Private to lib/delivery.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/queue/attr_stream.h"

namespace postline::delivery::detail {

class AttrReader {
public:
    explicit AttrReader(const queue::attr::Attributes& group) : group_(group) {}

    // The next attribute's value when it is called `name`. Errors, in attr_scan0's
    // words: "missing attribute NAME", "unexpected attribute GOT (expecting: NAME)".
    base::Result<std::string> string(std::string_view name);
    // SEND_ATTR_INT ("%u"; "-1" is taken too) and SEND_ATTR_LONG ("%lu"). Errors as
    // string(), and "malformed numerical data for attribute NAME".
    base::Result<int> integer(std::string_view name);
    base::Result<long> longInteger(std::string_view name);
    // Error when attributes are left ("unexpected attribute NAME").
    base::Status end() const;
    size_t remaining() const { return group_.size() - next_; }

private:
    const queue::attr::Attributes& group_;
    size_t next_ = 0;
};

// SEND_ATTR_INT prints "%u": a negative int goes out as its unsigned twin.
void appendInt(std::string& out, std::string_view name, int value);

// A service's first group, {protocol=NAME}, and its check: the name must be `protocol`
// ("unexpected protocol: GOT (expecting: NAME)"), nothing else in the group.
std::string encodeHello(std::string_view protocol);
base::Status checkHello(const queue::attr::Attributes& group, std::string_view protocol);

}  // namespace postline::delivery::detail

// Reads the next attribute into `target`, or returns its error from the enclosing
// function.
#define PL_READ(target, expr)           \
    do {                                \
        auto r_ = (expr);               \
        if (!r_) return r_.error();     \
        target = std::move(r_.value()); \
    } while (0)
