// pcre: tables (Postfix's pcre_table(5), util/dict_pcre.c over PCRE2): option letters,
// negation, IF/ENDIF, substitution, every diagnostic, the in-line form, the literal-prefix
// index (first-match order kept), a differential run against the real
// `postmap -q - pcre:FILE`, and a benchmark against it (POSTLINE_BENCH=1).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/maps/registry.h"

namespace postline::maps {
namespace {

class PcreTable : public ::testing::Test {
protected:
    void SetUp() override {
        if (!findDictType("pcre")) GTEST_SKIP() << "built without PCRE2";
        base::setProgramName("postmap");
        base::setMsgSink([this](base::Severity severity, std::string_view text) {
            warnings.push_back(base::formatMsg(severity, text));
        });
        dir = ::testing::TempDir() + "pcre_test." + std::to_string(::getpid());
        ::mkdir(dir.c_str(), 0700);
    }
    void TearDown() override { base::setMsgSink(nullptr); }

    std::string write(const std::string& name, const std::string& text) {
        std::string path = dir + "/" + name;
        std::ofstream(path) << text;
        return path;
    }

    std::unique_ptr<Dict> open(const std::string& text, uint32_t flags = 0) {
        path = write("t.pcre", text);
        auto dict = openDict("pcre:" + path, OpenMode::Read, flags);
        EXPECT_TRUE(dict.ok()) << (dict.ok() ? "" : dict.error().message);
        return dict.ok() ? std::move(dict).value() : nullptr;
    }

    static std::string get(Dict& dict, std::string_view key) {
        Lookup r = dict.lookup(key);
        if (r.isError()) return "<error>";
        return r.isFound() ? r.value : "<none>";
    }

    std::string warn(int line, const std::string& text) const {
        return "postmap: warning: pcre map " + path + ", line " + std::to_string(line) + ": " + text;
    }

    std::vector<std::string> warnings;
    std::string dir;
    std::string path;
};

TEST_F(PcreTable, SubstitutionFormsAndDefaults) {
    auto d = open("/^(.*)@Example\\.com$/ user=$1 ${1}x $(1)y $$\n/^a.b$/ dotall\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "Joe@EXAMPLE.COM"), "user=Joe Joex Joey $");
    EXPECT_EQ(get(*d, "a\nb"), "dotall");  // s is on by default
    EXPECT_TRUE(warnings.empty());
}

TEST_F(PcreTable, EveryOptionLetter) {
    auto d = open(
        "/^CaSe$/i sensitive\n"
        "/^x.y$/s no-dotall\n"
        "/^l2$/m multiline\n"
        "/^sp ace$/x extended\n"
        "/anch/A anchored\n"
        "/^dollar$/E endonly\n"
        "/^(u+)/U ungreedy $1\n"
        "/^obsolete$/X obsolete\n");
    ASSERT_TRUE(d);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], warn(8, "ignoring obsolete regexp option \"X\""));
    EXPECT_EQ(get(*d, "CASE"), "<none>");
    EXPECT_EQ(get(*d, "CaSe"), "sensitive");
    EXPECT_EQ(get(*d, "x\ny"), "<none>");
    EXPECT_EQ(get(*d, "x-y"), "no-dotall");
    EXPECT_EQ(get(*d, "l1\nl2"), "multiline");
    EXPECT_EQ(get(*d, "space"), "extended");
    EXPECT_EQ(get(*d, "anchor"), "anchored");
    EXPECT_EQ(get(*d, "xanch"), "<none>");
    EXPECT_EQ(get(*d, "dollar\n"), "<none>");  // without E, '$' would match before a final newline
    EXPECT_EQ(get(*d, "dollar"), "endonly");
    EXPECT_EQ(get(*d, "uuu"), "ungreedy u");
    EXPECT_EQ(get(*d, "obsolete"), "obsolete");
}

TEST_F(PcreTable, NegationIfEndifAndNoLegacyForm) {
    auto d = open(
        "/^a/!/^ab/ legacy\n"
        "if /@example\\.com$/\n"
        "if !/^admin@/\n"
        "/^(.*)@/ user $1\n"
        "endif\n"
        "/^admin@/ the admin\n"
        "endif\n"
        "!/x/ no-x\n");
    ASSERT_TRUE(d);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], warn(1, "unknown regexp option \"!\": skipping this rule"));
    EXPECT_EQ(get(*d, "joe@example.com"), "user joe");
    EXPECT_EQ(get(*d, "admin@example.com"), "the admin");
    EXPECT_EQ(get(*d, "ac"), "no-x");
    EXPECT_EQ(get(*d, "x@example.org"), "<none>");
}

TEST_F(PcreTable, EveryDiagnostic) {
    auto d = open(
        "/a/z bad\n"          // 1
        "/nodelim\n"          // 2
        "/x/\n"               // 3
        "!/foo/ $1\n"         // 4
        "/(b)/ $2\n"          // 5
        "/(c)/ $0\n"          // 6
        "/(d)/ ${a}\n"        // 7
        "/(e)/ ${1\n"         // 8
        "/f(/ paren\n"        // 9
        "if /g/ junk\n"       // 10
        "endif junk\n"        // 11
        "endif\n"             // 12
        "what is this\n"      // 13
        "if\n"                // 14
        "/(s)|(t)/ s$1t$2\n"  // 15
        "if /[/\n"            // 16
        "endif\n");           // 17
    ASSERT_TRUE(d);
    std::vector<std::string> expected = {
        warn(1, "unknown regexp option \"z\": skipping this rule"),
        warn(2, "no closing regexp delimiter \"/\": ignoring this rule"),
        warn(3, "no replacement text: using empty string"),
        warn(4, "$number found in negative match replacement text: skipping this rule"),
        warn(5, "out of range replacement index \"2\": skipping this rule"),
        warn(6, "out of range replacement index \"0\""),
        warn(6, "bad replacement syntax: skipping this rule"),
        warn(7, "non-numeric replacement index \"a\""),
        warn(7, "bad replacement syntax: skipping this rule"),
        "postmap: warning: truncated macro reference: \"${1\"",
        warn(8, "bad replacement syntax: skipping this rule"),
        warn(9, "error in regex at offset 2: missing closing parenthesis"),
        warn(10, "ignoring extra text after IF statement: \"junk\""),
        warn(10, "do not prepend whitespace to statements between IF and ENDIF"),
        warn(11, "ignoring extra text after ENDIF"),
        warn(12, "ignoring ENDIF without matching IF"),
        warn(13, "ignoring unrecognized request"),
        warn(14, "no regexp: skipping this rule"),
        warn(15, "non-numeric replacement index \"1t\""),
        warn(15, "bad replacement syntax: skipping this rule"),
        warn(16, "error in regex at offset 1: missing terminating ] for character class"),
        warn(17, "ignoring ENDIF without matching IF"),  // the IF that failed to compile is gone
    };
    EXPECT_EQ(warnings, expected);
    EXPECT_EQ(get(*d, "x"), "");
}

TEST_F(PcreTable, NoRegsubAndUnmatchedGroups) {
    auto d = open("/(.*)/ $1\n/^u(v?)(w)?$/ [$1|$2]\n", flag::kNoRegsub);
    ASSERT_TRUE(d);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(warnings[0], warn(1, "regular expression substitution is not allowed: skipping this rule"));
    auto e = open("/^u(v?)(w)?$/ [$1|$2]\n/^(z?)$/ $1\n");
    ASSERT_TRUE(e);
    EXPECT_EQ(get(*e, "u"), "[|]");
    EXPECT_EQ(get(*e, "uvw"), "[v|w]");
    EXPECT_EQ(get(*e, ""), "");  // empty after substitution: an empty result
}

TEST_F(PcreTable, InlineFormAndOpenErrors) {
    auto d = openDict("pcre:{{/^(x)$/ [$1]},{if /y/},{/y/ Y},{endif}}", OpenMode::Read, 0);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(get(**d, "x"), "[x]");
    EXPECT_EQ(get(**d, "y"), "Y");
    EXPECT_EQ(get(**d, "a"), "<none>");
    auto junk = openDict("pcre:{ {/a/ A}, junk }", OpenMode::Read, 0);
    ASSERT_FALSE(junk.ok());
    EXPECT_EQ(junk.error().message, "pcre map: no '{' at start of text in \"junk\"");
    auto after = openDict("pcre:{ {/a/ A} } x", OpenMode::Read, 0);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().message, "pcre map: syntax error after '}' in \"{ {/a/ A} } x\"");
    auto missing = openDict("pcre:/nonexist", OpenMode::Read, 0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "open /nonexist: No such file or directory");
    auto empty = openDict("pcre:{}", OpenMode::Read, 0);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(get(**empty, "a"), "<none>");
}

// The prefix index must never change which rule wins.
TEST_F(PcreTable, PrefixIndexKeepsFirstMatchOrder) {
    auto d = open(
        "/^user1@example\\.com$/ first\n"
        "/^user/ generic-user\n"
        "/^user2@example\\.com$/ shadowed\n"
        "!/^zz/ not-zz\n"
        "/^zzz/ never\n"
        "/^Q?abc/ q-optional\n"
        "/^ab+x/ plus\n"
        "/^lit|^other/ alternation\n"
        "/^[|]x/ class\n"
        "/^k\\.l$/ escaped\n"
        "/^mm/m multi\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "USER1@EXAMPLE.COM"), "first");
    EXPECT_EQ(get(*d, "user2@example.com"), "generic-user");
    EXPECT_EQ(get(*d, "abc"), "not-zz");
    EXPECT_EQ(get(*d, "zzz"), "never");
    EXPECT_EQ(get(*d, "zzzz"), "never");
    auto e = open(
        "/^Q?abc/ q-optional\n"
        "/^ab+x/ plus\n"
        "/^lit|^other/ alternation\n"
        "/^[|]x/ class\n"
        "/^k\\.l$/ escaped\n"
        "/^mm/m multi\n"
        "/^(a)|b/ groupalt\n"
        "/x\\x41yz/ hex\n"
        "/q{2}r/ brace\n"
        "/(?#c)mm|nn/ comment-alt\n"
        "/k\\d+z/ digit\n"
        "/(?x) s p a c e/ spaced\n");
    ASSERT_TRUE(e);
    EXPECT_EQ(get(*e, "abc"), "q-optional");
    EXPECT_EQ(get(*e, "Qabc"), "q-optional");
    EXPECT_EQ(get(*e, "abbx"), "plus");
    EXPECT_EQ(get(*e, "other"), "alternation");
    EXPECT_EQ(get(*e, "|x"), "class");
    EXPECT_EQ(get(*e, "K.L"), "escaped");
    EXPECT_EQ(get(*e, "kxl"), "<none>");
    EXPECT_EQ(get(*e, "x\nmm"), "multi");
    EXPECT_EQ(get(*e, "xb"), "groupalt");
    EXPECT_EQ(get(*e, "xAyz"), "hex");
    EXPECT_EQ(get(*e, "-XAYZ-"), "hex");
    EXPECT_EQ(get(*e, "qqr"), "brace");
    EXPECT_EQ(get(*e, "qr"), "<none>");
    EXPECT_EQ(get(*e, "-nn-"), "comment-alt");
    EXPECT_EQ(get(*e, "k12z"), "digit");
    EXPECT_EQ(get(*e, "-space-"), "spaced");
}

// ---------------------------------------------------------------------------------------
// Against the real postmap.

struct Outputs {
    std::string out;
    std::string err;
    double seconds = 0;
};

std::string makeConfig(const std::string& dir) {
    std::string cf = dir + "/cf";
    ::mkdir(cf.c_str(), 0700);
    std::ofstream(cf + "/main.cf") << "compatibility_level = 3.6\n";
    return cf;
}

Outputs runPostmap(const std::string& dir, const std::string& spec, const std::string& keysPath) {
    std::string cmd = "/usr/sbin/postmap -c " + makeConfig(dir) + " -q - '" + spec + "' < " + keysPath + " > " + dir +
                      "/out 2> " + dir + "/err";
    auto start = std::chrono::steady_clock::now();
    int rc = std::system(cmd.c_str());
    Outputs o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    (void)rc;
    o.out = base::readFile(dir + "/out").value();
    o.err = base::readFile(dir + "/err").value();
    return o;
}

Outputs runOurs(const std::string& spec, const std::vector<std::string>& keys) {
    Outputs o;
    base::setMsgSink(
        [&o](base::Severity severity, std::string_view text) { o.err += base::formatMsg(severity, text) + "\n"; });
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Dict> dict;
    for (const auto& key : keys) {
        if (!dict) {
            auto opened = openDict(spec, OpenMode::Read, flag::kFoldFix | flag::kUtf8Request);
            if (!opened.ok()) {
                o.err += "postmap: fatal: " + opened.error().message + "\n";
                break;
            }
            dict = std::move(opened).value();
        }
        Lookup r = dict->lookup(key);
        if (!r.isFound()) continue;
        if (r.value.empty()) {
            o.err +=
                "postmap: warning: table " + dict->spec() + ": key " + key + ": empty string result is not allowed\n";
            o.err += "postmap: warning: table " + dict->spec() + " should return NO RESULT in case of NOT FOUND\n";
        }
        o.out += key + "\t" + r.value + "\n";
    }
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    base::setMsgSink(nullptr);
    return o;
}

std::string joinLines(const std::vector<std::string>& keys) {
    std::string s;
    for (const auto& k : keys) s += k + "\n";
    return s;
}

TEST_F(PcreTable, SameAsPostfix) {
    if (::access("/usr/sbin/postmap", X_OK) != 0) GTEST_SKIP() << "no /usr/sbin/postmap";
    std::string table = write("diff.pcre",
                              "# differential table\n"
                              "/^(.*)@Example\\.com$/ user=$1 ${1}x $(1)y $$\n"
                              "/CaSe/i case\n"
                              "/a/z bad\n"
                              "/nodelim\n"
                              "/^empty$/\n"
                              "!/[@.]/ no-at-or-dot\n"
                              "/(b)/ $2\n"
                              "/(c)/ $0\n"
                              "/(d)/ ${a} ${b}\n"
                              "/(e)/ ${1\n"
                              "/f(/ paren\n"
                              "/^([^@]+)@(sub\\.)?dom\\.org$/ [$1][$2]\n"
                              "/^abc@/!/^abc@x/ legacy\n"
                              "if /@inner\\./\n"
                              "if !/^root@/\n"
                              "/^(.+)@inner\\.(.*)$/ $2:$1\n"
                              "endif junk\n"
                              "/^root@/ ROOT\n"
                              "endif\n"
                              "endif\n"
                              "if /g/ junk\n"
                              "endif\n"
                              "nonsense here\n"
                              "/^ab+c|^xyz/ alternation\n"
                              "/^lit\\.eral[0-9]?x/ prefixed\n"
                              "/^user1@example\\.com$/ OK1\n"
                              "/^user1@/ user1-any\n"
                              "/^user2@example\\.com$/ OK2\n"
                              "/^USER3@example\\.com$/i OK3\n"
                              "/^q(?i)Q@/ inline-option\n"
                              "/^n(?#|)x/ comment\n"
                              "/^w\\Qa|b\\E/ quoted\n"
                              "/^v[[:digit:]|]+@/ posix-class\n"
                              "/(?<name>r)@r/ named $1\n"
                              "/\\.com$/ dotcom\n"
                              "/u(?:x|y)z/X obsolete\n"
                              "/anch/A anchored\n"
                              "if /^last/\n"
                              "/./ inside last\n");
    std::vector<std::string> keys = {"Joe@EXAMPLE.COM",
                                     "CASE@y",
                                     "CaSe@y",
                                     "empty",
                                     "plain",
                                     "b@x",
                                     "c@x",
                                     "e@x",
                                     "joe@dom.org",
                                     "joe@sub.dom.org",
                                     "abc@y",
                                     "abc@x",
                                     "joe@inner.net",
                                     "root@inner.net",
                                     "g@x",
                                     "abbbc@q",
                                     "xyz@q",
                                     "lit.eral7x@q",
                                     "lit.eralx@q",
                                     "user1@example.com",
                                     "USER1@EXAMPLE.COM",
                                     "user1@other.org",
                                     "user2@example.com",
                                     "user3@example.com",
                                     "qq@x",
                                     "QQ@x",
                                     "nx@q",
                                     "wa|b@q",
                                     "v1|2@q",
                                     "r@r",
                                     "other@example.net",
                                     "uxz@q",
                                     "anchor@q",
                                     "xanchor@q",
                                     "last@x",
                                     "lastly",
                                     "x.com"};
    std::string keysPath = write("keys", joinLines(keys));
    Outputs theirs = runPostmap(dir, "pcre:" + table, keysPath);
    Outputs ours = runOurs("pcre:" + table, keys);
    EXPECT_EQ(ours.out, theirs.out);
    EXPECT_EQ(ours.err, theirs.err);
    EXPECT_FALSE(theirs.out.empty());
}

// A 10,000-rule table queried with 20,000 keys, side by side with Postfix. The anchored
// table (rules like /^user1234@example\.com$/) must take at most 0.2 of Postfix's time;
// the unanchored variant (no literal prefix to index, JIT only) is measured and printed.
TEST_F(PcreTable, BenchmarkAgainstPostfix) {
    const char* bench = std::getenv("POSTLINE_BENCH");
    if (!bench || std::string(bench) != "1") GTEST_SKIP() << "set POSTLINE_BENCH=1";
    if (::access("/usr/sbin/postmap", X_OK) != 0) GTEST_SKIP() << "no /usr/sbin/postmap";
    std::vector<std::string> keys;
    for (int i = 0; i < 20000; ++i) {
        if (i % 10 == 0)
            keys.push_back("user" + std::to_string(i * 7 % 10000) + "@example.com");
        else
            keys.push_back("someone" + std::to_string(i) + "@elsewhere" + std::to_string(i % 97) + ".org");
    }
    std::string keysPath = write("bench.keys", joinLines(keys));
    for (std::string anchor : {"^", ""}) {
        std::string rules;
        rules += "/^postmaster@/ OK postmaster\n";
        rules += "/^(.+)\\+[^@]*@example\\.com$/ $1@example.com\n";
        for (int i = 0; i < 10000; ++i) {
            rules += "/" + anchor + "user" + std::to_string(i) + "@example\\.com$/ OK" + std::to_string(i) + "\n";
            if (i % 1000 == 999) rules += "/@spam" + std::to_string(i) + "\\.test$/ REJECT\n";
        }
        rules += "/\\.invalid$/ REJECT invalid\n";
        std::string table = write("bench.pcre", rules);
        Outputs theirs = runPostmap(dir, "pcre:" + table, keysPath);
        Outputs ours = runOurs("pcre:" + table, keys);
        EXPECT_EQ(ours.out, theirs.out);
        EXPECT_EQ(ours.err, theirs.err);
        double ratio = ours.seconds / theirs.seconds;
        std::printf("pcre 10000 %s rules x 20000 keys: postfix %.3fs, postline %.3fs, ratio %.4f\n",
                    anchor.empty() ? "unanchored" : "anchored", theirs.seconds, ours.seconds, ratio);
        if (!anchor.empty()) {
            EXPECT_LE(ratio, 0.2);
        }
    }
}

}  // namespace
}  // namespace postline::maps
