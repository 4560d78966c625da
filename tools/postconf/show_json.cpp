// postconf -j, -jM, -jF, -jP: JSON Lines output (Postfix 3.11's PCF_SHOW_JSON mode). Each
// parameter, master.cf entry, field or service parameter that the text mode would print
// as one line becomes one JSON object on one line, strings quoted like Postfix's
// quote_for_json(). Selection, ordering, expansion (-x) and warnings are the text mode's.
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "postconf_internal.h"
#include "postline/base/json_quote.h"

namespace postline::tools::postconf {

namespace {

using Member = std::pair<std::string_view, std::string_view>;

// {"key": "value", ...} and a newline; the separators are those of postqueue -j.
void printObject(std::initializer_list<Member> members) {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : members) {
        if (!first) out += ", ";
        first = false;
        out += '"';
        base::appendJsonEscaped(out, key);
        out += "\": \"";
        base::appendJsonEscaped(out, value);
        out += '"';
    }
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void printJsonParameter(std::string_view name, std::string_view value) {
    printObject({{"parameter", name}, {"value", value}});
}

void printJsonMasterEntry(const NameSpace& ns, unsigned mode, const config::MasterEntry& e) {
    using config::kMasterFieldNames;
    std::string command = masterFieldValue(ns, mode, e, config::kMasterCommandField);
    printObject({{kMasterFieldNames[0], e.argv[0]},
                 {kMasterFieldNames[1], e.argv[1]},
                 {kMasterFieldNames[2], e.argv[2]},
                 {kMasterFieldNames[3], e.argv[3]},
                 {kMasterFieldNames[4], e.argv[4]},
                 {kMasterFieldNames[5], e.argv[5]},
                 {kMasterFieldNames[6], e.argv[6]},
                 {kMasterFieldNames[7], command}});
}

void printJsonMasterField(const NameSpace& ns, unsigned mode, const config::MasterEntry& e, int field) {
    std::string value = masterFieldValue(ns, mode, e, field);
    printObject(
        {{"service", e.name()}, {"type", e.type()}, {"field", config::kMasterFieldNames[field]}, {"value", value}});
}

void printJsonMasterParam(const config::MasterEntry& e, std::string_view name, std::string_view value) {
    printObject({{"service", e.name()}, {"type", e.type()}, {"parameter", name}, {"value", value}});
}

}  // namespace postline::tools::postconf
