// The message content as cleanup and smtp see it, line by line (Postfix's
// global/mime_state.c): logical headers assembled from folded lines, the header classes
// (primary message headers, MIME headers of multipart parts, headers of attached
// messages), the end of the primary headers, and body lines with their offsets; and,
// for the smtp client, the 8-bit to 7-bit downgrade. Byte-fed: one text record at a
// time, as queue file N (complete) and L (partial) records carry the lines.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/message/header_opts.h"

namespace postline::message {

enum class HeaderClass {
    Primary,    // MIME_HDR_PRIMARY: the message's own headers
    Multipart,  // MIME_HDR_MULTIPART: headers of a multipart body part
    Nested,     // MIME_HDR_NESTED: headers of an attached message/rfc822
};

struct MimeCallbacks {
    // One logical header (folded lines joined with '\n', "name :" normalised to
    // "name:"); `opts` is its table entry or nullptr. The callee may do as it likes
    // with the text.
    std::function<void(HeaderClass, const HeaderOpts* opts, std::string& header)> header;
    // The primary headers ended (before the first body line).
    std::function<void()> headerEnd;
    // One body line or piece (`complete` false: an L record, the line continues);
    // `offset` counts body bytes before it (each complete line adds one for its newline).
    std::function<void(bool complete, std::string_view text, off_t offset)> body;
    // A mime_error found for the first time, with the text at fault (the header).
    std::function<void(int error, std::string_view text)> error;
};

namespace mime_option {
inline constexpr int kDisableMime = 1 << 0;  // disable_mime_input_processing: no MIME structure
// MIME_OPT_DOWNGRADE: each part whose Content-Transfer-Encoding says 8bit or binary goes
// out as quoted-printable (a multipart or message/* part as 7bit), its encoding header
// replaced by one that says so, added at the end of the part's headers.
inline constexpr int kDowngrade = 1 << 1;
// MIME_OPT_REPORT_NESTING: more nested multiparts than mime_nesting_limit is an error.
inline constexpr int kReportNesting = 1 << 2;
}  // namespace mime_option

namespace mime_error {
inline constexpr int kNesting = 1 << 0;  // MIME_ERR_NESTING: "5.6.0 MIME nesting exceeds safety limit"
}

class MimeState {
public:
    // `headerLimit`: header_size_limit (text beyond it is dropped); `maxDepth`:
    // mime_nesting_limit.
    MimeState(const HeaderTable& table, size_t headerLimit, int maxDepth, int options, MimeCallbacks callbacks);

    // One text record: `complete` = N (a whole line or a line's last piece), false = L.
    void update(bool complete, std::string_view text);
    // End of the content (the extracted segment or end record): flushes a pending header
    // and, when the primary headers never ended, reports their end.
    void finish();
    bool inPrimaryHeaders() const { return state_ == State::Primary; }
    // The mime_error bits found so far (mime_state_update()'s return value).
    int errors() const { return errors_; }

private:
    enum class State { Primary, Multipart, Nested, Body };
    enum class Ctype { Text, Message, Multipart, Other };
    enum class Stype { Plain, Other, Rfc822, Partial, ExternalBody, Global };
    // Content-Transfer-Encoding: an encoding (quoted-printable, base64) puts the part in
    // the 7bit domain; 7bit, 8bit and binary are domains of their own.
    enum class Domain { SevenBit, EightBit, Binary };
    struct Boundary {
        std::string text;
        Ctype defaultType;
        Stype defaultSubtype;
    };

    // SET_MIME_STATE: a new part starts with the 7bit domain.
    void newPart(State state, Ctype ctype, Stype stype);
    void flushHeader();
    void contentType(const std::string& header, const HeaderOpts& opts);
    void contentEncoding(const std::string& header, const HeaderOpts& opts);
    void headerBlockEnds();
    void endOfHeaders(bool complete, std::string_view text);
    void bodyLine(bool complete, std::string_view text);
    void emitBody(bool complete, std::string_view text);
    void downgrade(bool complete, std::string_view text);
    bool downgrading() const { return (options_ & mime_option::kDowngrade) && domain_ != Domain::SevenBit; }
    HeaderClass currentClass() const;

    const HeaderTable& table_;
    size_t headerLimit_;
    int maxDepth_;
    int options_;
    MimeCallbacks cb_;
    State state_ = State::Primary;
    Ctype ctype_ = Ctype::Text;
    Stype stype_ = Stype::Plain;
    Domain domain_ = Domain::SevenBit;
    std::vector<Boundary> stack_;
    std::string qpLine_;  // the quoted-printable output line being built (downgrade)
    int errors_ = 0;
    std::string header_;
    bool prevPartial_ = false;
    off_t bodyOffset_ = 0;
    bool headerEndSent_ = false;
};

}  // namespace postline::message
