// A new queue file as Postfix 3.7's postdrop creates one: global/mail_queue.c's
// mail_queue_enter() (a temporary name, then the queue id from the time and the
// inode) and global/mail_stream.c's mail_stream_file()/mail_stream_finish_file()
// (complete = the owner-execute bit, set before fsync), and global/file_id.c.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/queue/queue_path.h"

namespace postline::queue {

// The short queue id: the microseconds as 5 upper-case hex digits, then the inode
// number in upper-case hex (MQID_SH_ENCODE_USEC, MQID_SH_ENCODE_INUM).
std::string shortQueueId(long usec, unsigned long inode);
// The long queue id (enable_long_queue_ids): seconds in base 52 (at least 6 digits),
// microseconds in base 52 (4 digits), 'z', the inode in base 51 (safe_ultostr's
// alphabet without vowels).
std::string longQueueId(long sec, long usec, unsigned long inode);

class NewQueueFile {
public:
    // Creates QUEUE/USEC.PID with O_EXCL and `mode` (0600 | the final mode's extra
    // bits, as the caller passes them), renames it to its queue id (creating a hashed
    // subdirectory when needed) and keeps it open. Relative to the current directory
    // (the queue directory). As in Postfix it does not give up on a create error: it
    // warns ("mail_queue_enter: create file PATH: REASON") through `warn` and retries
    // every 10 seconds. A rename that keeps failing is an Error.
    static base::Result<NewQueueFile> create(std::string_view queue, const QueueLayout& layout, bool longIds,
                                             mode_t mode, void (*warn)(std::string_view));
    NewQueueFile(NewQueueFile&& other) noexcept;
    NewQueueFile& operator=(NewQueueFile&& other) = delete;
    NewQueueFile(const NewQueueFile&) = delete;
    ~NewQueueFile();

    const std::string& id() const { return id_; }
    const std::string& path() const { return path_; }

    // Buffers record bytes; a write error is remembered and reported by finish().
    void write(std::string_view bytes);
    // Flushes, sets the mode to 0700 | `extraMode` (the completion mark), fsyncs and
    // closes. An Error ("REASON") when anything failed: the file is then incomplete and
    // the caller removes it. `sizeError` tells EFBIG apart (CLEANUP_STAT_SIZE).
    base::Status finish(mode_t extraMode, bool* sizeError = nullptr);
    // Writes what is buffered and closes without marking the file complete.
    void abandon();
    // Writes what is buffered, so that another process can read the file as it is
    // (cleanup_bounce's flush before the bounce service reads it). False after a
    // write error.
    bool sync() { return flush(); }

    // How many bytes write() was given so far: the offset the next byte lands at
    // (cleanup's vstream_ftell()).
    off_t offset() const { return written_; }
    // Overwrites bytes already written at `at` (cleanup's final update of the size
    // record): flushes, then writes in place. A failure is remembered as write()'s are.
    void patch(off_t at, std::string_view bytes);
    // When the file got its queue id (mail_queue_enter's time: the seconds appear in the
    // Message-Id cleanup makes).
    long createdSec() const { return createdSec_; }
    // The errno of the first failed write (0: none yet).
    int writeErrno() const { return errno_; }

private:
    NewQueueFile(int fd, std::string id, std::string path) : fd_(fd), id_(std::move(id)), path_(std::move(path)) {}
    bool flush();

    int fd_ = -1;
    std::string id_;
    std::string path_;
    std::string buffer_;
    int errno_ = 0;
    off_t written_ = 0;
    long createdSec_ = 0;
};

// Wakes up a service the way mail_trigger() does: a FIFO gets the request written
// without blocking, a UNIX-domain socket gets it over a connection. Errors are the
// warnings Postfix always prints: "unable to look up PATH: REASON", "PATH is not a
// socket or a fifo". A service that is not listening is no error (Postfix mentions it
// only when verbose): `verboseNote` then gets "fifo_trigger: open PATH: REASON" or the
// like.
base::Status triggerService(const std::string& path, std::string_view request, std::string* verboseNote);

}  // namespace postline::queue
