// pickup(8)'s work (Postfix's pickup/pickup.c): scan maildrop/ for complete files, copy
// each one's records to cleanup as pickup does (its own arrival time when the file has
// none, a Received: header, only the records a user may submit), and remove the file
// once cleanup accepted it, or when it can never be delivered.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <ctime>
#include <functional>
#include <string>
#include <string_view>

#include "postline/queue/input_stream.h"

namespace postline::pickup {

struct PickupEnvironment {
    std::string cleanupSocket = "public/cleanup";  // relative to the queue directory
    std::string myhostname;
    std::string mailName = "Postfix";  // mail_name
    size_t lineLimit = 2048;           // line_length_limit
    std::string contentFilter;         // content_filter
    uid_t ownerUid = 0;                // mail_owner's uid (requeued mail)
    int cleanupFlags = 0;              // CLEANUP_FLAG_* sent to cleanup (receive_override_options applied)
    bool autoUtf8 = false;             // smtputf8_autodetect_classes names sendmail
    std::function<void(std::string_view)> info;
    std::function<void(std::string_view)> warn;
    std::function<time_t()> now = [] { return ::time(nullptr); };
};

enum class PickupVerdict { Remove, Keep };

// The stream of records pickup sends to cleanup for one maildrop file.
struct PickupSink {
    std::function<void(int type, std::string_view data)> record;
    // Sends the end record and returns cleanup's status and reason; a broken
    // connection is CLEANUP_STAT_WRITE.
    std::function<int(std::string& reason)> finish;
};

// pickup_copy(): copies the file `in` (stat `st`, shown as `path`) as message `id`.
// Returns what to do with the file; logs "ID: uid=N from=<SENDER>" and pickup's warnings.
PickupVerdict pickupCopy(const PickupEnvironment& env, queue::InputStream& in, struct stat st, const std::string& path,
                         const std::string& id, PickupSink& sink);

// pickup_file(): opens the file, connects to cleanup, copies. Keeps the file when
// cleanup cannot be reached or has a temporary problem. Requeued mail (the mail owner's
// file without read permission for others) goes without the milter flag; other mail
// asks cleanup to detect SMTPUTF8 when `autoUtf8`.
PickupVerdict pickupFile(const PickupEnvironment& env, const std::string& path, const struct stat& st);

// pickup_service(): every complete file in maildrop/ (owner rwx: mail_open_ok), again
// while a pass removed any. Relative to the queue directory. Returns files picked up.
int pickupScan(const PickupEnvironment& env);

// input_transp_cleanup(): `flags` without what receive_override_options turns off
// (no_address_mappings, no_header_body_checks, no_milters; names separated by commas or
// blanks; unknown names are ignored here).
int applyReceiveOverrides(int flags, std::string_view receiveOverrideOptions);
// smtputf8_autodetect(): whether smtputf8_autodetect_classes names `source` (or "all").
bool autodetectsUtf8(std::string_view classes, std::string_view source);

}  // namespace postline::pickup
