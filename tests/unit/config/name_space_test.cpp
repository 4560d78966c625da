// The parameter name space (lib/config/src/name_space.cpp) and the database client names
// (dbms_names.cpp). Expected results were observed with Postfix 3.7.11's postconf -n.
#include "postline/config/name_space.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "postline/base/msg.h"
#include "postline/config/dbms_names.h"

namespace postline::config {
namespace {

// Collects warnings while alive.
struct CapturedWarnings {
    std::vector<std::string> lines;
    base::MsgSink previous = base::msgSink();
    CapturedWarnings() {
        base::setMsgSink([this](base::Severity, std::string_view text) { lines.emplace_back(text); });
    }
    ~CapturedWarnings() { base::setMsgSink(previous); }
};

NameSpace makeNameSpace(const std::vector<std::pair<std::string, std::string>>& mainCf, const std::string& masterCf) {
    Config config = Config::defaults("/etc/postfix");
    for (const auto& [n, v] : mainCf) config.set(n, v);
    auto master = parseMasterCf(masterCf, "/etc/postfix/master.cf");
    EXPECT_TRUE(master) << (master ? "" : master.error().message);
    NameSpace ns(std::move(config), master ? *master : std::vector<MasterEntry>{}, "/etc/postfix");
    ns.registerBuiltin();
    ns.registerService();
    return ns;
}

std::vector<std::string> unusedMasterNames(const NameSpace& ns) {
    std::vector<std::string> out;
    for (const auto& u : ns.unusedMaster()) out.push_back(u.name);
    return out;
}

using Names = std::vector<std::string>;

TEST(NameSpace, UserParametersCountWhenReferenced) {
    CapturedWarnings warnings;
    auto ns = makeNameSpace({{"a", "1"}, {"b", "$a"}, {"relayhost", "$c"}, {"c", "x"}, {"typo_paramter", "1"}}, "");
    ASSERT_TRUE(ns.registerUser());
    // b itself is unused; a counts because b's value names it (as in Postfix).
    EXPECT_EQ(ns.unusedMain(), (Names{"b", "typo_paramter"}));
    EXPECT_EQ(ns.paramClass("c"), kParamUser);
    EXPECT_EQ(ns.paramClass("relayhost"), kParamBuiltin);
    EXPECT_EQ(ns.paramClass("nothing"), 0u);
}

TEST(NameSpace, UndefinedAndReadOnlyWarnings) {
    CapturedWarnings warnings;
    auto ns = makeNameSpace({{"relayhost", "$nowhere"}, {"process_id", "1"}}, "");
    ASSERT_TRUE(ns.registerUser());
    EXPECT_NE(
        std::find(warnings.lines.begin(), warnings.lines.end(), "/etc/postfix/main.cf: undefined parameter: nowhere"),
        warnings.lines.end());
    EXPECT_NE(std::find(warnings.lines.begin(), warnings.lines.end(),
                        "/etc/postfix/main.cf: read-only parameter assignment: process_id=1"),
              warnings.lines.end());
    EXPECT_FALSE(ns.config().definition("process_id"));
}

TEST(NameSpace, RestrictionClassesAndServiceParameters) {
    CapturedWarnings warnings;
    auto ns = makeNameSpace({{"smtpd_restriction_classes", "strict"}, {"strict", "reject"}, {"relay_foo", "1"}},
                            "relay unix - - n - - smtp\n"
                            "smtp inet n - y - - smtpd -o strict=permit -o other=1\n");
    ASSERT_TRUE(ns.registerUser());
    EXPECT_EQ(ns.paramClass("relay_destination_concurrency_limit"), kParamService);
    EXPECT_EQ(ns.unusedMain(), (Names{"relay_foo"}));
    EXPECT_EQ(unusedMasterNames(ns), (Names{"other"}));
}

TEST(NameSpace, DatabaseClientParametersOfBuiltinValues) {
    CapturedWarnings warnings;
    auto ns = makeNameSpace({{"alias_maps", "proxy:ldap:aliases, mysql:users"},
                             {"aliases_server_host", "ldap.example"},
                             {"aliases_bogus", "1"},
                             {"users_hosts", "db"},
                             {"mine", "pgsql:pg"},
                             {"virtual_alias_maps", "$mine"},
                             {"pg_dbname", "x"},
                             {"mine2", "ldap:unseen"},
                             {"unseen_bind", "1"}},
                            "smtp inet n - y - - smtpd -o smtpd_recipient_restrictions=check_client_access,ldap:cl"
                            " -o cl_bind=no -o other_bind=no\n");
    ASSERT_TRUE(ns.registerUser());
    // A user-defined `mine2 = ldap:unseen` registers nothing: only known parameters'
    // values are scanned (virtual_alias_maps = $mine is, expanded).
    EXPECT_EQ(ns.unusedMain(), (Names{"aliases_bogus", "mine2", "unseen_bind"}));
    EXPECT_EQ(unusedMasterNames(ns), (Names{"other_bind"}));
}

TEST(NameSpace, DatabaseClientFilesAreChecked) {
    char dir[] = "/tmp/name_space_testXXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string file = std::string(dir) + "/ldap.cf";
    std::ofstream(file) << "server_host = ldap\nbogus = 1\nscope = sub\nscope = one\n";
    CapturedWarnings warnings;
    auto ns = makeNameSpace(
        {{"alias_maps", "ldap:" + file + ", proxy:ldap:" + file + ", mysql:" + std::string(dir) + "/missing.cf"}}, "");
    ASSERT_TRUE(ns.registerUser());
    Names expected{file + ", line 4: overriding earlier entry: scope=sub",
                   "ldap:" + file + ": unused parameter: bogus=1",
                   "open \"mysql\" configuration \"" + std::string(dir) + "/missing.cf\": No such file or directory"};
    EXPECT_EQ(warnings.lines, expected);  // the file is read once
    std::ofstream(file) << "a line without equals\n";
    auto bad = makeNameSpace({{"alias_maps", "ldap:" + file}}, "");
    auto status = bad.registerUser();
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, file + ", line 1: missing '=' after attribute name: \"a line without equals\"");
    ::unlink(file.c_str());
    ::rmdir(dir);
}

TEST(NameSpace, BadInetProtocolsIsFatalUnlessMynetworksIsSet) {
    CapturedWarnings warnings;
    auto bad = makeNameSpace({{"inet_protocols", "ipv4, IPv6"}, {"stray", "1"}}, "");
    auto status = bad.registerUser();
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, "unknown inet_protocols value \"IPv6\" in \"ipv4, IPv6\"");
    auto style = makeNameSpace({{"mynetworks_style", "host subnet"}}, "");
    status = style.registerUser();
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, "bad mynetworks_style value: host subnet; specify exactly one value");
    // No protocols: the style is not read. An explicit mynetworks: nothing is computed.
    EXPECT_TRUE(makeNameSpace({{"inet_protocols", ""}, {"mynetworks_style", "bogus"}}, "").registerUser());
    EXPECT_TRUE(makeNameSpace({{"inet_protocols", "bogus"}, {"mynetworks", "127.0.0.1"}}, "").registerUser());
    // The linter keeps going and still learns every name.
    auto lint = makeNameSpace({{"inet_protocols", "bogus"}, {"a", "1"}, {"relayhost", "$a"}}, "");
    lint.setKeepGoing(true);
    ASSERT_FALSE(lint.registerUser());
    EXPECT_TRUE(lint.unusedMain().empty());
}

TEST(DbmsNames, ScanFollowsPostconfDbms) {
    Names candidates, warnings, files;
    DbmsVisitor v;
    v.candidate = [&](const std::string& n) {
        if (n.ends_with("_bind")) candidates.push_back(n);
    };
    v.warning = [&](const std::string& w) { warnings.push_back(w); };
    v.clientFile = [&](std::string_view type, const std::string& path) { files.push_back(std::string(type) + path); };
    scanDbmsReferences("pcre:{{/x/ ldap:zz}}, inline:{ldap:in}, {ldap:yy, ldap:{braced}, ldap:.dot, LDAP:upper", v);
    scanDbmsReferences("hash:/etc/x, ldap:/etc/l.cf proxy:proxy:pgsql:/p.cf sqlite:s", v);
    EXPECT_EQ(candidates, (Names{"zz_bind", "in_bind", "yy_bind"}));
    EXPECT_EQ(warnings, (Names{"missing '}' in \"{ldap:yy, ldap:{braced}, ldap:.dot, LDAP:upper\""}));
    EXPECT_EQ(files, (Names{"ldap/etc/l.cf", "pgsql/p.cf"}));
    EXPECT_EQ(dbmsClientSuffixes("mysql").size(), 21u);
    EXPECT_TRUE(dbmsClientSuffixes("hash").empty());
}

}  // namespace
}  // namespace postline::config
