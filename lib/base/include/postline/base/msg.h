// Diagnostics in Postfix's shapes: "PROGRAM: warning: TEXT" on stderr (msg(3) in Postfix).
// Library code reports through these functions; programs pick the program name and may
// install a sink (tests capture diagnostics that way).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "postline/base/result.h"

namespace postline::base {

enum class Severity { Info, Warning, Error, Fatal, Panic };

// The program name printed before each diagnostic ("postmap"). Defaults to "postline".
// setProgramName() keeps the last path component, as postmap and postalias do with
// argv[0]; setProgramNameVerbatim() keeps the name as given, as postconf does
// ("/usr/sbin/postconf: warning: ..." when run by that path).
void setProgramName(std::string_view name);
void setProgramNameVerbatim(std::string_view name);
const std::string& programName();

// A sink receives every diagnostic. The default writes "PROGRAM: SEVERITY: TEXT\n" to
// stderr ("PROGRAM: TEXT" for Info). setMsgSink(nullptr) restores the default.
using MsgSink = std::function<void(Severity, std::string_view text)>;
void setMsgSink(MsgSink sink);
// The sink in use (empty for the default), so that a temporary one can be undone.
MsgSink msgSink();

// Postfix prints diagnostics through printable(): bytes that are not printable ASCII become
// '?', except well-formed UTF-8 sequences while SMTPUTF8 is on (util_utf8_enable), and
// text ends at an embedded NUL. Programs turn UTF-8 on from smtputf8_enable.
void setMsgUtf8(bool enabled);
std::string printable(std::string_view text, bool utf8);

// Verbose logging (-v), counted like Postfix's msg_verbose.
void setVerbose(int level);
int verbose();

void msgInfo(std::string_view text);
void msgWarn(std::string_view text);
void msgError(std::string_view text);
// Fatal and panic end the program (exit status 1), as in Postfix. Only programs call them.
[[noreturn]] void msgFatal(std::string_view text);
[[noreturn]] void msgPanic(std::string_view text);

// At a program's edge: the value of `result`, or msgFatal() with its error's text.
template <class T>
T valueOrFatal(Result<T> result) {
    if (!result) msgFatal(result.error().message);
    return std::move(*result);
}
inline void checkOrFatal(const Status& status) {
    if (!status) msgFatal(status.error().message);
}

// Formats the default line for a diagnostic, e.g. "postmap: warning: text".
std::string formatMsg(Severity severity, std::string_view text);

}  // namespace postline::base
