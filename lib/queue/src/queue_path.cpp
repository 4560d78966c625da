// Queue names, ids and hashed paths after Postfix 3.7's global/mail_queue.c and
// util/dir_forest.c (the long id's microseconds decoded from its base-52 alphabet as
// global/safe_ultostr.c encodes them).
#include "postline/queue/queue_path.h"

#include <strings.h>
#include <cctype>
#include <cstdio>

namespace postline::queue {
namespace {

constexpr std::string_view kSafeChars = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
constexpr size_t kLongTimePad = 10;  // seconds (6+) and microseconds (4) before 'z'
constexpr size_t kLongUsecPad = 4;
constexpr char kLongInumSeparator = 'z';

bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 && static_cast<unsigned char>(c) < 128; }

}  // namespace

std::string longIdHexUsec(std::string_view digits) {
    unsigned long value = 0;
    for (char c : digits) {
        auto at = kSafeChars.find(c);
        if (at == std::string_view::npos) {
            value = 0;
            break;
        }
        value = value * kSafeChars.size() + at;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%05X", static_cast<unsigned>(value));
    return buf;
}

bool queueNameOk(std::string_view name) {
    if (name.empty() || name.size() > 100) return false;
    for (char c : name)
        if (!isAlnum(c)) return false;
    return true;
}

bool queueIdOk(std::string_view id) {
    if (id.empty() || id.size() > 255) return false;
    for (char c : id)
        if (!isAlnum(c) && c != '_') return false;
    return true;
}

QueueLayout queueLayout(std::string_view hashQueueNames, int hashDepth) {
    QueueLayout layout;
    layout.hashedQueues.clear();
    std::string word;
    for (char c : hashQueueNames) {
        if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
            if (!word.empty()) layout.hashedQueues.push_back(std::move(word));
            word.clear();
        } else {
            word.push_back(c);
        }
    }
    if (!word.empty()) layout.hashedQueues.push_back(std::move(word));
    layout.hashDepth = hashDepth;
    return layout;
}

std::string queueDirectory(const QueueLayout& layout, std::string_view queue, std::string_view id) {
    std::string dir(queue);
    dir.push_back('/');
    for (const auto& hashed : layout.hashedQueues) {
        if (hashed.size() != queue.size() || ::strncasecmp(hashed.c_str(), queue.data(), queue.size()) != 0) continue;
        std::string key(id);
        if (auto z = id.rfind(kLongInumSeparator); z != std::string_view::npos && z >= kLongTimePad)
            key = longIdHexUsec(id.substr(z - kLongUsecPad, kLongUsecPad));
        for (int level = 0; level < layout.hashDepth; ++level) {
            dir.push_back(static_cast<size_t>(level) < key.size() ? key[static_cast<size_t>(level)] : '_');
            dir.push_back('/');
        }
        break;
    }
    return dir;
}

std::string queuePath(const QueueLayout& layout, std::string_view queue, std::string_view id) {
    return queueDirectory(layout, queue, id) + std::string(id);
}

}  // namespace postline::queue
