// The sendmail side of a maildrop submission: Postfix 3.7's sendmail/sendmail.c enqueue()
// record order and content handling, and global/rec_streamlf.c's line chunking.
#include "postline/queue/maildrop_submission.h"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {

namespace {
bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}
}  // namespace

int dsnNotifyMask(std::string_view value, std::string* warning) {
    static constexpr std::pair<std::string_view, int> kNames[] = {
        {"NEVER", 1}, {"SUCCESS", 2}, {"FAILURE", 4}, {"DELAY", 8}};
    constexpr std::string_view kDelimiters = ", \t\r\n";
    int mask = 0;
    size_t pos = 0;
    while ((pos = value.find_first_not_of(kDelimiters, pos)) != std::string_view::npos) {
        size_t end = value.find_first_of(kDelimiters, pos);
        std::string_view name = value.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end;
        bool known = false;
        for (const auto& [text, bit] : kNames) {
            if (equalsIgnoreCase(name, text)) {
                mask |= bit;
                known = true;
                break;
            }
        }
        if (!known) {
            if (warning)
                *warning =
                    "unknown DSN NOTIFY command value \"" + std::string(name) + "\" in \"" + std::string(value) + "\"";
            return 0;
        }
    }
    // DSN_NOTIFY_OK(): NEVER alone, or any combination of the other three.
    return mask == 1 || mask == (mask & 14) ? mask : 0;
}

int dsnRetCode(std::string_view value) {
    if (equalsIgnoreCase(value, "FULL")) return 1;
    if (equalsIgnoreCase(value, "HDRS")) return 2;
    return 0;
}

void appendSubmissionEnvelope(std::string& out, const SubmissionEnvelope& envelope) {
    if (envelope.dsnEnvid) appendRecord(out, rec::kAttr, "envelope_id=" + *envelope.dsnEnvid);
    if (envelope.dsnRet) appendRecord(out, rec::kAttr, "ret_flags=" + std::to_string(envelope.dsnRet));
    appendRecord(out, rec::kAttr, "rewrite_context=" + envelope.rewriteContext);
    if (envelope.fullName) appendRecord(out, rec::kFullName, *envelope.fullName);
    appendRecord(out, rec::kFrom, envelope.sender);
    if (envelope.encoding) appendRecord(out, rec::kAttr, "encoding=" + *envelope.encoding);
    if (envelope.traceFlags) appendRecord(out, rec::kAttr, "trace_flags=" + std::to_string(envelope.traceFlags));
    if (envelope.verpDelims) appendRecord(out, rec::kVerp, *envelope.verpDelims);
}

void appendSubmissionRecipient(std::string& out, std::string_view recipient, int dsnNotify) {
    if (dsnNotify) appendRecord(out, rec::kAttr, "notify_flags=" + std::to_string(dsnNotify));
    appendRecord(out, rec::kRcpt, recipient);
}

void appendProbeContent(std::string& out, std::string_view sender, const std::vector<std::string>& recipients) {
    if (!sender.empty()) appendRecord(out, rec::kNorm, "From: " + std::string(sender));
    appendRecord(out, rec::kNorm, "Subject: probe");
    if (recipients.empty()) return;
    // "To:" as a continuation piece: the first recipient completes its line.
    appendRecord(out, rec::kCont, "To:");
    for (size_t i = 0; i < recipients.size(); ++i)
        appendRecord(out, rec::kNorm, "\t" + recipients[i] + (i + 1 < recipients.size() ? "," : ""));
}

int readStreamLf(InputStream& in, std::string& buf, size_t maxLength) {
    buf.clear();
    for (size_t n = 0; n < maxLength; ++n) {
        int ch = in.get();
        if (ch < 0) return buf.empty() ? rec::kEof : rec::kCont;
        if (ch == '\n') return rec::kNorm;
        buf.push_back(static_cast<char>(ch));
    }
    return rec::kCont;
}

std::optional<FixLineEndings> parseFixLineEndings(std::string_view value) {
    if (value == "always") return FixLineEndings::Always;
    if (value == "strict") return FixLineEndings::Strict;
    if (value == "never") return FixLineEndings::Never;
    return std::nullopt;
}

ContentFilter::ContentFilter(FixLineEndings fixLineEndings, bool dotEndsMessage)
    : stripCr_(fixLineEndings == FixLineEndings::Always   ? StripCr::Do
               : fixLineEndings == FixLineEndings::Strict ? StripCr::Dunno
                                                          : StripCr::Dont),
      dotEnds_(dotEndsMessage) {}

ContentFilter::Action ContentFilter::apply(int type, std::string& buf) {
    // "strict": the first complete line decides for the whole message.
    if (stripCr_ == StripCr::Dunno && type == rec::kNorm)
        stripCr_ = !buf.empty() && buf.back() == '\r' ? StripCr::Do : StripCr::Dont;
    if (skipFrom_) {
        if (type == rec::kNorm) {
            size_t start = buf.find_first_not_of('>');
            if (start != std::string::npos && buf.compare(start, 5, "From ") == 0) {
                prevType_ = type;
                return Action::Skip;
            }
        }
        skipFrom_ = false;
    }
    if (stripCr_ == StripCr::Do && type == rec::kNorm)
        while (!buf.empty() && buf.back() == '\r') buf.pop_back();
    int prev = prevType_;
    prevType_ = type;
    if (dotEnds_ && prev != rec::kCont && buf == ".") return Action::Stop;
    return Action::Keep;
}

}  // namespace postline::queue
