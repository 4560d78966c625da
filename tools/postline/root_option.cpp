// --root for trace and test (root_option.h).
#include "root_option.h"

#include <set>
#include <vector>

#include "postline/base/files.h"
#include "postline/config/master_cf.h"
#include "postline/config/registry.h"
#include "postline/maps/brace_list.h"

namespace postline::tools {

void rootFileParameters(config::Config& config, const std::string& root) {
    if (root.empty()) return;
    std::string myorigin = config.get("myorigin");
    if (myorigin.starts_with('/')) config.set("myorigin", config::underRoot(root, myorigin));
    // /file/name items of match lists (virtual_mailbox_domains = /etc/postfix/vhost).
    for (const config::ParameterInfo& p : config::builtinParameters()) {
        if (p.type != config::ParamType::MatchList || !config.definition(p.name)) continue;
        bool changed = false;
        std::string value;
        for (std::string& item : maps::detail::splitBraceItems(config.get(p.name))) {
            size_t bangs = item.find_first_not_of('!');
            if (bangs != std::string::npos && item[bangs] == '/') {
                item = item.substr(0, bangs) + config::underRoot(root, item.substr(bangs));
                changed = true;
            }
            value += (value.empty() ? "" : ", ") + item;
        }
        if (changed) config.set(p.name, value);
    }
}

void rootDeliveryServices(address::RoutingContext& context, const config::Config& config, const std::string& root) {
    if (root.empty()) return;
    auto text = base::readFile(config::underRoot(root, config.configDirectory()) + "/master.cf");
    if (!text) return;  // none: no transport is refused, as without --root
    std::vector<std::vector<std::string>> entries;
    for (auto& e : config::scanMasterCf(*text).entries) entries.push_back(e.argv);
    context.setDeliveryServices(address::deliveryServicesOf(entries));
}

}  // namespace postline::tools
