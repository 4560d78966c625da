// What every rule family sees: the loaded configuration, master.cf, where each parameter
// value came from, and the sink that collects findings (severity from the catalogue,
// disabled rules dropped).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "postline/config/config.h"
#include "postline/config/master_cf.h"
#include "postline/lint/diagnostic.h"
#include "postline/lint/linter.h"
#include "postline/maps/registry.h"

namespace postline::lint {

// Where a setting is made: a main.cf line, a master.cf `-o` line, or the default
// (main.cf, line 0).
struct Origin {
    std::string file;
    int line = 0;
};

// A parameter's effective value for one smtpd service (master.cf `-o` over main.cf).
struct ServiceSetting {
    std::string value;  // expanded
    Origin origin;
    bool explicitlySet = false;
    bool byOption = false;  // set by the service's own `-o`
};

class LintContext {
public:
    // `root`: LintOptions::root ("" for none).
    LintContext(config::Config config, config::MasterCfScan master, std::string masterPath,
                std::set<std::string, std::less<>> disabled, std::string root = {});

    const config::Config& config() const { return config_; }
    const std::vector<config::MasterEntry>& master() const { return master_; }
    // The master.cf lines that are not valid entries (left out of master()).
    const std::vector<config::MasterCfProblem>& masterProblems() const { return masterProblems_; }
    // True when master.cf exists (an empty master() may also mean a file without entries).
    bool hasMasterCf() const { return hasMasterCf_; }
    const std::string& configDir() const { return config_.configDirectory(); }
    const std::string& mainCfPath() const { return mainCf_; }
    const std::string& masterCfPath() const { return masterCf_; }

    // A file the configuration names, where it is read: under LintOptions::root when one
    // is set and the path is absolute (config::underRoot), else as named.
    std::string hostPath(const std::string& path) const { return config::underRoot(root_, path); }
    // A table as the configuration names it ("hash:/etc/postfix/access", or a bare name of
    // default_database_type), its file name read under the root (tableUnderRoot).
    maps::DictSpec tableSpec(std::string_view table) const;
    // `spec` with the file it names read under the root: the name of a table type that
    // has a file (indexed, regexp, pcre, cidr, texthash, and the database client files of
    // ldap, mysql, ...) when it is absolute.
    maps::DictSpec tableUnderRoot(maps::DictSpec spec) const;
    const std::string& root() const { return root_; }

    // The expanded value and origin of a main.cf parameter.
    std::string value(std::string_view name) const { return config_.get(name); }
    Origin origin(std::string_view name) const;
    bool isSet(std::string_view name) const { return config_.definition(name) != nullptr; }

    // The effective setting of `name` for a master.cf service (its last `-o name=...`,
    // else main.cf's), expanded with expandForService().
    ServiceSetting serviceSetting(const config::MasterEntry& service, std::string_view name) const;
    // `text` expanded as the daemon of `service` expands it: the daemon puts each `-o`
    // over main.cf before it reads a parameter, so `$name` (also inside main.cf values)
    // is the service's last `-o name=...`, else main.cf's value, else the default;
    // `$service_name` is the service's name.
    std::string expandForService(const config::MasterEntry& service, std::string_view text) const;
    // "service NAME/TYPE", as findings about one service begin.
    static std::string serviceLabel(const config::MasterEntry& service);
    // The master.cf line of a service's last `-o name=...` (the entry's last line when it
    // has none).
    Origin optionOrigin(const config::MasterEntry& service, std::string_view name) const;
    // The master.cf line of one `-o` of a service (the entry's last line when unknown).
    Origin optionOrigin(const config::MasterEntry& service, const config::MasterOption& option) const;
    // The master.cf services whose command is `program` (e.g. "smtpd").
    std::vector<const config::MasterEntry*> services(std::string_view program) const;

    // Records a finding of catalogued rule `rule` (unless disabled).
    void report(std::string_view rule, const Origin& where, std::string message, std::string hint = {});
    void report(std::string_view rule, const std::string& file, int line, std::string message, std::string hint = {});

    std::vector<Diagnostic> takeFindings();

    // LintOptions::compiledDir: where the generation in use is ("" for CONFIG_DIR/compiled).
    void setCompiledDir(std::string dir) { compiledDir_ = std::move(dir); }
    const std::string& compiledDir() const { return compiledDir_; }

    // LintOptions::knownSource: true when a table's lines need no checking.
    void setKnownSource(KnownSourceFn known) { knownSource_ = std::move(known); }
    bool knownSource(const std::string& type, const std::string& source, bool aliasFormat) const {
        return knownSource_ && knownSource_(type, source, aliasFormat);
    }

    // LintOptions::knownFile: true when a file is what the earlier run read.
    void setKnownFile(KnownFileFn known) { knownFile_ = std::move(known); }
    bool knownFile(const std::string& path) const { return knownFile_ && knownFile_(path); }

private:
    config::Config config_;
    std::vector<config::MasterEntry> master_;
    std::vector<config::MasterCfProblem> masterProblems_;
    bool hasMasterCf_ = false;
    std::string mainCf_;
    std::string masterCf_;
    std::set<std::string, std::less<>> disabled_;
    std::vector<Diagnostic> findings_;
    std::set<std::string> seen_;  // rule|file|line|message, so a table used twice reports once
    KnownSourceFn knownSource_;
    KnownFileFn knownFile_;
    std::string compiledDir_;
    std::string root_;
};

// Whether a table of `type` names a file (indexed, regexp, pcre, cidr, texthash, or a
// database client configuration file).
bool isTableWithFile(std::string_view type);

// The rule families (one file each).
void checkParameters(LintContext& context);
void checkTables(LintContext& context);
void checkRelaySafety(LintContext& context);
void checkSmtpSmuggling(LintContext& context);
void checkAddressClasses(LintContext& context);
void checkTlsAndSasl(LintContext& context);
void checkMasterCf(LintContext& context);
void checkTransports(LintContext& context);
void checkAliases(LintContext& context);
void checkRecursiveReferences(LintContext& context);
void checkDeprecated(LintContext& context);
void checkRestrictionNames(LintContext& context);
void checkGenerationInUse(LintContext& context);

}  // namespace postline::lint
