// Diagnostics in Postfix's line shapes (mirrors util/msg.c and util/msg_vstream.c).
#include "postline/base/msg.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace postline::base {
namespace {

std::string& programNameStorage() {
    static std::string name = "postline";
    return name;
}

MsgSink& sinkStorage() {
    static MsgSink sink;
    return sink;
}

int verboseLevel = 0;
bool msgUtf8 = false;

const char* severityLabel(Severity severity) {
    switch (severity) {
        case Severity::Info:
            return "";
        case Severity::Warning:
            return "warning: ";
        case Severity::Error:
            return "error: ";
        case Severity::Fatal:
            return "fatal: ";
        case Severity::Panic:
            return "panic: ";
    }
    return "";
}

void emit(Severity severity, std::string_view raw) {
    std::string text = printable(raw, msgUtf8);
    if (sinkStorage()) {
        sinkStorage()(severity, text);
        return;
    }
    std::string line = formatMsg(severity, text);
    line.push_back('\n');
    // One write per line, so that lines from concurrent processes do not interleave.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace

void setProgramName(std::string_view name) {
    auto slash = name.rfind('/');
    programNameStorage() = std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

void setProgramNameVerbatim(std::string_view name) { programNameStorage() = std::string(name); }

const std::string& programName() { return programNameStorage(); }

void setMsgSink(MsgSink sink) { sinkStorage() = std::move(sink); }

MsgSink msgSink() { return sinkStorage(); }

void setMsgUtf8(bool enabled) { msgUtf8 = enabled; }

std::string printable(std::string_view text, bool utf8) {
    std::string out(text.substr(0, text.find('\0')));
    for (size_t i = 0; i < out.size(); ++i) {
        auto ch = static_cast<unsigned char>(out[i]);
        if (ch >= 0x20 && ch < 0x7f) continue;
        auto continuation = [&](size_t j) {
            return j < out.size() && (static_cast<unsigned char>(out[j]) & 0xc0) == 0x80;
        };
        if (utf8 && ch >= 194 && ch <= 254 && continuation(i + 1)) {
            while (continuation(i + 1)) ++i;  // keep the whole UTF-8 character
            continue;
        }
        out[i] = '?';
    }
    return out;
}

void setVerbose(int level) { verboseLevel = level; }
int verbose() { return verboseLevel; }

std::string formatMsg(Severity severity, std::string_view text) {
    std::string line = programName();
    line += ": ";
    line += severityLabel(severity);
    line += text;
    return line;
}

void msgInfo(std::string_view text) { emit(Severity::Info, text); }
void msgWarn(std::string_view text) { emit(Severity::Warning, text); }
void msgError(std::string_view text) { emit(Severity::Error, text); }

void msgFatal(std::string_view text) {
    emit(Severity::Fatal, text);
    // Like Postfix, buffered standard output is not flushed on a fatal error: what a
    // command had printed but not yet written is lost, exactly as with the original.
    ::_exit(1);
}

void msgPanic(std::string_view text) {
    emit(Severity::Panic, text);
    std::abort();
}

}  // namespace postline::base
