// PLACEHOLDER: being written now; replaced by the real backend before commit.
#include "backends.h"
namespace postline::maps::backend {
base::Result<std::unique_ptr<Dict>> openHash(const DictSpec& spec, OpenMode, uint32_t, const OpenContext&) {
    return base::Error{"unsupported dictionary type: " + spec.type};
}
base::Result<std::unique_ptr<Dict>> openBtree(const DictSpec& spec, OpenMode, uint32_t, const OpenContext&) {
    return base::Error{"unsupported dictionary type: " + spec.type};
}
}  // namespace postline::maps::backend
