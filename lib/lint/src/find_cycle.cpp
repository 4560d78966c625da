#include "find_cycle.h"

#include <utility>

namespace postline::lint {

void forEachCycle(const std::string& start, const Successors& successors, const OnCycle& onCycle,
                  std::set<std::string>& finished, size_t maxVisits) {
    // Each frame: a node on the current path and the index of its next successor.
    std::vector<std::pair<std::string, size_t>> stack{{start, 0}};
    std::set<std::string> onPath{start};
    size_t visits = 0;
    while (!stack.empty() && ++visits < maxVisits) {
        auto& [node, index] = stack.back();
        const std::vector<std::string>& out = successors(node);
        if (index >= out.size()) {
            onPath.erase(node);
            finished.insert(node);
            stack.pop_back();
            continue;
        }
        std::string child = out[index++];
        if (onPath.count(child)) {
            std::vector<std::string> cycle;
            bool in = false;
            for (const auto& [name, unused] : stack) {
                in |= name == child;
                if (in) cycle.push_back(name);
            }
            if (!onCycle(cycle)) return;
            continue;
        }
        if (!finished.count(child)) {
            onPath.insert(child);
            stack.emplace_back(child, 0);
        }
    }
}

std::vector<std::string> findCycle(const std::string& start, const Successors& successors, size_t maxVisits) {
    std::vector<std::string> found;
    std::set<std::string> finished;
    forEachCycle(
        start, successors,
        [&](const std::vector<std::string>& cycle) {
            found = cycle;
            return false;
        },
        finished, maxVisits);
    return found;
}

}  // namespace postline::lint
