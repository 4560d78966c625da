// The effective configuration: main.cf values over built-in defaults, with Postfix's
// `$name` expansion (mirrors global/mail_conf.c and util/mac_expand.c).
// This is the part lib/maps and the table commands need; the full parameter registry,
// master.cf and edits grow here (see docs/architecture.md).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::config {

// One `name = value` definition in main.cf, with where it came from.
struct Definition {
    std::string value;
    std::string file;
    int line = 0;
};

// The config directory a program uses: `-c DIR` wins, then $MAIL_CONFIG, then /etc/postfix.
std::string defaultConfigDirectory();

// Parses main.cf text (postconf(5): comments, continuation lines, `name = value`).
// Malformed lines are Postfix's fatal error: "FILE, line N: missing '=' after attribute name: ..."
base::Result<std::map<std::string, Definition, std::less<>>> parseMainCf(std::string_view text,
                                                                         const std::string& file);

class Config {
public:
    // Reads DIR/main.cf. A missing main.cf is an error, as in Postfix:
    // "open /etc/postfix/main.cf: No such file or directory".
    static base::Result<Config> load(const std::string& configDir);
    // An empty configuration (defaults only), for tests and for tools that need no file.
    static Config defaults(const std::string& configDir = "/etc/postfix");

    const std::string& configDirectory() const { return configDir_; }

    // Overrides a parameter (like `postmap -o name=value`; also used by tests).
    void set(std::string_view name, std::string_view value);

    // The unexpanded value: main.cf's definition, else the built-in default, else nullopt.
    std::optional<std::string> raw(std::string_view name) const;
    // The fully expanded value ("" for an unknown parameter).
    std::string get(std::string_view name) const;
    bool getBool(std::string_view name) const;
    long getLong(std::string_view name) const;

    // Expands `$name`, `${name}`, `$(name)`, `${name?text}`, `${name:text}`,
    // `${name?{text}:{text}}` and the `${{a} OP {b} ? {x} : {y}}` comparisons.
    std::string expand(std::string_view text) const;

    const Definition* definition(std::string_view name) const;

private:
    std::string configDir_;
    std::map<std::string, Definition, std::less<>> defs_;
};

// Built-in defaults of the parameters that the implemented parts use, as `postconf -d`
// prints them (unexpanded). Returns nullopt for a parameter that has none here.
std::optional<std::string> builtinDefault(std::string_view name, const std::string& configDir);

}  // namespace postline::config
