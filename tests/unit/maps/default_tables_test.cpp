// tablesOfDefaults() and aliasTables(): which tables Postfix's built-in defaults make its
// daemons open, and which tables are in aliases(5) format.
#include "postline/maps/default_tables.h"

#include <gtest/gtest.h>

namespace postline::maps {
namespace {

config::MasterEntry service(std::vector<std::string> argv) { return config::MasterEntry{std::move(argv), 1}; }

std::vector<std::string> named(const std::vector<DefaultTableUse>& uses) {
    std::vector<std::string> out;
    for (const DefaultTableUse& use : uses) out.push_back(use.parameter + " " + use.table);
    return out;
}

TEST(DefaultTables, DebianDefaultsWithTheStockMasterCf) {
    config::Config config = config::Config::defaults("/etc/postfix");
    config.addDefault("alias_maps", "hash:/etc/aliases, nis:mail.aliases");  // whatever the registry says
    // No caches (address_verify_map, postscreen_cache_map), no proxymap lists, no
    // alias_database, no in-line tables (static:anyone).
    EXPECT_EQ(
        named(tablesOfDefaults(config, {})),
        (std::vector<std::string>{"alias_maps hash:/etc/aliases", "alias_maps nis:mail.aliases",
                                  "local_recipient_maps proxy:unix:passwd.byname",
                                  "local_recipient_maps hash:/etc/aliases", "local_recipient_maps nis:mail.aliases"}));
}

TEST(DefaultTables, WhatMainCfSetsIsNotADefault) {
    config::Config config = config::Config::defaults("/etc/postfix");
    config.set("alias_maps", "hash:/etc/postfix/aliases");
    config.set("transport_maps", "hash:/etc/postfix/transport");
    EXPECT_EQ(named(tablesOfDefaults(config, {})),
              (std::vector<std::string>{"address_verify_transport_maps hash:/etc/postfix/transport",
                                        "local_recipient_maps proxy:unix:passwd.byname",
                                        "local_recipient_maps hash:/etc/postfix/aliases"}));
}

TEST(DefaultTables, OnlyWhereADaemonUsesMainCfsValue) {
    config::Config config = config::Config::defaults("/etc/postfix");
    config.addDefault("alias_maps", "hash:/etc/aliases");
    std::vector<config::MasterEntry> master = {
        service({"smtp", "inet", "n", "-", "y", "-", "-", "smtpd", "-o", "local_recipient_maps="}),
        service({"local", "unix", "-", "n", "n", "-", "-", "local"}),
    };
    EXPECT_EQ(named(tablesOfDefaults(config, master)), (std::vector<std::string>{"alias_maps hash:/etc/aliases"}));
    master[1] = service({"local", "unix", "-", "n", "n", "-", "-", "local", "-o", "alias_maps=hash:/x"});
    EXPECT_TRUE(tablesOfDefaults(config, master).empty());
}

TEST(DefaultTables, AliasTablesAreWhatAliasParametersName) {
    config::Config config = config::Config::defaults("/etc/postfix");
    config.set("alias_maps", "proxy:hash:/etc/postfix/aliases, unionmap:{ hash:/a, ldap:/b }");
    std::vector<config::MasterEntry> master = {
        service({"local2", "unix", "-", "n", "n", "-", "-", "local", "-o", "alias_maps=lmdb:/c"})};
    std::set<std::string> expected{"hash:/etc/postfix/aliases", "hash:/a", "ldap:/b", "lmdb:/c"};
    expected.insert("hash:/etc/aliases");  // alias_database's default
    config.addDefault("alias_database", "hash:/etc/aliases");
    EXPECT_EQ(aliasTables(config, master), expected);
}

TEST(DefaultTables, CachesNameNoTablesToBuildOrCheck) {
    config::Config config = config::Config::defaults("/etc/postfix");
    for (std::string_view name : {"address_verify_map", "postscreen_cache_map", "proxy_write_maps"}) {
        EXPECT_TRUE(isCacheParameter(name)) << name;
        EXPECT_TRUE(tablesOfParameter(name, "btree:/var/lib/postfix/cache", config).empty()) << name;
    }
    EXPECT_FALSE(isCacheParameter("virtual_alias_maps"));
    EXPECT_EQ(tablesOfParameter("virtual_alias_maps", "btree:/etc/postfix/virtual", config),
              (std::vector<std::string>{"btree:/etc/postfix/virtual"}));
}

TEST(DefaultTables, InLineTables) {
    EXPECT_TRUE(isInLineTable("static:anyone"));
    EXPECT_TRUE(isInLineTable("regexp:{{/^[^A-Z]/ Bogus}}"));
    EXPECT_TRUE(isInLineTable("proxy:inline:{a=b}"));
    EXPECT_FALSE(isInLineTable("hash:/etc/aliases"));
    EXPECT_FALSE(isInLineTable("unionmap:{static:x, hash:/y}"));
}

}  // namespace
}  // namespace postline::maps
