// Showing master.cf: -M entries in Postfix's column layout, -F fields, -P service
// parameters, each optionally filtered by service patterns (mirrors postconf_master.c
// pcf_print_master_entry(), pcf_print_master_field(), pcf_show_master_params()).
#include <map>
#include <string>

#include "postconf_internal.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::tools::postconf {

using config::MasterEntry;

namespace {

constexpr size_t kLineLimit = 80;
constexpr size_t kIndentLen = 4;

struct Request {
    std::string raw;
    std::vector<std::string> pattern;
    int matches = 0;
};

std::vector<Request> parseRequests(const std::vector<std::string>& filters, int maxFields, const char* usage) {
    std::vector<Request> reqs;
    for (const auto& f : filters) {
        auto p = parseServicePattern(f, 1, maxFields);
        if (!p) base::msgFatal(usage);
        reqs.push_back({f, *p, 0});
    }
    return reqs;
}

void reportUnmatched(const std::vector<Request>& reqs) {
    for (const auto& r : reqs)
        if (r.matches == 0) {
            std::fflush(stdout);
            base::msgWarn(base::cat("unmatched request: \"", r.raw, "\""));
        }
}

// The command and its arguments, from `field`, appended to out (shared by -M and -F).
void appendCommand(const NameSpace* ns, unsigned mode, const MasterEntry& e, size_t field, std::string& out,
                   size_t& lineLen) {
    const auto& argv = e.argv;
    bool inOptions = true;
    for (; field < argv.size(); ++field) {
        const std::string& arg = argv[field];
        size_t argLen = arg.size();
        std::optional<std::string> aval;
        if (inOptions) {
            if (arg[0] != '-' || arg == "--") {
                inOptions = false;
            } else if (arg.size() > 1 && arg[1] == 'o' && field + 1 < argv.size()) {
                aval = argv[field + 1];
                lineLen = kLineLimit;
                if (arg == "-o" && (mode & kShowEval) && ns) {
                    // Expand the value; a value with whitespace is shown as {name=value}.
                    if (auto nv = config::splitNameValue(config::optionNameValue(*aval))) {
                        std::string value = ns->expandValue(mode, nv->second, &e);
                        bool space = value.find_first_of(" \t\r\n") != std::string::npos;
                        aval = space ? base::cat("{", nv->first, "=", value, "}") : base::cat(nv->first, "=", value);
                    }
                }
                argLen += aval->size() + 1;
            }
        }
        if (lineLen > kIndentLen) {
            if (!(mode & kFoldLine) || lineLen + 1 + argLen < kLineLimit) {
                out += ' ';
                lineLen += 1;
            } else {
                out += "\n    ";
                lineLen = kIndentLen;
            }
        }
        out += arg;
        lineLen += arg.size();
        if (aval) {
            out += ' ';
            out += *aval;
            lineLen += 1 + aval->size();
            field += 1;
            lineLen = kLineLimit;
        }
    }
}

}  // namespace

std::string formatMasterEntry(const NameSpace* ns, unsigned mode, const MasterEntry& e) {
    static const size_t kColumnGoal[] = {0, 11, 17, 25, 33, 41, 49, 57};
    std::string out;
    size_t lineLen = 0;
    size_t field = 0;
    for (; field < size_t(config::kMasterMinFields); ++field) {
        if (lineLen > 0) {
            do {
                out += ' ';
                ++lineLen;
            } while (lineLen < kColumnGoal[field]);
        }
        out += e.argv[field];
        lineLen += e.argv[field].size();
    }
    appendCommand(ns, mode, e, field, out, lineLen);
    out += '\n';
    return out;
}

std::string masterFieldValue(const NameSpace& ns, unsigned mode, const MasterEntry& e, int field) {
    std::string out = e.argv[size_t(field)];
    // A line length past the indent puts one space before each argument; no folding.
    size_t lineLen = kLineLimit;
    if (field == config::kMasterCommandField) appendCommand(&ns, mode & ~kFoldLine, e, size_t(field) + 1, out, lineLen);
    return out;
}

namespace {

void printEntry(const NameSpace& ns, unsigned mode, const MasterEntry& e) {
    if (mode & kShowJson) {
        printJsonMasterEntry(ns, mode, e);
        return;
    }
    std::string out = formatMasterEntry(&ns, mode, e);
    std::fwrite(out.data(), 1, out.size(), stdout);
}

void printField(const NameSpace& ns, unsigned mode, const MasterEntry& e, int field) {
    if (mode & kShowJson) {
        printJsonMasterField(ns, mode, e, field);
        return;
    }
    std::string out;
    size_t lineLen = 0;
    if (mode & kShowName) {
        out += base::cat(e.name(), "/", e.type(), "/", config::kMasterFieldNames[field], " = ");
        lineLen = out.size();
        if (lineLen + e.argv[size_t(field)].size() > kLineLimit) {
            out += "\n    ";
            lineLen = kIndentLen;
        }
    }
    out += e.argv[size_t(field)];
    lineLen += e.argv[size_t(field)].size();
    if (field == config::kMasterCommandField) appendCommand(&ns, mode, e, size_t(field) + 1, out, lineLen);
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
}

int fieldIndex(std::string_view name) {
    for (int i = 0; i < config::kMasterMinFields; ++i)
        if (config::kMasterFieldNames[i] == name) return i;
    return -1;
}

}  // namespace

void showMasterEntries(const NameSpace& ns, unsigned mode, const std::vector<std::string>& filters) {
    auto reqs = parseRequests(filters, 2, "-M option requires service_name[/type]");
    for (const auto& e : ns.master()) {
        if (reqs.empty()) {
            printEntry(ns, mode, e);
            continue;
        }
        for (auto& r : reqs)
            if (matchServicePattern(r.pattern, e.name(), e.type())) {
                ++r.matches;
                printEntry(ns, mode, e);
            }
    }
    reportUnmatched(reqs);
}

void showMasterFields(const NameSpace& ns, unsigned mode, const std::vector<std::string>& filters) {
    auto reqs = parseRequests(filters, 3, "-F option requires service_name[/type[/field]]");
    for (auto& r : reqs)
        if (r.pattern[2] != "*" && fieldIndex(r.pattern[2]) < 0)
            base::msgFatal(base::cat("invalid service attribute name: \"", r.pattern[2], "\""));
    for (const auto& e : ns.master()) {
        if (reqs.empty()) {
            for (int f = 0; f < config::kMasterMinFields; ++f) printField(ns, mode, e, f);
            continue;
        }
        for (auto& r : reqs) {
            if (!matchServicePattern(r.pattern, e.name(), e.type())) continue;
            ++r.matches;
            if (r.pattern[2] == "*") {
                for (int f = 0; f < config::kMasterMinFields; ++f) printField(ns, mode, e, f);
            } else {
                printField(ns, mode, e, fieldIndex(r.pattern[2]));
            }
        }
    }
    reportUnmatched(reqs);
}

void showMasterParams(const NameSpace& ns, unsigned mode, const std::vector<std::string>& filters) {
    auto reqs = parseRequests(filters, 3, "-P option requires service_name[/type[/parameter]]");
    auto show = [&](const MasterEntry& e, const std::string& name, const std::string& value) {
        std::string v = (mode & kShowEval) ? ns.expandValue(mode, value, &e) : value;
        if (mode & kShowJson) {
            printJsonMasterParam(e, name, v);
        } else if (mode & kShowName) {
            printLine(mode, base::cat(e.name(), "/", e.type(), "/", name, " = ", v));
        } else {
            printLine(mode, v);
        }
    };
    for (const auto& e : ns.master()) {
        std::map<std::string, std::string> all;
        for (auto& [n, v] : e.params()) all[n] = v;
        if (reqs.empty()) {
            for (const auto& [n, v] : all) show(e, n, v);
            continue;
        }
        for (auto& r : reqs) {
            if (!matchServicePattern(r.pattern, e.name(), e.type())) continue;
            if (r.pattern[2] == "*") {
                ++r.matches;
                for (const auto& [n, v] : all) show(e, n, v);
            } else if (auto it = all.find(r.pattern[2]); it != all.end()) {
                ++r.matches;
                show(e, it->first, it->second);
            }
        }
    }
    reportUnmatched(reqs);
}

}  // namespace postline::tools::postconf
