// Queue maintenance on a spool as Postfix 3.7's postsuper/postsuper.c does it: delete,
// hold, release, requeue and expire messages by queue id or all at once, purge stale
// temporary files, and repair the spool's structure (files in the wrong hashed
// subdirectory, names that do not match the file's inode). Every change is a
// rename(2), unlink(2), chmod(2) or utime(2) on the spool, relative to the current
// directory (the queue directory), made with the caller's privileges.
//
// Progress goes through base::msgInfo/msgWarn/msgError as postsuper prints it
// ("ID: removed"). A condition that ends Postfix's postsuper (a remove or rename that
// fails for another reason than a vanished file, a directory that cannot be opened,
// an unknown queue name) stops the operation at once and comes back as an Error; what
// was done until then stays done, as with Postfix.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/queue/queue_path.h"

namespace postline::queue {

// postsuper's ACTION_* bits; the mass operations are the ones scan() takes.
namespace super {
inline constexpr int kStruct = 1 << 0;            // -s: fix placement and names
inline constexpr int kPurge = 1 << 1;             // -p: purge stale temporary files
inline constexpr int kDeleteOne = 1 << 2;         // -d ID
inline constexpr int kDeleteAll = 1 << 3;         // -d ALL
inline constexpr int kRequeueOne = 1 << 4;        // -r ID
inline constexpr int kRequeueAll = 1 << 5;        // -r ALL
inline constexpr int kHoldOne = 1 << 6;           // -h ID
inline constexpr int kHoldAll = 1 << 7;           // -h ALL
inline constexpr int kReleaseOne = 1 << 8;        // -H ID
inline constexpr int kReleaseAll = 1 << 9;        // -H ALL
inline constexpr int kStructRedundant = 1 << 10;  // -S: long names must match the inode too
inline constexpr int kExpireOne = 1 << 11;        // -e ID
inline constexpr int kExpireAll = 1 << 12;        // -e ALL
inline constexpr int kExpRelOne = 1 << 13;        // -f ID
inline constexpr int kExpRelAll = 1 << 14;        // -f ALL
inline constexpr int kByQueueId = kDeleteOne | kRequeueOne | kHoldOne | kReleaseOne | kExpireOne | kExpRelOne;
inline constexpr int kByWildcard = kDeleteAll | kRequeueAll | kHoldAll | kReleaseAll | kExpireAll | kExpRelAll;
inline constexpr int kForRepair = kPurge | kStruct | kStructRedundant;
}  // namespace super

// What the operations did, as postsuper counts it for its closing report.
struct SuperCounts {
    int requeued = 0;
    int held = 0;
    int released = 0;
    int deleted = 0;
    int expired = 0;
    int inodeFixed = 0;        // "#FIX" names completed
    int inodeMismatch = 0;     // names renamed to "NEWID#FIX"
    int positionMismatch = 0;  // files moved to their hashed subdirectory
};

// The queues postsuper visits when none are named: the log directories first, so
// that their files sit where the message files' renames expect them.
const std::vector<std::string>& defaultSuperQueues();

class Superintendent {
public:
    // hashQueueNames and hashDepth as in main.cf; longIds: enable_long_queue_ids.
    Superintendent(std::string_view hashQueueNames, int hashDepth, bool longIds);

    // One message by id in the given queues (postsuper's delete_one, requeue_one,
    // hold_one, release_one, expire_one). An invalid id is a warning, not an error.
    base::Status deleteOne(const std::vector<std::string>& queues, std::string_view id);
    base::Status requeueOne(const std::vector<std::string>& queues, std::string_view id);
    base::Status holdOne(const std::vector<std::string>& queues, std::string_view id);
    base::Status releaseOne(const std::vector<std::string>& queues, std::string_view id);
    base::Status expireOne(const std::vector<std::string>& queues, std::string_view id);

    // A walk over the queues' directories doing the mass operations and repairs in
    // `action` (postsuper's super()).
    base::Status scan(const std::vector<std::string>& queues, int action);

    const SuperCounts& counts() const { return counts_; }

private:
    // fix_queue_id(): renames a message file and its logs to "NEWID#FIX", NEWID from
    // the id's time digits and the file's inode.
    void fixQueueId(const std::string& actualPath, const std::string& queue, const std::string& id,
                    const struct stat& st);

    QueueLayout layout_;
    std::vector<std::string> hashNames_;  // compared case-sensitively, as super() does
    int hashDepth_;
    bool longIds_;
    SuperCounts counts_;
};

}  // namespace postline::queue
