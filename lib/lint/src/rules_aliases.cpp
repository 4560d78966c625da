// The "aliases" rule family: alias_maps entries that local(8) would bounce as an "alias
// database loop" or refuse because allow_mail_to_commands / allow_mail_to_files leave out
// the "alias" class, and virtual_alias_maps entries that cleanup(8) would defer with
// "unreasonable virtual_alias_maps map nesting/expansion size". The expansions are the
// ones lib/address runs for the MTA and `postline trace` (deliverLocal, expandVirtual).
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "captured_warnings.h"
#include "context.h"
#include "find_cycle.h"
#include "pattern_records.h"
#include "postline/address/addr_map.h"
#include "postline/address/local_delivery.h"
#include "postline/address/local_tokens.h"
#include "postline/address/routing_context.h"
#include "postline/address/virtual_expand.h"
#include "postline/base/strings.h"
#include "postline/simulate/table_probes.h"
#include "source_tables.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

// Where `key` (folded) is defined first: the line a loop is reported at.
std::optional<Origin> definitionOf(const SourceTables& tables, const std::string& key) {
    for (const SourceEntry& e : tables.entries())
        if (base::lowercase(e.key) == key) return tables.origin(e);
    return std::nullopt;
}

// A cycle written from its smallest member, so that each is reported once.
std::vector<std::string> canonicalCycle(std::vector<std::string> cycle) {
    auto smallest = std::min_element(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), smallest, cycle.end());
    return cycle;
}

std::string showCycle(const std::vector<std::string>& cycle) {
    std::string out;
    for (const std::string& name : cycle) out += name + " -> ";
    return out + cycle.front();
}

// The first name that comes back in an "a -> b -> a -> ..." chain, and the names from it on.
std::vector<std::string> cycleInChain(const std::string& chain) {
    std::vector<std::string> names;
    for (std::string_view part : base::splitAny(chain, " ")) {
        if (part == "->") continue;
        std::string name(part);
        auto seen = std::find(names.begin(), names.end(), name);
        if (seen != names.end()) return std::vector<std::string>(seen, names.end());
        names.push_back(std::move(name));
    }
    return {};
}

// alias-command-forbidden and alias-file-forbidden: the |command and /file items of alias
// values (local's "alias" class) and, through their :include: files, of the lists those
// files hold ("include" class), with the allow_mail_to_* checks that local(8) makes
// (lib/address's local_tokens.h). Each :include: file is read once.
class AliasTargetCheck {
public:
    explicit AliasTargetCheck(LintContext& context) : context_(context) {}

    // One alias value; `what` names it in findings ("alias sales", "alias_maps rule").
    void value(const std::string& what, const std::string& value, const Origin& where) {
        for (const std::string& item : address::listItems(value))
            this->item(what, item, where, address::ExpansionClass::Alias);
    }

private:
    void item(const std::string& what, const std::string& item, const Origin& where, address::ExpansionClass cls) {
        address::LocalToken token = address::classifyToken(item);
        std::string className = address::expansionClassName(cls);
        switch (token.kind) {
            case address::LocalToken::Kind::Command:
                if (address::expansionAllowed(context_.config(), "allow_mail_to_commands", cls)) return;
                context_.report(
                    "alias-command-forbidden", where,
                    base::cat(what, " delivers to command ", item, ", but allow_mail_to_commands does not list \"",
                              className, "\"; local(8) bounces it"),
                    base::cat("add ", className, " to allow_mail_to_commands, or deliver through a pipe(8) service"));
                return;
            case address::LocalToken::Kind::File:
                if (address::expansionAllowed(context_.config(), "allow_mail_to_files", cls)) return;
                context_.report(
                    "alias-file-forbidden", where,
                    base::cat(what, " delivers to file ", item, ", but allow_mail_to_files does not list \"", className,
                              "\"; local(8) bounces it"),
                    base::cat("add ", className, " to allow_mail_to_files, or deliver to a mailbox"));
                return;
            case address::LocalToken::Kind::Include:
                include(what, token.text, where);
                return;
            case address::LocalToken::Kind::Address:
                return;
        }
    }

    // A path with a $n substitution (from a pattern table) names a different file per
    // key: not checked. Each file is checked and read once.
    void include(const std::string& what, const std::string& path, const Origin& where) {
        if (path.find('$') != std::string::npos) return;
        if (!includesSeen_.insert(path).second) return;
        auto lines = address::readIncludeFile(context_.hostPath(path));
        if (!lines) {
            context_.report("alias-include-unusable", where,
                            base::cat(what, " includes ", path, ", which local(8) refuses (", lines.error().message,
                                      "); it bounces the mail with ", address::kIncludeFileStatus),
                            "name the file by its absolute path; it must exist, be a regular file and not be "
                            "world-writable");
            return;
        }
        for (const address::IncludeLine& line : *lines)
            for (const std::string& entry : address::listItems(line.text))
                item(std::string(":include: list entry"), entry, Origin{context_.hostPath(path), line.line},
                     address::ExpansionClass::Include);
    }

    LintContext& context_;
    std::set<std::string> includesSeen_;
};

// A rule with a $n substitution in a table whose daemon forbids them (local(8)'s
// alias_maps): it skips the rule when the table opens, and pattern-error reports it.
bool skippedByDaemon(const LintContext& context, const PatternRecord& rule, std::string_view parameter) {
    return rule.substitutes && (daemonOpenFlags(context, parameter) & maps::flag::kNoRegsub);
}

void checkAliasDestinations(LintContext& context, const SourceTables& aliases) {
    AliasTargetCheck check(context);
    for (const SourceEntry& e : aliases.entries()) check.value(base::cat("alias ", e.key), e.value, aliases.origin(e));
    // regexp and pcre alias tables: their rules' results, at the line of each rule.
    std::set<std::string> done;
    for (const TableRef& ref : collectTableRefs(context)) {
        if (ref.parameter != "alias_maps" || !isPatternTable(ref) || !done.insert(ref.text).second) continue;
        for (const PatternRecord& rule : patternRecords(ref))
            if (!skippedByDaemon(context, rule, "alias_maps")) check.value("alias_maps rule", rule.result, rule.where);
    }
}

// An address that a regexp or pcre rule of alias_maps or virtual_alias_maps gives:
// where the expansion walk starts for those tables, which have no keys to start from.
struct PatternSeed {
    std::string address;
    Origin where;  // the rule
};

// The rule's result with every ${n} filled in with the probe local part and "$$" made
// '$': the address mail gets once the rule matched, for some key. A cycle met from it is
// one that mail to that address (which a client may send) enters.
std::string fillInResult(std::string_view result) {
    std::string out;
    for (size_t i = 0; i < result.size(); ++i) {
        if (result[i] != '$' || i + 1 == result.size()) {
            out += result[i];
        } else if (result[i + 1] == '$') {
            out += '$';
            ++i;
        } else if (result[i + 1] == '{') {
            size_t close = result.find('}', i);
            if (close == std::string_view::npos) close = result.size() - 1;
            out += simulate::kProbeLocalPart;
            i = close;
        } else {
            out += result[i];
        }
    }
    return out;
}

// Every list item that the pattern tables of main.cf's `parameter` give and `wanted`
// keeps, folded to lower case.
std::vector<PatternSeed> patternSeeds(LintContext& context, std::string_view parameter,
                                      bool (*wanted)(const std::string& item)) {
    std::vector<PatternSeed> seeds;
    std::set<std::string> done;
    for (const TableRef& ref : collectTableRefs(context)) {
        if (ref.parameter != parameter || ref.origin.file != context.mainCfPath() || !isPatternTable(ref) ||
            !done.insert(ref.text).second)
            continue;
        for (const PatternRecord& rule : patternRecords(ref)) {
            if (skippedByDaemon(context, rule, parameter)) continue;
            for (const std::string& item : address::listItems(fillInResult(rule.result)))
                if (wanted(item)) seeds.push_back({base::lowercase(item), rule.where});
        }
    }
    return seeds;
}

// Where virtual alias expansion starts: full addresses.
bool isAddress(const std::string& item) { return item.find('@') != std::string::npos; }

// Where alias expansion starts: local names that local(8) looks up again (not commands,
// files, :include: lists or addresses with a domain).
bool isLocalName(const std::string& item) {
    return item.find('@') == std::string::npos &&
           address::classifyToken(item).kind == address::LocalToken::Kind::Address;
}

// `seeds`: the names the rules of pattern alias tables give.
void checkAliasLoops(LintContext& context, const SourceTables& aliases, const std::vector<PatternSeed>& seeds) {
    address::RoutingContext routing(context.config());
    // The tables' own warnings (rules local(8) skips) are pattern-error's findings.
    (void)captureWarnings([&] {
        routing.setMaps("alias_maps", aliases.mapList(routing.tableFlags(daemonOpenFlags(context, "alias_maps"))));
    });
    std::set<std::vector<std::string>> reported;
    // Expands one name as local(8) does; `where` is the entry or rule it comes from.
    auto expand = [&](const std::string& name, const Origin& where) {
        if (name.starts_with("owner-")) return;
        auto result = address::deliverLocal(routing, name);
        for (const address::LocalDelivery& d : result.deliveries) {
            if (d.kind != address::LocalDelivery::Kind::Bounce ||
                d.target.find("alias database loop") == std::string::npos)
                continue;
            std::vector<std::string> cycle = cycleInChain(d.via);
            if (cycle.empty()) continue;
            cycle = canonicalCycle(cycle);
            if (!reported.insert(cycle).second) continue;
            context.report(
                "alias-loop", definitionOf(aliases, cycle.front()).value_or(where),
                base::cat("alias loop: ", showCycle(cycle), "; local(8) bounces the mail (alias database loop)"),
                "make one of the aliases deliver to a mailbox or to an address outside the loop");
        }
    };
    (void)captureWarnings([&] {
        for (const SourceEntry& e : aliases.entries()) expand(base::lowercase(e.key), aliases.origin(e));
        for (const PatternSeed& seed : seeds) expand(seed.address, seed.where);
    });
}

// A cycle of virtual alias expansions reachable from `start` (self-expansion, which
// cleanup allows once, does not count), or empty.
std::vector<std::string> findVirtualCycle(address::RoutingContext& routing, const std::string& start, bool propagate) {
    auto& tables = routing.maps("virtual_alias_maps");
    std::map<std::string, std::vector<std::string>> edges;
    auto next = [&](const std::string& address) -> const std::vector<std::string>& {
        auto it = edges.find(address);
        if (it != edges.end()) return it->second;
        std::vector<std::string> out;
        auto mapped = address::mapAddress(routing, tables, address, propagate);
        if (mapped.isFound())
            for (const std::string& a : mapped.addresses)
                if (base::lowercase(a) != address) out.push_back(base::lowercase(a));
        return edges.emplace(address, std::move(out)).first->second;
    };
    // Bounded so that a huge expansion stays cheap.
    return findCycle(start, next, 100000);
}

class VirtualAliasCheck {
public:
    VirtualAliasCheck(LintContext& context, const SourceTables& tables)
        : context_(context), tables_(tables), routing_(context.config()) {
        routing_.setMaps("virtual_alias_maps", tables.mapList(routing_.tableFlags()));
        propagate_ = address::propagatesExtension(routing_, "virtual");
    }

    // Expands `address` as cleanup(8) does and reports why cleanup would defer it:
    // `where` is the entry or rule the address comes from.
    void expand(const std::string& address, const Origin& where) {
        address::Steps steps;
        address::VirtualExpansion expansion = address::expandVirtual(routing_, address, steps);
        if (!expansion.defer) return;
        std::string warning;
        for (const address::Step& s : steps)
            if (s.status == address::StepStatus::Error && !s.warnings.empty()) warning = s.warnings.front();
        if (warning.find("map nesting") != std::string::npos) {
            std::vector<std::string> cycle = findVirtualCycle(routing_, address, propagate_);
            if (!cycle.empty()) {
                cycle = canonicalCycle(cycle);
                if (!reported_.insert(cycle).second) return;
                context_.report("virtual-alias-loop", definitionOf(tables_, cycle.front()).value_or(where),
                                base::cat("virtual alias loop: ", showCycle(cycle),
                                          "; cleanup(8) defers the mail (unreasonable virtual_alias_maps map "
                                          "nesting)"),
                                "make one of the addresses a mailbox or an address outside the loop");
                return;
            }
        }
        // cleanup's warning names the limit that stopped the expansion.
        struct Limit {
            std::string_view warning, parameter, exceeds, hint;
        };
        static constexpr Limit kLimits[] = {
            {"map nesting", "virtual_alias_recursion_limit", "is nested deeper than",
             "shorten the chain of aliases, or raise virtual_alias_recursion_limit"},
            {"expansion size", "virtual_alias_expansion_limit", "has more addresses than",
             "split the list, or raise virtual_alias_expansion_limit"},
            {"virtual_alias_maps result", "virtual_alias_address_length_limit", "gives an address longer than", ""},
        };
        for (const Limit& limit : kLimits) {
            if (warning.find(limit.warning) == std::string::npos) continue;
            if (!limitReported_.insert({where.file, where.line}).second) return;
            context_.report("virtual-alias-limit", where,
                            base::cat("virtual alias expansion of ", address, " ", limit.exceeds, " ", limit.parameter,
                                      " (", context_.value(limit.parameter), ")"),
                            std::string(limit.hint));
            return;
        }
    }

private:
    LintContext& context_;
    const SourceTables& tables_;
    address::RoutingContext routing_;
    bool propagate_ = false;
    std::set<std::vector<std::string>> reported_;
    std::set<std::pair<std::string, int>> limitReported_;  // virtual-alias-limit: once per place
};

void checkVirtualAliases(LintContext& context) {
    SourceTables tables(context, "virtual_alias_maps");
    // These rules read main.cf and these tables only. When the generation in use was
    // compiled from the same ones, they found nothing then (their findings are errors,
    // which refuse a compile) and would find nothing now.
    if (context.knownFile(context.mainCfPath()) && tables.allKnown(context)) return;
    tables.read();
    std::vector<PatternSeed> seeds = patternSeeds(context, "virtual_alias_maps", isAddress);
    if (tables.entries().empty() && seeds.empty()) return;
    VirtualAliasCheck check(context, tables);
    (void)captureWarnings([&] {
        for (const SourceEntry& e : tables.entries()) {
            // Keys that are addresses; "@domain" and bare-user keys are reached from them.
            if (e.key.starts_with("@") || e.key.find('@') == std::string::npos) continue;
            check.expand(base::lowercase(e.key), tables.origin(e));
        }
        for (const PatternSeed& seed : seeds) check.expand(seed.address, seed.where);
    });
}

}  // namespace

void checkAliases(LintContext& context) {
    SourceTables aliases(context, "alias_maps");
    aliases.read();
    checkAliasDestinations(context, aliases);
    std::vector<PatternSeed> seeds = patternSeeds(context, "alias_maps", isLocalName);
    if (!aliases.entries().empty() || !seeds.empty()) checkAliasLoops(context, aliases, seeds);
    checkVirtualAliases(context);
}

}  // namespace postline::lint
