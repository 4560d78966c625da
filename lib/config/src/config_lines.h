// The logical lines of main.cf and master.cf as postconf reads them (util/readlline.c):
// comment and blank lines are skipped anywhere, a line that starts with whitespace
// continues the current logical line. Unlike table sources, a logical line that starts
// with whitespace is handed over as is: each caller reports it in its own words. A
// logical line ends at its first NUL byte, as the C strings Postfix hands on do.
#pragma once

#include <functional>
#include <string_view>

#include "postline/base/result.h"

namespace postline::config::detail {

// Calls `fn` for each logical line with the numbers of its first and last physical line;
// a failed Status stops the walk and is returned.
using ConfigLineFn = std::function<base::Status(std::string_view logical, int firstLine, int lastLine)>;
base::Status forEachConfigLine(std::string_view text, const ConfigLineFn& fn);

}  // namespace postline::config::detail
