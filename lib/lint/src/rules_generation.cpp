// The "generation" rule family: what changed since the compiled generation in use
// (OUTDIR/current/config.json, written by postline compile) that `postfix reload` does
// not apply: inet_interfaces and inet_protocols (postconf(5): "you MUST stop and start
// Postfix"), queue_directory (master runs in it), and the type, private or chroot field
// of a master.cf service that already existed.
#include <nlohmann/json.hpp>

#include "context.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"

namespace postline::lint {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kRestartParameters[] = {"inet_interfaces", "inet_protocols", "queue_directory"};

std::string inQuotes(const std::string& text) { return base::cat("\"", text, "\""); }

}  // namespace

void checkGenerationInUse(LintContext& context) {
    std::string outDir =
        context.compiledDir().empty() ? context.hostPath(context.configDir()) + "/compiled" : context.compiledDir();
    auto text = base::readFile(outDir + "/current/config.json");
    if (!text) return;  // nothing compiled yet: nothing to compare with
    Json graph = Json::parse(*text, nullptr, false);
    if (!graph.is_object() || !graph.contains("parameters") || !graph.contains("services")) return;
    std::string generation = base::cat("generation ", graph.value("generation", 0));
    const char* hint = "run \"postfix stop\" and \"postfix start\" instead of \"postfix reload\"";
    try {
        for (std::string_view name : kRestartParameters) {
            const Json& parameters = graph.at("parameters");
            if (!parameters.contains(std::string(name))) continue;
            std::string was = parameters.at(std::string(name)).at("expanded").get<std::string>();
            std::string now = context.value(name);
            if (was == now) continue;
            context.report("restart-required", context.origin(name),
                           base::cat(name, " changed from ", inQuotes(was), " (", generation, " in use) to ",
                                     inQuotes(now), ": postfix reload does not apply it"),
                           hint);
        }
        for (const config::MasterEntry& entry : context.master()) {
            if (entry.argv.size() < size_t(config::kMasterMinFields)) continue;
            for (const Json& service : graph.at("services")) {
                if (service.at("service").get<std::string>() != entry.name()) continue;
                // A service is named by name and type; a name that now has another type
                // (and no entry of its old type) was changed in place.
                std::string oldType = service.at("type").get<std::string>();
                for (const auto& [field, index] :
                     {std::pair<std::string, int>{"type", 1}, {"private", 2}, {"chroot", 4}}) {
                    if (field != "type" && oldType != entry.type()) continue;
                    if (field == "type") {
                        if (oldType == entry.type()) continue;
                        bool stillThere = false;
                        for (const config::MasterEntry& other : context.master())
                            if (other.argv.size() > 1 && other.name() == entry.name() && other.type() == oldType)
                                stillThere = true;
                        if (stillThere) continue;
                    }
                    std::string was = service.at(field).get<std::string>();
                    const std::string& now = entry.argv[size_t(index)];
                    if (was == now) continue;
                    context.report("restart-required", context.masterCfPath(), entry.line,
                                   base::cat("service ", entry.name(), "/", oldType, ": ", field, " changed from ",
                                             inQuotes(was), " (", generation, " in use) to ", inQuotes(now),
                                             ": postfix reload does not apply it"),
                                   hint);
                }
            }
        }
    } catch (const Json::exception&) {
        return;  // not a configuration graph this rule understands
    }
}

}  // namespace postline::lint
