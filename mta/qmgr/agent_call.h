// One delivery request in flight (Postfix 3.7's qmgr/qmgr_deliver.c): a non-blocking
// connection to the agent's socket private/TRANSPORT, the agent's hello, the request,
// and the agent's reply — driven by the scheduler's poll loop, so that many deliveries
// run at once.
#pragma once

#include <poll.h>

#include <string>

#include "postline/delivery/deliver_request.h"

namespace postline::qmgr {

class AgentCall {
public:
    // Connects to private/TRANSPORT (relative to the queue directory, the current
    // directory) and queues `request` to be sent after the hello. `deadline` bounds the
    // connection and the hello (qmgr_ipc_timeout); the delivery itself has no limit.
    AgentCall(const std::string& transport, const delivery::DeliverRequest& request, double deadline);
    ~AgentCall();
    AgentCall(const AgentCall&) = delete;
    AgentCall& operator=(const AgentCall&) = delete;

    // What to poll for (fd -1 when finished).
    pollfd pollRequest() const;
    // Advances on readiness or time; returns true once finished.
    bool advance(short revents, double now);
    bool finished() const { return state_ == State::Done; }
    // Whether the agent answered; otherwise why not ("connect to private/local: ...").
    bool answered() const { return answered_; }
    const delivery::DeliverReply& reply() const { return reply_; }
    const std::string& failure() const { return failure_; }
    double deadline() const { return deadline_; }

private:
    enum class State { Connecting, Hello, Sending, Reply, Done };
    void fail(const std::string& why);
    bool readGroup(queue::attr::GroupScanner& scanner);

    int fd_ = -1;
    State state_ = State::Connecting;
    std::string transport_;
    std::string out_;
    size_t sent_ = 0;
    std::string pending_;
    queue::attr::GroupScanner scanner_;
    delivery::DeliverReply reply_;
    bool answered_ = false;
    std::string failure_;
    double deadline_;
};

}  // namespace postline::qmgr
