// The queue file as cleanup writes it (Postfix's cleanup/cleanup_out.c and
// cleanup_final.c): records through one writer that splits long text records at
// line_length_limit, folds multi-line headers into records, remembers write and size
// errors as CLEANUP_STAT bits, and patches the size record in place at the end.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

#include "postline/queue/maildrop_file.h"

namespace postline::queue {

// The six fields of the size record (REC_TYPE_SIZE_FORMAT, each "%15ld").
struct SizeFields {
    long extractedOffsetDelta = 0;  // extracted segment offset minus content offset
    long contentOffset = 0;         // where the first content record starts
    long recipients = 0;            // recipient count
    long qmgrOptions = 0;           // QMGR_READ_FLAG_* bits
    long contentLength = 0;         // bytes of content records
    long sendOptions = 0;           // SMTPUTF8 and REQUIRETLS options
};
// The size record's data: six space-separated "%15ld" fields.
std::string formatSizeFields(const SizeFields& fields);

class QueueFileWriter {
public:
    // Takes over a new queue file. `lineLimit` (line_length_limit) must be > 0;
    // `sizeLimit` (message_size_limit, 0: none) caps the file's size the way cleanup's
    // file size resource limit does; `warn` receives "QUEUEID: write queue file: REASON"
    // and "QUEUEID: queue file size limit exceeded".
    QueueFileWriter(NewQueueFile file, size_t lineLimit, off_t sizeLimit, std::function<void(std::string)> warn);

    const std::string& id() const { return file_.id(); }
    const std::string& path() const { return file_.path(); }
    long createdSec() const { return file_.createdSec(); }
    off_t offset() const { return file_.offset(); }
    // CLEANUP_STAT_WRITE and CLEANUP_STAT_SIZE bits of what failed so far.
    int errors() const { return errors_; }

    // cleanup_out(): one record; N and L records longer than the line limit become L
    // records of the limit's length followed by the rest. Nothing is written after an error.
    void out(int type, std::string_view data);
    // cleanup_out_header(): a header of one or more lines separated by '\n'; the first
    // line as is, continuation lines that start with a blank as they are, others with a
    // tab prepended. A header longer than `headerLimit` (header_size_limit) is cut at
    // the last line boundary before the limit when that keeps 90% of it, else at the limit.
    void outHeader(std::string_view header, size_t headerLimit);

    // cleanup_final(): rewrites the size record at offset 0 (written first with zeros).
    void patchSize(const SizeFields& fields);
    // Marks the file complete (mode 0700 | extraMode), fsyncs and closes it. Errors
    // become CLEANUP_STAT bits; returns errors().
    int finish(mode_t extraMode = 0);
    // Writes what is buffered (NewQueueFile::sync).
    bool sync() { return file_.sync(); }
    // Closes the file without marking it and removes it (an unwanted message).
    // Returns false with errno when the removal failed.
    bool remove();

private:
    void fail(bool tooBig);

    NewQueueFile file_;
    size_t lineLimit_;
    off_t sizeLimit_;
    std::function<void(std::string)> warn_;
    int errors_ = 0;
    bool closed_ = false;
};

}  // namespace postline::queue
