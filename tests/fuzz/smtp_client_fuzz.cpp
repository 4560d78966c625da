// The SMTP/LMTP client session (lib/smtp's ClientSession, Postfix's smtp_proto.c) fed
// arbitrary server bytes: the first input byte picks SMTP or LMTP and where the rest is
// split, the replies are fed whole and then in two pieces. Both runs must send the same
// commands and report the same outcomes, every recipient must get exactly one final
// outcome once the session is done or the connection is lost, and nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "postline/smtp/client_session.h"

namespace {

using namespace postline;

struct Run {
    std::string sent;
    std::string outcomes;
    std::vector<int> perRecipient;
};

Run run(bool lmtp, std::string_view replies, size_t split, const std::vector<std::string>& content) {
    smtp::ClientOptions options;
    options.lmtp = lmtp;
    options.heloName = "client.example";
    options.peer = "mx.example[192.0.2.1]";
    options.peerHost = "mx.example";
    options.nexthop = "example.com";
    options.myHostname = "client.example";
    options.loopDetect = !lmtp;
    smtp::ClientMessage message;
    message.sender = "sender@example.org";
    message.size = 120;
    message.encoding = "8bit";
    message.envid = "env+id";
    message.dsnRet = 2;
    message.recipients = {{"a@example.com", "a@example.com", "rfc822;a@example.com", 6},
                          {"b@example.com", "", "", 0},
                          {"c d@example.com", "", "", 14}};
    message.content = &content;
    smtp::ClientSession session(options, message);
    Run out;
    out.perRecipient.assign(message.recipients.size(), 0);
    auto collect = [&] {
        out.sent += session.takeOutput();
        for (const auto& o : session.takeOutcomes()) {
            out.outcomes += std::to_string(int(o.kind)) + " " + o.status + " " + o.reason + "\n";
            for (size_t r : o.recipients) {
                if (r >= out.perRecipient.size()) std::abort();  // an outcome for a recipient that does not exist
                ++out.perRecipient[r];
            }
        }
    };
    collect();
    if (split > replies.size()) split = replies.size();
    for (std::string_view piece : {replies.substr(0, split), replies.substr(split)}) {
        if (session.done()) break;
        session.feed(piece);
        collect();
    }
    if (!session.done()) {
        session.connectionLost(false);
        collect();
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    bool lmtp = data[0] & 1;
    std::string_view replies(reinterpret_cast<const char*>(data) + 1, size - 1);
    static const std::vector<std::string> content = {"Subject: fuzz", "", ".dot line", "From here", "body"};
    Run whole = run(lmtp, replies, replies.size(), content);
    Run pieces = run(lmtp, replies, data[0] >> 1, content);
    if (whole.sent != pieces.sent || whole.outcomes != pieces.outcomes) std::abort();
    for (int n : whole.perRecipient)
        if (n > 1) std::abort();  // a recipient reported twice
    return 0;
}
