// Depth-first search for cycles in a graph given by a successor function, with the path
// kept on an explicit stack (a deep chain must not overflow the call stack). Used for
// virtual alias expansions and for `$name` references between parameters.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace postline::lint {

// The nodes a node leads to; the reference must stay valid for the whole search.
using Successors = std::function<const std::vector<std::string>&(const std::string&)>;
// A cycle, its members in path order from the first one met again; returns whether
// to keep searching (the walk then goes on without entering that member).
using OnCycle = std::function<bool(const std::vector<std::string>&)>;

// Walks from `start`, calling onCycle for each cycle met. Nodes whose successors were all
// walked go into `finished` and are not entered again, so one set shared by several walks
// reports each cycle once. Stops after `maxVisits` steps, so a huge graph stays cheap.
void forEachCycle(const std::string& start, const Successors& successors, const OnCycle& onCycle,
                  std::set<std::string>& finished, size_t maxVisits = std::numeric_limits<size_t>::max());

// The first cycle met from `start`, or empty.
std::vector<std::string> findCycle(const std::string& start, const Successors& successors,
                                   size_t maxVisits = std::numeric_limits<size_t>::max());

}  // namespace postline::lint
