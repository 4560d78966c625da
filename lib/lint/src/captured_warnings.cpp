// captureWarnings(): a message sink for the duration of one call.
#include "captured_warnings.h"

#include <cstdlib>
#include <string_view>

#include "postline/base/msg.h"

namespace postline::lint {

namespace {

// "regexp map F, line 3: text", "F, line 3: text" -> {F, 3, text}.
CapturedWarning parseWarning(std::string_view text) {
    CapturedWarning w;
    w.text = std::string(text);
    size_t at = text.find(", line ");
    if (at == std::string_view::npos) return w;
    size_t digits = at + 7;
    size_t end = digits;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == digits || text.substr(end, 2) != ": ") return w;
    std::string_view file = text.substr(0, at);
    for (std::string_view prefix : {"regexp map ", "pcre map ", "cidr map "})
        if (file.starts_with(prefix)) file.remove_prefix(prefix.size());
    w.file = std::string(file);
    w.line = std::atoi(std::string(text.substr(digits, end - digits)).c_str());
    w.text = std::string(text.substr(end + 2));
    return w;
}

}  // namespace

std::vector<CapturedWarning> captureWarnings(const std::function<void()>& body) {
    std::vector<CapturedWarning> out;
    base::MsgSink previous = base::msgSink();
    base::setMsgSink([&](base::Severity severity, std::string_view text) {
        if (severity == base::Severity::Warning || severity == base::Severity::Error) out.push_back(parseWarning(text));
    });
    body();
    base::setMsgSink(std::move(previous));
    return out;
}

}  // namespace postline::lint
