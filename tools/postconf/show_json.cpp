// postconf -j, -jM, -jF, -jP (Postfix 3.11's PCF_SHOW_JSON, postconf_main.c
// pcf_print_parameter() and postconf_master.c pcf_print_master_*_as_json()): each
// parameter, master.cf entry, field or service parameter that the text mode prints on one
// line becomes one {"key": "value"} object on one line (JSON Lines), both strings quoted
// like quote_for_json(), except that bytes that are not UTF-8 are written as Latin-1
// (json_quote.h; Postfix copies them and prints invalid JSON). Selection, order, -x
// expansion and warnings are the text mode's.
#include <cstdio>
#include <string>
#include <string_view>

#include "postconf_internal.h"
#include "postline/base/json_quote.h"
#include "postline/base/strings.h"

namespace postline::tools::postconf {

namespace {

void printObject(std::string_view key, std::string_view value) {
    std::string out = "{\"";
    base::appendJsonEscaped(out, key);
    out += "\": \"";
    base::appendJsonEscaped(out, value);
    out += "\"}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void printJsonParameter(std::string_view name, std::string_view value) { printObject(name, value); }

void printJsonMasterEntry(const NameSpace& ns, unsigned mode, const config::MasterEntry& e) {
    // The fields separated by one space, then the command with its arguments as -F shows it.
    std::string value;
    for (int field = 0; field < config::kMasterCommandField; ++field) value += e.argv[size_t(field)] + ' ';
    value += masterFieldValue(ns, mode, e, config::kMasterCommandField);
    printObject(base::cat(e.name(), "/", e.type()), value);
}

void printJsonMasterField(const NameSpace& ns, unsigned mode, const config::MasterEntry& e, int field) {
    printObject(base::cat(e.name(), "/", e.type(), "/", config::kMasterFieldNames[field]),
                masterFieldValue(ns, mode, e, field));
}

void printJsonMasterParam(const config::MasterEntry& e, std::string_view name, std::string_view value) {
    printObject(base::cat(e.name(), "/", e.type(), "/", name), value);
}

}  // namespace postline::tools::postconf
