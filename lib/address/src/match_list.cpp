// Postfix's match_list.c with the match_string and match_hostname callbacks.
#include "postline/address/match_list.h"

#include "list_items.h"
#include "postline/address/address_parts.h"
#include "postline/address/table_open.h"
#include "postline/config/config.h"
#include "postline/maps/map_list.h"
#include "postline/maps/registry.h"

namespace postline::address {

namespace {
// MATCH_DICTIONARY: "type:table" unless it starts with '['.
bool isTablePattern(std::string_view p) { return !p.empty() && p[0] != '[' && p.find(':') != std::string_view::npos; }
}  // namespace

MatchList::MatchList(MatchList&&) noexcept = default;
MatchList& MatchList::operator=(MatchList&&) noexcept = default;
MatchList::~MatchList() = default;

MatchList MatchList::create(std::string title, std::string_view text, MatchKind kind, uint32_t dictFlags) {
    MatchList list;
    list.title_ = std::move(title);
    list.kind_ = kind;
    list.parse(text, dictFlags | maps::flag::kFoldFix);
    return list;
}

MatchList MatchList::fromParameter(const config::Config& config, std::string_view name, MatchKind kind) {
    if (kind == MatchKind::Host && matchesParentStyle(config, name)) kind = MatchKind::HostParent;
    uint32_t flags = listDictFlags(config);
    return create(std::string(name), config.get(name), kind, flags);
}

void MatchList::parse(std::string_view text, uint32_t dictFlags) {
    forEachListItem(
        title_, text,
        [&](bool positive, std::string_view p) {
            Entry& e = addListEntry(entries_, positive, p);
            if (isTablePattern(p)) {
                e.pattern = std::string(p);
                // As every table lib/address opens: proxy: and unix:passwd.byname too.
                auto opened = openAddressTable(p, dictFlags, {});
                if (opened)
                    e.dict = std::shared_ptr<maps::Dict>(std::move(*opened));
                else
                    e.openError = opened.error().message;
            } else {
                e.pattern = lowercase(p);
            }
        },
        [&](bool positive, std::string_view p, std::string error) {
            Entry& e = addListEntry(entries_, positive, p);
            e.pattern = std::string(p);
            e.openError = std::move(error);
        });
}

std::string MatchList::tableOpenError() const {
    for (const auto& e : entries_)
        if (!e.openError.empty() && isTablePattern(e.pattern)) return e.openError;
    return {};
}

MatchResult MatchList::match(std::string_view rawName) {
    MatchResult r;
    std::string name = lowercase(rawName);
    auto decide = [&](const Entry& e, std::string key) {
        r.matched = e.positive;
        r.pattern = e.written;
        r.key = std::move(key);
        return r;
    };
    auto fail = [&](const Entry& e, std::string why) {
        r.matched = false;
        r.error = true;
        r.pattern = e.written;
        r.errorText = std::move(why);
        return r;
    };
    for (auto& e : entries_) {
        if (!e.openError.empty()) return fail(e, e.pattern + ": " + e.openError);
        if (e.dict) {
            // Table entry: the name, then (host lists) its parent domains.
            std::string key = name;
            size_t start = 0;
            while (true) {
                std::string probe = name.substr(start);
                auto got = e.dict->lookup(probe);
                if (got.isFound()) return decide(e, probe);
                if (got.isError()) return fail(e, e.pattern + ": table lookup problem");
                if (kind_ == MatchKind::String) break;
                auto dot = name.find('.', start + 1);
                if (dot == std::string::npos) break;
                start = kind_ == MatchKind::HostParent ? dot + 1 : dot;
            }
            continue;
        }
        const std::string& pat = e.pattern;
        if (name == pat) return decide(e, name);
        if (kind_ == MatchKind::HostParent) {
            if (name.size() > pat.size() && name.compare(name.size() - pat.size(), pat.size(), pat) == 0 &&
                name[name.size() - pat.size() - 1] == '.')
                return decide(e, name);
        } else if (kind_ == MatchKind::Host && !pat.empty() && pat[0] == '.') {
            if (name.size() > pat.size() && name.compare(name.size() - pat.size(), pat.size(), pat) == 0)
                return decide(e, name);
        }
    }
    return r;
}

bool matchesParentStyle(const config::Config& config, std::string_view parameter) {
    for (auto& item : maps::splitMapSpecs(config.get("parent_domain_matches_subdomains")))
        if (item == parameter) return true;
    return false;
}

}  // namespace postline::address
