// What local(8) makes of the items of an alias value, a :include: file or a .forward
// file (local/token.c, include.c): an address, a |command, a /file or an :include:
// path, and whether allow_mail_to_commands / allow_mail_to_files let the kind of
// expansion the item came from (local's exp_type) deliver to a command or a file. Shared
// by the delivery decisions (deliverLocal, trace) and the linter's alias rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/config/config.h"

namespace postline::address {

// Where a destination was listed (local's EXPAND_TYPE_ALIAS, _INCL, _FWD); the names are
// those of allow_mail_to_commands and allow_mail_to_files.
enum class ExpansionClass { Alias, Include, Forward };
const char* expansionClassName(ExpansionClass cls);

// True when the parameter (allow_mail_to_commands or allow_mail_to_files) lists `cls`.
bool expansionAllowed(const config::Config& config, std::string_view parameter, ExpansionClass cls);

// One item of a list, as deliver_token() tells them apart.
struct LocalToken {
    enum class Kind { Address, Command, File, Include } kind = Kind::Address;
    std::string text;  // the command without '|', the path (file or :include:), or the address
};

// The items of one list (an alias value, one line of a :include: or .forward file), in
// internal form: tok822_parse's addresses, in order.
std::vector<std::string> listItems(std::string_view value);

// deliver_token(): '/' starts a file, '|' a command, ":include:" (any case) an include
// file; anything else is an address.
LocalToken classifyToken(const std::string& item);

// A :include: or .forward file as deliver_token_stream() reads it: every line that does
// not start with '#' (each line is a list of its own; there are no continuation lines),
// with its number.
struct IncludeLine {
    int line = 0;
    std::string text;
};
std::vector<IncludeLine> tokenStreamLines(std::string_view content);
// tokenStreamLines() of a :include: file, after include.c's checks in its order: the
// path is absolute, the file exists, is a regular file, is not world-writable and opens.
// When one fails, local(8) bounces the recipient (5.3.5 "mail system configuration
// error", kIncludeFileStatus) and logs the error's text: ":include:PATH uses a relative
// path", "unable to lookup :include: file PATH: ERR", ":include: file PATH is not a
// regular file", ":include: file PATH is world writable" or "cannot open include file
// PATH: ERR".
base::Result<std::vector<IncludeLine>> readIncludeFile(const std::string& path);
inline constexpr std::string_view kIncludeFileStatus = "5.3.5 mail system configuration error";

}  // namespace postline::address
