// PLACEHOLDER: being written now (validity check + full case folding table).
#include "postline/maps/utf8.h"
#include "postline/base/strings.h"
namespace postline::maps {
bool validUtf8(std::string_view) { return true; }
std::string casefoldUtf8(std::string_view s) { return base::lowercase(s); }
}  // namespace postline::maps
