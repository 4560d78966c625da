// The active queue's compact delivery request (see packed_request.h).
#include "packed_request.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace postline::qmgr {

namespace {

using delivery::DeliverRequest;

// The string fields, in their packed order; sender is the one read on its own.
constexpr std::array<std::string DeliverRequest::*, 16> kStrings = {
    &DeliverRequest::sender,         &DeliverRequest::queueName,     &DeliverRequest::queueId,
    &DeliverRequest::nexthop,        &DeliverRequest::encoding,      &DeliverRequest::dsnEnvid,
    &DeliverRequest::clientName,     &DeliverRequest::clientAddress, &DeliverRequest::clientPort,
    &DeliverRequest::protocolName,   &DeliverRequest::heloName,      &DeliverRequest::saslMethod,
    &DeliverRequest::saslUsername,   &DeliverRequest::saslSender,    &DeliverRequest::logIdent,
    &DeliverRequest::rewriteContext,
};

void appendField(std::string& out, const std::string& value) {
    uint32_t length = static_cast<uint32_t>(value.size());
    char bytes[sizeof length];
    std::memcpy(bytes, &length, sizeof length);
    out.append(bytes, sizeof bytes);
    out.append(value);
}

// The field at `pos`; `pos` moves past it.
std::string readField(const std::string& in, size_t& pos) {
    uint32_t length = 0;
    std::memcpy(&length, in.data() + pos, sizeof length);
    pos += sizeof length;
    std::string value = in.substr(pos, length);
    pos += length;
    return value;
}

}  // namespace

PackedRequest::PackedRequest(const DeliverRequest& request) {
    numbers_.flags = request.flags;
    numbers_.sendopts = request.sendopts;
    numbers_.dsnRet = request.dsnRet;
    numbers_.dataOffset = request.dataOffset;
    numbers_.dataSize = request.dataSize;
    numbers_.arrivalTime = request.arrivalTime;
    numbers_.activeTime = request.activeTime;
    numbers_.handoffTime = request.handoffTime;
    size_t total = 0;
    for (auto field : kStrings) total += sizeof(uint32_t) + (request.*field).size();
    strings_.reserve(total);
    for (auto field : kStrings) appendField(strings_, request.*field);
}

DeliverRequest PackedRequest::unpack() const {
    DeliverRequest r;
    r.flags = numbers_.flags;
    r.sendopts = numbers_.sendopts;
    r.dsnRet = numbers_.dsnRet;
    r.dataOffset = numbers_.dataOffset;
    r.dataSize = numbers_.dataSize;
    r.arrivalTime = numbers_.arrivalTime;
    r.activeTime = numbers_.activeTime;
    r.handoffTime = numbers_.handoffTime;
    size_t pos = 0;
    if (!strings_.empty())
        for (auto field : kStrings) r.*field = readField(strings_, pos);
    return r;
}

std::string PackedRequest::sender() const {
    size_t pos = 0;
    return strings_.empty() ? std::string() : readField(strings_, pos);
}

}  // namespace postline::qmgr
