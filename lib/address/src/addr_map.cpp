// mail_addr_map_opt() and mail_addr_crunch_opt().
#include "postline/address/addr_map.h"

#include "postline/address/address_parts.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/config/config.h"

namespace postline::address {

bool propagatesExtension(const RoutingContext& context, std::string_view feature) {
    for (auto& item : maps::splitMapSpecs(context.get("propagate_unmatched_extensions")))
        if (lowercase(item) == feature) return true;
    return false;
}

AddrMapResult mapAddress(RoutingContext& context, maps::MapList& tables, std::string_view address, bool propagate) {
    AddrMapResult out;
    AddrFindOptions o;
    o.query = QueryForm::External;
    auto found = findAddress(context, tables, address, o);
    out.status = found.status;
    out.step = found.step;
    if (!found.isFound()) return out;

    std::string value = found.value;  // external form
    if (!value.empty() && value[0] == '@') {
        std::string user(address.substr(0, std::min(address.rfind('@'), address.size())));
        if (!found.extension.empty()) user.resize(user.size() - found.extension.size());
        value = quoteLocalPart(user + value);
    }
    std::string extension = propagate ? found.extension : "";
    auto settings = RewriteSettings::local(context.config());
    if (value == "<>") value.clear();
    TokenList list = parseAddressList(value);
    for (auto& tok : list) {
        if (tok.type != TokenType::Address) continue;
        TokenList tokens = scanTokens(externalize(tok.children));
        rewriteTokens(tokens, settings);
        std::string internal = unquoteLocalPart(externalize(tokens));
        if (!extension.empty()) {
            auto at = internal.rfind('@');
            if (at == std::string::npos)
                internal += extension;
            else
                internal.insert(at, extension);
        }
        out.addresses.push_back(std::move(internal));
    }
    if (value.empty()) out.addresses.push_back("");
    if (out.addresses.empty()) {
        out.status = maps::DictStatus::Retry;
        out.step.status = StepStatus::Error;
        std::string w =
            tables.title() + " lookup of " + std::string(address) + " returns non-address result \"" + value + "\"";
        out.step.warnings.push_back(w);
        out.step.result = w;
        return out;
    }
    std::string joined;
    for (auto& a : out.addresses) joined += (joined.empty() ? "" : ", ") + a;
    out.step.result = found.value == joined ? joined : found.value + " -> " + joined;
    return out;
}

}  // namespace postline::address
