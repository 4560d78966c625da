// The spool's bounce/defer/trace logs: appending an entry as Postfix's
// bounce_append_service.c writes it, and reading entries back as global/bounce_log.c
// does (old-style "<rcpt>: reason" lines and "name=value" lines, mixed in one file).
#include "postline/queue/bounce_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "postline/base/files.h"
#include "postline/base/msg.h"

namespace postline::queue {
namespace {

// The attribute names of global/mail_proto.h that the log uses.
constexpr std::string_view kRecip = "recipient";
constexpr std::string_view kOrcpt = "orig_rcpt";
constexpr std::string_view kOffset = "offset";
constexpr std::string_view kDsnOrcpt = "dsn_orig_rcpt";
constexpr std::string_view kDsnNotify = "notify_flags";
constexpr std::string_view kStatus = "status";
constexpr std::string_view kAction = "action";
constexpr std::string_view kDtype = "diag_type";
constexpr std::string_view kDtext = "diag_text";
constexpr std::string_view kMtype = "mta_type";
constexpr std::string_view kMname = "mta_mname";
constexpr std::string_view kWhy = "reason";

constexpr int kNotifyAll = 1 | 2 | 4 | 8;  // NEVER|SUCCESS|FAILURE|DELAY (DSN_NOTIFY_OK)

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

void addLine(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out += '=';
    out.append(value);
    out += '\n';
}

// One entry as bounce_append_service() formats it.
std::string formatEntry(const BounceLogEntry& e, bool oldStyleLine) {
    // The empty address: "<>" in recipient=, nothing between the brackets in the old line.
    bool nullRecipient = e.recipient.empty() || e.recipient == "<>";
    std::string out = "\n";
    if (oldStyleLine) {
        out += '<';
        if (!nullRecipient) out += e.recipient;
        out += ">: ";
        out += e.reason;
        out += '\n';
    }
    addLine(out, kRecip, nullRecipient ? std::string_view("<>") : std::string_view(e.recipient));
    if (!e.original.empty() && !equalsIgnoreCase(e.original, e.recipient)) addLine(out, kOrcpt, e.original);
    if (e.offset > 0) addLine(out, kOffset, std::to_string(e.offset));
    if (!e.dsnOrcpt.empty()) addLine(out, kDsnOrcpt, e.dsnOrcpt);
    if (e.dsnNotify != 0) addLine(out, kDsnNotify, std::to_string(e.dsnNotify));
    if (!e.status.empty()) addLine(out, kStatus, e.status);
    if (!e.action.empty()) addLine(out, kAction, e.action);
    if (!e.diagType.empty() && !e.diagText.empty()) {
        addLine(out, kDtype, e.diagType);
        addLine(out, kDtext, e.diagText);
    }
    if (!e.mtaType.empty() && !e.mtaName.empty()) {
        addLine(out, kMtype, e.mtaType);
        addLine(out, kMname, e.mtaName);
    }
    if (!e.reason.empty()) addLine(out, kWhy, e.reason);
    out += '\n';
    return out;
}

bool writeAll(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool isAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The fields one entry has collected while it is being read.
struct Pending {
    BounceLogEntry entry;
    bool found = false;
};

void finish(Pending& p, std::vector<BounceLogEntry>& out) {
    // bounce_log_read()'s place holders for missing fields; status and action stay empty
    // (the reader's caller knows whether the log was bounce/ or defer/).
    if (p.entry.recipient.empty()) p.entry.recipient = "(recipient address unavailable)";
    if (p.entry.reason.empty()) p.entry.reason = "(description unavailable)";
    out.push_back(std::move(p.entry));
    p = Pending{};
}

void readLine(std::string_view raw, Pending& p) {
    std::string line = base::printable(raw, true);
    p.found = true;
    BounceLogEntry& e = p.entry;
    if (line.empty()) return;  // an embedded NUL at the start: printable() ends the text there
    if (isAlnum(line[0])) {
        // split_nameval(): "name = value", blanks around either dropped.
        size_t eq = line.find('=');
        if (eq == std::string::npos) return;  // malformed: ignored
        std::string_view name = trim(std::string_view(line).substr(0, eq));
        std::string value(trim(std::string_view(line).substr(eq + 1)));
        if (name.empty()) return;
        if (name == kRecip) {
            e.recipient = value.empty() ? "(MAILER-DAEMON)" : value;
        } else if (name == kOrcpt) {
            e.original = value.empty() ? "(MAILER-DAEMON)" : value;
        } else if (name == kDsnOrcpt) {
            e.dsnOrcpt = value;
        } else if (name == kDsnNotify) {
            int notify = std::atoi(value.c_str());
            if (notify > 0 && (notify & ~kNotifyAll) == 0) e.dsnNotify = notify;
        } else if (name == kOffset) {
            long offset = std::atol(value.c_str());
            if (offset > 0) e.offset = offset;
        } else if (name == kStatus) {
            e.status = value;
        } else if (name == kAction) {
            e.action = value;
        } else if (name == kDtype) {
            e.diagType = value;
        } else if (name == kDtext) {
            e.diagText = value;
        } else if (name == kMtype) {
            e.mtaType = value;
        } else if (name == kMname) {
            e.mtaName = value;
        } else if (name == kWhy) {
            e.reason = value;
        }
        return;  // unknown names are ignored, as bounce_log.c does (with a warning)
    }
    // Old-style "<recipient>: reason".
    if (line[0] != '<') return;
    size_t end = line.find(">: ", 1);
    if (end == std::string::npos) return;
    std::string recipient = line.substr(1, end - 1);
    e.recipient = recipient.empty() ? "(MAILER-DAEMON)" : recipient;
    size_t text = end + 2;
    while (text < line.size() && (line[text] == ' ' || line[text] == '\t' || line[text] == '\r')) ++text;
    e.reason = line.substr(text);
}

}  // namespace

base::Status appendBounceLog(const std::string& path, const BounceLogEntry& entry, bool oldStyleLine) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return base::errnoError("open file " + path);
    if (auto locked = base::lockFile(fd, base::LockStyle::Flock, base::LockMode::Exclusive); !locked) {
        int err = locked.error().errnum;
        ::close(fd);
        return base::errnoError("lock file " + path, err);
    }
    off_t origLength = ::lseek(fd, 0, SEEK_END);
    if (origLength < 0) {
        int err = errno;
        ::close(fd);
        return base::errnoError("seek file " + path, err);
    }
    std::string text = formatEntry(entry, oldStyleLine);
    if (!writeAll(fd, text) || ::fsync(fd) < 0) {
        int err = errno;
        if (::ftruncate(fd, origLength) < 0) {
            int terr = errno;
            ::close(fd);
            return base::errnoError("truncate file " + path, terr);
        }
        ::close(fd);
        return base::errnoError("append file " + path, err);
    }
    if (::close(fd) < 0) return base::errnoError("append file " + path);
    return base::Status::success();
}

base::Result<std::vector<BounceLogEntry>> readBounceLog(const std::string& path) {
    auto text = base::readFile(path);
    if (!text) return text.error();
    std::vector<BounceLogEntry> entries;
    Pending pending;
    std::string_view rest = *text;
    while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        // A blank line ends an entry (and separates them).
        if (line.empty()) {
            if (pending.found) finish(pending, entries);
            continue;
        }
        readLine(line, pending);
    }
    // As in bounce_log_read(), an entry that the end of the file cuts off before its
    // blank line (a crashed append that was never truncated back) is not returned.
    return entries;
}

}  // namespace postline::queue
