// The installed TableRedirect, one per thread.
#include "postline/maps/table_redirect.h"

namespace postline::maps {

namespace {
thread_local const TableRedirect* installed = nullptr;
}

TableRedirect::TableRedirect(Map map) : map_(std::move(map)), previous_(installed) { installed = this; }

TableRedirect::~TableRedirect() { installed = previous_; }

std::string redirectedSpec(std::string_view spec) {
    if (installed) {
        if (auto other = installed->map_(spec)) return std::move(*other);
    }
    return std::string(spec);
}

}  // namespace postline::maps
