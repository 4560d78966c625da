// The right-hand side of an access(5) table entry (or a policy server's reply), read as
// smtpd's check_table_result() reads it: the first word is the action (case-insensitive),
// the rest its text. Anything that is not an action is a list of restrictions.
#pragma once

#include <string>
#include <string_view>

namespace postline::policy {

struct AccessAction {
    enum class Kind {
        Dunno,          // DUNNO: this table does not decide
        Ok,             // OK, RELAY, or an all-digit value: permit
        Reject,         // REJECT [text]: access_map_reject_code
        Defer,          // DEFER [text]: access_map_defer_code
        Code,           // 4NN text / 5NN text: that code (text required)
        DeferIfPermit,  // DEFER_IF_PERMIT [text]
        DeferIfReject,  // DEFER_IF_REJECT [text]
        Hangup,         // HANGUP: drop the connection (test feature)
        Info,           // INFO [text]: log only
        Warn,           // WARN [text]: log only
        Filter,         // FILTER transport:destination
        Hold,           // HOLD [text]
        Discard,        // DISCARD [text]
        Redirect,       // REDIRECT user@domain
        Bcc,            // BCC user@domain
        Prepend,        // PREPEND header: text
        Restrictions,   // anything else: restriction names or class names
    };
    Kind kind = Kind::Dunno;
    std::string command;  // the first word as written
    std::string text;     // what follows it, leading white space removed
    int code = 0;         // the reply code of Kind::Code
};

AccessAction parseAccessAction(std::string_view value);

// "OK", "REJECT", … for messages; "restrictions" for Kind::Restrictions.
const char* accessActionName(AccessAction::Kind kind);

}  // namespace postline::policy
