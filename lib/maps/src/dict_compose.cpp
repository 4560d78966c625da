// Tables made of other tables: unionmap:{m1, m2, ...} joins the found results of every
// member with ",", pipemap:{m1, m2, ...} feeds each result to the next member as its key.
// Mirrors Postfix's util/dict_union.c and util/dict_pipe.c; members are opened with
// openDict, so they may be in-line tables themselves.
#include <memory>
#include <vector>

#include "backends.h"
#include "postline/base/strings.h"
#include "postline/maps/brace_list.h"

namespace postline::maps::backend {

using base::cat;
using base::Error;

namespace {

using Members = std::vector<std::unique_ptr<Dict>>;

// Splits "{type:name, ...}" and opens each member. Errors use Postfix's texts.
base::Result<Members> openMembers(std::string_view type, const DictSpec& spec, OpenMode mode, uint32_t flags,
                                  const OpenContext& context) {
    const std::string& name = spec.name;
    auto badSyntax = [&] {
        return Error{cat("bad syntax: \"", type, ":", name, "\"; need \"", type, ":{type:name...}\"")};
    };
    if (mode != OpenMode::Read) return Error{cat(type, ":", name, " map requires O_RDONLY access mode")};
    auto inside = detail::extractBraced(name);
    if (!inside || inside->empty()) return badSyntax();
    std::vector<std::string> specs = detail::splitBraceItems(*inside);
    if (specs.empty()) return badSyntax();
    // Check every member spec before opening any of them, as Postfix does.
    for (const std::string& member : specs)
        if (member.find(':') == std::string::npos) return badSyntax();
    Members members;
    for (const std::string& member : specs) {
        auto dict = openDict(member, mode, flags, context);
        if (!dict) return dict.error();
        members.push_back(std::move(dict).value());
    }
    return members;
}

// The composite's own flags: the caller's, plus the FIXED/PATTERN nature of the first
// member. Postfix folds keys at the composite level only through its UTF-8 wrapper, so
// without UTF8_REQUEST the composite itself never folds (its members still do).
uint32_t compositeFlags(uint32_t flags, const Members& members) {
    uint32_t result = flags | (members.front()->flags() & (flag::kFixed | flag::kPattern));
    if (!(flags & flag::kUtf8Request)) result &= ~(flag::kFoldFix | flag::kFoldMul);
    return result;
}

class UnionDict : public Dict {
public:
    UnionDict(std::string name, uint32_t flags, Members members)
        : Dict("unionmap", std::move(name), compositeFlags(flags, members)), members_(std::move(members)) {}

protected:
    Lookup doLookup(std::string_view key) override {
        std::string joined;
        for (auto& member : members_) {
            Lookup result = member->lookup(key);
            if (result.isFound()) {
                if (!joined.empty()) joined += ',';
                joined += result.value;
            } else if (result.isError()) {
                return result;
            }
        }
        // Like Postfix, empty member results add nothing, and an all-empty union is a miss.
        return !joined.empty() ? Lookup::found(std::move(joined)) : Lookup::notFound();
    }

private:
    Members members_;
};

class PipeDict : public Dict {
public:
    PipeDict(std::string name, uint32_t flags, Members members)
        : Dict("pipemap", std::move(name), compositeFlags(flags, members)), members_(std::move(members)) {}

protected:
    Lookup doLookup(std::string_view key) override {
        std::string query(key);
        for (auto& member : members_) {
            Lookup result = member->lookup(query);
            if (!result.isFound()) return result;
            query = std::move(result.value);
        }
        return Lookup::found(std::move(query));
    }

private:
    Members members_;
};

}  // namespace

base::Result<std::unique_ptr<Dict>> openUnionmap(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                                 const OpenContext& context) {
    auto members = openMembers("unionmap", spec, mode, flags, context);
    if (!members) return members.error();
    return std::unique_ptr<Dict>(std::make_unique<UnionDict>(spec.name, flags, std::move(members).value()));
}

base::Result<std::unique_ptr<Dict>> openPipemap(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                                const OpenContext& context) {
    auto members = openMembers("pipemap", spec, mode, flags, context);
    if (!members) return members.error();
    return std::unique_ptr<Dict>(std::make_unique<PipeDict>(spec.name, flags, std::move(members).value()));
}

}  // namespace postline::maps::backend
