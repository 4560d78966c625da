// parseAccessAction: the command/text split and the action names of smtpd_check.c
// check_table_result(), in the order it tests them.
#include "postline/policy/access_action.h"

#include "postline/base/strings.h"

namespace postline::policy {

AccessAction parseAccessAction(std::string_view value) {
    using Kind = AccessAction::Kind;
    AccessAction a;
    size_t end = 0;
    while (end < value.size() && value[end] != ' ' && value[end] != '\t') ++end;
    a.command = std::string(value.substr(0, end));
    a.text = std::string(base::trimLeft(value.substr(end)));
    static const std::pair<const char*, Kind> words[] = {
        {"DUNNO", Kind::Dunno},
        {"REJECT", Kind::Reject},
        {"DEFER", Kind::Defer},
        {"HANGUP", Kind::Hangup},
        {"INFO", Kind::Info},
        {"WARN", Kind::Warn},
        {"FILTER", Kind::Filter},
        {"HOLD", Kind::Hold},
        {"DISCARD", Kind::Discard},
        {"REDIRECT", Kind::Redirect},
        {"BCC", Kind::Bcc},
        {"DEFER_IF_PERMIT", Kind::DeferIfPermit},
        {"DEFER_IF_REJECT", Kind::DeferIfReject},
        {"PREPEND", Kind::Prepend},
    };
    for (auto& [word, kind] : words)
        if (base::equalsIgnoreCase(a.command, word)) {
            a.kind = kind;
            return a;
        }
    // All digits (the whole value): an out-of-band authentication time stamp, OK.
    bool allDigits = !value.empty();
    for (char c : value) allDigits &= base::isDigit(c);
    if (allDigits) {
        a.kind = Kind::Ok;
        return a;
    }
    if (a.command.size() == 3 && !a.text.empty() && (a.command[0] == '4' || a.command[0] == '5') &&
        base::isDigit(a.command[1]) && base::isDigit(a.command[2])) {
        a.kind = Kind::Code;
        a.code = std::stoi(a.command);
        return a;
    }
    if (base::equalsIgnoreCase(a.command, "OK") || base::equalsIgnoreCase(a.command, "RELAY")) {
        a.kind = Kind::Ok;
        return a;
    }
    a.kind = Kind::Restrictions;
    return a;
}

const char* accessActionName(AccessAction::Kind kind) {
    using Kind = AccessAction::Kind;
    switch (kind) {
        case Kind::Dunno:
            return "DUNNO";
        case Kind::Ok:
            return "OK";
        case Kind::Reject:
            return "REJECT";
        case Kind::Defer:
            return "DEFER";
        case Kind::Code:
            return "reply code";
        case Kind::DeferIfPermit:
            return "DEFER_IF_PERMIT";
        case Kind::DeferIfReject:
            return "DEFER_IF_REJECT";
        case Kind::Hangup:
            return "HANGUP";
        case Kind::Info:
            return "INFO";
        case Kind::Warn:
            return "WARN";
        case Kind::Filter:
            return "FILTER";
        case Kind::Hold:
            return "HOLD";
        case Kind::Discard:
            return "DISCARD";
        case Kind::Redirect:
            return "REDIRECT";
        case Kind::Bcc:
            return "BCC";
        case Kind::Prepend:
            return "PREPEND";
        case Kind::Restrictions:
            return "restrictions";
    }
    return "restrictions";
}

}  // namespace postline::policy
