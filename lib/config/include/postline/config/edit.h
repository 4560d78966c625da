// Edits of main.cf that keep every other byte of the file, as `postconf -e`, `-X` and
// `-#` do (mirrors postconf_edit.c pcf_edit_main()): the caller writes the result to a
// temporary file and renames it into place.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postline::config {

enum class MainEditMode {
    Set,         // -e: replace each definition, append if absent
    Remove,      // -X: drop every definition with its continuation lines
    CommentOut,  // -#: prefix every definition and its continuation lines with '#'
};

struct MainEditResult {
    std::string text;
    std::vector<std::string> duplicates;  // a name each time it is found again ("multiple entries")
};

// Applies the edit to main.cf text. `edits` holds name/value pairs (values ignored except
// for Set: every definition of a name is replaced); new definitions are appended in the
// order given.
MainEditResult editMainCf(std::string_view text, MainEditMode mode,
                          const std::vector<std::pair<std::string, std::string>>& edits);

}  // namespace postline::config
