// TableQuery: postmap(1)'s read and delete operations over a list of tables
// (postmap/postmap.c: postmap_query(), postmap_queries(), postmap_seq(),
// postmap_delete(), postmap_deletes()).
#include "postline/maps/table_query.h"

#include <cerrno>
#include <memory>

#include "postline/base/base64.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/table_command.h"

namespace postline::maps {

TableQuery::TableQuery(std::vector<DictSpec> specs, QueryOptions options, OpenContext context)
    : specs_(std::move(specs)), options_(options), context_(context) {}

base::Result<std::unique_ptr<Dict>> TableQuery::open(const DictSpec& spec, OpenMode mode) {
    return openDict(spec, mode, options_.dictFlags | flag::kLock, context_);
}

namespace {

std::string querySpec(const DictSpec& spec) { return base::cat(spec.type, ":", spec.name); }

base::Error queryError(const Dict& dict, const Lookup& result, bool configShort) {
    if (result.fatal) return base::Error{result.error};
    if (configShort && result.status == DictStatus::ConfigError)
        return base::Error{base::cat("table ", dict.diagnosticSpec(), ": query error")};
    return base::Error{base::cat("table ", dict.diagnosticSpec(),
                                 ": query error: ", result.error.empty() ? std::string("Success") : result.error)};
}

}  // namespace

// With -F the stored base64 is decoded (dict_file_lookup()); a malformed value is
// reported and becomes a configuration error.
bool TableQuery::presentable(const Dict& dict, std::string_view key, std::string& value) const {
    if (!options_.valueIsFile) return true;
    auto decoded = base::base64Decode(value);
    if (!decoded) {
        base::msgWarn(base::cat("table ", dict.diagnosticSpec(), ": key ", key,
                                ": malformed BASE64 value: ", std::string_view(value).substr(0, 30)));
        return false;
    }
    value = std::move(*decoded);
    return true;
}

// One lookup as postmap_query()/postmap_queries() do it: true when found, false when
// not, an error when the table fails. An empty value is reported (and still printed);
// `warnAs` names the table in that warning.
base::Result<bool> TableQuery::lookupIn(Dict& dict, std::string_view key, std::string& value,
                                        std::string_view warnAs) const {
    Lookup result = dict.lookup(key);
    if (result.isError()) return queryError(dict, result, true);
    if (!result.isFound()) return false;
    value = std::move(result.value);
    if (!presentable(dict, key, value)) return base::Error{base::cat("table ", dict.diagnosticSpec(), ": query error")};
    if (value.empty()) warnEmptyResult(warnAs, key);
    return true;
}

base::Result<bool> TableQuery::query(std::string_view key, const OutputFn& out) {
    for (const DictSpec& spec : specs_) {
        auto dict = open(spec, OpenMode::Read);
        if (!dict) return dict.error();
        std::string value;
        // postmap_query() names the table as given on the command line here.
        auto found = lookupIn(**dict, key, value, querySpec(spec));
        if (!found) return found.error();
        (void)(*dict)->close();
        if (*found) {
            out(base::cat(value, "\n"));
            return true;
        }
    }
    return false;
}

base::Result<bool> TableQuery::queryStream(std::string_view input, const OutputFn& out) {
    std::vector<std::unique_ptr<Dict>> dicts(specs_.size());
    bool found = false;
    base::Status failed;
    // -m alone does not make postmap read a message (POSTMAP_FLAG_HB_KEY).
    const bool messageMode = options_.messageKeys.headers || options_.messageKeys.body;
    std::string line;  // one output line, its buffer reused from key to key
    auto one = [&](std::string_view key) -> base::Status {
        for (size_t n = 0; n < specs_.size(); ++n) {
            if (!dicts[n]) {
                auto dict = open(specs_[n], OpenMode::Read);
                if (!dict) return dict.error();
                dicts[n] = std::move(*dict);
            }
            Dict& dict = *dicts[n];
            std::string value;
            if (!messageMode) {
                auto hit = lookupIn(dict, key, value, dict.diagnosticSpec());
                if (!hit) return hit.error();
                if (!*hit) continue;
            } else {
                // postmap_body(): a plain dict_get(), no -F decoding, one error text.
                Lookup result = dict.lookup(key);
                if (result.isError()) return queryError(dict, result, false);
                if (!result.isFound()) continue;
                value = std::move(result.value);
                if (value.empty()) warnEmptyResult(dict.diagnosticSpec(), key);
            }
            line.assign(key).append(options_.keySeparator).append(value).push_back('\n');
            out(line);
            found = true;
            return {};
        }
        return {};
    };
    if (!messageMode) {
        // The lines of splitInputLines(), visited in place.
        while (!input.empty()) {
            size_t nl = input.find('\n');
            std::string_view key = input.substr(0, nl);
            input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
            // postmap_queries() looks up and prints STR(keybuf): the key ends at a NUL.
            key = key.substr(0, key.find('\0'));
            if (base::Status s = one(key); !s) return s.error();
        }
    } else {
        forEachMessageKey(input, options_.messageKeys, [&](std::string_view key) {
            if (failed) failed = one(key);
        });
        if (!failed) return failed.error();
    }
    for (auto& d : dicts)
        if (d) (void)d->close();
    return found;
}

base::Status TableQuery::dump(const OutputFn& out) {
    if (specs_.empty()) return {};
    const DictSpec& spec = specs_.front();
    if (spec.type == "proxy") return base::Error{"can't sequence maps via the proxy service"};
    auto opened = open(spec, OpenMode::Read);
    if (!opened) return opened.error();
    Dict& dict = **opened;
    base::Status st = dict.forEach([&](std::string_view key, std::string_view value) {
        std::string shown(value);
        if (key.empty()) {
            base::msgWarn(base::cat("table ", spec.type, ":", spec.name, ": empty lookup key value is not allowed"));
        } else if (value.empty()) {
            warnEmptyResult(base::cat(spec.type, ":", spec.name), key);
        }
        if (!presentable(dict, key, shown)) return true;
        out(base::cat(key, options_.keySeparator, shown, "\n"));
        return true;
    });
    if (!st) {
        // Backends may already give the complete text ("table T:N: sequence operation
        // is not supported", "table T:N: sequence error: WHY").
        const std::string& why = st.error().message;
        if (st.error().errnum == ENOTSUP || why.starts_with("table ")) return st;
        return base::Error{base::cat("table ", dict.diagnosticSpec(), ": sequence error: ", why)};
    }
    (void)dict.close();
    return {};
}

namespace {

// postmap -d on a proxy: table opens read-write through the proxy (O_RDWR|O_CREAT).
OpenMode deleteMode(const DictSpec& spec) { return spec.type == "proxy" ? OpenMode::Create : OpenMode::Write; }

base::Result<bool> removeOne(Dict& dict, std::string_view key) {
    auto removed = dict.remove(key);
    if (!removed && removed.error().errnum == ENOTSUP) return removed.error();  // complete text already
    if (!removed)
        return base::Error{base::cat("table ", dict.diagnosticSpec(), ": delete error: ", removed.error().message)};
    return *removed;
}

}  // namespace

base::Result<bool> TableQuery::remove(std::string_view key) {
    bool found = false;
    for (const DictSpec& spec : specs_) {
        auto dict = open(spec, deleteMode(spec));
        if (!dict) return dict.error();
        auto removed = removeOne(**dict, key);
        if (!removed) return removed.error();
        found |= *removed;
        if (base::Status s = (*dict)->close(); !s) return s.error();
    }
    return found;
}

base::Result<bool> TableQuery::removeStream(const std::function<std::string()>& readInput) {
    std::vector<std::unique_ptr<Dict>> dicts;
    for (const DictSpec& spec : specs_) {
        auto dict = open(spec, deleteMode(spec));
        if (!dict) return dict.error();
        dicts.push_back(std::move(*dict));
    }
    bool found = false;
    for (const std::string& line : splitInputLines(readInput())) {
        std::string_view key(line.c_str());  // postmap_deletes(): up to a NUL byte
        for (auto& dict : dicts) {
            auto removed = removeOne(*dict, key);
            if (!removed) return removed.error();
            found |= *removed;
        }
    }
    for (auto& dict : dicts)
        if (base::Status s = dict->close(); !s) return s.error();
    return found;
}

}  // namespace postline::maps
