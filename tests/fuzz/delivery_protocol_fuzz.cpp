// What the queue manager, the delivery agents and the bounce service read from each
// other and from the spool (lib/queue's attribute protocol, lib/delivery's request and
// reply decoders, lib/queue's bounce log reader), fed arbitrary bytes: the input is read
// as attribute groups and each complete group decoded as a delivery request, a delivery
// reply, a bounce request and a bounce reply; and the whole input is read as a bounce
// log. What decodes must encode and decode again to the same thing; nothing may crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "postline/delivery/bounce_request.h"
#include "postline/delivery/deliver_request.h"
#include "postline/queue/attr_stream.h"
#include "postline/queue/bounce_log.h"

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
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    (void)queue::readBounceLog(path);
    ::unlink(path.c_str());
    return 0;
}
