// Queue names, queue ids and where a queue file lives: the queue directory's
// subdirectory, hashed per hash_queue_names and hash_queue_depth. Mirrors Postfix 3.7's
// global/mail_queue.c (mail_queue_name_ok, mail_queue_id_ok, mail_queue_dir,
// mail_queue_path) and util/dir_forest.c.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postline::queue {

// Postfix's queue names.
inline constexpr std::string_view kMaildrop = "maildrop";
inline constexpr std::string_view kIncoming = "incoming";
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kDeferred = "deferred";
inline constexpr std::string_view kHold = "hold";
inline constexpr std::string_view kSaved = "saved";
inline constexpr std::string_view kCorrupt = "corrupt";

// A queue name: 1 to 100 letters and digits.
bool queueNameOk(std::string_view name);
// A queue file name: a short or long queue id, or a fast flush log's name (letters,
// digits and '_'), 1 to 255 characters.
bool queueIdOk(std::string_view id);

// The 4 base-52 microsecond digits before a long id's 'z' as the 5 upper-case hex
// digits a short id starts with; an undecodable value counts as 0, as in Postfix's
// MQID_LG_GET_HEX_USEC (hashing, and postsuper turning long names into short ones).
std::string longIdHexUsec(std::string_view digits);

// How queue directories are hashed: hash_queue_names (compared case-insensitively) and
// hash_queue_depth.
struct QueueLayout {
    std::vector<std::string> hashedQueues{"deferred", "defer"};
    int hashDepth = 1;
};
// Splits hash_queue_names' value on commas and white space.
QueueLayout queueLayout(std::string_view hashQueueNames, int hashDepth);

// "QUEUE/" plus, for a hashed queue, one subdirectory level per hash_queue_depth: the
// id's first characters ('_' past its end). A long id is hashed by its microseconds, as
// the 5-digit hex a short id begins with, so both forms spread alike. The name and the
// id must be valid (queueNameOk, queueIdOk).
std::string queueDirectory(const QueueLayout& layout, std::string_view queue, std::string_view id);
// queueDirectory() followed by the id.
std::string queuePath(const QueueLayout& layout, std::string_view queue, std::string_view id);

}  // namespace postline::queue
