// The message text sendmail reads from its caller (sendmail/sendmail.c's enqueue() over
// global/rec_streamlf.c, with -t's header pass through mime_state), then postdrop's
// check of the records it produces (postdrop/postdrop.c). The input's first byte picks
// the options (line limit, sendmail_fix_line_endings, -i, -t); the records sendmail
// would send must read back as records and pass postdrop's checks for their segment.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "postline/address/tokens.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/maildrop_submission.h"
#include "postline/queue/postdrop_check.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"
#include "postline/queue/submission_headers.h"

namespace {

using namespace postline;
namespace rec = queue::rec;

std::vector<std::string> addressesOf(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& token : address::parseAddressList(text))
        if (token.type == address::TokenType::Address) out.push_back(address::internalize(token.children));
    return out;
}

// The content segment as sendmail writes it, the extracted recipients after -t.
std::string submission(std::string bytes, unsigned options) {
    const size_t lineLimit = (options & 1) ? 16 : 2048;  // short lines exercise L records
    const queue::FixLineEndings fix = (options & 2)   ? queue::FixLineEndings::Always
                                      : (options & 4) ? queue::FixLineEndings::Never
                                                      : queue::FixLineEndings::Strict;
    const bool extract = options & 8;
    const bool dotEnds = !(options & 16);

    std::string out;
    queue::SubmissionEnvelope envelope;
    envelope.fullName = "Fuzz";
    envelope.sender = "sender@example.org";
    queue::appendSubmissionEnvelope(out, envelope);
    if (!extract) queue::appendSubmissionRecipient(out, "rcpt@example.org", 0);
    queue::appendRecord(out, rec::kMesg, "");

    auto emit = [&](int type, std::string_view text) { queue::appendRecord(out, type, text); };
    queue::SubmissionHeaders headers(lineLimit, 102400, emit, addressesOf);
    queue::ContentFilter filter(fix, dotEnds);
    auto in = queue::InputStream::fromBytes(std::move(bytes), "stdin");
    std::string buf;
    // Every piece consumes input, so the loop ends; the bound is a second guard.
    for (size_t n = 0; n < (1u << 20); ++n) {
        int type = queue::readStreamLf(in, buf, lineLimit);
        if (type == rec::kEof) break;
        auto action = filter.apply(type, buf);
        if (action == queue::ContentFilter::Action::Skip) continue;
        if (action == queue::ContentFilter::Action::Stop) break;
        if (extract) {
            if (!headers.update(type, buf)) return {};
        } else {
            queue::appendRecord(out, type, buf);
        }
    }
    if (extract && !headers.finish()) return {};
    queue::appendRecord(out, rec::kXtra, "");
    if (extract)
        for (const auto& r : headers.recipients()) queue::appendRecord(out, rec::kRcpt, r);
    queue::appendRecord(out, rec::kEnd, "");
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::quietDiagnostics();
    if (size == 0) return 0;
    unsigned options = data[0];
    std::string records = submission(std::string(fuzz::asText(data + 1, size - 1)), options);
    if (records.empty()) return 0;  // -t gave up: a header over header_size_limit

    // What sendmail wrote reads back record by record, each one accepted by postdrop.
    auto in = queue::InputStream::fromBytes(records, "postdrop");
    queue::RecordReader reader(in);
    queue::PostdropCheck check(0);
    for (;;) {
        auto r = reader.next(queue::read_flag::kNone);
        if (!r) __builtin_trap();                    // sendmail wrote a record postdrop cannot read
        if (r->type == rec::kEof) __builtin_trap();  // the end record went missing
        auto verdict = check.check(r->type, r->data);
        if (verdict.kind == queue::PostdropCheck::Verdict::Kind::Fatal) __builtin_trap();
        if (r->type == rec::kEnd) break;
    }
    return 0;
}
