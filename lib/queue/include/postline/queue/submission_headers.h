// sendmail -t: the primary message headers seen as Postfix 3.7's sendmail sees them,
// through global/mime_state.c with MIME processing off (header lines joined with their
// continuation lines, "Name : value" normalised to "Name: value"), re-emitted as
// sendmail/sendmail.c's output_header() chops them, with the recipients of To, Cc and
// Bcc (or, once a Resent- one appears, only of Resent-To, Resent-Cc and Resent-Bcc).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace postline::queue {

class SubmissionHeaders {
public:
    // `emit` receives each record (rec::kNorm or rec::kCont and its text) in order;
    // `addresses` turns a header value into its addresses in internal form (the RFC 822
    // parser is the caller's: tok822_parse and tok822_internalize).
    using Emit = std::function<void(int type, std::string_view text)>;
    using Addresses = std::function<std::vector<std::string>(std::string_view value)>;
    SubmissionHeaders(size_t lineLimit, size_t headerLimit, Emit emit, Addresses addresses);

    // One content piece (rec::kNorm, rec::kCont). False when a header grew past
    // header_size_limit (MIME_ERR_TRUNC_HEADER: sendmail gives up).
    bool update(int type, std::string_view text);
    // The end of the content: flushes a pending header or an unfinished last line.
    bool finish();
    // The extracted recipients, in header order.
    const std::vector<std::string>& recipients() const { return resent_ ? resentRecipients_ : recipients_; }

private:
    void flushHeader();
    void outputHeader(const std::string& header);
    bool truncated();

    size_t lineLimit_;
    size_t headerLimit_;
    Emit emit_;
    Addresses addresses_;
    bool inHeaders_ = true;
    bool error_ = false;
    int prevType_ = 0;
    std::string header_;
    bool resent_ = false;
    std::vector<std::string> recipients_;
    std::vector<std::string> resentRecipients_;
};

// The message text of MIME_ERR_TRUNC_HEADER, for "unable to extract recipients: ...".
inline constexpr std::string_view kHeaderTooLong = "message header length exceeds safety limit";

}  // namespace postline::queue
