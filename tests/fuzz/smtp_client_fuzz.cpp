// The SMTP/LMTP client session (lib/smtp's ClientSession, Postfix's smtp_proto.c) fed
// arbitrary server bytes: the first input byte picks SMTP or LMTP, whether the session
// may be cached, whether it runs on a connection from the cache (the RSET probe first),
// and where the rest is split; the replies are fed whole and then in two pieces. Both
// runs must send the same commands and report the same outcomes, no recipient may get
// two final outcomes, a failed probe reports nothing, a reused session starts with RSET
// and a session left for the cache sent no QUIT; nothing may crash.
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
    bool reusable = false, probeFailed = false;
};

Run run(bool lmtp, bool cache, bool fromCache, std::string_view replies, size_t split,
        const std::vector<std::string>& content) {
    smtp::ClientOptions options;
    options.lmtp = lmtp;
    options.cacheSession = cache;
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
    smtp::ServerFeatures cached;
    cached.esmtp = cached.pipelining = cached.dsn = true;
    smtp::ClientSession session =
        fromCache ? smtp::ClientSession(options, message, cached) : smtp::ClientSession(options, message);
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
    out.reusable = session.reusable();
    out.probeFailed = session.probeFailed();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    bool lmtp = data[0] & 1, cache = data[0] & 2, fromCache = data[0] & 4;
    std::string_view replies(reinterpret_cast<const char*>(data) + 1, size - 1);
    // An 8bit part: a server without 8BITMIME gets it downgraded to quoted-printable.
    static const std::vector<std::string> content = {
        "Subject: fuzz", "Content-Transfer-Encoding: 8bit", "", ".dot line", "From here", "caf\xc3\xa9 body "};
    Run whole = run(lmtp, cache, fromCache, replies, replies.size(), content);
    Run pieces = run(lmtp, cache, fromCache, replies, data[0] >> 3, content);
    if (whole.sent != pieces.sent || whole.outcomes != pieces.outcomes) std::abort();
    if (whole.reusable != pieces.reusable || whole.probeFailed != pieces.probeFailed) std::abort();
    for (int n : whole.perRecipient)
        if (n > 1) std::abort();                                          // a recipient reported twice
    if (fromCache && whole.sent.rfind("RSET\r\n", 0) != 0) std::abort();  // the probe comes first
    if (whole.probeFailed && (!whole.outcomes.empty() || whole.reusable)) std::abort();
    if (whole.reusable && (whole.sent.find("QUIT\r\n") != std::string::npos || !cache)) std::abort();
    return 0;
}
