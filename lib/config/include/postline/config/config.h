// The effective configuration: main.cf values over the parameter registry's defaults, with
// Postfix's `$name` expansion (mirrors global/mail_conf.c, util/dict.c and
// postconf_builtin.c). Every program and library reads configuration through Config.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"
#include "postline/config/expand.h"

namespace postline::config {

// One `name = value` definition in main.cf, with where it came from.
struct Definition {
    std::string value;
    std::string file;
    int line = 0;
};

struct MainCfEntry {
    std::string name;
    Definition def;
};

// A parsed main.cf: the definitions in file order (a later one for the same name wins
// when loaded), and the non-fatal warnings Postfix prints while reading it.
struct MainCfParse {
    std::vector<MainCfEntry> entries;
    std::vector<std::string> warnings;  // e.g. `FILE: logical line must not start with whitespace: "..."`
};

// The config directory a program uses: `-c DIR` wins, then $MAIL_CONFIG, then /etc/postfix.
std::string defaultConfigDirectory();
// `path` as read under `root` (postline --root DIR: DIR stands for "/"): ROOT + PATH for an
// absolute path when root is set, else `path` unchanged.
std::string underRoot(const std::string& root, const std::string& path);

// Parses main.cf text (postconf(5)). A line that is not `name = value` is Postfix's fatal
// error: "FILE, line N: missing '=' after attribute name: \"...\"".
base::Result<MainCfParse> parseMainCfEntries(std::string_view text, const std::string& file);
// The same, as a map (later definitions override earlier ones).
base::Result<std::map<std::string, Definition, std::less<>>> parseMainCf(std::string_view text,
                                                                         const std::string& file);

class Config {
public:
    // Reads DIR/main.cf. A missing main.cf is an error, as in Postfix:
    // "open /etc/postfix/main.cf: No such file or directory".
    // `root` (postline --root DIR) stands for "/": main.cf is read from ROOT/DIR/main.cf
    // (the definitions' file names say so), while $config_directory stays DIR, as the
    // host that the configuration is for sees it.
    static base::Result<Config> load(const std::string& configDir, const std::string& root = {});
    // An empty configuration (defaults only), for `postconf -d`, tests and tools that need no file.
    static Config defaults(const std::string& configDir = "/etc/postfix");

    const std::string& configDirectory() const { return configDir_; }

    // Overrides a parameter (like `postconf -o name=value`; also used by tests).
    void set(std::string_view name, std::string_view value);
    // Forgets a definition (Postfix drops read-only parameter assignments).
    void erase(std::string_view name);
    // Adds a default for a name the registry does not have (master.cf service parameters),
    // or replaces a built-in one (a host whose Postfix was built with other defaults; tests
    // that must not depend on files of the host, such as alias_maps = hash:/etc/aliases).
    void addDefault(std::string_view name, std::string_view value);

    // The unexpanded value: main.cf's definition, else the default, else nullopt.
    std::optional<std::string> raw(std::string_view name) const;
    // The default as `postconf -d` shows it: registry, computed or added; nullopt if unknown.
    std::optional<std::string> defaultValue(std::string_view name) const;
    // The fully expanded value ("" for an unknown parameter).
    std::string get(std::string_view name) const;
    bool getBool(std::string_view name) const;
    long getLong(std::string_view name) const;

    // Expands `$name`, `${name}`, `$(name)`, `${name?text}`, `${name:text}`,
    // `${name?{text}:{text}}` and the `${{a} OP {b} ? {x} : {y}}` comparisons, recursively.
    std::string expand(std::string_view text) const;
    // The same, with Postfix's syntax and recursion diagnostics.
    MacroResult expandChecked(std::string_view text) const;

    const Definition* definition(std::string_view name) const;
    // Names defined in main.cf (or set()), in the order they first appeared.
    const std::vector<std::string>& definedNames() const { return order_; }
    // Warnings from reading main.cf (see MainCfParse).
    const std::vector<std::string>& loadWarnings() const { return loadWarnings_; }

private:
    std::string configDir_;
    std::map<std::string, Definition, std::less<>> defs_;
    std::vector<std::string> order_;
    std::vector<std::string> loadWarnings_;
    std::map<std::string, std::string, std::less<>> extraDefaults_;
    mutable std::map<std::string, std::string, std::less<>> computedCache_;
};

// The default of a built-in parameter as `postconf -d` prints it (unexpanded), computing
// host-dependent ones over an empty main.cf. nullopt for an unknown name.
std::optional<std::string> builtinDefault(std::string_view name, const std::string& configDir);

}  // namespace postline::config
