// matchListItems(): match_list_parse()'s reading of /file/name items.
#include "match_lists.h"

#include <cerrno>
#include <cstring>

#include "postline/base/files.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

void addItems(const LintContext& context, const std::string& value, bool negate, int depth, MatchListItems& out) {
    for (const std::string& raw : listItems(value)) {
        if (raw.starts_with('#')) break;  // match_list.c: comment at end of line is not supported
        size_t bangs = raw.find_first_not_of('!');
        if (bangs == std::string::npos) continue;
        bool negated = negate != (bangs % 2 == 1);
        std::string item = raw.substr(bangs);
        if (!item.starts_with('/')) {
            out.items.push_back((negated ? "!" : "") + item);
            continue;
        }
        auto text = base::readFile(context.hostPath(item));
        if (!text) {
            int err = text.error().errnum;
            out.unreadable.push_back({item, err ? std::strerror(err) : text.error().message, err == ENOENT});
            continue;
        }
        if (depth >= 16) continue;  // a file that includes itself
        size_t start = 0;
        while (start < text->size()) {
            size_t end = text->find('\n', start);
            if (end == std::string::npos) end = text->size();
            std::string line = text->substr(start, end - start);
            if (!line.starts_with('#')) addItems(context, line, negated, depth + 1, out);
            start = end + 1;
        }
    }
}

}  // namespace

MatchListItems matchListItems(const LintContext& context, const std::string& value) {
    MatchListItems out;
    addItems(context, value, false, 0, out);
    return out;
}

}  // namespace postline::lint
