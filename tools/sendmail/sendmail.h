// The sendmail(1) command as a library (sendmail_impl). Mirrors Postfix 3.7's
// sendmail/sendmail.c: same options, messages and exit codes; the message goes to
// the maildrop queue through postdrop.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::tools {

// sendmail [options] [recipients...]: returns the exit status; fatal errors end the
// process with sendmail's sysexits codes.
int runSendmail(int argc, char** argv);

namespace sendmail {

// sysexits.h
inline constexpr int kExUsage = 64;
inline constexpr int kExDataErr = 65;
inline constexpr int kExUnavailable = 69;
inline constexpr int kExSoftware = 70;
inline constexpr int kExOsErr = 71;
inline constexpr int kExTempFail = 75;
inline constexpr int kExNoPerm = 77;

// msg_fatal_status(): "PROGRAM: fatal: TEXT" on stderr, then exit; as in Postfix the
// exit status is EX_TEMPFAIL whatever `status` says (see the definition).
[[noreturn]] void fatal(int status, std::string_view text);

// What enqueue() needs from the command line and main.cf.
struct EnqueueRequest {
    bool extractRecipients = false;  // -t
    bool dotEndsMessage = true;      // cleared by -i and -oi
    int traceFlags = 0;              // -v, -bv
    std::string encoding;            // -B ("" none)
    std::string dsnEnvid;            // -V
    bool haveDsnEnvid = false;
    int dsnRet = 0;     // -R
    int dsnNotify = 0;  // -N
    std::string rewriteContext = "local";
    const char* sender = nullptr;      // -f / -r
    const char* fullName = nullptr;    // -F
    const char* verpDelims = nullptr;  // -XV
    int verbose = 0;                   // -v -v: passed on to postdrop
    std::vector<std::string> recipients;
    // main.cf
    std::string postdropCommand;  // the postdrop program to run
    size_t lineLimit = 2048;
    size_t headerLimit = 102400;
    std::string fixLineEndings = "always";
    std::string submitAcl = "static:anyone";  // authorized_submit_users
};

// enqueue(): hands the message on stdin to postdrop; returns only on success.
void enqueue(const EnqueueRequest& request);

}  // namespace sendmail
}  // namespace postline::tools
