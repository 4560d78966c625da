// The parameter name space as postconf sees it (mirrors postconf_node.c, _builtin.c,
// _service.c, _user.c, _dbms.c and _unused.c): which names are known and how (built-in,
// per-service from master.cf, user-defined, legacy), which main.cf and master.cf
// settings are unused, and `$name` lookups and expansion over main.cf, the master.cf
// `-o` settings of one service and the defaults. postconf and the linter share it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/config/config.h"
#include "postline/config/expand.h"
#include "postline/config/master_cf.h"

namespace postline::config {

// Parameter classes (postconf.h PCF_PARAM_FLAG_*), as bits for `postconf -C`.
enum ParamClass : unsigned { kParamBuiltin = 1, kParamService = 2, kParamUser = 4, kParamLegacy = 8 };

// Which value a lookup sees: main.cf's else the default, only the default (`-d`), or
// only main.cf's (`-n`).
enum class ValueView { Effective, Defaults, Explicit };

// A `-o name=value` setting of master.cf that nothing uses.
struct UnusedMasterParam {
    size_t entry;  // index into master()
    std::string name;
    std::string value;
};

class NameSpace {
public:
    // `configDir` is the directory named in warnings ("DIR/main.cf: ...").
    NameSpace(Config config, std::vector<MasterEntry> master, std::string configDir);

    // pcf_register_builtin_parameters(): every registry parameter.
    void registerBuiltin();
    // pcf_register_service_parameters(): NAME_suffix for master.cf services of delivery
    // programs, with default $parameter.
    void registerService();
    // pcf_register_user_parameters(): names given a value that something uses: `$name`
    // in main.cf, master.cf `-o` values or defaults, smtpd_restriction_classes, and
    // database client parameters (postconf_dbms.c). Prints Postfix's warnings through
    // base::msgWarn ("DIR/main.cf: undefined parameter: NAME", "read-only parameter
    // assignment", database client file warnings). An error is Postfix's fatal one:
    // "macro processing error", or a malformed client configuration file.
    [[nodiscard]] base::Status registerUser();
    // With keepGoing, registerUser() finishes the scan after an error and returns the
    // first one (the linter wants every name; postconf stops like Postfix).
    void setKeepGoing(bool keepGoing) { keepGoing_ = keepGoing; }

    // pcf_flag_unused_main_parameters(): main.cf names nobody knows, in file order.
    std::vector<std::string> unusedMain() const;
    // pcf_flag_unused_master_parameters(): per entry, sorted by name.
    std::vector<UnusedMasterParam> unusedMaster() const;

    bool known(std::string_view name) const { return table_.count(name) != 0; }
    // A ParamClass bit, or 0 for an unknown name.
    unsigned paramClass(std::string_view name) const;
    bool isRaw(std::string_view name) const;
    // The value `view` shows for `name`, nullopt when there is none.
    std::optional<std::string> lookup(ValueView view, std::string_view name) const;
    // Recursive `$name` expansion as `postconf -x` does it, in `scope`'s `-o` settings
    // first when given (Explicit is treated as Effective). Warnings are in the result.
    MacroResult expand(ValueView view, std::string_view value, const MasterEntry* scope = nullptr) const;

    const Config& config() const { return config_; }
    const std::vector<MasterEntry>& master() const { return master_; }
    const std::map<std::string, unsigned, std::less<>>& table() const { return table_; }
    const std::string& configDir() const { return configDir_; }

private:
    void scanValue(std::string_view value, const MasterEntry* scope, bool warnUndefined);
    void flagUser(std::string_view name, const MasterEntry* scope, bool warnUndefined);
    base::Status registerDbms(std::string_view value, const MasterEntry* scope);
    // Records `error` (the first one wins); true when registerUser() stops there.
    bool stop(const base::Status& error);

    Config config_;
    std::vector<MasterEntry> master_;
    std::string configDir_;
    std::map<std::string, unsigned, std::less<>> table_;
    // Per master.cf entry: the names its -o settings may use (valid_names).
    std::vector<std::set<std::string, std::less<>>> localValid_;
    std::set<std::string, std::less<>> restrictionClasses_;
    // Database client files already checked ("ldap:/path"): Postfix nags once.
    std::set<std::string, std::less<>> dbmsFilesSeen_;
    bool keepGoing_ = false;
    base::Status firstError_;
};

}  // namespace postline::config
