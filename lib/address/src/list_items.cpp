#include "list_items.h"

#include "postline/base/files.h"
#include "postline/maps/map_list.h"

namespace postline::address {

namespace {

// match_list.c stops descending into "/file" items below this depth.
constexpr int kMaxFileDepth = 10;

void walk(std::string_view title, std::string_view text, bool positive, int depth, const ListItemFn& onItem,
          const ListErrorFn& onError) {
    for (auto& item : maps::splitMapSpecs(text)) {
        std::string_view p = item;
        bool pos = positive;
        while (!p.empty() && p[0] == '!') {
            pos = !pos;
            p.remove_prefix(1);
        }
        if (p.empty()) {
            onError(pos, p, std::string(title) + ": no pattern after '!'");
            continue;
        }
        if (p[0] == '/') {
            auto content = base::readFile(std::string(p));
            if (!content || depth > kMaxFileDepth) {
                onError(pos, p, content ? "too many nested files" : content.error().message);
                continue;
            }
            std::string_view rest = *content;
            while (!rest.empty()) {
                auto nl = rest.find('\n');
                std::string_view line = rest.substr(0, nl);
                rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
                if (!line.empty() && line[0] != '#') walk(title, line, pos, depth + 1, onItem, onError);
            }
            continue;
        }
        onItem(pos, p);
    }
}

}  // namespace

void forEachListItem(std::string_view title, std::string_view text, const ListItemFn& onItem,
                     const ListErrorFn& onError) {
    walk(title, text, true, 0, onItem, onError);
}

uint32_t listDictFlags(const config::Config& config) {
    return config.getBool("smtputf8_enable") ? maps::flag::kUtf8Request : 0;
}

}  // namespace postline::address
