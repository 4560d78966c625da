// postdrop's record checks after Postfix 3.7's postdrop/postdrop.c main loop,
// util/split_nameval.c, global/rec_attr_map.c and global/cleanup_strerror.c.
#include "postline/queue/postdrop_check.h"

#include <cctype>

#include "postline/queue/record_type.h"

namespace postline::queue {
namespace {

// The C string the check sees: everything up to the first NUL byte.
std::string_view cString(std::string_view data) { return data.substr(0, data.find('\0')); }

// "%.200s"
std::string_view clip(std::string_view text) { return text.substr(0, 200); }

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// split_nameval(): name and value trimmed, or the reason it is malformed.
const char* splitNameValue(std::string_view text, std::string_view& name, std::string_view& value) {
    size_t np = 0;
    while (np < text.size() && isSpace(text[np])) ++np;
    if (np == text.size() || text[np] == '=') return "missing attribute name";
    size_t ep = np;
    while (ep < text.size() && !isSpace(text[ep]) && text[ep] != '=') ++ep;
    size_t cp = ep;
    while (cp < text.size() && isSpace(text[cp])) ++cp;
    if (cp == text.size() || text[cp] != '=') return "missing '=' after attribute name";
    name = text.substr(np, ep - np);
    size_t vp = cp + 1;
    while (vp < text.size() && isSpace(text[vp])) ++vp;
    size_t end = text.size();
    while (end > vp && isSpace(text[end - 1])) --end;
    value = text.substr(vp, end - vp);
    return nullptr;
}

bool allowedAttribute(std::string_view name, std::string_view value) {
    if (name == "encoding") return value == "7bit" || value == "8bit" || value.empty();
    if (name == "rewrite_context") return value == "local" || value == "remote";
    // rec_attr_map()'s names, and trace_flags (3.7 lets any value through).
    return name == "envelope_id" || name == "notify_flags" || name == "dsn_orig_rcpt" || name == "ret_flags" ||
           name == "create_time" || name == "trace_flags";
}

}  // namespace

PostdropCheck::Verdict PostdropCheck::check(int type, std::string_view data) {
    static constexpr std::string_view kSegments[] = {rec::kPostEnvelopeTypes, rec::kPostContentTypes,
                                                     rec::kPostExtractTypes, ""};
    std::string uid = "uid=" + std::to_string(uid_) + ": ";
    std::string_view expected = kSegments[segment_];
    // strchr(): a NUL type byte matches the string's terminator, so 3.7 lets it pass.
    if (type != 0 && expected.find(static_cast<char>(type)) == std::string_view::npos)
        return {Verdict::Kind::Fatal, uid + "unexpected record type: " + std::to_string(type)};
    if (!expected.empty() && type == expected[0]) ++segment_;
    if (type == rec::kTime) return {Verdict::Kind::Skip, {}};
    if (type == rec::kFrom) {
        // check_login_sender_acl()'s sanity check.
        if (data.find('\0') != std::string_view::npos) {
            status_ |= cleanup_stat::kBad;
            reason_ = "NUL in FROM record";
        }
        ++fromCount_;
    }
    if (type == rec::kRcpt) ++rcptCount_;
    if (type == rec::kAttr) {
        std::string_view text = cString(data);
        std::string_view name;
        std::string_view value;
        if (const char* why = splitNameValue(text, name, value))
            return {Verdict::Kind::Skip, uid + "ignoring malformed record: " + why + ": " + std::string(clip(text))};
        if (allowedAttribute(name, value)) return {Verdict::Kind::Write, std::string(name) + "=" + std::string(value)};
        return {Verdict::Kind::Skip,
                uid + "ignoring attribute record: " + std::string(clip(name)) + "=" + std::string(clip(value))};
    }
    return {Verdict::Kind::Copy, {}};
}

}  // namespace postline::queue
