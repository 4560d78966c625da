// A multi-string matcher (Aho-Corasick) over ASCII-lowercased text: finds which of many
// literals occur anywhere in a key in one pass over the key. The literal index of
// regexp: and pcre: tables (pattern_rules.cpp) runs it over each lookup key; Postfix has
// no such index and tries every rule.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/strings.h"

namespace postline::maps::detail {

class LiteralMatcher {
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    LiteralMatcher();

    // Adds a literal (already lowercased, not empty) before build(); the same text gives
    // the same id. Ids are dense from 0.
    uint32_t add(std::string_view literal);

    // Computes the failure links; add() may not be called afterwards.
    void build();

    size_t literalCount() const { return literals_; }

    // Calls fn(id) for every occurrence of every literal in `text`, which is lowercased
    // (ASCII) as it is read. An id can be reported more than once.
    template <class Fn>
    void scan(std::string_view text, Fn&& fn) const {
        uint32_t s = 0;
        for (char ch : text) {
            auto c = static_cast<unsigned char>(base::asciiLower(ch));
            while (true) {
                if (s == 0) {
                    s = root_[c];
                    break;
                }
                uint32_t t = child(s, c);
                if (t != kNone) {
                    s = t;
                    break;
                }
                s = states_[s].fail;
            }
            for (uint32_t o = states_[s].output != kNone ? s : states_[s].dictLink; o != kNone; o = states_[o].dictLink)
                fn(states_[o].output);
        }
    }

private:
    struct Edge {
        unsigned char byte;
        uint32_t target;
    };
    struct State {
        uint32_t fail = 0;
        uint32_t output = kNone;    // the literal that ends here
        uint32_t dictLink = kNone;  // the nearest state on the failure chain with an output
        uint32_t firstEdge = 0;     // edges_[firstEdge, firstEdge + edgeCount), sorted by byte
        uint32_t edgeCount = 0;
    };

    uint32_t child(uint32_t state, unsigned char c) const;

    std::vector<State> states_;
    std::vector<Edge> edges_;
    std::vector<std::vector<Edge>> building_;  // the trie's edges until build()
    std::array<uint32_t, 256> root_{};         // the root's transitions, 0 = stay at the root
    size_t literals_ = 0;
};

}  // namespace postline::maps::detail
