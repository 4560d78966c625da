// A delivery status as Postfix's agents report it (global/dsn.h, dsn_buf.h): the RFC 3463
// status ("5.1.1"), the RFC 3464 action, the human reason, and where it came from (the
// remote server's reply, the reporting MTA). What the bounce and defer logs hold and
// the delivery report (lib/message) shows.
#pragma once

#include <string>
#include <string_view>

namespace postline::delivery {

// DSN NOTIFY bits as the queue file's notify_flags hold them (global/dsn_mask.h).
inline constexpr int kNotifyNever = 1 << 0;
inline constexpr int kNotifySuccess = 1 << 1;
inline constexpr int kNotifyFailure = 1 << 2;
inline constexpr int kNotifyDelay = 1 << 3;

struct Dsn {
    std::string status;  // "2.0.0", "4.4.1", "5.1.1"
    std::string action;  // "delivered", "relayed", "expanded", "delayed", "failed"
    std::string reason;  // "delivered to mailbox", "unknown user: \"x\""
    std::string dtype;   // diagnostic type: "smtp" when dtext is a remote reply, else ""
    std::string dtext;   // the remote reply ("550 5.1.1 <x@y>: User unknown")
    std::string mtype;   // remote MTA type: "dns" when mname is a host name, else ""
    std::string mname;   // the remote MTA

    bool isSuccess() const { return !status.empty() && status[0] == '2'; }
    bool isTemporary() const { return !status.empty() && status[0] == '4'; }
};

// dsn_valid(): an RFC 3463 status "C.SSS.DDD" with a class of 2, 4 or 5, one to three
// digits in each other part, and nothing after it.
bool dsnValid(std::string_view status);

// dsn_split(): a reason text that may start with its own status ("4.1.1 try later"):
// that status and the rest, white space around them dropped; otherwise
// `defaultStatus` and the whole text (white space before it dropped).
struct DsnSplit {
    std::string status;
    std::string text;
};
DsnSplit splitDsn(std::string_view defaultStatus, std::string_view text);

}  // namespace postline::delivery
