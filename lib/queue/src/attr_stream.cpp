// Postfix's attribute protocol, "0" flavour (util/attr_print0.c, attr_scan0.c): the
// encoder, a byte-fed group scanner, and blocking helpers for clients.
#include "postline/queue/attr_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace postline::queue::attr {
namespace {

std::string_view untilNul(std::string_view s) {
    size_t nul = s.find('\0');
    return nul == std::string_view::npos ? s : s.substr(0, nul);
}

}  // namespace

void append(std::string& out, std::string_view name, std::string_view value) {
    out.append(untilNul(name));
    out.push_back('\0');
    out.append(untilNul(value));
    out.push_back('\0');
}

void appendNumber(std::string& out, std::string_view name, unsigned long value) {
    append(out, name, std::to_string(value));
}

void appendEnd(std::string& out) { out.push_back('\0'); }

base::Result<size_t> GroupScanner::feed(std::string_view in) {
    size_t used = 0;
    while (used < in.size() && !complete_) {
        char c = in[used++];
        if (c != '\0') {
            if (current_.size() >= kMaxLength) return base::Error{"attribute too long"};
            current_.push_back(c);
            continue;
        }
        if (!haveName_) {
            if (current_.empty()) {
                complete_ = true;
                break;
            }
            name_ = std::move(current_);
            haveName_ = true;
        } else {
            attributes_.emplace_back(std::move(name_), std::move(current_));
            haveName_ = false;
        }
        current_.clear();
    }
    return used;
}

const std::string* GroupScanner::find(std::string_view name) const {
    for (const auto& [n, v] : attributes_)
        if (n == name) return &v;
    return nullptr;
}

void GroupScanner::reset() {
    attributes_.clear();
    current_.clear();
    name_.clear();
    haveName_ = false;
    complete_ = false;
}

base::Status expectExactly(const Attributes& got, const std::vector<std::string_view>& names) {
    // attr_scan0 reads in order: the first name that differs from the one expected is
    // "unexpected"; a group that ends early lacks the next expected one.
    for (size_t i = 0; i < got.size(); ++i) {
        if (i >= names.size() || got[i].first != names[i]) {
            std::string wanted = i < names.size() ? std::string(names[i]) : std::string("(end)");
            return base::Error{"unexpected attribute " + got[i].first + " (expecting: " + wanted + ")"};
        }
    }
    if (got.size() < names.size()) return base::Error{"missing attribute " + std::string(names[got.size()])};
    return {};
}

base::Result<Attributes> readGroup(int fd, std::string& pending) {
    GroupScanner scanner;
    for (;;) {
        if (!pending.empty()) {
            auto used = scanner.feed(pending);
            if (!used) return used.error();
            pending.erase(0, *used);
            if (scanner.complete()) return scanner.attributes();
        }
        char buf[4096];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return base::errnoError("read error");
        if (n == 0) return base::Error{"unexpected EOF"};
        pending.append(buf, static_cast<size_t>(n));
    }
}

base::Status writeAll(int fd, std::string_view bytes) {
    // send() with MSG_NOSIGNAL: a peer that went away is an error to report, not a
    // SIGPIPE that ends the process; descriptors that are no sockets get write().
    bool socket = true;
    while (!bytes.empty()) {
        ssize_t n = socket ? ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) : -1;
        if (n < 0 && socket && errno == ENOTSOCK) {
            socket = false;
            continue;
        }
        if (!socket) n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return base::errnoError("write error");
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

namespace plain {

void append(std::string& out, std::string_view name, std::string_view value) {
    out.append(name.substr(0, name.find('\n')));
    out.push_back('=');
    out.append(value.substr(0, value.find('\n')));
    out.push_back('\n');
}

void appendNumber(std::string& out, std::string_view name, long value) { append(out, name, std::to_string(value)); }

void appendEnd(std::string& out) { out.push_back('\n'); }

void GroupScanner::reset() {
    attributes_.clear();
    line_.clear();
    complete_ = false;
}

base::Result<size_t> GroupScanner::feed(std::string_view in) {
    size_t used = 0;
    while (used < in.size() && !complete_) {
        char c = in[used++];
        if (c != '\n') {
            if (line_.size() >= queue::attr::GroupScanner::kMaxLength) return base::Error{"attribute too long"};
            line_.push_back(c);
            continue;
        }
        if (line_.empty()) {
            complete_ = true;
            break;
        }
        size_t eq = line_.find('=');
        if (eq == std::string::npos) return base::Error{"malformed attribute: " + line_.substr(0, 100)};
        attributes_.emplace_back(line_.substr(0, eq), line_.substr(eq + 1));
        line_.clear();
    }
    return used;
}

base::Result<Attributes> readGroup(int fd, std::string& pending) {
    GroupScanner scanner;
    for (;;) {
        if (!pending.empty()) {
            auto used = scanner.feed(pending);
            if (!used) return used.error();
            pending.erase(0, *used);
            if (scanner.complete()) return scanner.attributes();
        }
        char buf[4096];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return base::errnoError("read error");
        if (n == 0) return base::Error{"unexpected EOF"};
        pending.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace plain

}  // namespace postline::queue::attr
