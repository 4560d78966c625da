// cleanup's completion statuses in words (Postfix's global/cleanup_strerror.c): the
// table smtpd, pickup, postdrop and sendmail turn a status into a reply or a message with.
#include "postline/queue/cleanup_status.h"

namespace postline::queue {
namespace {

struct Row {
    int status;
    int smtp;
    const char* dsn;
    const char* text;
};

// The order is the precedence: the first row whose bit is set describes the status.
constexpr Row kRows[] = {
    {cleanup_stat::kDefer, 451, "4.7.1", "service unavailable"},
    {cleanup_stat::kProxy, 451, "4.3.0", "queue file write error"},
    {cleanup_stat::kBad, 451, "4.3.0", "internal protocol error"},
    {cleanup_stat::kRcpt, 550, "5.1.0", "no recipients specified"},
    {cleanup_stat::kHops, 554, "5.4.0", "too many hops"},
    {cleanup_stat::kSize, 552, "5.3.4", "message file too big"},
    {cleanup_stat::kCont, 550, "5.7.1", "message content rejected"},
    {cleanup_stat::kWrite, 451, "4.3.0", "queue file write error"},
    {cleanup_stat::kNoPerm, 550, "5.7.1", "service denied"},
    {cleanup_stat::kBareLf, 521, "5.5.2", "bare <LF> received"},
};

}  // namespace

CleanupStatDetail cleanupStatDetail(int status) {
    for (const Row& row : kRows)
        if (status & row.status) return {row.status, row.smtp, row.dsn, row.text};
    // Postfix panics on bits it does not know; a client reports them as success only
    // when no bit is set, and as a protocol error otherwise.
    if (status != 0) return {cleanup_stat::kBad, 451, "4.3.0", "internal protocol error"};
    return {cleanup_stat::kOk, 250, "2.0.0", "Success"};
}

std::string cleanupStrerror(int status) { return cleanupStatDetail(status).text; }

}  // namespace postline::queue
