// The records the sendmail command hands to postdrop: the envelope, the message content
// and the extracted segment, in the order and shapes of Postfix 3.7's sendmail/sendmail.c
// (enqueue(), output_text(), output_header()) and global/rec_streamlf.c.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/queue/input_stream.h"

namespace postline::queue {

// What sendmail writes before the first recipient (enqueue()'s envelope).
struct SubmissionEnvelope {
    std::optional<std::string> dsnEnvid;    // -V: "envelope_id" attribute
    int dsnRet = 0;                         // -R: "ret_flags" attribute (DSN_RET_FULL 1, HDRS 2)
    std::string rewriteContext = "local";   // "local", or "remote" with -G
    std::optional<std::string> fullName;    // -F or the password file's; none: no F record
    std::string sender;                     // internal form; "" is the null sender
    std::optional<std::string> encoding;    // -B: "7bit" or "8bitmime"
    int traceFlags = 0;                     // -v (DEL_REQ_FLAG_RECORD), -bv (USR_VRFY)
    std::optional<std::string> verpDelims;  // -XV: the V record
};

// Delivery request trace flags (deliver_request.h), as sendmail passes them on.
inline constexpr int kTraceUserVerify = 1 << 9;  // DEL_REQ_FLAG_USR_VRFY (-bv)
inline constexpr int kTraceRecord = 1 << 10;     // DEL_REQ_FLAG_RECORD (-v)

// DSN option values (global/dsn_mask.c). dsnNotifyMask(): NEVER, SUCCESS, FAILURE and
// DELAY in any case, separated by commas or white space; 0 when a name is unknown (then
// `warning` gets name_mask's 'unknown DSN NOTIFY command value "X" in "VALUE"') or NEVER
// is combined with another. dsnRetCode(): FULL 1, HDRS 2 (any case), else 0.
int dsnNotifyMask(std::string_view value, std::string* warning);
int dsnRetCode(std::string_view value);

// The envelope records up to the sender and its options (A, F, S, A, A, V).
void appendSubmissionEnvelope(std::string& out, const SubmissionEnvelope& envelope);
// One recipient: a "notify_flags" attribute first when DSN NOTIFY flags were given (-N).
void appendSubmissionRecipient(std::string& out, std::string_view recipient, int dsnNotify);
// The message content of a -bv probe ("From: SENDER", "Subject: probe", "To:" with
// each command-line recipient on its own line), after the M record.
void appendProbeContent(std::string& out, std::string_view sender, const std::vector<std::string>& recipients);

// rec_streamlf_get(): the next piece of a text stream. A line of at most `maxLength`
// bytes is an N record without its newline; a longer one comes as L pieces of
// `maxLength` bytes and an N with the rest; a last line without newline ends as L.
// Returns rec::kNorm, rec::kCont, or rec::kEof when the stream is exhausted.
int readStreamLf(InputStream& in, std::string& buf, size_t maxLength);

// sendmail_fix_line_endings.
enum class FixLineEndings { Always, Strict, Never };
// "always", "strict", "never" (case-sensitive, as Postfix compares them); nullopt otherwise.
std::optional<FixLineEndings> parseFixLineEndings(std::string_view value);

// What enqueue() does to each piece before it is stored: a leading "From " line (also
// ">From ", ">>From ", ...) is dropped, trailing CRs are stripped as
// sendmail_fix_line_endings says ("strict" decides by the first complete line), and
// unless -i/-oi a line holding only "." ends the message.
class ContentFilter {
public:
    enum class Action { Keep, Skip, Stop };
    ContentFilter(FixLineEndings fixLineEndings, bool dotEndsMessage);
    // Looks at one piece from readStreamLf() and may shorten it (CR stripping).
    Action apply(int type, std::string& buf);

private:
    enum class StripCr { Dunno, Do, Dont };
    StripCr stripCr_;
    bool dotEnds_;
    bool skipFrom_ = true;
    int prevType_ = 0;
};

}  // namespace postline::queue
