// A message's delivery request attributes as the active queue keeps them (the part of
// Postfix's QMGR_MESSAGE that qmgr_deliver.c sends): the numbers as they are and the
// sixteen strings — mostly empty or short — packed into one buffer. With
// qmgr_message_active_limit (20,000) messages in memory, sixteen std::string objects
// each (32 bytes apiece even when empty) were a third of the queue manager's memory.
#pragma once

#include <string>

#include "postline/delivery/deliver_request.h"

namespace postline::qmgr {

class PackedRequest {
public:
    PackedRequest() = default;
    // Keeps everything of `request` but its recipients.
    explicit PackedRequest(const delivery::DeliverRequest& request);

    // The request again, without recipients.
    delivery::DeliverRequest unpack() const;

    int flags() const { return numbers_.flags; }
    std::string sender() const;

private:
    struct Numbers {
        int flags = delivery::kFlagDefault;
        int sendopts = 0;
        int dsnRet = 0;
        long dataOffset = 0;
        long dataSize = 0;
        double arrivalTime = 0, activeTime = 0, handoffTime = 0;
    };
    Numbers numbers_;
    std::string strings_;  // each string field: its length (4 bytes), then its bytes
};

}  // namespace postline::qmgr
