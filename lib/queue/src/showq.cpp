// The mail queue listing after Postfix 3.7's showq/showq.c (which files, which records,
// in which order), global/mail_scan_dir.c and global/mail_open_ok.c (what a listable
// queue file is), global/bounce_log.c (defer log entries) and postqueue's
// showq_compat.c and showq_json.c (how the listing is printed).
#include "postline/queue/showq.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

// MAIL_QUEUE_STAT_READY: cleanup sets the owner-execute bit when the file is complete.
constexpr mode_t kStatReady = S_IRUSR | S_IWUSR | S_IXUSR;
// MAIL_QUEUE_STAT_EXPIRE: postsuper -e marks a file for expiry with group-execute.
constexpr mode_t kStatExpire = S_IXGRP;

struct DirCloser {
    void operator()(DIR* dir) const { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// scan_dir_open/scan_dir_next/scan_dir_push/scan_dir_pop: names in readdir order, "."
// and ".." left out; with `recurse`, a one-character name is a hashed subdirectory and
// is entered where it is met (mail_scan_dir_next), so the order is Postfix's.
class DirScan {
public:
    static base::Result<DirScan> open(const std::string& path, bool recurse) {
        DirScan scan;
        scan.recurse_ = recurse;
        if (auto st = scan.push(path); !st) return st.error();
        return scan;
    }
    // The next file name, or nullopt at the end; an error when a subdirectory cannot be
    // opened.
    base::Result<std::optional<std::string>> next() {
        while (!stack_.empty()) {
            struct dirent* dp = ::readdir(stack_.back().second.get());
            if (dp == nullptr) {
                stack_.pop_back();
                continue;
            }
            std::string name = dp->d_name;
            if (name == "." || name == "..") continue;
            if (recurse_ && name.size() == 1) {
                if (auto st = push(stack_.back().first + "/" + name); !st) return st.error();
                continue;
            }
            return std::optional<std::string>(std::move(name));
        }
        return std::optional<std::string>();
    }

private:
    base::Status push(const std::string& path) {
        DIR* dir = ::opendir(path.c_str());
        if (dir == nullptr) return base::errnoError(base::cat("open directory ", path));
        stack_.emplace_back(path, DirPtr(dir));
        return {};
    }
    bool recurse_ = false;
    std::vector<std::pair<std::string, DirPtr>> stack_;
};

bool isAsciiAlnum(unsigned char c) { return c < 128 && std::isalnum(c); }
bool isAsciiSpace(unsigned char c) { return c < 128 && std::isspace(c); }

// split_nameval(): "name = value", blanks around both trimmed; false when malformed.
bool splitNameValue(std::string_view text, std::string& name, std::string& value) {
    size_t i = 0;
    auto space = [&](size_t at) { return at < text.size() && isAsciiSpace(static_cast<unsigned char>(text[at])); };
    while (space(i)) ++i;
    if (i >= text.size() || text[i] == '=') return false;
    size_t nameStart = i;
    while (i < text.size() && !isAsciiSpace(static_cast<unsigned char>(text[i])) && text[i] != '=') ++i;
    size_t nameEnd = i;
    while (space(i)) ++i;
    if (i >= text.size() || text[i] != '=') return false;
    ++i;
    while (space(i)) ++i;
    size_t valueEnd = text.size();
    while (valueEnd > i && isAsciiSpace(static_cast<unsigned char>(text[valueEnd - 1]))) --valueEnd;
    name = text.substr(nameStart, nameEnd - nameStart);
    value = text.substr(i, valueEnd - i);
    return true;
}

// bounce_log_read() over a whole defer log: entries are separated by blank lines; an
// entry is "name = value" lines, or an old-style "<recipient>: reason" line. Only the
// recipient and the reason matter to the listing; the placeholders for what an entry
// lacks are Postfix's.
std::vector<ShowqRecipient> readDeferLog(const std::string& path, bool utf8, const ShowqOptions& options) {
    std::vector<ShowqRecipient> out;
    std::ifstream in(path, std::ios::binary);
    if (!in) return out;
    std::string line;
    bool found = false;
    ShowqRecipient current;
    auto finish = [&] {
        if (current.address.empty()) current.address = "(recipient address unavailable)";
        if (current.reason.empty()) current.reason = "(description unavailable)";
        out.push_back(std::move(current));
        current = {};
        found = false;
    };
    while (std::getline(in, line)) {
        if (line.empty()) {
            if (found) finish();
            continue;
        }
        std::string text = base::printable(line, utf8);
        found = true;
        if (!text.empty() && isAsciiAlnum(static_cast<unsigned char>(text[0]))) {
            std::string name, value;
            if (!splitNameValue(text, name, value)) {
                if (options.warn) options.warn(base::cat(path, ": malformed record"));
                continue;
            }
            if (name == "recipient")
                current.address = value.empty() ? "(MAILER-DAEMON)" : value;
            else if (name == "reason")
                current.reason = value;
            continue;
        }
        // Old style: "<recipient>: reason".
        auto end = text.find(">: ");
        if (text.empty() || text[0] != '<' || end == std::string::npos) {
            if (options.warn) options.warn(base::cat(path, ": malformed record: ", text.substr(0, 30), "..."));
            continue;
        }
        std::string recipient = text.substr(1, end - 1);
        current.address = recipient.empty() ? "(MAILER-DAEMON)" : recipient;
        size_t reason = end + 2;
        while (reason < text.size() && isAsciiSpace(static_cast<unsigned char>(text[reason]))) ++reason;
        current.reason = text.substr(reason);
    }
    // bounce_log_read() returns an entry only when a blank line ends it.
    return out;
}

// showq_report(): one queue file's records.
std::optional<ShowqEntry> reportFile(const ShowqOptions& options, const std::string& queue, const std::string& id,
                                     InputStream& in, const struct stat& st) {
    auto external = [&](std::string_view address) {
        std::string quoted = options.quoteLocal ? options.quoteLocal(address) : std::string(address);
        return base::printable(quoted, options.utf8);
    };
    std::optional<ShowqEntry> entry;
    RecordReader reader(in);
    long arrivalTime = 0;
    long size = static_cast<long>(st.st_size);
    bool sizeOk = false;
    std::set<std::string> dupFilter;
    for (;;) {
        auto record = reader.next(read_flag::kDefault);
        if (!record || record->type <= 0) break;
        // Records are C strings to showq: the data ends at its first NUL.
        std::string data = record->data.substr(0, record->data.find('\0'));
        switch (record->type) {
            case rec::kTime:
                if (arrivalTime == 0) arrivalTime = std::atol(data.c_str());
                break;
            case rec::kSize:
                // A maildrop file may carry a preliminary size record.
                if (!sizeOk && queue != kMaildrop) {
                    sizeOk = data.find_first_not_of("0123456789 ") == std::string::npos &&
                             (size = std::atol(data.c_str())) >= 0;
                    if (!sizeOk) {
                        if (options.warn)
                            options.warn(
                                base::cat(id, ": malformed size record: ", base::printable(data.substr(0, 100), false),
                                          " -- using file size instead"));
                        size = static_cast<long>(st.st_size);
                    }
                }
                break;
            case rec::kFrom: {
                std::string sender = external(data.empty() ? options.emptyAddress : data);
                if (entry) {
                    if (options.warn)
                        options.warn(base::cat(id, ": duplicate sender address: ", sender,
                                               " -- skipping remainder of this file"));
                    return entry;
                }
                entry.emplace();
                entry->queue = queue;
                entry->id = id;
                entry->arrivalTime = arrivalTime > 0 ? arrivalTime : static_cast<long>(st.st_mtime);
                entry->size = size;
                entry->forcedExpire = (st.st_mode & kStatExpire) != 0;
                entry->sender = std::move(sender);
                // The defer log's recipients come first, with the reasons why their
                // delivery was deferred; the queue file's recipients that it names are
                // not listed again (the log may be incomplete: delivery may have been
                // interrupted).
                for (auto& deferred : readDeferLog(queuePath(options.layout, "defer", id), options.utf8, options)) {
                    if (options.dupFilterLimit == 0 || static_cast<long>(dupFilter.size()) < options.dupFilterLimit)
                        dupFilter.insert(deferred.address);
                    entry->recipients.push_back(std::move(deferred));
                }
                break;
            }
            case rec::kOrigRcpt:
            case rec::kRcpt: {
                if (!entry) {
                    if (options.warn)
                        options.warn(base::cat(id, ": missing sender address:  -- skipping remainder of this file"));
                    return entry;
                }
                if (record->type == rec::kOrigRcpt) break;
                std::string address = external(data.empty() ? options.emptyAddress : data);
                if (!dupFilter.contains(address)) entry->recipients.push_back({std::move(address), {}});
                break;
            }
            case rec::kMesg:
                // Skip the content: the size record says how long it is.
                if (sizeOk) {
                    off_t here = in.tell();
                    if (here < 0 || !in.seek(here + size)) {
                        if (options.warn)
                            options.warn(base::cat("seek file ", queue, "/", id, ": ", std::strerror(errno)));
                        return entry;
                    }
                }
                break;
            default:
                break;
        }
    }
    return entry;
}

// %-*s for the id column and friends.
void appendPadded(std::string& out, std::string_view text, int width, bool left) {
    std::string pad(text.size() < static_cast<size_t>(width) ? static_cast<size_t>(width) - text.size() : 0, ' ');
    if (left)
        out += base::cat(text, pad);
    else
        out += base::cat(pad, text);
}

// asctime(localtime(t)) cut to `width` characters ("%20.20s").
std::string arrivalText(long seconds, size_t width) {
    time_t t = static_cast<time_t>(seconds);
    struct tm tm;
    char buf[64];
    std::string text = ::localtime_r(&t, &tm) && ::asctime_r(&tm, buf) ? std::string(buf) : std::string();
    text = text.substr(0, width);
    if (text.size() < width) text.insert(0, width - text.size(), ' ');
    return text;
}

void appendTableLine(std::string& out, bool longIds, std::string_view id, std::string_view size, std::string_view time,
                     std::string_view who) {
    // "%-11s %7s %-20s %s\n" (short ids) or "%-17s %8s %-19s %s\n" (long ids).
    appendPadded(out, id, longIds ? 17 : 11, true);
    out.push_back(' ');
    appendPadded(out, size, longIds ? 8 : 7, false);
    out.push_back(' ');
    appendPadded(out, time, longIds ? 19 : 20, true);
    out += base::cat(" ", who, "\n");
}

// json_quote(): short escapes for common controls, \u00XX for the others, '\' and '"'
// escaped, then printable().
std::string jsonQuote(std::string_view text, bool utf8) {
    std::string out;
    for (unsigned char ch : text) {
        if (ch == 0) break;
        if (ch < 0x20 || ch == 0x7f) {
            switch (ch) {
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default: {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04X", ch);
                    out += buf;
                }
            }
        } else {
            if (ch == '\\' || ch == '"') out.push_back('\\');
            out.push_back(static_cast<char>(ch));
        }
    }
    return base::printable(out, utf8);
}

}  // namespace

base::Status scanShowq(const ShowqOptions& options, const std::function<void(const ShowqEntry&)>& entry) {
    static const std::pair<std::string_view, bool> kQueues[] = {
        {kMaildrop, false}, {kActive, true}, {kIncoming, true}, {kDeferred, true}, {kHold, true}};
    for (auto [queueName, recurse] : kQueues) {
        std::string queue(queueName);
        auto scan = DirScan::open(queue, recurse);
        if (!scan) return scan.error();
        for (;;) {
            auto name = scan->next();
            if (!name) return name.error();
            if (!*name) break;
            const std::string& id = **name;
            // mail_open_ok(): a valid id, a regular file where its id says it lives,
            // complete (owner rwx).
            if (!queueIdOk(id)) continue;
            std::string path = queuePath(options.layout, queue, id);
            struct stat st;
            if (::lstat(path.c_str(), &st) < 0) {
                if (errno != ENOENT && options.warn) options.warn(base::cat(path, ": ", std::strerror(errno)));
                continue;
            }
            if (!S_ISREG(st.st_mode)) {
                if (options.warn)
                    options.warn(base::cat(path, ": uid ", std::to_string(st.st_uid), ": not a regular file"));
                continue;
            }
            if ((st.st_mode & S_IRWXU) != kStatReady) continue;
            auto in = InputStream::open(path);
            if (!in) {
                if (in.error().errnum != ENOENT && options.warn)
                    options.warn(base::cat("open ", queue, " ", id, ": ", std::strerror(in.error().errnum)));
                continue;
            }
            auto found = reportFile(options, queue, id, *in, st);
            (void)in->close();
            if (found) entry(*found);
        }
    }
    return {};
}

std::string showqCompatHeading(bool longIds) {
    std::string out;
    if (longIds)
        appendTableLine(out, true, "----Queue ID-----", "--Size--", "---Arrival Time----", "--Sender/Recipient------");
    else
        appendTableLine(out, false, "-Queue ID-", "--Size--", "----Arrival Time----", "-Sender/Recipient-------");
    return out;
}

std::string showqCompatEntry(const ShowqEntry& entry, bool longIds) {
    std::string id = entry.id;
    if (entry.queue == kActive)
        id += '*';
    else if (entry.queue == kHold)
        id += '!';
    if (entry.forcedExpire) id += '#';
    std::string out;
    appendTableLine(out, longIds, id, std::to_string(entry.size), arrivalText(entry.arrivalTime, longIds ? 19 : 20),
                    entry.sender);
    // A "(reason)" line where the reason differs from the previous recipient's; "reason
    // unavailable" once a recipient without one follows one with a reason.
    std::string saved;
    for (const auto& rcpt : entry.recipients) {
        if (rcpt.reason != saved) {
            saved = rcpt.reason;
            std::string_view shown = saved.empty() ? std::string_view("reason unavailable") : std::string_view(saved);
            size_t padding = shown.size() < 76 ? 76 - shown.size() : 0;
            out += base::cat(std::string(padding, ' '), "(", shown, ")\n");
        }
        appendTableLine(out, longIds, "", "", "", rcpt.address);
    }
    return out;
}

std::string showqCompatSummary(unsigned long count, unsigned long totalSize) {
    if (count == 0) return "Mail queue is empty\n";
    return base::cat("\n-- ", std::to_string(totalSize / 1024), " Kbytes in ", std::to_string(count), " Request",
                     count == 1 ? "" : "s", ".\n");
}

std::string showqJsonLine(const ShowqEntry& entry, bool utf8) {
    std::string out = base::cat("{\"queue_name\": \"", jsonQuote(entry.queue, utf8), "\", \"queue_id\": \"",
                                jsonQuote(entry.id, utf8), "\", \"arrival_time\": ", std::to_string(entry.arrivalTime),
                                ", \"message_size\": ", std::to_string(entry.size),
                                ", \"forced_expire\": ", entry.forcedExpire ? "true" : "false", ", \"sender\": \"",
                                jsonQuote(entry.sender, utf8), "\", \"recipients\": [");
    for (size_t i = 0; i < entry.recipients.size(); ++i) {
        const auto& rcpt = entry.recipients[i];
        if (i > 0) out += ", ";
        out += base::cat("{\"address\": \"", jsonQuote(rcpt.address, utf8), "\"");
        if (!rcpt.reason.empty()) out += base::cat(", \"delay_reason\": \"", jsonQuote(rcpt.reason, utf8), "\"");
        out += "}";
    }
    out += "]}\n";
    return out;
}

}  // namespace postline::queue
