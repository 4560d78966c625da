// What the queue manager, the delivery agents and the bounce service read from each
// other and from the spool (lib/queue's attribute protocol, lib/delivery's request and
// reply decoders, lib/queue's bounce log reader), fed arbitrary bytes: the input is read
// as attribute groups and each complete group decoded as a delivery request, a delivery
// reply, a bounce request and a bounce reply; the whole input is read as a bounce log,
// and as the showq service's stream as postqueue reads it (lib/queue's ShowqReader).
// What decodes must encode and decode again to the same thing; nothing may crash.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "postline/delivery/bounce_request.h"
#include "postline/delivery/deliver_request.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/bounce_log.h"
#include "postline/queue/showq_protocol.h"

namespace {

using namespace postline;

void decodeGroup(const queue::attr::Attributes& group) {
    if (auto request = delivery::decodeDeliverRequest(group)) {
        std::string again = delivery::encodeDeliverRequest(*request);
        queue::attr::GroupScanner scanner;
        auto used = scanner.feed(again);
        if (!used || !scanner.complete()) std::abort();
        auto second = delivery::decodeDeliverRequest(scanner.attributes());
        if (!second || delivery::encodeDeliverRequest(*second) != again) std::abort();
    }
    if (auto reply = delivery::decodeDeliverReply(group)) (void)delivery::encodeDeliverReply(*reply);
    if (auto bounce = delivery::decodeBounceRequest(group)) (void)delivery::encodeBounceRequest(*bounce);
    (void)delivery::decodeBounceReply(group);
    (void)delivery::checkAgentHello(group);
}

// Reads the file at `path` as a showq stream: the queue files it lists, until its end
// or an error.
std::vector<queue::ShowqEntry> readShowq(const std::string& path, bool& complete) {
    std::vector<queue::ShowqEntry> out;
    complete = false;
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return out;
    queue::ShowqReader reader(fd, false);
    if (reader.readHello()) {
        for (;;) {
            queue::ShowqEntry entry;
            auto more = reader.next(entry);
            if (!more) break;
            if (!*more) {
                complete = true;
                break;
            }
            out.push_back(std::move(entry));
        }
    }
    ::close(fd);
    return out;
}

bool writeFile(const std::string& path, std::string_view bytes) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    return std::fclose(f) == 0;
}

// What postqueue reads from showq: what it accepts, written again as showq writes it,
// reads back the same.
void checkShowq(const std::string& path) {
    bool complete = false;
    std::vector<queue::ShowqEntry> entries = readShowq(path, complete);
    if (!complete) return;
    std::string again = queue::showqHello();
    for (const auto& entry : entries) again += queue::showqFileReport(entry);
    again += queue::showqEndOfListing();
    if (!writeFile(path, again)) return;
    bool completeAgain = false;
    std::vector<queue::ShowqEntry> second = readShowq(path, completeAgain);
    if (!completeAgain || second.size() != entries.size()) std::abort();
    for (size_t i = 0; i < entries.size(); ++i)
        if (queue::showqFileReport(second[i]) != queue::showqFileReport(entries[i])) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    queue::attr::GroupScanner scanner;
    while (!in.empty()) {
        auto used = scanner.feed(in);
        if (!used) break;
        in.remove_prefix(*used);
        if (!scanner.complete()) break;
        decodeGroup(scanner.attributes());
        scanner.reset();
    }
    // The same bytes as a bounce or defer log in the spool.
    static const std::string path = "/tmp/delivery_protocol_fuzz." + std::to_string(::getpid());
    if (!writeFile(path, std::string_view(reinterpret_cast<const char*>(data), size))) return 0;
    (void)queue::readBounceLog(path);
    checkShowq(path);
    ::unlink(path.c_str());
    return 0;
}
