// Showing main.cf parameters: all of them sorted, or the ones named, with -d/-n/-h/-H/-x/-f
// (mirrors postconf_main.c pcf_show_parameters() and pcf_print_parameter()).
#include <string>

#include "postconf_internal.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::tools::postconf {

namespace {

void printParameter(const NameSpace& ns, unsigned mode, const std::string& name) {
    auto value = ns.lookup(mode, name);
    if (!value) return;
    if (mode & kHideValue) {
        printLine(mode, name);
        return;
    }
    std::string shown = (mode & kShowEval) && !ns.isRaw(name) ? ns.expandValue(mode, *value) : *value;
    if (mode & kShowJson) {
        printJsonParameter(name, shown);
    } else if (mode & kShowName) {
        printLine(mode, base::cat(name, " = ", shown));
    } else {
        printLine(mode, shown);
    }
}

}  // namespace

void showParameters(const NameSpace& ns, unsigned mode, unsigned paramClass, const std::vector<std::string>& names) {
    if (names.empty()) {
        for (const auto& [name, cls] : ns.table())
            if (cls & paramClass) printParameter(ns, mode, name);
        return;
    }
    for (const auto& name : names) {
        if (!ns.known(name)) {
            std::fflush(stdout);
            base::msgWarn(base::cat(name, ": unknown parameter"));
        } else {
            printParameter(ns, mode, name);
        }
    }
}

}  // namespace postline::tools::postconf
