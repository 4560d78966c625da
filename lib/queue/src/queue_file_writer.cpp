// The queue file as cleanup writes it: record output with long-line splitting, header
// folding and truncation, the size limit, and the final size record update (Postfix's
// cleanup_out.c, cleanup_final.c, mail_stream_finish_file()).
#include "postline/queue/queue_file_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "postline/queue/cleanup_status.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {

std::string formatSizeFields(const SizeFields& f) {
    char buf[6 * 22];
    std::snprintf(buf, sizeof buf, "%15ld %15ld %15ld %15ld %15ld %15ld", f.extractedOffsetDelta, f.contentOffset,
                  f.recipients, f.qmgrOptions, f.contentLength, f.sendOptions);
    return buf;
}

QueueFileWriter::QueueFileWriter(NewQueueFile file, size_t lineLimit, off_t sizeLimit,
                                 std::function<void(std::string)> warn)
    : file_(std::move(file)),
      lineLimit_(lineLimit > 0 ? lineLimit : 2048),
      sizeLimit_(sizeLimit),
      warn_(std::move(warn)) {}

void QueueFileWriter::fail(bool tooBig) {
    if (tooBig) {
        if (warn_) warn_(id() + ": queue file size limit exceeded");
        errors_ |= cleanup_stat::kSize;
    } else {
        if (warn_) warn_(id() + ": write queue file: " + std::strerror(file_.writeErrno()));
        errors_ |= cleanup_stat::kWrite;
    }
}

void QueueFileWriter::out(int type, std::string_view data) {
    if (errors_ != 0 || closed_) return;
    std::string bytes;
    bool text = type == rec::kNorm || type == rec::kCont;
    while (text && data.size() > lineLimit_) {
        appendRecord(bytes, rec::kCont, data.substr(0, lineLimit_));
        data.remove_prefix(lineLimit_);
    }
    appendRecord(bytes, type, data);
    if (sizeLimit_ > 0 && file_.offset() + static_cast<off_t>(bytes.size()) > sizeLimit_) {
        fail(true);
        return;
    }
    file_.write(bytes);
    if (file_.writeErrno() != 0) fail(file_.writeErrno() == EFBIG);
}

void QueueFileWriter::outHeader(std::string_view header, size_t headerLimit) {
    std::string_view rest = header;
    size_t start = 0;  // offset of the current line in `header`
    bool first = true;
    while (true) {
        size_t nl = rest.find('\n');
        std::string_view line = nl == std::string_view::npos ? rest : rest.substr(0, nl);
        bool last = nl == std::string_view::npos;
        if (headerLimit > 0 && start + line.size() > headerLimit) {
            if (static_cast<double>(start) > 0.9 * static_cast<double>(headerLimit)) break;  // nice cut
            line = line.substr(0, headerLimit - start);                                      // unkind cut
            last = true;
        }
        if (first || (!line.empty() && (line[0] == ' ' || line[0] == '\t')))
            out(rec::kNorm, line);
        else
            out(rec::kNorm, "\t" + std::string(line));
        first = false;
        if (last) break;
        start += nl + 1;
        rest.remove_prefix(nl + 1);
    }
}

void QueueFileWriter::patchSize(const SizeFields& fields) {
    if (errors_ != 0 || closed_) return;
    std::string bytes;
    appendRecord(bytes, rec::kSize, formatSizeFields(fields));
    file_.patch(0, bytes);
    if (file_.writeErrno() != 0) fail(file_.writeErrno() == EFBIG);
}

int QueueFileWriter::finish(mode_t extraMode) {
    if (closed_) return errors_;
    closed_ = true;
    bool tooBig = false;
    if (auto st = file_.finish(extraMode, &tooBig); !st) {
        if (tooBig) {
            if (warn_) warn_(id() + ": queue file size limit exceeded");
            errors_ |= cleanup_stat::kSize;
        } else {
            if (warn_) warn_(id() + ": write queue file: " + st.error().message);
            errors_ |= cleanup_stat::kWrite;
        }
    }
    return errors_;
}

bool QueueFileWriter::remove() {
    if (!closed_) {
        file_.abandon();
        closed_ = true;
    }
    return ::unlink(path().c_str()) == 0 || errno == ENOENT;
}

}  // namespace postline::queue
