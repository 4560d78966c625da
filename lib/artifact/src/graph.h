// config.json: the resolved configuration graph of a generation (docs/compile.md):
// every effective parameter, every master.cf service with its overrides, every table
// with its compiled file, the transports, and the edges between them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "postline/config/config.h"
#include "postline/config/master_cf.h"
#include "tables.h"

namespace postline::artifact {

struct GraphInput {
    const config::Config& config;
    const std::vector<config::MasterEntry>& master;
    const std::string& masterPath;
    const std::vector<std::string>& masterLines;
    const std::vector<PlannedTable>& tables;
    int generation = 0;
};

nlohmann::ordered_json buildGraph(const GraphInput& input);

}  // namespace postline::artifact
