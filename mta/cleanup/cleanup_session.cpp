// cleanup(8)'s conversation with its client (Postfix's cleanup/cleanup.c), byte-fed:
// the attribute handshake, records decoded as rec_get_raw() reads them, the reply.
#include "cleanup_session.h"

#include "postline/queue/record_type.h"

namespace postline::cleanup {

const std::string& CleanupSession::queueId() const {
    static const std::string kNone;
    return msg_ ? msg_->queueId() : kNone;
}

base::Result<std::string> CleanupSession::start() {
    auto msg = CleanupMessage::open(env_);
    if (!msg) return msg.error();
    msg_ = std::move(*msg);
    std::string out;
    queue::attr::append(out, "protocol", "cleanup_protocol");
    queue::attr::append(out, "queue_id", msg_->queueId());
    queue::attr::appendEnd(out);
    return out;
}

int CleanupSession::takeRecord(int& type, std::string& data) {
    // Records are taken from pos_ on; feed() drops what was taken once per call, so a
    // large chunk of small records costs one move, not one per record.
    if (pos_ >= buf_.size()) return 0;
    type = static_cast<unsigned char>(buf_[pos_]);
    size_t len = 0;
    int shift = 0;
    size_t i = pos_ + 1;
    for (;;) {
        if (i >= buf_.size()) return 0;
        unsigned char c = static_cast<unsigned char>(buf_[i++]);
        if (shift >= static_cast<int>(8 * sizeof(int)) - 7) return -1;  // "bad record length"
        len |= static_cast<size_t>(c & 0177) << shift;
        if ((c & 0200) == 0) break;
        shift += 7;
    }
    if (len > static_cast<size_t>(1) << 30) return -1;
    if (buf_.size() - i < len) return 0;
    data.assign(buf_, i, len);
    pos_ = i + len;
    return 1;
}

std::string CleanupSession::feed(std::string_view bytes) {
    if (done_ || !msg_) return {};
    if (!haveFlags_) {
        auto used = flags_.feed(bytes);
        if (!used) {
            msg_->protocolError();
            return finish();
        }
        bytes.remove_prefix(*used);
        if (!flags_.complete()) return {};
        haveFlags_ = true;
        int flags = 0;
        // attr_scan(ATTR_FLAG_STRICT, flags): anything but exactly that is a protocol error.
        if (queue::attr::expectExactly(flags_.attributes(), {"flags"})) {
            flags = static_cast<int>(std::strtoul(flags_.attributes()[0].second.c_str(), nullptr, 10));
        } else {
            msg_->protocolError();
        }
        msg_->control(flags);
    }
    buf_.erase(0, pos_);
    pos_ = 0;
    buf_.append(bytes);
    for (;;) {
        int type = 0;
        std::string data;
        int got = takeRecord(type, data);
        if (got == 0) return {};
        if (got < 0) {
            msg_->protocolError();
            return finish();
        }
        if (draining_) {
            if (type == queue::rec::kEnd) return finish();
            continue;
        }
        if (type == queue::rec::kPointer || type == queue::rec::kPadding) {
            if (env_.warn)
                env_.warn(msg_->queueId() + ": record type " + std::to_string(type) +
                          " not allowed - discarding this message");
            msg_->protocolError();
            draining_ = true;
            continue;
        }
        msg_->record(type, data);
        if (type == queue::rec::kEnd) return finish();
        if (!msg_->outOk()) draining_ = true;
    }
}

std::string CleanupSession::eof() {
    if (done_ || !msg_) return {};
    msg_->protocolError();
    return finish();
}

std::string CleanupSession::finish() {
    done_ = true;
    status_ = msg_->flush();
    std::string out;
    queue::attr::appendNumber(out, "status", static_cast<unsigned>(status_));
    queue::attr::append(out, "reason", msg_->reason());
    queue::attr::appendEnd(out);
    return out;
}

}  // namespace postline::cleanup
