// Reading a whole queue file into QueueFile, segment by segment, with the record sets of
// rec_type.h deciding what each segment may hold (as qmgr_message.c and cleanup check).
#include "postline/queue/queue_file.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

bool isSpace(char c) { return static_cast<unsigned char>(c) < 128 && std::isspace(static_cast<unsigned char>(c)); }

// split_nameval() semantics: "name = value", blanks around both trimmed.
std::optional<std::string_view> splitAttribute(std::string_view text, std::string& name, std::string& value) {
    size_t i = 0;
    while (i < text.size() && isSpace(text[i])) ++i;
    if (i >= text.size() || text[i] == '=') return "missing attribute name";
    size_t start = i;
    while (i < text.size() && !isSpace(text[i]) && text[i] != '=') ++i;
    name = text.substr(start, i - start);
    while (i < text.size() && isSpace(text[i])) ++i;
    if (i >= text.size() || text[i] != '=') return "missing '=' after attribute name";
    ++i;
    while (i < text.size() && isSpace(text[i])) ++i;
    size_t end = text.size();
    while (end > i && isSpace(text[end - 1])) --end;
    value = text.substr(i, end - i);
    return std::nullopt;
}

std::string_view segmentName(Segment s) {
    switch (s) {
        case Segment::Envelope:
            return "envelope";
        case Segment::Content:
            return "content";
        case Segment::Extracted:
            return "extracted";
    }
    return "?";
}

std::string_view allowed(Segment s) {
    switch (s) {
        case Segment::Envelope:
            return rec::kEnvelopeTypes;
        case Segment::Content:
            return rec::kContentTypes;
        case Segment::Extracted:
            return rec::kExtractTypes;
    }
    return {};
}

}  // namespace

base::Result<SizeRecord> parseSizeRecord(std::string_view value) {
    SizeRecord size;
    std::string text(value.substr(0, value.find('\0')));
    size.fields = std::sscanf(text.c_str(), "%ld %ld %ld %ld %ld %ld", &size.contentSize, &size.dataOffset,
                              &size.recipientCount, &size.qmgrFlags, &size.contentLength, &size.smtputf8);
    if (size.fields < 2 || size.dataOffset <= 0 || size.contentSize <= 0)
        return base::Error{"invalid size record: " + text.substr(0, 100), 0};
    return size;
}

std::optional<std::string_view> QueueFile::attribute(std::string_view name) const {
    for (const auto& [n, v] : attributes)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

base::Result<QueueFile> readQueueFile(InputStream& in) { return readQueueFile(in, true); }

base::Result<QueueFile> readQueueFile(InputStream& in, bool withContent) {
    QueueFile file;
    RecordReader reader(in);
    Segment segment = Segment::Envelope;
    // Per-recipient data that comes before its recipient record.
    std::string original, dsnOrcpt;
    int dsnNotify = 0;
    std::string partial;  // 'L' pieces of the current line
    for (;;) {
        auto next = reader.next(read_flag::kFollowPointers | read_flag::kSkipPadding);
        if (!next) return next.error();
        int type = next->type;
        std::string& data = next->data;
        if (type == rec::kEof) return file;  // incomplete: no end record
        if (!rec::inSet(allowed(segment), type))
            return base::Error{in.name() + ": unexpected record type " + std::to_string(type) + " in " +
                                   std::string(segmentName(segment)) + " segment",
                               0};
        if (segment == Segment::Content) {
            if (type == rec::kCont) {
                partial += data;
            } else if (type == rec::kNorm) {
                file.lines.push_back(partial + data);
                partial.clear();
            } else if (type == rec::kXtra) {
                if (!partial.empty()) file.lines.push_back(std::move(partial));
                partial.clear();
                segment = Segment::Extracted;
            }
            continue;
        }
        auto addRecipient = [&](Recipient::State state) {
            Recipient r;
            r.address = data;
            r.original = std::move(original);
            r.dsnOrcpt = std::move(dsnOrcpt);
            r.dsnNotify = dsnNotify;
            r.state = state;
            r.segment = segment;
            r.offset = reader.lastOffset();
            file.recipients.push_back(std::move(r));
            original.clear();
            dsnOrcpt.clear();
            dsnNotify = 0;
        };
        switch (type) {
            case rec::kSize: {
                if (file.size) return base::Error{"file contains multiple size records", 0};
                auto size = parseSizeRecord(data);
                if (!size) return size.error();
                file.size = *size;
                break;
            }
            case rec::kTime: {
                // "SEC USEC" (REC_TYPE_TIME_SCAN: atol, skip digits, atol).
                const char* p = data.c_str();
                long sec = std::atol(p);
                while (*p >= '0' && *p <= '9') ++p;
                file.arrivalTime = std::pair<long, long>(sec, std::atol(p));
                break;
            }
            case rec::kCreateTime:
                file.createTime = std::atol(data.c_str());
                break;
            case rec::kWarn:
                file.warnTime = std::atol(data.c_str());
                file.warnOffset = reader.lastOffset();
                break;
            case rec::kFrom:
                file.sender = data;
                break;
            case rec::kFullName:
                file.fullName = data;
                break;
            case rec::kOrigRcpt:
                original = data;
                break;
            case rec::kDsnOrcpt:
                dsnOrcpt = data;
                break;
            case rec::kDsnNotify:
                dsnNotify = std::atoi(data.c_str());
                break;
            case rec::kRcpt:
                addRecipient(Recipient::State::Todo);
                break;
            case rec::kDone:
                addRecipient(Recipient::State::Done);
                break;
            case rec::kCanceled:
                addRecipient(Recipient::State::Canceled);
                break;
            case rec::kKill:
                break;  // a record cleanup or a milter took back
            case rec::kAttr: {
                std::string name, value;
                std::string_view text(data.c_str());
                if (auto why = splitAttribute(text, name, value))
                    return base::Error{in.name() + ": malformed attribute: " + std::string(*why) + ": " +
                                           std::string(text.substr(0, 100)),
                                       0};
                if (name == "dsn_orig_rcpt")
                    dsnOrcpt = value;
                else if (name == "notify_flags")
                    dsnNotify = std::atoi(value.c_str());
                else if (name == "create_time")
                    file.createTime = std::atol(value.c_str());
                else
                    file.attributes.emplace_back(std::move(name), std::move(value));
                break;
            }
            case rec::kMesg:
                segment = Segment::Content;
                // Without the content: straight to the extracted segment's 'X' record
                // (qmgr_message_read's seek), when the size record says where it is.
                if (!withContent && file.size && file.size->dataOffset > 0 && file.size->contentSize > 0)
                    (void)in.seek(off_t(file.size->dataOffset + file.size->contentSize));
                break;
            case rec::kEnd:
                file.complete = true;
                return file;
            default:
                file.others.emplace_back(type, std::move(data));
                break;
        }
    }
}

}  // namespace postline::queue
