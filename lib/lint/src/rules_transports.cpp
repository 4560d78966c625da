// The "transports" rule family: every transport that trivial-rewrite can hand to the
// queue manager (the *_transport parameters, transport_maps and the other transport
// tables) must be a unix service of master.cf, or qmgr defers the mail with "mail
// transport unavailable".
#include <functional>
#include <map>
#include <set>

#include "captured_warnings.h"
#include "context.h"
#include "pattern_records.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"
#include "postline/maps/dict.h"
#include "postline/maps/registry.h"
#include "postline/maps/table_source.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

// Parameters whose value is "transport:nexthop" (or a bare transport).
constexpr std::string_view kTransportParameters[] = {
    "default_transport",
    "relay_transport",
    "local_transport",
    "virtual_transport",
    "mailbox_transport",
    "fallback_transport",
    "address_verify_default_transport",
    "address_verify_relay_transport",
    "address_verify_local_transport",
    "address_verify_virtual_transport",
};

// The transports that trivial-rewrite picks by address class, and the parameter without
// which that class is empty (default_transport serves every remote domain).
struct ClassTransport {
    std::string_view parameter;
    std::string_view domains;
};
constexpr ClassTransport kClassTransports[] = {
    {"default_transport", ""},
    {"relay_transport", "relay_domains"},
    {"local_transport", "mydestination"},
    {"virtual_transport", "virtual_mailbox_domains"},
};

// Tables whose values are "transport:nexthop".
constexpr std::string_view kTransportTables[] = {
    "transport_maps",          "sender_dependent_default_transport_maps", "mailbox_transport_maps",
    "fallback_transport_maps", "address_verify_transport_maps",
};

// The transport part of "transport:nexthop"; "" for ":nexthop", which keeps the default.
std::string transportOf(std::string_view value) {
    value = base::trim(value);
    size_t colon = value.find(':');
    return std::string(base::trim(value.substr(0, colon)));
}

class TransportCheck {
public:
    explicit TransportCheck(LintContext& context) : context_(context) {
        for (const config::MasterEntry& entry : context.master()) services_[entry.name()].insert(entry.type());
    }

    void check(const std::string& value, const Origin& where, const std::string& what, const std::string& hint = {}) {
        std::string transport = transportOf(value);
        // "$1" and friends are filled in per lookup: nothing to check here.
        if (transport.empty() || transport.find('$') != std::string::npos) return;
        auto it = services_.find(transport);
        if (it != services_.end() && it->second.count("unix")) return;
        std::string message =
            it == services_.end()
                ? base::cat(what, " names transport ", transport, ", which master.cf does not define")
                : base::cat(what, " names transport ", transport, ", which master.cf defines only as ",
                            *it->second.begin() == "inet" ? "an " : "a ", *it->second.begin(),
                            " service; a transport is a unix service");
        context_.report("transport-undefined", where, std::move(message),
                        !hint.empty() ? hint
                                      : base::cat("add a unix service \"", transport,
                                                  "\" to master.cf (e.g. a copy of the smtp or lmtp line), or fix the "
                                                  "name"));
    }

private:
    LintContext& context_;
    std::map<std::string, std::set<std::string>> services_;  // name -> types (unix, inet, ...)
};

// Every record of a table with the line it is on: the source file of an indexed or
// texthash table, the rules of a regexp or pcre table (key "", at the line of the rule's
// pattern), else the records the table lists (at the parameter's line).
using RecordFn = std::function<void(const std::string& key, const std::string& value, const Origin& where)>;

void forEachTableRecord(const TableRef& ref, const RecordFn& fn) {
    const maps::DictType* type = maps::findDictType(ref.spec.type);
    if (!type) return;
    if ((!type->suffix.empty() || ref.spec.type == "texthash") && !ref.spec.name.starts_with("{")) {
        auto text = base::readFile(ref.spec.name);
        if (!text) return;  // table-missing and table-unreadable say why
        (void)captureWarnings([&] {
            (void)maps::forEachSourceRecord(
                *text, ref.spec.name, false, [&](const maps::SourceRecord& record, int line) -> base::Status {
                    fn(std::string(record.key), std::string(record.value), Origin{ref.spec.name, line});
                    return {};
                });
        });
        return;
    }
    if (isPatternTable(ref)) {
        // The result depends on the key only where it has $n; the check skips a transport
        // part with a substitution.
        for (const PatternRecord& rule : patternRecords(ref)) fn("", rule.result, rule.where);
        return;
    }
    (void)captureWarnings([&] {
        auto dict = maps::openDict(ref.spec, maps::OpenMode::Read, maps::flag::kFoldFix);
        if (!dict) return;
        (void)(*dict)->forEach([&](std::string_view key, std::string_view value) {
            fn(std::string(key), std::string(value), ref.origin);
            return true;
        });
    });
}

// The default of a class transport is used only when the configuration leaves it unset
// and mail can be in that class: relay_domains, mydestination, virtual_mailbox_domains
// (their effective, expanded values) list something.
void checkDefaultClassTransports(LintContext& context, TransportCheck& check) {
    for (const ClassTransport& entry : kClassTransports) {
        std::string parameter(entry.parameter);
        if (context.isSet(parameter)) continue;  // checked with the other settings
        std::string why;
        if (!entry.domains.empty()) {
            std::string domains(entry.domains);
            if (listItems(context.value(domains)).empty()) continue;
            why = base::cat(" (", domains, " is not empty)");
        }
        std::string value = context.value(parameter);
        check.check(value, context.origin(parameter), base::cat(parameter, "'s default value ", value, why),
                    base::cat("add the stock \"", transportOf(value), "\" service to master.cf, or set ", parameter,
                              " to a transport that master.cf defines"));
    }
}

}  // namespace

void checkTransports(LintContext& context) {
    // Without master.cf there is nothing to compare with.
    if (!context.hasMasterCf()) return;
    TransportCheck check(context);
    for (std::string_view name : kTransportParameters) {
        std::string parameter(name);
        // Settings here; the defaults of the class transports below, when they can be used.
        if (context.isSet(parameter)) check.check(context.value(parameter), context.origin(parameter), parameter);
        for (const config::MasterEntry& entry : context.master())
            for (const auto& [option, value] : entry.params())
                if (option == name)
                    check.check(context.expandForService(entry, value), context.optionOrigin(entry, option),
                                base::cat("service ", entry.name(), ": ", parameter));
    }
    for (const TableRef& ref : collectTableRefs(context)) {
        bool transportTable = false;
        for (std::string_view name : kTransportTables) transportTable |= ref.parameter == name;
        if (!transportTable) continue;
        forEachTableRecord(ref, [&](const std::string& key, const std::string& value, const Origin& where) {
            // sender_dependent_default_transport_maps: DUNNO keeps default_transport.
            if (base::lowercase(value) == "dunno") return;
            check.check(value, where,
                        key.empty() ? base::cat(ref.parameter, " rule") : base::cat(ref.parameter, " entry ", key));
        });
    }
    checkDefaultClassTransports(context, check);
}

}  // namespace postline::lint
