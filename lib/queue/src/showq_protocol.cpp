// The showq stream (showq_protocol.h): showq.c's attr_print calls and the reading side
// of postqueue's showq_client(), showq_compat.c and showq_json.c.
#include "postline/queue/showq_protocol.h"

#include <charconv>
#include <iterator>

#include "postline/base/msg.h"
#include "postline/queue/attr_stream.h"

namespace postline::queue {

namespace {

const char* const kMalformed = "malformed showq server response";

// attr_scan0's numbers: the whole value is one decimal number ("%ld" or "%u").
bool parseNumber(const std::string& text, long& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::string showqHello() {
    std::string out;
    attr::append(out, "protocol", "mail_queue_list_protocol");
    attr::appendEnd(out);
    return out;
}

std::string showqFileReport(const ShowqEntry& entry) {
    std::string out;
    attr::append(out, "queue_name", entry.queue);
    attr::append(out, "queue_id", entry.id);
    attr::append(out, "time", std::to_string(entry.arrivalTime));
    attr::append(out, "size", std::to_string(entry.size));
    attr::appendNumber(out, "forced_expire", entry.forcedExpire ? 1 : 0);
    attr::append(out, "sender", entry.sender);
    for (const ShowqRecipient& r : entry.recipients) {
        attr::append(out, "recipient", r.address);
        attr::append(out, "reason", r.reason);
    }
    attr::appendEnd(out);
    return out;
}

std::string showqEndOfListing() {
    std::string out;
    attr::appendEnd(out);
    return out;
}

base::Status ShowqReader::readHello() {
    auto group = attr::readGroup(fd_, pending_);
    if (!group || group->size() != 1 || (*group)[0].first != "protocol" ||
        (*group)[0].second != "mail_queue_list_protocol")
        return base::Error{kMalformed};
    return {};
}

base::Result<bool> ShowqReader::next(ShowqEntry& entry) {
    auto group = attr::readGroup(fd_, pending_);
    if (!group) return base::Error{kMalformed};
    const attr::Attributes& a = *group;
    if (a.empty()) return false;
    static const char* const kHead[] = {"queue_name", "queue_id", "time", "size", "forced_expire", "sender"};
    constexpr size_t kHeadSize = std::size(kHead);
    if (a.size() < kHeadSize || (a.size() - kHeadSize) % 2 != 0) return base::Error{kMalformed};
    for (size_t i = 0; i < kHeadSize; ++i)
        if (a[i].first != kHead[i]) return base::Error{kMalformed};
    long forced = 0;
    entry = ShowqEntry{};
    if (!parseNumber(a[2].second, entry.arrivalTime) || !parseNumber(a[3].second, entry.size) ||
        !parseNumber(a[4].second, forced) || forced < 0)
        return base::Error{kMalformed};
    entry.queue = base::printable(a[0].second, utf8_);
    entry.id = base::printable(a[1].second, utf8_);
    entry.forcedExpire = forced != 0;
    entry.sender = base::printable(a[5].second, utf8_);
    for (size_t i = kHeadSize; i < a.size(); i += 2) {
        if (a[i].first != "recipient" || a[i + 1].first != "reason") return base::Error{kMalformed};
        entry.recipients.push_back({base::printable(a[i].second, utf8_), base::printable(a[i + 1].second, utf8_)});
    }
    return true;
}

}  // namespace postline::queue
