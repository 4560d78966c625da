// Error construction helpers for Result/Status.
#include "postline/base/result.h"

#include <cstring>

namespace postline::base {

Error errnoError(const std::string& prefix, int errnum) { return Error{prefix + ": " + std::strerror(errnum), errnum}; }

}  // namespace postline::base
