// The Dict base: key folding and the UTF-8 policy shared by every backend
// (util/dict.c, util/dict_utf8.c), and the defaults for operations a type lacks.
#include "postline/maps/dict.h"

#include <cerrno>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/utf8.h"

namespace postline::maps {

using base::Error;

Dict::Dict(std::string type, std::string name, uint32_t flags)
    : type_(std::move(type)), name_(std::move(name)), flags_(flags) {}

Dict::~Dict() = default;

bool Dict::wantsFold() const {
    return (flags_ & flag::kFoldMul) || ((flags_ & flag::kFoldFix) && (flags_ & flag::kFixed));
}

std::string Dict::foldKey(std::string_view key) const {
    if (!wantsFold()) return std::string(key);
    if (flags_ & flag::kUtf8Request) return casefoldUtf8(key);
    return base::lowercase(key);
}

static bool allAscii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::string_view Dict::folded(std::string_view key) {
    if (!wantsFold()) return key;
    if ((flags_ & flag::kUtf8Request) && !allAscii(key)) {
        foldBuf_ = casefoldUtf8(key);
    } else {
        // ASCII lowercase: what casefold() gives for ASCII text, and the whole folding
        // without SMTPUTF8 (lowercase() byte by byte).
        foldBuf_.resize(key.size());
        for (size_t i = 0; i < key.size(); ++i) foldBuf_[i] = base::asciiLower(key[i]);
    }
    return foldBuf_;
}

Lookup Dict::lookup(std::string_view key) {
    if (flags_ & flag::kUtf8Request) {
        if (!allAscii(key) && !validUtf8(key)) {
            base::msgWarn(base::cat(type_, ":", diagnosticName(), ": non-UTF-8 key \"", key,
                                    "\": malformed UTF-8 or invalid codepoint"));
            return Lookup::notFound();
        }
    }
    Lookup result = doLookup(folded(key));
    if (result.isFound() && (flags_ & flag::kUtf8Request) && !allAscii(result.value) && !validUtf8(result.value)) {
        base::msgWarn(base::cat(type_, ":", diagnosticName(), ": key \"", key, "\": non-UTF-8 value \"", result.value,
                                "\": malformed UTF-8 or invalid codepoint"));
        return Lookup::configError("non-UTF-8 value");
    }
    return result;
}

base::Status Dict::update(std::string_view key, std::string_view value) {
    if (flags_ & flag::kUtf8Request) {
        if (!allAscii(key) && !validUtf8(key)) {
            base::msgWarn(base::cat(type_, ":", diagnosticName(), ": non-UTF-8 key \"", key,
                                    "\": malformed UTF-8 or invalid codepoint"));
            return {};
        }
        if (!allAscii(value) && !validUtf8(value)) {
            base::msgWarn(base::cat(type_, ":", diagnosticName(), ": key \"", key, "\": non-UTF-8 value \"", value,
                                    "\": malformed UTF-8 or invalid codepoint"));
            return {};
        }
    }
    return doUpdate(folded(key), value);
}

base::Result<bool> Dict::remove(std::string_view key) { return doRemove(folded(key)); }

base::Status Dict::forEach(const ForEachFn& fn) { return doForEach(fn); }

base::Status Dict::close() {
    if (closed_) return {};
    closed_ = true;
    return doClose();
}

base::Status Dict::doUpdate(std::string_view, std::string_view) {
    return Error{base::cat("table ", spec(), ": update operation is not supported"), ENOTSUP};
}

base::Result<bool> Dict::doRemove(std::string_view) {
    return Error{base::cat("table ", spec(), ": delete operation is not supported"), ENOTSUP};
}

base::Status Dict::doForEach(const ForEachFn&) {
    return Error{base::cat("table ", spec(), ": sequence operation is not supported"), ENOTSUP};
}

base::Status Dict::doClose() { return {}; }

}  // namespace postline::maps
