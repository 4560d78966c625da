// Shared pieces of the postconf implementation: the mode bits (postconf.h PCF_*), the
// name space of known parameters (postconf_node.c, _builtin.c, _service.c, _user.c),
// and the printers and editors of main.cf and master.cf.
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/config/config.h"
#include "postline/config/master_cf.h"
#include "postline/config/name_space.h"

namespace postline::tools::postconf {

// Mode bits, as in Postfix's postconf.h.
enum Mode : unsigned {
    kShowNondef = 1u << 0,     // -n
    kShowDefs = 1u << 1,       // -d
    kShowName = 1u << 2,       // default on, -h off
    kShowMaps = 1u << 3,       // -m
    kEditConf = 1u << 4,       // -e
    kShowLocks = 1u << 5,      // -l
    kShowEval = 1u << 6,       // -x
    kShowSaslServ = 1u << 7,   // -a
    kShowSaslClnt = 1u << 8,   // -A
    kCommentOut = 1u << 9,     // -#
    kMasterEntry = 1u << 10,   // -M
    kFoldLine = 1u << 11,      // -f
    kEditExcl = 1u << 12,      // -X
    kMasterFld = 1u << 13,     // -F
    kMainParam = 1u << 14,     // -p
    kExpDsnTempl = 1u << 15,   // -b
    kParamClass = 1u << 16,    // -C
    kMainOver = 1u << 17,      // -o
    kMasterParam = 1u << 18,   // -P
    kHideValue = 1u << 19,     // -H
    kDumpDsnTempl = 1u << 20,  // -t
    kShowTls = 1u << 21,       // -T
    kHideName = 1u << 22,      // -h
    kShowJson = 1u << 23,      // -j (Postfix 3.11)
};

enum ParamClass : unsigned {
    kBuiltin = config::kParamBuiltin,
    kService = config::kParamService,
    kUser = config::kParamUser,
    kLegacy = config::kParamLegacy,
};

// printLine(): normalizes whitespace and, with -f, folds at 80 columns with a 4-space
// indent (postconf_print.c pcf_print_line()).
void printLine(unsigned mode, std::string_view text);

// lib/config's name space seen through postconf's mode bits: lookups under -d/-n,
// expansion errors and the unused-parameter warnings as postconf prints them.
class NameSpace : public config::NameSpace {
public:
    NameSpace(unsigned mode, config::Config config, std::vector<config::MasterEntry> master, std::string configDir,
              std::string masterPath);

    // pcf_register_user_parameters(); fatal on a macro processing error.
    void registerUser();
    // pcf_flag_unused_main_parameters() and ..._master_parameters(): the warnings.
    void flagUnusedMain() const;
    void flagUnusedMaster() const;
    // The value to show under `mode` (main.cf or default), nullopt when none.
    std::optional<std::string> lookup(unsigned mode, std::string_view name) const;
    // $name expansion as postconf -x does it; fatal on a macro error.
    std::string expandValue(unsigned mode, std::string_view value, const config::MasterEntry* scope = nullptr) const;
};

// postconf_main.c: show main.cf parameters.
void showParameters(const NameSpace& ns, unsigned mode, unsigned paramClass, const std::vector<std::string>& names);
// postconf_master.c: -M, -F, -P listings.
void showMasterEntries(const NameSpace& ns, unsigned mode, const std::vector<std::string>& filters);
void showMasterFields(const NameSpace& ns, unsigned mode, const std::vector<std::string>& filters);
void showMasterParams(const NameSpace& ns, unsigned mode, const std::vector<std::string>& filters);
// One master.cf entry in -M layout (folded with kFoldLine); ns (may be null) for -x.
std::string formatMasterEntry(const NameSpace* ns, unsigned mode, const config::MasterEntry& e);
// The value of one master.cf field as -F shows it, unfolded; the command field includes
// its arguments (with -x, `-o` values expanded).
std::string masterFieldValue(const NameSpace& ns, unsigned mode, const config::MasterEntry& e, int field);
// show_json.cpp: one {"key": "value"} line per parameter ("name"), entry ("service/type"),
// field ("service/type/field") or service parameter ("service/type/name").
void printJsonParameter(std::string_view name, std::string_view value);
void printJsonMasterEntry(const NameSpace& ns, unsigned mode, const config::MasterEntry& e);
void printJsonMasterField(const NameSpace& ns, unsigned mode, const config::MasterEntry& e, int field);
void printJsonMasterParam(const config::MasterEntry& e, std::string_view name, std::string_view value);
// edit_file.c: an edit of PATH goes through PATH.tmp, opened and locked first (fatal
// "open PATH.tmp: ..."); then PATH is read (fatal "open PATH for reading: ...", the
// temporary removed). finishEdit() writes, syncs and renames PATH.tmp over PATH.
struct FileEdit {
    std::string path;
    std::string tmp;
    int fd = -1;
    std::string text;  // PATH's contents before the edit
};
FileEdit startEdit(const std::string& path);
void finishEdit(const FileEdit& edit, std::string_view data);
// postconf_edit.c
void editMain(unsigned mode, const std::string& configDir, const std::vector<std::string>& args);
void editMaster(unsigned mode, const std::string& configDir, const std::vector<std::string>& args);

// Postfix service patterns "name[/type[/more]]" with "*" wildcards (pcf_parse_service_pattern).
std::optional<std::vector<std::string>> parseServicePattern(std::string_view text, int minFields, int maxFields);
bool matchServicePattern(const std::vector<std::string>& pattern, const std::string& name, const std::string& type);

}  // namespace postline::tools::postconf
