// cleanup's completion statuses and their texts: Postfix's global/cleanup_user.h
// (CLEANUP_STAT_*) and global/cleanup_strerror.c (cleanup_strerror, cleanup_stat_detail).
// postdrop, sendmail, smtpd, pickup and cleanup itself share this one table.
#pragma once

#include <string>

namespace postline::queue {

// CLEANUP_STAT_*: cleanup's verdict, a bit mask (0: queued).
namespace cleanup_stat {
inline constexpr int kOk = 0;
inline constexpr int kBad = 1 << 0;      // internal protocol error
inline constexpr int kWrite = 1 << 1;    // error writing the message file
inline constexpr int kSize = 1 << 2;     // message file too big
inline constexpr int kCont = 1 << 3;     // message content rejected
inline constexpr int kHops = 1 << 4;     // too many hops
inline constexpr int kRcpt = 1 << 6;     // no recipients found
inline constexpr int kProxy = 1 << 7;    // proxy reject
inline constexpr int kDefer = 1 << 8;    // temporary reject
inline constexpr int kNoPerm = 1 << 9;   // denied by non-content policy
inline constexpr int kBareLf = 1 << 16;  // bare <LF> received (later Postfix versions)
// CLEANUP_STAT_MASK_CANT_BOUNCE: errors cleanup cannot turn into a bounce.
inline constexpr int kMaskCantBounce = kBad | kWrite | kDefer | kRcpt;
}  // namespace cleanup_stat

// cleanup_stat_detail(): how a client reports a status, e.g. kWrite -> 451 "4.3.0",
// "queue file write error". The most important bit wins (the table's order: defer,
// proxy, bad, rcpt, hops, size, cont, write, noperm, bare LF); 0 is 250 "2.0.0"
// "Success".
struct CleanupStatDetail {
    int status = 0;
    int smtp = 0;      // the SMTP reply code smtpd gives
    std::string dsn;   // the enhanced status code
    std::string text;  // the reply text
};
CleanupStatDetail cleanupStatDetail(int status);
// cleanup_strerror(): the detail's text ("internal protocol error", ...; "Success" for 0).
std::string cleanupStrerror(int status);

}  // namespace postline::queue
