// A queue file read whole, as the queue manager and the queue tools see it: the size
// record, times, named attributes, sender, recipients with their original-recipient and
// DSN data and their state (to do, done, canceled), the message content as lines, the
// extracted segment and whether the end record was reached. Mirrors the reading side
// of Postfix 3.7's qmgr/qmgr_message.c over the layout cleanup/cleanup_envelope.c,
// cleanup_message.c and cleanup_extracted.c write.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postline/base/result.h"
#include "postline/queue/input_stream.h"

namespace postline::queue {

// The six fixed-width fields of the size record ("%15ld" each), patched in place by
// cleanup when the message is complete. Older files have fewer fields; missing ones
// stay 0.
struct SizeRecord {
    long contentSize = 0;     // bytes from the message content marker to the extracted one
    long dataOffset = 0;      // offset of the first content record
    long recipientCount = 0;  // recipients cleanup wrote
    long qmgrFlags = 0;       // queue manager hints (qmgr_user.h)
    long contentLength = 0;   // the message's length as delivered (Postfix 2.4)
    long smtputf8 = 0;        // SMTPUTF8 flags (Postfix 3.0)
    int fields = 0;           // how many fields the record had
};
// Parses a size record's value; an error for fewer than two numbers or a data offset or
// content size that is not positive ("invalid size record: VALUE").
base::Result<SizeRecord> parseSizeRecord(std::string_view value);

enum class Segment { Envelope, Content, Extracted };

struct Recipient {
    enum class State { Todo, Done, Canceled };
    std::string address;
    std::string original;  // the 'O' record before it (the address as first received)
    std::string dsnOrcpt;  // DSN ORCPT ("rfc822;addr"): dsn_orig_rcpt attribute or 'o' record
    int dsnNotify = 0;     // DSN NOTIFY flags: notify_flags attribute or 'n' record
    State state = State::Todo;
    Segment segment = Segment::Envelope;
    off_t offset = -1;  // where its record starts (qmgr marks it done by rewriting the type byte)
};

struct QueueFile {
    std::optional<SizeRecord> size;
    std::optional<std::pair<long, long>> arrivalTime;  // 'T': seconds, microseconds
    std::optional<long> createTime;                    // 'c' or the create_time attribute
    std::optional<long> warnTime;                      // 'W': next delay warning
    off_t warnOffset = -1;              // where the 'W' record starts (qmgr rewrites it after the warning)
    std::optional<std::string> sender;  // 'S' ("" is the null sender)
    std::string fullName;               // 'F'
    // Named attributes in file order, envelope and extracted segment alike, except the
    // per-recipient DSN ones (dsn_orig_rcpt, notify_flags), which go with their
    // recipient, and create_time, which is createTime.
    std::vector<std::pair<std::string, std::string>> attributes;
    std::vector<Recipient> recipients;
    // Other envelope and extracted records, by type byte, in order (content filter,
    // inspector, redirect, VERP delimiters, errors-to, return-receipt, flags, ...).
    std::vector<std::pair<int, std::string>> others;
    // The message lines, 'L' pieces joined with the 'N' that ends them.
    std::vector<std::string> lines;
    bool complete = false;  // the end record was read

    // The first value of a named attribute, if any.
    std::optional<std::string_view> attribute(std::string_view name) const;
};

// Reads a queue file from the start, following pointer records. Errors: a malformed
// record (record.h's texts), a record type where its segment does not allow it
// ("NAME: unexpected record type T in SEGMENT segment"), a malformed attribute
// ("NAME: malformed attribute: WHY: TEXT"), a bad size record. A file that ends before
// its end record is returned with complete = false: the caller must not deliver it.
base::Result<QueueFile> readQueueFile(InputStream& in);
// The same without the message content (`lines` stays empty): after the content marker
// the reader seeks to the extracted segment where the size record puts it, as the
// queue manager does, so that a large message costs no memory or reading.
base::Result<QueueFile> readQueueFile(InputStream& in, bool withContent);

}  // namespace postline::queue
