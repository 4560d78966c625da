// The fast flush service's work (Postfix 3.7's flush/flush.c): one log per destination
// in the spool's flush/ directory listing the queue ids of mail deferred for it, and
// the flushes that ETRN, `postqueue -s SITE` and `postqueue -i ID` ask for — listed
// messages get their time stamps set to now and move from deferred to incoming, and
// the queue manager is asked to scan incoming. The queue directory is the current
// directory.
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <string_view>

#include "postline/queue/queue_path.h"

namespace postline::flush {

// FLUSH_STAT_* (flush_clnt.h).
inline constexpr int kStatusFail = -1, kStatusOk = 0, kStatusBad = 3, kStatusDeny = 4;

// The log's file name for a site: letters and digits lower-cased, anything else '_'
// (flush_site_to_path); "" when that is not a valid queue file name.
std::string sitePath(std::string_view site);

struct FlushEnvironment {
    queue::QueueLayout layout;
    // Whether a site may have a log (fast_flush_domains); an Error-free false is DENY.
    std::function<bool(std::string_view site)> eligible;
    // Writes a request to the queue manager (public/qmgr): "F" (revive dead
    // destinations) before a site flush, "I" (scan incoming) after.
    std::function<void(std::string_view request)> triggerQmgr;
    std::function<time_t()> now = [] { return std::time(nullptr); };
};

// "add": appends ID to the site's log (flush_add_service).
int addToLog(const FlushEnvironment& env, std::string_view site, std::string_view queueId);
// "send_site": flushes the site's log (flush_send_service with UNTHROTTLE_BEFORE).
int sendSite(const FlushEnvironment& env, std::string_view site);
// "send_file": one message from deferred to incoming (flush_send_file_service).
int sendFile(const FlushEnvironment& env, std::string_view queueId);
// "rfrsh" and master's wakeup (maxAge fast_flush_refresh_time), "purge" (maxAge 0):
// logs not read for maxAge are flushed like a site (without reviving dead
// destinations first), which empties them of messages long gone; empty logs unchanged
// for purgeAge (fast_flush_purge_time) are removed.
int refreshLogs(const FlushEnvironment& env, long maxAge, long purgeAge);

}  // namespace postline::flush
