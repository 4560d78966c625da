// Built-in defaults (as `postconf -d` prints them on Debian 12, Postfix 3.7.11) of the
// parameters the implemented parts read. Computed ones (myhostname, mydomain,
// config_directory) are derived from the host and the command line like Postfix does.
#include <unistd.h>

#include <string>

#include "postline/base/strings.h"
#include "postline/config/config.h"

namespace postline::config {
namespace {

struct DefaultRow {
    std::string_view name;
    std::string_view value;
};

constexpr DefaultRow kDefaults[] = {
    {"alias_database", "hash:/etc/aliases"},
    {"alias_maps", "hash:/etc/aliases, nis:mail.aliases"},
    {"berkeley_db_create_buffer_size", "16777216"},
    {"berkeley_db_read_buffer_size", "131072"},
    {"command_directory", "/usr/sbin"},
    {"compatibility_level", "0"},
    {"daemon_directory", "/usr/lib/postfix/sbin"},
    {"data_directory", "/var/lib/postfix"},
    {"default_database_type", "hash"},
    {"lmdb_map_size", "16777216"},
    {"mail_name", "Postfix"},
    {"mail_version", "3.7.11"},
    {"mydomain", ""},    // computed below
    {"myhostname", ""},  // computed below
    {"myorigin", "$myhostname"},
    {"parent_domain_matches_subdomains",
     "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,"
     "relay_domains,smtpd_access_maps"},
    {"queue_directory", "/var/spool/postfix"},
    {"smtputf8_enable", "${{$compatibility_level} <level {1} ? {no} : {yes}}"},
};

std::string hostName() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return base::lowercase(buf);
}

}  // namespace

std::optional<std::string> builtinDefault(std::string_view name, const std::string& configDir) {
    if (name == "config_directory") return configDir;
    if (name == "myhostname") {
        std::string host = hostName();
        return host.find('.') == std::string::npos ? host + ".localdomain" : host;
    }
    if (name == "mydomain") {
        auto host = *builtinDefault("myhostname", configDir);
        auto dot = host.find('.');
        return dot == std::string::npos ? std::string("localdomain") : host.substr(dot + 1);
    }
    for (const auto& row : kDefaults)
        if (row.name == name) return std::string(row.value);
    return std::nullopt;
}

}  // namespace postline::config
