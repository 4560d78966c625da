// Aho-Corasick construction: a trie of the literals, then failure links breadth first;
// edges are kept sorted per state in one array (a table of 10,000 rules has some 10^5
// states, too many for 256 transitions each) and the root's are a direct table.
#include "literal_matcher.h"

#include <algorithm>
#include <deque>

namespace postline::maps::detail {

LiteralMatcher::LiteralMatcher() {
    states_.emplace_back();
    building_.emplace_back();
}

uint32_t LiteralMatcher::add(std::string_view literal) {
    uint32_t s = 0;
    for (char ch : literal) {
        auto c = static_cast<unsigned char>(ch);
        uint32_t next = kNone;
        for (const Edge& e : building_[s])
            if (e.byte == c) next = e.target;
        if (next == kNone) {
            next = static_cast<uint32_t>(states_.size());
            states_.emplace_back();
            building_.emplace_back();
            building_[s].push_back({c, next});
        }
        s = next;
    }
    if (states_[s].output == kNone) states_[s].output = static_cast<uint32_t>(literals_++);
    return states_[s].output;
}

uint32_t LiteralMatcher::child(uint32_t state, unsigned char c) const {
    const State& st = states_[state];
    const Edge* begin = edges_.data() + st.firstEdge;
    const Edge* end = begin + st.edgeCount;
    if (st.edgeCount <= 8) {
        for (const Edge* e = begin; e != end; ++e)
            if (e->byte == c) return e->target;
        return kNone;
    }
    const Edge* e = std::lower_bound(begin, end, c, [](const Edge& x, unsigned char b) { return x.byte < b; });
    return e != end && e->byte == c ? e->target : kNone;
}

void LiteralMatcher::build() {
    edges_.clear();
    for (size_t s = 0; s < states_.size(); ++s) {
        auto& list = building_[s];
        std::sort(list.begin(), list.end(), [](const Edge& a, const Edge& b) { return a.byte < b.byte; });
        states_[s].firstEdge = static_cast<uint32_t>(edges_.size());
        states_[s].edgeCount = static_cast<uint32_t>(list.size());
        edges_.insert(edges_.end(), list.begin(), list.end());
    }
    building_.clear();
    building_.shrink_to_fit();
    root_.fill(0);
    std::deque<uint32_t> queue;
    const State& root = states_[0];
    for (uint32_t k = 0; k < root.edgeCount; ++k) {
        const Edge& e = edges_[root.firstEdge + k];
        root_[e.byte] = e.target;
        states_[e.target].fail = 0;
        queue.push_back(e.target);
    }
    while (!queue.empty()) {
        uint32_t s = queue.front();
        queue.pop_front();
        const State& st = states_[s];
        for (uint32_t k = 0; k < st.edgeCount; ++k) {
            const Edge e = edges_[st.firstEdge + k];
            // The failure of s·c is the longest proper suffix of it that is in the trie.
            uint32_t f = states_[s].fail;
            uint32_t target = kNone;
            while (true) {
                target = f == 0 ? root_[e.byte] : child(f, e.byte);
                if (target != kNone && target != 0) break;
                if (f == 0) {
                    target = 0;
                    break;
                }
                f = states_[f].fail;
            }
            State& t = states_[e.target];
            t.fail = target;
            const State& ft = states_[target];
            t.dictLink = ft.output != kNone ? target : ft.dictLink;
            queue.push_back(e.target);
        }
    }
}

}  // namespace postline::maps::detail
