// Legacy database client parameter names (postconf_dbms.c): which `NAME_SUFFIX`
// parameters a table `TYPE:NAME` makes legal, and the check of `TYPE:/path` client files.
// The suffix lists are the ones Debian's Postfix 3.7.11 postconf accepts (probed: a
// main.cf with `alias_maps = TYPE:x` and every candidate `x_SUFFIX`).
#include "postline/config/dbms_names.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "postline/base/strings.h"
#include "postline/config/config.h"

namespace postline::config {

namespace {

constexpr std::string_view kLdap[] = {"bind",
                                      "bind_dn",
                                      "bind_pw",
                                      "cache",
                                      "cache_expiry",
                                      "cache_size",
                                      "chase_referrals",
                                      "debuglevel",
                                      "dereference",
                                      "domain",
                                      "expansion_limit",
                                      "leaf_result_attribute",
                                      "query_filter",
                                      "recursion_limit",
                                      "result_attribute",
                                      "result_filter",
                                      "result_format",
                                      "sasl_authz_id",
                                      "sasl_mechs",
                                      "sasl_minssf",
                                      "sasl_realm",
                                      "scope",
                                      "search_base",
                                      "server_host",
                                      "server_port",
                                      "size_limit",
                                      "special_result_attribute",
                                      "start_tls",
                                      "terminal_result_attribute",
                                      "timeout",
                                      "tls_ca_cert_dir",
                                      "tls_ca_cert_file",
                                      "tls_cert",
                                      "tls_cipher_suite",
                                      "tls_key",
                                      "tls_random_file",
                                      "tls_require_cert",
                                      "version"};
constexpr std::string_view kMysql[] = {"additional_conditions",
                                       "dbname",
                                       "domain",
                                       "expansion_limit",
                                       "hosts",
                                       "option_file",
                                       "option_group",
                                       "password",
                                       "query",
                                       "require_result_set",
                                       "result_format",
                                       "select_field",
                                       "table",
                                       "tls_CAfile",
                                       "tls_CApath",
                                       "tls_cert_file",
                                       "tls_ciphers",
                                       "tls_key_file",
                                       "tls_verify_cert",
                                       "user",
                                       "where_field"};
constexpr std::string_view kPgsql[] = {
    "additional_conditions", "dbname",       "domain",          "expansion_limit", "hosts", "password",   "query",
    "result_format",         "select_field", "select_function", "table",           "user",  "where_field"};
constexpr std::string_view kSqlite[] = {"additional_conditions", "dbpath",       "domain", "expansion_limit", "query",
                                        "result_format",         "select_field", "table",  "where_field"};
constexpr std::string_view kMemcache[] = {"backup",      "data_size_limit", "domain",  "flags",
                                          "key_format",  "line_size_limit", "max_try", "memcache",
                                          "retry_pause", "timeout",         "ttl"};

constexpr std::string_view kSeparators = ", \t\r\n";

// mystrtokq(): the next token of `rest`, split at separators outside {braces}.
std::string_view nextToken(std::string_view& rest) {
    size_t start = rest.find_first_not_of(kSeparators);
    if (start == std::string_view::npos) {
        rest = {};
        return {};
    }
    int level = 0;
    size_t i = start;
    for (; i < rest.size(); ++i) {
        char c = rest[i];
        if (c == '{') {
            ++level;
        } else if (c == '}') {
            if (level > 0) --level;
        } else if (level == 0 && kSeparators.find(c) != std::string_view::npos) {
            break;
        }
    }
    std::string_view token = rest.substr(start, i - start);
    rest.remove_prefix(i);
    return token;
}

// extpar() without stripping: the text inside the leading {braces} of `text`; `error`
// is set for a missing '}' (the text after '{' is used) or text after the '}'.
std::string_view extractBraced(std::string_view text, std::string& error) {
    int level = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{') {
            ++level;
        } else if (text[i] == '}' && --level == 0) {
            if (i + 1 != text.size()) error = base::cat("syntax error after '}' in \"", text, "\"");
            return text.substr(1, i - 1);
        }
    }
    error = base::cat("missing '}' in \"", text, "\"");
    return text.substr(1);
}

void scan(std::string_view value, const DbmsVisitor& visitor) {
    std::string_view rest = value;
    for (std::string_view token = nextToken(rest); !token.empty(); token = nextToken(rest)) {
        if (token.front() == '{') {
            std::string error;
            std::string_view inner = extractBraced(token, error);
            if (!error.empty() && visitor.warning) visitor.warning(error);
            scan(inner, visitor);
            continue;
        }
        // Skip "proxy:" prefixes, as the proxymap server does.
        std::string_view type = token;
        std::string_view name;
        bool hasName = false;
        for (;;) {
            size_t colon = type.find(':');
            if (colon == std::string_view::npos) {
                hasName = false;
                break;
            }
            hasName = true;
            name = type.substr(colon + 1);
            type = type.substr(0, colon);
            if (type != "proxy") break;
            type = name;
        }
        if (!hasName) continue;
        if (!name.empty() && name.front() == '/') {
            if (!dbmsClientSuffixes(type).empty() && visitor.clientFile) visitor.clientFile(type, std::string(name));
            continue;
        }
        if (!name.empty() && name.front() == '.') continue;
        if (!name.empty() && name.front() == '{') {
            std::string error;
            std::string_view inner = extractBraced(name, error);
            if (!error.empty() && visitor.warning) visitor.warning(error);
            scan(inner, visitor);
            continue;
        }
        if (visitor.candidate)
            for (std::string_view suffix : dbmsClientSuffixes(type)) visitor.candidate(base::cat(name, "_", suffix));
    }
}

}  // namespace

std::span<const std::string_view> dbmsClientSuffixes(std::string_view type) {
    if (type == "ldap") return kLdap;
    if (type == "mysql") return kMysql;
    if (type == "pgsql") return kPgsql;
    if (type == "sqlite") return kSqlite;
    if (type == "memcache") return kMemcache;
    return {};
}

void scanDbmsReferences(std::string_view value, const DbmsVisitor& visitor) { scan(value, visitor); }

base::Result<std::vector<std::string>> checkDbmsClientFile(std::string_view type, const std::string& path) {
    std::vector<std::string> warnings;
    std::string spec = base::cat(type, ":", path);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != EACCES)
            warnings.push_back(base::cat("open \"", type, "\" configuration \"", path, "\": ", std::strerror(errno)));
        return warnings;
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        ::close(fd);
        warnings.push_back(base::cat("open \"", type, "\" configuration \"", path, "\": not a regular file"));
        return warnings;
    }
    std::string text;
    char buffer[8192];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, size_t(got));
    int readErrno = errno;
    ::close(fd);
    if (got < 0) {
        warnings.push_back(base::cat("read \"", type, "\" configuration \"", path, "\": ", std::strerror(readErrno)));
        return warnings;
    }
    auto parsed = parseMainCfEntries(text, path);
    if (!parsed) return parsed.error();
    warnings = std::move(parsed->warnings);
    std::map<std::string, std::string> settings;
    std::vector<std::string> order;
    for (const auto& e : parsed->entries) {
        if (auto it = settings.find(e.name); it != settings.end()) {
            if (it->second != e.def.value)  // dict_load_fp() is silent about the same value
                warnings.push_back(
                    base::cat(path, ", line ", e.def.line, ": overriding earlier entry: ", e.name, "=", it->second));
        } else {
            order.push_back(e.name);
        }
        settings[e.name] = e.def.value;
    }
    auto suffixes = dbmsClientSuffixes(type);
    for (const auto& name : order)
        if (std::find(suffixes.begin(), suffixes.end(), name) == suffixes.end())
            warnings.push_back(base::cat(spec, ": unused parameter: ", name, "=", settings[name]));
    return warnings;
}

}  // namespace postline::config
