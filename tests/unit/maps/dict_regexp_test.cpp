// regexp: tables (Postfix's regexp_table(5), util/dict_regexp.c): option letters, negation,
// the legacy /p1/!/p2/ form, IF/ENDIF, $n substitution, every diagnostic, the in-line
// {…} form, and a differential run against the real `postmap -q - regexp:FILE`.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/maps/registry.h"

namespace postline::maps {
namespace {

class RegexpTable : public ::testing::Test {
protected:
    void SetUp() override {
        base::setProgramName("postmap");
        base::setMsgSink([this](base::Severity severity, std::string_view text) {
            warnings.push_back(base::formatMsg(severity, text));
        });
        dir = ::testing::TempDir() + "regexp_test." + std::to_string(::getpid());
        ::mkdir(dir.c_str(), 0700);
    }
    void TearDown() override { base::setMsgSink(nullptr); }

    std::string write(const std::string& name, const std::string& text) {
        std::string path = dir + "/" + name;
        std::ofstream(path) << text;
        return path;
    }

    std::unique_ptr<Dict> open(const std::string& text, uint32_t flags = 0) {
        path = write("t.regexp", text);
        auto dict = openDict("regexp:" + path, OpenMode::Read, flags);
        EXPECT_TRUE(dict.ok()) << (dict.ok() ? "" : dict.error().message);
        return dict.ok() ? std::move(dict).value() : nullptr;
    }

    static std::string get(Dict& dict, std::string_view key) {
        Lookup r = dict.lookup(key);
        if (r.isError()) return "<error>";
        return r.isFound() ? r.value : "<none>";
    }

    std::string warn(int line, const std::string& text) const {
        return "postmap: warning: regexp map " + path + ", line " + std::to_string(line) + ": " + text;
    }

    std::vector<std::string> warnings;
    std::string dir;
    std::string path;
};

TEST_F(RegexpTable, SubstitutionFormsAndDefaults) {
    auto d = open("/^(.*)@Example\\.com$/ user=$1 ${1}x $(1)y $$\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "Joe@EXAMPLE.COM"), "user=Joe Joex Joey $");  // case-insensitive by default
    EXPECT_EQ(get(*d, "Joe@EXAMPLE.COMx"), "<none>");
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(d->type(), "regexp");
    EXPECT_TRUE(d->flags() & flag::kPattern);
}

TEST_F(RegexpTable, OptionLettersToggle) {
    auto d = open(
        "/CaSe/i sensitive\n"
        "/a+b/x basic\n"
        "/^line2$/m multiline\n"
        "/plain/ plain\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "CASE@y"), "<none>");
    EXPECT_EQ(get(*d, "CaSe@y"), "sensitive");
    EXPECT_EQ(get(*d, "a+b"), "basic");  // basic syntax: '+' is literal
    EXPECT_EQ(get(*d, "aab"), "<none>");
    EXPECT_EQ(get(*d, "line1\nline2"), "multiline");
    EXPECT_EQ(get(*d, "PLAIN"), "plain");
}

TEST_F(RegexpTable, NegationAndLegacySecondPattern) {
    auto d = open(
        "/^a/!/^ab/ a-not-ab\n"
        "!/x/ no-x\n"
        "!!/y/ has-y\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "ac"), "a-not-ab");
    EXPECT_EQ(get(*d, "abx"), "<none>");
    EXPECT_EQ(get(*d, "aby"), "no-x");
    EXPECT_EQ(get(*d, "y"), "no-x");
    EXPECT_EQ(get(*d, "xy"), "has-y");
}

TEST_F(RegexpTable, IfEndifNesting) {
    auto d = open(
        "if /@example\\.com$/\n"
        "if !/^admin@/\n"
        "/^(.*)@/ user $1\n"
        "endif\n"
        "/^admin@/ the admin\n"
        "ENDIF\n"
        "/./ other\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "joe@example.com"), "user joe");
    EXPECT_EQ(get(*d, "admin@example.com"), "the admin");
    EXPECT_EQ(get(*d, "joe@example.org"), "other");
    EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST_F(RegexpTable, IfWithoutEndifEndsTheSearchWhenFalse) {
    auto d = open(
        "if /h/\n"
        "/h1/ H1\n"
        "if !/hh/\n"
        "/h/ H\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "h"), "H");
    EXPECT_EQ(get(*d, "hh"), "<none>");
    EXPECT_EQ(get(*d, "h1"), "H1");
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(warnings[0], warn(3, "IF has no matching ENDIF"));
    EXPECT_EQ(warnings[1], warn(1, "IF has no matching ENDIF"));
}

TEST_F(RegexpTable, EveryDiagnostic) {
    auto d = open(
        "/a/z bad\n"      // 1
        "/nodelim\n"      // 2
        "/x/\n"           // 3
        "!/foo/ $1\n"     // 4
        "/(b)/ $2\n"      // 5
        "/(c)/ $0\n"      // 6
        "/(d)/ ${a}\n"    // 7
        "/(e)/ ${1\n"     // 8
        "/f(/ paren\n"    // 9
        "if /g/ junk\n"   // 10
        "endif junk\n"    // 11
        "endif\n"         // 12
        "what is this\n"  // 13
        "!\n"             // 14
        "/(q)/ $\n");     // 15
    ASSERT_TRUE(d);
    std::vector<std::string> expected = {
        warn(1, "unknown regexp option \"z\": skipping this rule"),
        warn(2, "no closing regexp delimiter \"/\": skipping this rule"),
        warn(3, "no replacement text: using empty string"),
        warn(4, "$number found in negative match replacement text: skipping this rule"),
        warn(5, "out of range replacement index \"2\": skipping this rule"),
        warn(6, "out-of-range replacement index \"0\""),
        warn(6, "bad replacement syntax: skipping this rule"),
        warn(7, "non-numeric replacement index \"a\""),
        warn(7, "bad replacement syntax: skipping this rule"),
        "postmap: warning: truncated macro reference: \"${1\"",
        warn(8, "bad replacement syntax: skipping this rule"),
        warn(9, "Unmatched ( or \\("),
        warn(10, "ignoring extra text after IF statement: \"junk\""),
        warn(10, "do not prepend whitespace to statements between IF and ENDIF"),
        warn(11, "ignoring extra text after ENDIF"),
        warn(12, "ignoring ENDIF without matching IF"),
        warn(13, "ignoring unrecognized request"),
        warn(14, "no regexp: skipping this rule"),
        "postmap: warning: empty macro name: \"$\"",
        warn(15, "bad replacement syntax: skipping this rule"),
    };
    EXPECT_EQ(warnings, expected);
    warnings.clear();
    EXPECT_EQ(get(*d, "x"), "");  // the empty replacement is a result
    EXPECT_EQ(get(*d, "b"), "<none>");
    EXPECT_TRUE(warnings.empty());
}

TEST_F(RegexpTable, NoRegsubRefusesSubstitution) {
    auto d = open("/(.*)/ $1\n/lit/ literal $$\n", flag::kNoRegsub);
    ASSERT_TRUE(d);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], warn(1, "regular expression substitution is not allowed: skipping this rule"));
    EXPECT_EQ(get(*d, "lit"), "literal $");
}

TEST_F(RegexpTable, UnmatchedGroupsSubstituteNothing) {
    auto d = open("/^u(v?)(w)?$/ [$1|$2]\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "u"), "[|]");
    EXPECT_EQ(get(*d, "uvw"), "[v|w]");
}

TEST_F(RegexpTable, NoFoldingOfKeys) {
    auto d = open("/^ABC$/i upper\n", flag::kFoldFix);
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "ABC"), "upper");
    EXPECT_EQ(get(*d, "abc"), "<none>");
}

TEST_F(RegexpTable, ContinuationLinesAndComments) {
    auto d = open(
        "# comment\n"
        "/^a$/ one\n"
        "  two\n"
        "\n"
        "/^b$/ b\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "a"), "one  two");
    EXPECT_EQ(get(*d, "b"), "b");
}

TEST_F(RegexpTable, InlineForm) {
    auto d = openDict("regexp:{ {/^a$/ A}, {if /b/}, {/^(b.)$/ got $1}, {endif} }", OpenMode::Read, 0);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(get(**d, "a"), "A");
    EXPECT_EQ(get(**d, "bc"), "got bc");
    EXPECT_EQ(get(**d, "c"), "<none>");

    auto bad = openDict("regexp:{ {/a/z A}}", OpenMode::Read, 0);
    ASSERT_TRUE(bad.ok());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0],
              "postmap: warning: regexp map { {/a/z A}}, line 1: unknown regexp option \"z\": skipping this rule");

    auto unbraced = openDict("regexp:{ /a/ A }", OpenMode::Read, 0);
    ASSERT_FALSE(unbraced.ok());
    EXPECT_EQ(unbraced.error().message, "regexp map: no '{' at start of text in \"/a/\"");
    auto open = openDict("regexp:{ {/a/ A}", OpenMode::Read, 0);
    ASSERT_FALSE(open.ok());
    EXPECT_EQ(open.error().message, "regexp map: missing '}' in \"{ {/a/ A}\"");
}

TEST_F(RegexpTable, MissingFileAndWriteMode) {
    auto d = openDict("regexp:/nonexist", OpenMode::Read, 0);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().message, "open /nonexist: No such file or directory");
    path = write("w.regexp", "/a/ b\n");
    auto w = openDict("regexp:" + path, OpenMode::Write, 0);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().message, "regexp:" + path + " map requires O_RDONLY access mode");
}

TEST_F(RegexpTable, TrailingBackslashEndsThePattern) {
    auto d = open("/abc\\\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(get(*d, "xabc"), "");
}

// ---------------------------------------------------------------------------------------
// Differential: the same table and keys through the real postmap and through us.

struct Outputs {
    std::string out;
    std::string err;
};

Outputs runPostmap(const std::string& dir, const std::string& spec, const std::string& keysPath) {
    std::string cf = dir + "/cf";
    ::mkdir(cf.c_str(), 0700);
    std::ofstream(cf + "/main.cf") << "compatibility_level = 3.6\n";
    std::string cmd =
        "/usr/sbin/postmap -c " + cf + " -q - '" + spec + "' < " + keysPath + " > " + dir + "/out 2> " + dir + "/err";
    int rc = std::system(cmd.c_str());
    (void)rc;
    Outputs o;
    o.out = base::readFile(dir + "/out").value();
    o.err = base::readFile(dir + "/err").value();
    return o;
}

Outputs runOurs(const std::string& spec, const std::vector<std::string>& keys) {
    Outputs o;
    base::setMsgSink(
        [&o](base::Severity severity, std::string_view text) { o.err += base::formatMsg(severity, text) + "\n"; });
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
    return o;
}

TEST_F(RegexpTable, SameAsPostfix) {
    if (::access("/usr/sbin/postmap", X_OK) != 0) GTEST_SKIP() << "no /usr/sbin/postmap";
    std::string table = write("diff.regexp",
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
                              "/^user2@example\\.com$/ OK2\n"
                              "/^USER3@example\\.com$/i OK3\n"
                              "/\\.com$/ dotcom\n"
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
                                     "user2@example.com",
                                     "user3@example.com",
                                     "other@example.net",
                                     "last@x",
                                     "lastly",
                                     "x.com"};
    std::string keysPath = write("keys", [&] {
        std::string s;
        for (const auto& k : keys) s += k + "\n";
        return s;
    }());
    Outputs theirs = runPostmap(dir, "regexp:" + table, keysPath);
    Outputs ours = runOurs("regexp:" + table, keys);
    base::setMsgSink(nullptr);
    EXPECT_EQ(ours.out, theirs.out);
    EXPECT_EQ(ours.err, theirs.err);
    EXPECT_FALSE(theirs.out.empty());
}

// Generated tables of small patterns (anchors, literals, escapes, classes, groups,
// quantifiers, alternation, every option letter) and keys over the same alphabet: the
// literal-prefix index and the rule grammar must agree with Postfix on every key.
std::string randomTable(std::mt19937& rng, bool pcre) {
    auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const char* atoms[] = {"a", "b", "A", "B", "@", "-", "\\.", ".", "[ab|]", "(a|b)", "(ab)", "x", "\\|"};
    const char* quantifiers[] = {"?", "*", "+", "{2}"};
    std::string table;
    int depth = 0;
    for (int rule = 0; rule < 60; ++rule) {
        if (pick(12) == 0) {
            table += "if /^" + std::string(pick(2) ? "a" : "b") + "/\n";
            ++depth;
            continue;
        }
        if (depth > 0 && pick(8) == 0) {
            table += "endif\n";
            --depth;
            continue;
        }
        std::string pattern = pick(10) < 7 ? "^" : "";
        int atomCount = 1 + pick(4);
        for (int i = 0; i < atomCount; ++i) {
            pattern += atoms[pick(13)];
            if (pick(7) == 0) pattern += quantifiers[pick(4)];
            if (pick(14) == 0) pattern += pick(2) ? "|" : "|^";
        }
        if (pick(3) == 0) pattern += "$";
        std::string flags;
        if (pick(4) == 0) flags += "i";
        if (pick(8) == 0) flags += "m";
        if (pick(10) == 0) flags += "x";
        if (pcre && pick(8) == 0) flags += "A";
        bool negated = pick(10) == 0;
        table += (negated ? "!/" : "/") + pattern + "/" + flags + " R" + std::to_string(rule) + "\n";
    }
    return table;
}

TEST_F(RegexpTable, GeneratedTablesSameAsPostfix) {
    if (::access("/usr/sbin/postmap", X_OK) != 0) GTEST_SKIP() << "no /usr/sbin/postmap";
    std::mt19937 rng(20240607);
    std::vector<std::string> keys;
    const std::string alphabet = "abAB@.-|x";
    for (int i = 0; i < 300; ++i) {
        std::string key;
        int len = static_cast<int>(rng() % 7);
        for (int j = 0; j < len; ++j) key += alphabet[rng() % alphabet.size()];
        if (!key.empty()) keys.push_back(key);
    }
    std::string keysPath = write("gen.keys", [&] {
        std::string s;
        for (const auto& k : keys) s += k + "\n";
        return s;
    }());
    for (int round = 0; round < 4; ++round) {
        for (std::string type : {"regexp", "pcre"}) {
            if (!findDictType(type)) continue;
            std::string table = write("gen" + std::to_string(round) + "." + type, randomTable(rng, type == "pcre"));
            Outputs theirs = runPostmap(dir, type + ":" + table, keysPath);
            Outputs ours = runOurs(type + ":" + table, keys);
            base::setMsgSink(nullptr);
            EXPECT_EQ(ours.out, theirs.out) << table;
            EXPECT_EQ(ours.err, theirs.err) << table;
            EXPECT_NE(theirs.out.find("\tR"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace postline::maps
