// postconf's view of lib/config's name space: its mode bits, its fatal errors and its
// unused-parameter warnings (postconf_user.c, postconf_lookup.c, postconf_unused.c).
#include <cstdio>
#include <string>

#include "postconf_internal.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::tools::postconf {

namespace {
config::ValueView viewOf(unsigned mode) {
    if (mode & kShowDefs) return config::ValueView::Defaults;
    if (mode & kShowNondef) return config::ValueView::Explicit;
    return config::ValueView::Effective;
}
}  // namespace

NameSpace::NameSpace(unsigned, config::Config config, std::vector<config::MasterEntry> master, std::string configDir,
                     std::string)
    : config::NameSpace(std::move(config), std::move(master), std::move(configDir)) {}

void NameSpace::registerUser() { base::checkOrFatal(config::NameSpace::registerUser()); }

void NameSpace::flagUnusedMain() const {
    for (const auto& name : unusedMain()) {
        std::fflush(stdout);
        base::msgWarn(
            base::cat(configDir(), "/main.cf: unused parameter: ", name, "=", config().definition(name)->value));
    }
}

void NameSpace::flagUnusedMaster() const {
    for (const auto& u : unusedMaster()) {
        std::fflush(stdout);
        base::msgWarn(base::cat(configDir(), "/master.cf: unused parameter: ", u.name, "=", u.value));
    }
}

std::optional<std::string> NameSpace::lookup(unsigned mode, std::string_view name) const {
    return config::NameSpace::lookup(viewOf(mode), name);
}

std::string NameSpace::expandValue(unsigned mode, std::string_view value, const config::MasterEntry* scope) const {
    config::MacroResult r = expand(viewOf(mode & ~kShowNondef), value, scope);
    for (const auto& w : r.warnings) base::msgWarn(w);
    if (r.error) base::msgFatal("macro processing error");
    return r.text;
}

}  // namespace postline::tools::postconf
