// postconf -Me, -MX, -M#, -Fe, -Pe and -PX on master.cf (mirrors postconf_edit.c
// pcf_edit_master(), pcf_edit_master_field() and pcf_edit_master_param()): comment and
// blank lines and untouched entries are copied byte for byte; a changed entry is written
// in -Mf layout; the result replaces master.cf through master.cf.tmp.
#include <unistd.h>

#include <string>

#include "postconf_internal.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::tools::postconf {

using config::MasterEntry;

namespace {

constexpr std::string_view kEditOpts = "-Me, -Fe, -Pe, -X, or -#";
constexpr std::string_view kBlanks = " \t\r\n";

struct EditRequest {
    std::string raw;
    std::vector<std::string> pattern;
    std::string value;
    int field = -1;
    int matches = 0;
};

int fieldNumber(std::string_view name) {
    for (int i = 0; i < config::kMasterMinFields; ++i)
        if (config::kMasterFieldNames[i] == name) return i;
    if (name == "*") return -2;
    base::msgFatal(base::cat("invalid service attribute name: \"", name, "\""));
}

// pcf_parse_master_entry() on an entry being edited: its brace warnings go out at once.
base::Result<MasterEntry> parseEntryWarning(std::string_view text) {
    std::vector<std::string> warnings;
    auto entry = config::parseMasterEntry(text, &warnings);
    for (const auto& warning : warnings) base::msgWarn(warning);
    return entry;
}

// The entry of a -Me request; fatal "bad field count: \"REQUEST\"" when it is none.
MasterEntry parseNewEntry(const EditRequest& req) {
    auto e = parseEntryWarning(req.value);
    if (!e) {
        if (e.error().message != "bad field count") base::msgFatal(e.error().message);
        base::msgFatal(base::cat(e.error().message, ": \"", req.raw, "\""));
    }
    return std::move(e).value();
}

// pcf_edit_master_field()
void editField(MasterEntry& e, int field, const std::string& value) {
    if (field == config::kMasterCommandField) {
        e.argv.resize(size_t(config::kMasterCommandField));
        for (auto word : base::splitAny(value, kBlanks)) e.argv.emplace_back(word);
    } else {
        e.argv[size_t(field)] = value;
    }
    if (e.argv.size() < size_t(config::kMasterMinFields)) base::msgFatal(base::cat("bad field count: \"", value, "\""));
    if (auto err = config::checkMasterEntry(e.argv, value); !err.empty()) base::msgFatal(err);
}

// pcf_edit_master_param(): replace or remove `-o name=...`; a new one goes after the
// last daemon option.
void editParam(MasterEntry& e, bool remove, const std::string& name, const std::string& value) {
    auto& argv = e.argv;
    bool found = false;
    size_t field = config::kMasterMinFields;
    while (field < argv.size()) {
        const std::string& arg = argv[field];
        if (arg[0] != '-' || arg == "--") break;
        if (arg == "-o" && field + 1 < argv.size()) {
            auto nv = config::splitNameValue(config::optionNameValue(argv[field + 1]));
            if (nv && nv->first == name) {
                if (remove) {
                    argv.erase(argv.begin() + long(field), argv.begin() + long(field) + 2);
                    continue;
                }
                argv[field + 1] = base::cat(name, "=", value);
                found = true;
            }
            field += 2;
            continue;
        }
        field += 1;
    }
    if (!remove && !found) {
        argv.insert(argv.begin() + long(field), {"-o", base::cat(name, "=", value)});
    }
}

}  // namespace

void editMaster(unsigned mode, const std::string& configDir, const std::vector<std::string>& args) {
    std::vector<EditRequest> reqs;
    for (const auto& arg : args) {
        EditRequest req;
        req.raw = arg;
        if (arg.find('\n') != std::string::npos) base::msgFatal(base::cat(kEditOpts, " accept no multi-line input"));
        std::string_view cp = base::trimLeft(arg);
        if (!cp.empty() && cp[0] == '#') base::msgFatal(base::cat(kEditOpts, " accept no comment input"));
        std::string pattern;
        if (mode & kEditConf) {
            auto nv = config::splitNameValue(cp);
            if (!nv) base::msgFatal(base::cat(nv.error().message, ": \"", arg, "\""));
            pattern = nv->first;
            req.value = nv->second;
        } else {
            if (cp.find('=') != std::string_view::npos) base::msgFatal("-X or -# requires names without value");
            pattern = std::string(base::trimRight(cp));
        }
        if (mode & kMasterEntry) {
            auto p = parseServicePattern(pattern, 2, 2);
            if (!p) base::msgFatal("-Me, -MX or -M# requires service_name/type");
            req.pattern = *p;
        } else if (mode & kMasterFld) {
            auto p = parseServicePattern(pattern, 3, 3);
            if (!p) base::msgFatal("-Fe or -FX requires service_name/type/field_name");
            req.pattern = *p;
            req.field = fieldNumber(req.pattern[2]);
            if (req.field == -2) base::msgFatal("-Fe does not accept wild-card field name");
            if ((mode & kEditConf) && req.field < config::kMasterCommandField &&
                req.value.find_first_of(kBlanks) != std::string::npos)
                base::msgFatal("-Fe does not accept whitespace in non-command field");
        } else {
            auto p = parseServicePattern(pattern, 3, 3);
            if (!p) base::msgFatal("-Pe or -PX requires service_name/type/parameter");
            req.pattern = *p;
            if (req.pattern[2] == "*") base::msgFatal("-Pe does not accept wild-card parameter name");
            if ((mode & kEditConf) && req.value.find_first_of(kBlanks) != std::string::npos)
                base::msgFatal("-Pe does not accept whitespace in parameter value");
        }
        reqs.push_back(std::move(req));
    }

    std::string path = configDir + "/master.cf";
    FileEdit edit = startEdit(path);

    // Physical lines with their newlines.
    std::vector<std::string_view> lines;
    for (size_t pos = 0; pos < edit.text.size();) {
        size_t nl = edit.text.find('\n', pos);
        size_t end = nl == std::string::npos ? edit.text.size() : nl + 1;
        lines.push_back(std::string_view(edit.text).substr(pos, end - pos));
        pos = end;
    }
    auto isBlankOrComment = [](std::string_view line) {
        size_t cp = line.find_first_not_of(" \t\r\n\f\v");
        return cp == std::string_view::npos || line[cp] == '#';
    };

    std::string out;
    bool matched = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (isBlankOrComment(line)) {
            out.append(line);
            continue;
        }
        if (base::isSpace(line[0])) {  // continuation of the current entry
            if (!matched) {
                out.append(line);
            } else if (mode & kCommentOut) {
                out += '#';
                out.append(line);
            }
            continue;
        }
        matched = false;
        int lineno = int(i) + 1;
        auto words = base::splitAny(line, kBlanks);
        if (words.size() < 2)
            base::msgFatal(
                base::cat("file ", path, ": line ", lineno, ": specify service name and type on the same line"));
        std::string name(words[0]), type(words[1]);
        if (name.find('=') != std::string::npos)
            base::msgFatal(base::cat("file ", path, ": line ", lineno, ": service name syntax \"", name,
                                     "\" is unsupported with ", kEditOpts));
        if (type.find_first_of("=/") != std::string::npos)
            base::msgFatal(base::cat("file ", path, ": line ", lineno, ": service type syntax \"", type,
                                     "\" is unsupported with ", kEditOpts));
        std::optional<MasterEntry> newEntry;
        for (auto& req : reqs) {
            // -Me parses the new entry at every entry of master.cf (its warnings each
            // time), and also replaces an entry with the new entry's name and type; the
            // new entry takes the place of the first one it replaces.
            std::optional<MasterEntry> tentative;
            if ((mode & kMasterEntry) && (mode & kEditConf)) tentative = parseNewEntry(req);
            if (!matchServicePattern(req.pattern, name, type)) {
                if (tentative && matchServicePattern({tentative->name(), tentative->type()}, name, type)) {
                    matched = true;
                    if (++req.matches == 1) newEntry = std::move(*tentative);
                }
                continue;
            }
            matched = true;
            req.matches += 1;
            if (!((mode & kEditConf) || ((mode & kMasterParam) && (mode & kEditExcl)))) continue;
            if (mode & kMasterEntry) {
                if (req.matches == 1) newEntry = std::move(*tentative);
                continue;
            }
            if (!newEntry) {
                // Gobble up the continuation lines; comment and blank lines met on the
                // way are copied out first (pcf_gobble_cf_line()).
                std::string full(line);
                while (i + 1 < lines.size()) {
                    std::string_view next = lines[i + 1];
                    if (isBlankOrComment(next)) {
                        out.append(next);
                    } else if (base::isSpace(next[0])) {
                        full.append(next);
                    } else {
                        break;
                    }
                    ++i;
                }
                auto e = parseEntryWarning(full);
                if (!e) {
                    if (e.error().message != "bad field count") base::msgFatal(e.error().message);
                    base::msgFatal(base::cat("file ", path, ": line ", int(i) + 1, ": ", e.error().message));
                }
                newEntry = std::move(e).value();
            }
            if (mode & kMasterFld) {
                editField(*newEntry, req.field, req.value);
            } else {
                editParam(*newEntry, mode & kEditExcl, req.pattern[2], req.value);
            }
        }
        if (newEntry) {
            out += formatMasterEntry(nullptr, kFoldLine, *newEntry);
        } else if (!matched) {
            out.append(line);
        } else if (mode & kCommentOut) {
            out += '#';
            out.append(line);
        }
    }
    for (const auto& req : reqs) {
        if (req.matches) continue;
        if ((mode & kMasterEntry) && (mode & kEditConf)) {
            out += formatMasterEntry(nullptr, kFoldLine, parseNewEntry(req));
        } else if (!(mode & kMasterEntry)) {
            base::msgWarn(base::cat("unmatched service_name/type: \"", req.raw, "\""));
        }
    }
    finishEdit(edit, out);
}

}  // namespace postline::tools::postconf
