// mail_addr_find_opt(): the key order of Postfix's address lookups, with every key
// recorded so a trace can show what was asked.
#include "postline/address/addr_find.h"

#include <strings.h>

#include "postline/address/address_parts.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"

namespace postline::address {

namespace {

constexpr uint32_t kPartial = maps::flag::kFixed;

struct Search {
    maps::MapList& tables;
    const AddrFindOptions& options;
    Step& step;
    maps::MapHit hit;

    bool done() const { return hit.status != maps::DictStatus::NotFound; }

    void ask(const std::string& key, uint32_t flags) {
        step.tried.push_back(key);
        hit = tables.find(key, flags);
        if (hit.status != maps::DictStatus::NotFound) step.key = key;
        for (auto& w : hit.warnings) step.warnings.push_back(w);
    }

    // find_addr: the query form decides external, internal, or one then the other.
    void askAddress(const std::string& internal, uint32_t flags, bool withDomain) {
        QuoteOptions q;
        q.bareLocalPart = !withDomain;
        std::string external = quoteLocalPart(internal, q);
        switch (options.query) {
            case QueryForm::External:
            case QueryForm::ExternalFirst:
                ask(external, flags);
                if (done() || options.query != QueryForm::ExternalFirst || external == internal) return;
                ask(internal, flags);
                return;
            case QueryForm::Internal:
            case QueryForm::InternalFirst:
                ask(internal, flags);
                if (done() || options.query != QueryForm::InternalFirst || external == internal) return;
                ask(external, flags);
                return;
        }
    }
};

}  // namespace

AddrFindResult findAddress(RoutingContext& context, maps::MapList& tables, std::string_view address,
                           const AddrFindOptions& options, std::string_view stage) {
    AddrFindResult result;
    result.step.stage = stage.empty() ? tables.title() : std::string(stage);
    result.step.key = std::string(address);
    Search s{tables, options, result.step, {}};

    const std::string full(address);
    std::optional<StrippedAddress> stripped;
    std::string delimiters = context.get("recipient_delimiter");
    if (!delimiters.empty() && (options.strategy & strategy::kNoExt))
        stripped = stripExtension(full, delimiters, context.get("double_bounce_sender"));
    bool extensionUsed = false;
    auto at = full.rfind('@');

    if (options.strategy & strategy::kFull) s.askAddress(full, 0, true);
    if (!s.done() && stripped) {
        s.askAddress(stripped->bare, kPartial, true);
        if (s.hit.isFound()) extensionUsed = true;
    }
    // find_local: the local part alone (rats_offs 0) or with its '@' (rats_offs 1).
    auto findLocal = [&](bool keepAt) {
        s.askAddress(full.substr(0, at + (keepAt ? 1 : 0)), kPartial, keepAt);
        if (!s.done() && stripped) {
            auto bareAt = stripped->bare.rfind('@');
            s.askAddress(stripped->bare.substr(0, bareAt + (keepAt ? 1 : 0)), kPartial, keepAt);
            if (s.hit.isFound()) extensionUsed = true;
        }
    };
    if (!s.done() && at != std::string::npos &&
        (options.strategy & (strategy::kLocalpartIfLocal | strategy::kLocalpartAtIfLocal))) {
        std::string domain = full.substr(at + 1);
        std::string myorigin = context.get("myorigin");
        bool local = strcasecmp(domain.c_str(), myorigin.c_str()) == 0;
        if (!local) {
            auto loc = context.localDomains().check(domain);
            if (loc.locality == Locality::Error) {
                s.hit.status = maps::DictStatus::Retry;
                s.hit.error = loc.reason;
                result.step.warnings.push_back(loc.reason);
            }
            local = loc.locality == Locality::Local;
        }
        if (local) {
            if (options.strategy & strategy::kLocalpartIfLocal) findLocal(false);
            if (!s.done() && (options.strategy & strategy::kLocalpartAtIfLocal)) findLocal(true);
        }
    }
    if (!s.done() && at != std::string::npos && (options.strategy & strategy::kAtDomain))
        s.ask(full.substr(at), kPartial);
    if (!s.done() && at != std::string::npos && (options.strategy & strategy::kDomain)) {
        std::string name = full.substr(at + 1);
        while (!name.empty()) {
            s.ask(name, kPartial);
            if (s.done() || !(options.strategy & (strategy::kPdms | strategy::kPddmds))) break;
            auto dot = name.find('.', 1);
            if (dot == std::string::npos) break;
            name = name.substr((options.strategy & strategy::kPddmds) ? dot : dot + 1);
        }
    }
    if (!s.done() && at != std::string::npos && (options.strategy & strategy::kLocalpartAt)) findLocal(true);

    result.status = s.hit.status;
    result.step.table = s.hit.table;
    if (s.hit.isFound()) {
        result.value = options.internalResult ? unquoteLocalPart(s.hit.value) : s.hit.value;
        if (extensionUsed && stripped) result.extension = stripped->extension;
        result.step.status = StepStatus::Found;
        result.step.result = result.value;
    } else if (s.hit.status == maps::DictStatus::NotFound) {
        result.step.status = StepStatus::NotFound;
        result.step.key = full;
    } else {
        result.step.status = StepStatus::Error;
        result.step.result = s.hit.error;
    }
    return result;
}

}  // namespace postline::address
