// lintConfiguration(): loads main.cf and master.cf the way Postfix reads them and runs
// every rule family over them.
#include "postline/lint/linter.h"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "context.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"
#include "postline/config/service_expand.h"
#include "postline/lint/rules.h"
#include "postline/maps/root_redirect.h"

namespace postline::lint {

LintContext::LintContext(config::Config config, config::MasterCfScan master, std::string masterPath,
                         std::set<std::string, std::less<>> disabled, std::string root)
    : config_(std::move(config)),
      master_(std::move(master.entries)),
      masterProblems_(std::move(master.problems)),
      hasMasterCf_(!master_.empty() || !masterProblems_.empty() || ::access(masterPath.c_str(), F_OK) == 0),
      mainCf_(config::underRoot(root, config_.configDirectory()) + "/main.cf"),
      masterCf_(std::move(masterPath)),
      disabled_(std::move(disabled)),
      root_(std::move(root)) {}

maps::DictSpec LintContext::tableSpec(std::string_view table) const {
    return tableUnderRoot(maps::parseDictSpec(table, value("default_database_type")));
}

maps::DictSpec LintContext::tableUnderRoot(maps::DictSpec spec) const {
    if (root_.empty() || !spec.name.starts_with('/')) return spec;
    if (isTableWithFile(spec.type)) spec.name = hostPath(spec.name);
    return spec;
}

Origin LintContext::optionOrigin(const config::MasterEntry& service, std::string_view name) const {
    int line = service.optionLine(name);
    return {masterCf_, line ? line : service.line};
}

Origin LintContext::optionOrigin(const config::MasterEntry& service, const config::MasterOption& option) const {
    return {masterCf_, option.line ? option.line : service.line};
}

Origin LintContext::origin(std::string_view name) const {
    if (const config::Definition* def = config_.definition(name)) return {def->file, def->line};
    return {mainCf_, 0};
}

ServiceSetting LintContext::serviceSetting(const config::MasterEntry& service, std::string_view name) const {
    ServiceSetting setting;
    for (const auto& [key, raw] : service.params()) {
        if (key != name) continue;
        setting.value = expandForService(service, raw);
        setting.origin = optionOrigin(service, name);
        setting.explicitlySet = true;
        setting.byOption = true;
    }
    if (!setting.explicitlySet) {
        setting.value = value(name);
        setting.origin = origin(name);
        setting.explicitlySet = isSet(name);
    }
    return setting;
}

std::string LintContext::expandForService(const config::MasterEntry& service, std::string_view text) const {
    return config::expandForService(config_, service, text);
}

std::string LintContext::serviceLabel(const config::MasterEntry& service) {
    return base::cat("service ", service.name(), "/", service.type());
}

std::vector<const config::MasterEntry*> LintContext::services(std::string_view program) const {
    // Without master.cf, Postfix's stock one: port 25 served by smtpd.
    static const config::MasterEntry kStockSmtp{{"smtp", "inet", "n", "-", "y", "-", "-", "smtpd"}, 0};
    if (master_.empty())
        return program == "smtpd" ? std::vector<const config::MasterEntry*>{&kStockSmtp}
                                  : std::vector<const config::MasterEntry*>{};
    std::vector<const config::MasterEntry*> out;
    for (const config::MasterEntry& entry : master_)
        if (entry.argv.size() > size_t(config::kMasterCommandField) &&
            entry.argv[config::kMasterCommandField] == program)
            out.push_back(&entry);
    return out;
}

void LintContext::report(std::string_view rule, const Origin& where, std::string message, std::string hint) {
    report(rule, where.file, where.line, std::move(message), std::move(hint));
}

void LintContext::report(std::string_view rule, const std::string& file, int line, std::string message,
                         std::string hint) {
    if (disabled_.count(rule)) return;
    const RuleInfo* info = findRule(rule);
    std::string key = base::cat(rule, "|", file, "|", line, "|", message);
    if (!seen_.insert(key).second) return;
    Diagnostic d;
    d.rule = std::string(rule);
    d.severity = info ? info->severity : Severity::Error;
    d.file = file;
    d.line = line;
    d.message = std::move(message);
    d.hint = std::move(hint);
    findings_.push_back(std::move(d));
}

std::vector<Diagnostic> LintContext::takeFindings() {
    std::vector<Diagnostic> out = std::move(findings_);
    findings_.clear();
    std::sort(out.begin(), out.end(), diagnosticLess);
    return out;
}

bool isTableWithFile(std::string_view type) { return maps::tableNamesFile(type); }

base::Result<std::vector<Diagnostic>> lintConfiguration(const LintOptions& options) {
    auto config = config::Config::load(options.configDir, options.root);
    if (!config) return config.error();
    for (const auto& [name, value] : options.defaults) config->addDefault(name, value);
    std::string masterPath = config::underRoot(options.root, options.configDir) + "/master.cf";
    // Opens by name (lib/address's table lists, the members of unionmap and pipemap) read
    // the files under the root too.
    std::optional<maps::TableRedirect> redirect;
    if (!options.root.empty()) redirect.emplace(maps::rootRedirect(options.root));
    // A bad master.cf line is a finding (rules_master.cpp), not a reason to stop.
    config::MasterCfScan master;
    if (auto text = base::readFile(masterPath)) {
        master = config::scanMasterCf(*text);
    } else if (text.error().errnum != ENOENT) {
        return text.error();
    }
    LintContext context(std::move(*config), std::move(master), masterPath, options.disabledRules, options.root);
    context.setKnownSource(options.knownSource);
    context.setKnownFile(options.knownFile);
    context.setCompiledDir(options.compiledDir);
    checkParameters(context);
    checkTables(context);
    checkRelaySafety(context);
    checkSmtpSmuggling(context);
    checkAddressClasses(context);
    checkTlsAndSasl(context);
    checkMasterCf(context);
    checkTransports(context);
    checkAliases(context);
    checkRecursiveReferences(context);
    checkDeprecated(context);
    checkRestrictionNames(context);
    checkGenerationInUse(context);
    return context.takeFindings();
}

bool hasErrors(const std::vector<Diagnostic>& findings, bool warningsAreErrors) {
    return std::any_of(findings.begin(), findings.end(), [&](const Diagnostic& d) {
        return d.severity == Severity::Error || (warningsAreErrors && d.severity == Severity::Warning);
    });
}

}  // namespace postline::lint
