// The literal texts that every match of a regular expression contains, read from the
// pattern text of a regexp: (POSIX extended, glibc) or pcre: (PCRE2) table rule. Lookups
// in those tables (util/dict_regexp.c, util/dict_pcre.c try every rule in order) use
// them to leave out the rules whose literals the key does not contain.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::maps {

enum class RegexSyntax {
    PosixExtended,  // regcomp(REG_EXTENDED) as glibc reads it
    Pcre,           // pcre2_compile without PCRE2_EXTENDED
};

// One set of literals: every match of the pattern contains at least one of them. The
// strings are ASCII-lowercased (a key is lowercased before it is searched, so the test
// holds for case-sensitive and case-insensitive patterns alike) and never empty.
using LiteralAlternatives = std::vector<std::string>;

// Sets of literals that each hold on their own for every match of `pattern` (so a
// caller may test any one of them): an alternation gives a set of several strings, and
// optional parts (`?`, `*`, `{0,n}`) give none. Empty when nothing is known: the pattern
// is not understood (PCRE verbs, recursion, conditionals, \Q, inline extended mode,
// backslash-digit, escapes that stand for characters), it nests more than 64 groups
// deep, or every match may consist of unknown characters (`.*`, classes, non-ASCII
// bytes). Never throws; a pattern the engine refuses may still give literals.
std::vector<LiteralAlternatives> requiredLiterals(std::string_view pattern, RegexSyntax syntax);

}  // namespace postline::maps
