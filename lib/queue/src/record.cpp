// Record encoding and decoding after Postfix 3.7's global/record.c: rec_put, rec_pad,
// rec_get_raw and rec_goto (the loop guard on backward pointer jumps included).
#include "postline/queue/record.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

constexpr int kReverseJumpLimit = 10000;

std::string nameOf(const InputStream& in) { return in.name(); }

// off_cvt_string(): decimal digits only, no sign, no overflow; -1 otherwise.
off_t parseOffset(std::string_view text) {
    off_t result = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return -1;
        off_t digit = c - '0';
        if (result > (LLONG_MAX - digit) / 10) return -1;
        result = result * 10 + digit;
    }
    return result;
}

}  // namespace

std::string encodeLength(size_t length) {
    std::string out;
    do {
        unsigned char byte = length & 0177;
        length >>= 7;
        if (length != 0) byte |= 0200;
        out.push_back(static_cast<char>(byte));
    } while (length != 0);
    return out;
}

void appendRecord(std::string& out, int type, std::string_view data) {
    out.push_back(static_cast<char>(type & 0xff));
    out += encodeLength(data.size());
    out.append(data);
}

void appendPaddingRecord(std::string& out, int type, size_t total) {
    // rec_pad(): "%*s" of "0" in (total - 2) columns, at least one.
    size_t width = total > 3 ? total - 2 : 1;
    std::string data(width - 1, ' ');
    data.push_back('0');
    appendRecord(out, type, data);
}

std::string formatPointer(off_t offset) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%15ld", static_cast<long>(offset));
    return buf;
}

base::Result<Record> RecordReader::next(int flags, size_t maxSize) {
    for (;;) {
        Record rec;
        lastOffset_ = in_.tell();
        rec.type = in_.get();
        if (rec.type < 0) {
            rec.type = rec::kEof;
            return rec;
        }
        // The length: 7-bit groups until one without the high bit, at most five (Postfix
        // 3.7 gives up at a shift of 32 bits).
        long long length = 0;
        for (unsigned shift = 0;; shift += 7) {
            if (shift >= 32)
                return base::Error{nameOf(in_) + ": too many length bits, record type " + std::to_string(rec.type), 0};
            int byte = in_.get();
            if (byte < 0)
                return base::Error{
                    nameOf(in_) + ": unexpected EOF reading length, record type " + std::to_string(rec.type), 0};
            length |= static_cast<long long>(byte & 0177) << shift;
            if ((byte & 0200) == 0) break;
        }
        // Postfix shifts each group as an int, so a fifth group's bits past 31 wrap into
        // the sign: such a length is negative, and rejected as illegal.
        length = static_cast<long long>(static_cast<int>(static_cast<unsigned>(length & 0xffffffffLL)));
        if (length < 0 || (maxSize > 0 && static_cast<size_t>(length) > maxSize)) {
            std::string text = nameOf(in_) + ": illegal length " + std::to_string(length) + ", record type " +
                               std::to_string(rec.type);
            for (long long skip = length; skip > 0 && in_.get() >= 0; --skip) {
            }
            return base::Error{text, 0};
        }
        if (!in_.read(rec.data, static_cast<size_t>(length)))
            return base::Error{nameOf(in_) + ": unexpected EOF in data, record type " + std::to_string(rec.type) +
                                   " length " + std::to_string(length),
                               0};
        if (flags == read_flag::kNone) return rec;
        if (rec.type == rec::kPointer && (flags & read_flag::kFollowPointers)) {
            auto followed = follow(rec.data);
            if (!followed) return followed.error();
            continue;
        }
        if (rec.type == rec::kPadding && (flags & read_flag::kSkipPadding)) continue;
        if (rec.type == rec::kEnd && (flags & read_flag::kSeekEnd)) {
            // Past the end record, so that whatever follows (the heap of records that
            // pointers lead to) is never read as part of the file.
            if (!in_.seekEnd())
                return base::Error{nameOf(in_) + ": seek error after reading END record: " + std::strerror(errno),
                                   errno};
        }
        return rec;
    }
}

base::Status RecordReader::follow(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || (value.front() >= '\t' && value.front() <= '\r')))
        value.remove_prefix(1);
    // The value ends at a NUL, as the C string Postfix reads.
    if (auto nul = value.find('\0'); nul != std::string_view::npos) value = value.substr(0, nul);
    off_t offset = parseOffset(value);
    if (offset < 0) return base::Error{nameOf(in_) + ": malformed pointer record value: " + std::string(value), 0};
    if (offset == 0) return base::Status::success();  // a dummy pointer
    if (offset <= lastTarget_ && ++reverseJumps_ > kReverseJumpLimit)
        return base::Error{nameOf(in_) + ": too many reverse jump records", 0};
    if (!in_.seek(offset))
        return base::Error{nameOf(in_) + ": seek error after pointer record: " + std::strerror(errno), errno};
    lastTarget_ = offset;
    return base::Status::success();
}

}  // namespace postline::queue
