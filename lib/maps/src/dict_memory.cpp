// Tables that live in memory and need no file: static:, inline:, fail:, environ: and
// internal:. Mirrors Postfix's util/dict_static.c, dict_inline.c, dict_fail.c,
// dict_env.c and dict_ht.c, with their exact open-time error texts.
#include <cstdlib>
#include <memory>

#include "backends.h"
#include "memory_dict.h"
#include "postline/base/strings.h"
#include "postline/maps/brace_list.h"
#include "postline/maps/utf8.h"

namespace postline::maps::backend {

using base::cat;
using base::Error;

namespace {

class StaticDict : public Dict {
public:
    StaticDict(std::string name, uint32_t flags, std::string value)
        : Dict("static", std::move(name), flags), value_(std::move(value)) {}

protected:
    Lookup doLookup(std::string_view) override { return Lookup::found(value_); }

private:
    std::string value_;
};

// Every operation fails with a temporary error. Postfix reports it with %m while errno
// is 0, which prints as "Application error" (`table fail:x: query error: Application
// error`); the Lookup error carries that same text.
constexpr std::string_view kFailReason = "Application error";

class FailDict : public Dict {
public:
    FailDict(std::string name, uint32_t flags, bool writable)
        : Dict("fail", std::move(name), flags), writable_(writable) {}

protected:
    Lookup doLookup(std::string_view) override { return Lookup::retry(std::string(kFailReason)); }
    base::Status doUpdate(std::string_view key, std::string_view value) override {
        if (!writable_) return Dict::doUpdate(key, value);
        return Error{cat("table ", spec(), ": write error: ", kFailReason)};
    }
    base::Result<bool> doRemove(std::string_view key) override {
        if (!writable_) return Dict::doRemove(key);
        return Error{cat("table ", spec(), ": delete error: ", kFailReason)};
    }
    base::Status doForEach(const ForEachFn&) override {
        return Error{cat("table ", spec(), ": sequence error: ", kFailReason)};
    }

private:
    bool writable_;
};

// Environment variables; keys are folded like any fixed-string table (so `HOME` is
// looked up as `home` unless folding is off, as in Postfix).
class EnvironDict : public Dict {
public:
    EnvironDict(std::string name, uint32_t flags) : Dict("environ", std::move(name), flags) {}

protected:
    Lookup doLookup(std::string_view key) override {
        const char* value = std::getenv(std::string(key).c_str());
        return value ? Lookup::found(value) : Lookup::notFound();
    }
    base::Status doUpdate(std::string_view key, std::string_view value) override {
        if (::setenv(std::string(key).c_str(), std::string(value).c_str(), 1) != 0)
            return base::errnoError(cat("setenv ", key));
        return {};
    }
};

// Postfix 3.7's split_nameval(): "name = value" with the name ending at whitespace or
// '='. The name may be empty ("=1"); only an all-blank text has no key at all.
const char* splitNameValue(std::string_view text, std::string& name, std::string& value) {
    size_t i = 0;
    while (i < text.size() && base::isSpace(text[i])) ++i;
    if (i == text.size()) return "no key found; expected format: key = value";
    size_t nameStart = i;
    while (i < text.size() && !base::isSpace(text[i]) && text[i] != '=') ++i;
    size_t nameEnd = i;
    while (i < text.size() && base::isSpace(text[i])) ++i;
    if (i == text.size() || text[i] != '=') return "missing '=' after attribute name";
    name.assign(text.substr(nameStart, nameEnd - nameStart));
    value.assign(base::trim(text.substr(i + 1)));
    return nullptr;
}

// Postfix's balpar() test: `text` is one balanced {...} group and nothing else.
bool isOneBraceGroup(std::string_view text) {
    if (text.empty() || text[0] != '{') return false;
    int level = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{') ++level;
        if (text[i] == '}' && --level == 0) return i + 1 == text.size();
    }
    return false;
}

}  // namespace

base::Result<std::unique_ptr<Dict>> openStatic(const DictSpec& spec, OpenMode, uint32_t flags, const OpenContext&) {
    std::string value = spec.name;
    if (!value.empty() && value[0] == '{') {
        auto inside = detail::extractBraced(value);
        if (!inside) return Error{cat("bad static:name syntax: ", inside.error().message)};
        value = std::move(inside).value();
    }
    return std::unique_ptr<Dict>(std::make_unique<StaticDict>(spec.name, flags, std::move(value)));
}

base::Result<std::unique_ptr<Dict>> openInline(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                               const OpenContext&) {
    const std::string& name = spec.name;
    auto need = [&](std::string_view what) {
        return Error{cat(what, ": \"inline:", name, "\"; need \"inline:{name=value...}\"")};
    };
    if (mode != OpenMode::Read) return Error{cat("inline:", name, " map requires O_RDONLY access mode")};
    if ((flags & flag::kUtf8Request) && !validUtf8(name)) return need("bad UTF-8 syntax");
    if (!isOneBraceGroup(name) || name.size() == 2) return need("bad syntax");

    auto dict = std::make_unique<detail::MemoryDict>("inline", name, flags);
    int count = 0;
    for (const std::string& item : detail::splitBraceItems(std::string_view(name).substr(1, name.size() - 2))) {
        std::string text = item;
        if (!text.empty() && text[0] == '{') {
            auto inside = detail::extractBraced(text);
            if (!inside) return need(inside.error().message);
            text = std::move(inside).value();
        }
        std::string key, value;
        if (const char* err = splitNameValue(text, key, value)) return need(err);
        // No duplicate checks: a later pair replaces an earlier one, as in Postfix.
        if (auto st = dict->update(key, value); !st) return st.error();
        ++count;
    }
    if (count == 0) return need("empty table");
    return std::unique_ptr<Dict>(std::move(dict));
}

base::Result<std::unique_ptr<Dict>> openFail(const DictSpec& spec, OpenMode mode, uint32_t flags, const OpenContext&) {
    // Postfix's fail table claims pattern keys, so nothing folds its queries.
    return std::unique_ptr<Dict>(std::make_unique<FailDict>(spec.name, flags | flag::kPattern, mode != OpenMode::Read));
}

base::Result<std::unique_ptr<Dict>> openEnviron(const DictSpec& spec, OpenMode, uint32_t flags, const OpenContext&) {
    return std::unique_ptr<Dict>(std::make_unique<EnvironDict>(spec.name, flags));
}

base::Result<std::unique_ptr<Dict>> openInternal(const DictSpec& spec, OpenMode, uint32_t flags, const OpenContext&) {
    return std::unique_ptr<Dict>(std::make_unique<detail::MemoryDict>("internal", spec.name, flags));
}

}  // namespace postline::maps::backend
