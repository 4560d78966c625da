// sendmail's enqueue(): runs postdrop, sends it the envelope, the content and the
// extracted recipients as records, and reads its verdict. Mirrors Postfix 3.7's
// sendmail/sendmail.c enqueue() and the command side of global/mail_stream.c
// (mail_stream_command, mail_stream_finish_ipc) with the attribute protocol of
// util/attr_print0.c and util/attr_scan0.c.
#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "postline/address/tokens.h"
#include "postline/address/user_acl.h"
#include "postline/base/msg.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/maildrop_submission.h"
#include "postline/queue/postdrop_check.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"
#include "postline/queue/submission_headers.h"
#include "sendmail.h"

namespace postline::tools::sendmail {
namespace {

namespace rec = queue::rec;

// Each address of an RFC 822 address list in internal form (tok822_parse, then
// tok822_internalize of each address node).
std::vector<std::string> addressesOf(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& token : address::parseAddressList(text))
        if (token.type == address::TokenType::Address) out.push_back(address::internalize(token.children));
    return out;
}

// fullname(): $NAME, else the password file's GECOS field up to ',', ';' or '%', with
// '&' standing for the login name capitalised.
std::optional<std::string> fullName() {
    if (const char* name = std::getenv("NAME")) return std::string(name);
    struct passwd* pw = ::getpwuid(::getuid());
    if (!pw) return std::nullopt;
    std::string out;
    for (const char* cp = pw->pw_gecos ? pw->pw_gecos : ""; *cp; ++cp) {
        if (*cp == ',' || *cp == ';' || *cp == '%') break;
        if (*cp == '&') {
            if (pw->pw_name[0]) {
                out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(pw->pw_name[0]))));
                out += pw->pw_name + 1;
            }
        } else {
            out.push_back(*cp);
        }
    }
    return out;
}

// The postdrop process: its stdin is where records go, its stdout tells its queue id
// and, at the end, its status.
class Postdrop {
public:
    bool start(const std::string& command, int verbose) {
        int toChild[2];
        int fromChild[2];
        if (::pipe2(toChild, O_CLOEXEC) != 0 || ::pipe2(fromChild, O_CLOEXEC) != 0) return false;
        pid_ = ::fork();
        if (pid_ < 0) return false;
        if (pid_ == 0) {
            ::dup2(toChild[0], STDIN_FILENO);
            ::dup2(fromChild[1], STDOUT_FILENO);
            std::vector<std::string> args{command, "-r"};
            for (int i = 0; i < verbose; ++i) args.push_back("-v");
            std::vector<char*> argv;
            for (auto& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(command.c_str(), argv.data());
            _exit(127);
        }
        ::close(toChild[0]);
        ::close(fromChild[1]);
        out_ = toChild[1];
        in_ = fromChild[0];
        return true;
    }
    // attr_scan0(): "name\0value\0" pairs up to an empty name.
    std::optional<std::vector<std::pair<std::string, std::string>>> readAttributes() {
        std::vector<std::pair<std::string, std::string>> attrs;
        for (;;) {
            auto name = readString();
            if (!name) return std::nullopt;
            if (name->empty()) return attrs;
            auto value = readString();
            if (!value) return std::nullopt;
            attrs.emplace_back(std::move(*name), std::move(*value));
        }
    }
    bool write(std::string& bytes) {
        std::string_view rest = bytes;
        while (!rest.empty()) {
            ssize_t n = ::write(out_, rest.data(), rest.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return false;
            }
            rest.remove_prefix(static_cast<size_t>(n));
        }
        bytes.clear();
        return true;
    }
    void closeInput() {
        if (out_ >= 0) ::close(out_);
        out_ = -1;
    }
    int wait() {
        closeInput();
        if (in_ >= 0) ::close(in_);
        in_ = -1;
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        return status;
    }

private:
    std::optional<std::string> readString() {
        std::string s;
        for (;;) {
            char c;
            ssize_t n = ::read(in_, &c, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::nullopt;
            if (c == '\0') return s;
            s.push_back(c);
        }
    }
    pid_t pid_ = -1;
    int out_ = -1;
    int in_ = -1;
};

}  // namespace

void enqueue(const EnqueueRequest& request) {
    uid_t uid = ::getuid();
    // postdrop enforces it; this check only makes the refusal friendlier, as Postfix's.
    auto denied = address::userAclDenies("authorized_submit_users", request.submitAcl, uid);
    if (!denied) fatal(kExTempFail, denied.error().message);
    if (*denied) fatal(kExNoPerm, "User " + **denied + "(" + std::to_string(uid) + ") is not allowed to submit mail");
    std::string savedSender;
    if (request.sender) {
        // The first address of the -f argument, in internal form.
        auto addresses = addressesOf(request.sender);
        if (!addresses.empty()) savedSender = addresses.front();
        if (addresses.size() > 1) base::msgWarn(std::string("-f option specified malformed sender: ") + request.sender);
    } else {
        struct passwd* pw = ::getpwuid(uid);
        if (!pw) fatal(kExOsErr, "no login name found for user ID " + std::to_string(uid));
        savedSender = pw->pw_name;
    }
    std::string who = savedSender + "(" + std::to_string(static_cast<long>(uid)) + "): ";

    Postdrop postdrop;
    std::string commandText = request.postdropCommand + " -r";
    for (int i = 0; i < request.verbose; ++i) commandText += " -v";
    if (!postdrop.start(request.postdropCommand, request.verbose))
        fatal(kExUnavailable, who + "unable to execute " + commandText + ": " + std::strerror(errno));
    auto hello = postdrop.readAttributes();
    if (!hello || hello->size() != 2 ||
        (*hello)[0] != std::pair<std::string, std::string>("protocol", "postdrop_protocol") ||
        (*hello)[1].first != "queue_id") {
        int status = postdrop.wait();
        if (status != 0) base::msgWarn("command \"" + commandText + "\" exited with status " + std::to_string(status));
        fatal(kExUnavailable, who + "unable to execute " + commandText + ": " + std::strerror(errno));
    }

    // A fatal error from here on first lets postdrop go (end of input: it removes its
    // unfinished file) and waits for it, so that nothing of the message is left in
    // maildrop when sendmail exits, as with Postfix's sendmail.
    auto fail = [&](int status, const std::string& text) {
        postdrop.wait();
        fatal(status, text);
    };
    std::string out;
    auto flush = [&] {
        if (!postdrop.write(out)) fail(kExTempFail, who + "error writing queue file: " + std::strerror(errno));
    };

    queue::SubmissionEnvelope envelope;
    if (request.haveDsnEnvid) envelope.dsnEnvid = request.dsnEnvid;
    envelope.dsnRet = request.dsnRet;
    envelope.rewriteContext = request.rewriteContext;
    envelope.fullName = request.fullName ? std::optional<std::string>(request.fullName) : fullName();
    envelope.sender = savedSender;
    if (request.verpDelims && savedSender.empty()) fail(kExUsage, who + "-V option requires non-null sender address");
    if (!request.encoding.empty()) envelope.encoding = request.encoding;
    envelope.traceFlags = request.traceFlags;
    if (request.verpDelims) envelope.verpDelims = request.verpDelims;
    queue::appendSubmissionEnvelope(out, envelope);

    // Each command-line argument is parsed as an address list ("a, b" and
    // "Name <addr>" work); one without any address still makes an empty recipient.
    int rcptCount = 0;
    for (const auto& arg : request.recipients) {
        auto addresses = addressesOf(arg);
        for (const auto& addr : addresses) queue::appendSubmissionRecipient(out, addr, request.dsnNotify);
        if (addresses.empty()) queue::appendRecord(out, rec::kRcpt, "");
        rcptCount += addresses.empty() ? 1 : static_cast<int>(addresses.size());
    }

    queue::appendRecord(out, rec::kMesg, "");
    std::optional<queue::SubmissionHeaders> headers;
    if (request.traceFlags & queue::kTraceUserVerify) {
        if (request.extractRecipients) fail(kExUsage, who + "-t option cannot be used with -bv");
        queue::appendProbeContent(out, savedSender, request.recipients);
    } else {
        if (request.extractRecipients)
            headers.emplace(
                request.lineLimit, request.headerLimit,
                [&](int type, std::string_view text) { queue::appendRecord(out, type, text); }, addressesOf);
        auto mode = queue::parseFixLineEndings(request.fixLineEndings);
        if (!mode) fail(kExUsage, "invalid sendmail_fix_line_endings value: " + request.fixLineEndings);
        queue::ContentFilter filter(*mode, request.dotEndsMessage);
        auto in = queue::InputStream::fromDescriptor(STDIN_FILENO, "stdin");
        std::string buf;
        for (int type; (type = queue::readStreamLf(in, buf, request.lineLimit)) != rec::kEof;) {
            auto action = filter.apply(type, buf);
            if (action == queue::ContentFilter::Action::Skip) continue;
            if (action == queue::ContentFilter::Action::Stop) break;
            if (headers) {
                if (!headers->update(type, buf))
                    fail(kExDataErr, who + "unable to extract recipients: " + std::string(queue::kHeaderTooLong));
            } else {
                queue::appendRecord(out, type, buf);
            }
            if (out.size() >= 65536) flush();
        }
        if (in.readErrno() != 0) fail(kExDataErr, who + "error reading input: " + std::strerror(in.readErrno()));
    }
    if (headers && !headers->finish())
        fail(kExDataErr, who + "unable to extract recipients: " + std::string(queue::kHeaderTooLong));

    queue::appendRecord(out, rec::kXtra, "");
    if (headers) {
        for (const auto& rcpt : headers->recipients()) {
            queue::appendSubmissionRecipient(out, rcpt, request.dsnNotify);
            ++rcptCount;
        }
    }
    if (rcptCount == 0)
        fail(kExUsage, who + (request.extractRecipients ? "No recipient addresses found in message header"
                                                        : "Recipient addresses must be specified on the command "
                                                          "line or via the -t option"));
    queue::appendRecord(out, rec::kEnd, "");
    flush();

    // mail_stream_finish_ipc(): "status" and "reason", or a write error.
    int status = queue::cleanup_stat::kWrite;
    std::string why;
    if (auto result = postdrop.readAttributes();
        result && result->size() == 2 && (*result)[0].first == "status" && (*result)[1].first == "reason") {
        status = std::atoi((*result)[0].second.c_str());
        why = (*result)[1].second;
    }
    postdrop.wait();
    if (status != queue::cleanup_stat::kOk) {
        using namespace queue::cleanup_stat;
        int code = (status & kBad)      ? kExSoftware
                   : (status & kWrite)  ? kExTempFail
                   : (status & kNoPerm) ? kExNoPerm
                                        : kExUnavailable;
        fatal(code,
              who.substr(0, who.size() - 2) + ": " + (why.empty() ? std::string(queue::cleanupStrerror(status)) : why));
    }
    if (request.traceFlags) {
        std::printf("Mail Delivery Status Report will be mailed to <%s>.\n", savedSender.c_str());
        std::fflush(stdout);
    }
}

}  // namespace postline::tools::sendmail
