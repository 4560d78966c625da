// Queue file records as Postfix's global/record.c writes and reads them: a type byte,
// the data length in 7-bit groups (low group first, the high bit meaning "more"), then
// the data. Reading optionally follows pointer records, skips padding and jumps to the
// end of the file after the end record (rec_get_raw's REC_FLAG_* options).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "postline/base/result.h"
#include "postline/queue/input_stream.h"

namespace postline::queue {

// Appends one record (rec_put). `type` must be a byte (0..255).
void appendRecord(std::string& out, int type, std::string_view data);
// The encoded length alone (tests and size computations).
std::string encodeLength(size_t length);
// Appends a record of `total` bytes including its type and length bytes, filled with
// blanks and a final "0" (rec_pad: how cleanup reserves room it may patch later).
void appendPaddingRecord(std::string& out, int type, size_t total);
// A pointer record's value, "%15ld" (a dummy pointer is 0).
std::string formatPointer(off_t offset);

struct Record {
    int type = 0;      // a type byte, or rec::kEof
    std::string data;  // may hold any bytes, NULs included
};

// Reading options, as Postfix's REC_FLAG_*.
namespace read_flag {
inline constexpr int kNone = 0;
inline constexpr int kFollowPointers = 1 << 0;  // REC_FLAG_FOLLOW_PTR
inline constexpr int kSkipPadding = 1 << 1;     // REC_FLAG_SKIP_DTXT
inline constexpr int kSeekEnd = 1 << 2;         // REC_FLAG_SEEK_END
inline constexpr int kDefault = kFollowPointers | kSkipPadding | kSeekEnd;
}  // namespace read_flag

class RecordReader {
public:
    explicit RecordReader(InputStream& in) : in_(in) {}

    // The next record (rec_get_raw). At the end of the input: type rec::kEof. A
    // malformed record is an Error whose text is Postfix's warning, e.g.
    // "NAME: unexpected EOF in data, record type 78 length 12"; `maxSize` > 0 rejects
    // longer records ("illegal length").
    base::Result<Record> next(int flags = read_flag::kDefault, size_t maxSize = 0);

    // Continues reading at a pointer record's target (rec_goto): leading white space,
    // then decimal digits; 0 is a dummy pointer that leads nowhere. Errors:
    // "NAME: malformed pointer record value: VALUE", "NAME: too many reverse jump
    // records" (more than 10,000 jumps backwards: a loop), "NAME: seek error after
    // pointer record: REASON".
    base::Status follow(std::string_view value);

    InputStream& stream() { return in_; }
    // Where the record next() returned last begins (after any pointers it followed);
    // -1 when the input cannot tell (a pipe).
    off_t lastOffset() const { return lastOffset_; }

private:
    InputStream& in_;
    off_t lastOffset_ = -1;
    off_t lastTarget_ = 0;
    int reverseJumps_ = 0;
};

}  // namespace postline::queue
