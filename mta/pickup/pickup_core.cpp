// pickup(8)'s scan and copy (Postfix's pickup/pickup.c: pickup_service, pickup_file,
// pickup_copy, copy_segment) over lib/queue's record reader and cleanup client.
#include "pickup_core.h"

#include <dirent.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

#include "postline/queue/cleanup_client.h"
#include "postline/queue/queue_path.h"
#include "postline/queue/queue_state.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::pickup {
namespace {

namespace rec = queue::rec;
namespace stat_ = queue::cleanup_stat;

// mail_date(), as cleanup uses it for its Date: header.
std::string mailDate(time_t when) {
    struct tm lt {};
    ::localtime_r(&when, &lt);
    long off = lt.tm_gmtoff / 60;
    char buf[128];
    size_t n = std::strftime(buf, sizeof buf, "%a, %e %b %Y %H:%M:%S ", &lt);
    std::string out(buf, n);
    char zone[48];
    std::snprintf(zone, sizeof zone, "%+03ld%02ld", off / 60, (off < 0 ? -off : off) % 60);
    out += zone;
    n = std::strftime(buf, sizeof buf, " (%Z)", &lt);
    out.append(buf, n);
    return out;
}

void warn(const PickupEnvironment& env, const std::string& text) {
    if (env.warn) env.warn(text);
}

// rec_attr_map(): attributes that stand for DSN records pass from the extracted segment.
bool mappedAttribute(std::string_view data) {
    size_t eq = data.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view name = data.substr(0, eq);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    if (name.empty()) return false;
    return name == "dsn_orig_rcpt" || name == "notify_flags" || name == "envelope_id" || name == "ret_flags" ||
           name == "create_time";
}

struct Copier {
    const PickupEnvironment& env;
    queue::RecordReader reader;
    struct stat st;
    PickupSink& sink;
    std::string sender;
    bool haveSender = false;

    // file_read_error(): the file is removed.
    int readError(int type) {
        warn(env, "uid=" + std::to_string(st.st_uid) + ": unexpected or malformed record type " + std::to_string(type));
        return -1;
    }

    // copy_segment(): 0 at the segment's terminator, -1 on a bad file.
    int segment(std::string_view expected) {
        bool checkFirst = expected[0] == rec::kContentTypes[0];
        bool timeSeen = false;
        for (;;) {
            auto r = reader.next(queue::read_flag::kFollowPointers | queue::read_flag::kSkipPadding, env.lineLimit);
            if (!r) {
                warn(env, r.error().message);
                return readError(rec::kError);
            }
            int type = r->type;
            // strchr() finds a NUL type byte at the string's end: it passes in Postfix.
            if (type <= 0) return readError(type);
            if (!rec::inSet(expected, type)) return readError(type);
            if (type == expected[0]) return 0;
            if (type == rec::kFrom) {
                if (!haveSender) {
                    sender = r->data.substr(0, r->data.find('\0'));
                    haveSender = true;
                }
                if (!timeSeen) sink.record(rec::kTime, std::to_string(static_cast<long>(st.st_mtime)));
            }
            if (type == rec::kTime) timeSeen = true;
            if (expected[0] != rec::kContentTypes[0] && (type == rec::kFilter || type == rec::kRedirect)) continue;
            if (expected[0] == rec::kExtractTypes[0]) {
                if (type == rec::kReturnReceipt || type == rec::kErrorsTo) continue;
                if (type == rec::kAttr && r->data.find('=') != std::string::npos && !mappedAttribute(r->data)) continue;
            }
            if (checkFirst && (type == rec::kNorm || type == rec::kCont)) {
                checkFirst = false;
                if (!r->data.empty() && (r->data[0] == ' ' || r->data[0] == '\t')) sink.record(rec::kNorm, "");
            }
            sink.record(type, r->data);
        }
    }
};

// cleanup_service_error_reason().
PickupVerdict serviceError(const std::string& path, const std::string& id, int status, const std::string& reason,
                           const PickupEnvironment& env) {
    if (reason.empty()) warn(env, path + ": error writing " + id + ": " + queue::cleanupStrerror(status));
    return (status & (stat_::kBad | stat_::kRcpt)) ? PickupVerdict::Remove : PickupVerdict::Keep;
}

}  // namespace

PickupVerdict pickupCopy(const PickupEnvironment& env, queue::InputStream& in, struct stat st, const std::string& path,
                         const std::string& id, PickupSink& sink) {
    time_t now = env.now();
    if (st.st_mtime > now + 2 * 3600) {
        warn(env, id + ": message " + path + " dated " + std::to_string(static_cast<long>(st.st_mtime - now)) +
                      " seconds into the future");
        st.st_mtime = now;
    } else if (st.st_mtime < now - 86400) {
        warn(env, id + ": message " + path + " has been queued for " +
                      std::to_string(static_cast<int>((now - st.st_mtime) / 86400)) + " days");
    }
    if (!env.contentFilter.empty()) sink.record(rec::kFilter, env.contentFilter);
    Copier c{env, queue::RecordReader(in), st, sink, {}, false};
    if (c.segment(rec::kEnvelopeTypes) != 0) return PickupVerdict::Remove;
    if (!c.haveSender) {
        warn(env, id + ": uid=" + std::to_string(st.st_uid) + ": no envelope sender");
        return PickupVerdict::Remove;
    }
    bool requeued = st.st_uid == env.ownerUid && (st.st_mode & S_IROTH) == 0;
    std::string line = id + ": uid=" + std::to_string(static_cast<int>(st.st_uid)) + " from=<" + c.sender + ">";
    if (requeued) {
        size_t slash = path.rfind('/');
        line += " orig_id=" + (slash == std::string::npos ? path : path.substr(slash + 1));
    }
    if (env.info) env.info(line);
    sink.record(rec::kMesg, "");
    sink.record(rec::kNorm, "Received: by " + env.myhostname + " (" + env.mailName + ", from userid " +
                                std::to_string(static_cast<long>(st.st_uid)) + ")");
    sink.record(rec::kNorm, "\tid " + id + "; " + mailDate(st.st_mtime));
    if (c.segment(rec::kContentTypes) != 0) return PickupVerdict::Remove;
    sink.record(rec::kXtra, "");
    if (c.segment(rec::kExtractTypes) != 0) return PickupVerdict::Remove;
    std::string reason;
    int status = sink.finish(reason);
    if (status != 0) return serviceError(path, id, status, reason, env);
    return PickupVerdict::Remove;
}

PickupVerdict pickupFile(const PickupEnvironment& env, const std::string& path, const struct stat& st) {
    auto in = queue::InputStream::open(path);
    if (!in) {
        int e = in.error().errnum;
        if (e != ENOENT) warn(env, "open input file " + path + ": " + std::strerror(e));
        if (e == EACCES)
            warn(env, "if this file was created by Postfix < 1.1, then you may have to chmod a+r QUEUE/" + path);
        return e == EACCES ? PickupVerdict::Keep : PickupVerdict::Remove;
    }
    int flags = env.cleanupFlags;
    if (st.st_uid == env.ownerUid && (st.st_mode & S_IROTH) == 0)
        flags &= ~queue::cleanup_flag::kMilter;
    else if (env.autoUtf8)
        flags |= queue::cleanup_flag::kAutoUtf8;
    auto client = queue::CleanupClient::open(env.cleanupSocket, flags);
    if (!client) {
        warn(env, client.error().message);
        return PickupVerdict::Keep;
    }
    client->setLineLimit(0);
    PickupSink sink;
    sink.record = [&](int type, std::string_view data) { client->record(type, data); };
    sink.finish = [&](std::string& reason) {
        auto reply = client->finish();
        if (!reply) return stat_::kWrite;
        reason = reply->reason;
        return reply->status;
    };
    return pickupCopy(env, *in, st, path, client->queueId(), sink);
}

int pickupScan(const PickupEnvironment& env) {
    int total = 0;
    for (;;) {
        int count = 0;
        std::vector<std::string> names;
        if (DIR* dir = ::opendir("maildrop")) {
            while (dirent* d = ::readdir(dir))
                if (d->d_name[0] != '.') names.emplace_back(d->d_name);
            ::closedir(dir);
        }
        for (const std::string& id : names) {
            if (!queue::queueIdOk(id)) continue;
            std::string path = "maildrop/" + id;
            struct stat st {};
            if (::lstat(path.c_str(), &st) != 0) {
                if (errno != ENOENT) warn(env, path + ": " + std::strerror(errno));
                continue;
            }
            if (!S_ISREG(st.st_mode)) {
                warn(env, path + ": uid " + std::to_string(st.st_uid) + ": not a regular file");
                continue;
            }
            if ((st.st_mode & S_IRWXU) != S_IRWXU) continue;  // not complete yet
            if (pickupFile(env, path, st) == PickupVerdict::Remove) {
                if (::unlink(path.c_str()) != 0)
                    warn(env, "remove " + path + ": " + std::strerror(errno));
                else
                    ++count;
            }
        }
        total += count;
        if (count == 0) return total;
    }
}

namespace {

// The names of a list parameter, lower case (commas and blanks separate them).
std::vector<std::string> listNames(std::string_view value) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < value.size()) {
        size_t j = value.find_first_of(", \t\r\n", i);
        if (j == std::string_view::npos) j = value.size();
        if (j > i) {
            std::string name(value.substr(i, j - i));
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.push_back(std::move(name));
        }
        i = j + 1;
    }
    return out;
}

}  // namespace

int applyReceiveOverrides(int flags, std::string_view receiveOverrideOptions) {
    namespace f = queue::cleanup_flag;
    for (const std::string& name : listNames(receiveOverrideOptions)) {
        if (name == "no_address_mappings") flags &= ~(f::kBccOk | f::kMapOk);
        if (name == "no_header_body_checks") flags &= ~f::kFilter;
        if (name == "no_milters") flags &= ~f::kMilter;
    }
    return flags;
}

bool autodetectsUtf8(std::string_view classes, std::string_view source) {
    for (const std::string& name : listNames(classes))
        if (name == source || name == "all") return true;
    return false;
}

}  // namespace postline::pickup
