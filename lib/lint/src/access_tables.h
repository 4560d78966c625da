// What an access(5) table can grant, as far as its contents tell: whether some entry
// accepts (OK, RELAY or an all-numerical result), and whether one entry accepts every
// client (a catch-all pattern, 0.0.0.0/0 or ::/0, static:OK).
#pragma once

#include <string>

#include "postline/maps/registry.h"

namespace postline::lint {

struct AccessGrants {
    bool acceptsSome = false;
    bool acceptsEveryClient = false;
};

AccessGrants accessGrants(const maps::DictSpec& spec);

// access(5): "OK", "RELAY" (recipient tables), or an all-numerical result accept.
bool isAcceptAction(std::string_view value);

}  // namespace postline::lint
