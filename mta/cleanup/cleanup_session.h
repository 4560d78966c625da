// cleanup(8)'s service conversation (Postfix's cleanup/cleanup.c cleanup_service()) as a
// byte-fed state machine: announce the protocol ("cleanup_protocol") and the queue id, read the
// client's flags, then queue file records up to the end record, and answer the status
// and the reason. The daemon and the unit tests run the same code.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "cleanup_message.h"
#include "postline/base/result.h"
#include "postline/queue/attr_stream.h"

namespace postline::cleanup {

class CleanupSession {
public:
    explicit CleanupSession(CleanupEnvironment& env) : env_(env) {}

    // cleanup_open(): creates the queue file; the bytes to send first (the protocol
    // name and queue id). An Error when no queue file can be made.
    base::Result<std::string> start();
    // Client bytes as they arrive; returns bytes to send (the reply, once the end record
    // arrived or the input was malformed). After done() nothing more is read.
    std::string feed(std::string_view bytes);
    // The client closed its side: finishes as cleanup does on a read error.
    std::string eof();
    bool done() const { return done_; }
    const std::string& queueId() const;
    // The status the reply carried (after done()).
    int status() const { return status_; }

private:
    std::string finish();
    // One record from `buf_`: 1 when one was taken, 0 when more bytes are needed, -1 when
    // the record is malformed.
    int takeRecord(int& type, std::string& data);

    CleanupEnvironment& env_;
    std::unique_ptr<CleanupMessage> msg_;
    queue::attr::GroupScanner flags_;
    bool haveFlags_ = false;
    std::string buf_;
    size_t pos_ = 0;         // where the next record starts in buf_
    bool draining_ = false;  // an error stopped output: read up to the end record
    bool done_ = false;
    int status_ = 0;
};

}  // namespace postline::cleanup
