// The literal index of regexp: and pcre: tables (Postfix's util/dict_regexp.c and
// util/dict_pcre.c try every rule in order; we skip the rules whose required literals a
// key lacks): requiredLiterals() on tricky patterns, a differential run of Dict::lookup
// against the plain first-match scan over generated tables, and regexp's nesting guard.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "postline/base/msg.h"
#include "postline/maps/pattern_literals.h"
#include "postline/maps/pattern_table.h"
#include "postline/maps/registry.h"

namespace postline::maps {
namespace {

// The sets as text, each sorted, in sorted order: "{a,b} {c}"; "-" when nothing is known.
std::string show(std::vector<LiteralAlternatives> sets) {
    if (sets.empty()) return "-";
    std::vector<std::string> parts;
    for (auto& set : sets) {
        std::sort(set.begin(), set.end());
        std::string part = "{";
        for (size_t i = 0; i < set.size(); ++i) part += (i ? "," : "") + set[i];
        parts.push_back(part + "}");
    }
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
    return out;
}

std::string posix(std::string_view pattern) { return show(requiredLiterals(pattern, RegexSyntax::PosixExtended)); }
std::string pcre(std::string_view pattern) { return show(requiredLiterals(pattern, RegexSyntax::Pcre)); }

TEST(RequiredLiterals, LiteralRunsAroundWildcards) {
    EXPECT_EQ(posix("^Subject: .*offer number 17\\b"), "{offer number 17} {subject: }");
    EXPECT_EQ(pcre("^Subject: .*offer number 17\\b"), "{offer number 17} {subject: }");
    EXPECT_EQ(posix("^user[0-9]+@domain5\\.example$"), "{@domain5.example} {user}");
    EXPECT_EQ(pcre("^user\\d+@domain5\\.example$"), "{@domain5.example} {user}");
    // Letters are lowercased: keys are lowercased before they are searched.
    EXPECT_EQ(posix("ViAgRa"), "{viagra}");
    EXPECT_EQ(pcre("(?i)ViAgRa"), "{viagra}");
    EXPECT_EQ(pcre("(?-i)ViAgRa"), "{viagra}");
    EXPECT_EQ(pcre("(?i:Via)gra"), "{viagra}");
    // Anything that is only "some character" ends a literal.
    EXPECT_EQ(posix("ab.cd"), "{ab} {cd}");
    EXPECT_EQ(pcre("ab\\wcd\\s+ef"), "{ab} {cd} {ef}");
    EXPECT_EQ(posix("ab\\wcd\\s+ef"), "{ab} {cd} {ef}");
    EXPECT_EQ(posix("\\<word\\>"), "{word}");
    EXPECT_EQ(pcre("\\bword\\B"), "{word}");
    EXPECT_EQ(pcre("a\\Kbc"), "{abc}");  // \K moves the match start, the key still has "abc"
    EXPECT_EQ(pcre("a\\.b\\$c"), "{a.b$c}");
    EXPECT_EQ(posix("a\\.b\\|c\\{"), "{a.b|c{}");  // ERE: \| and \{ are characters
    EXPECT_EQ(posix(".*"), "-");
    EXPECT_EQ(pcre("^$"), "-");
}

TEST(RequiredLiterals, AlternativesAndOptionalParts) {
    EXPECT_EQ(posix("^(From|Reply-To): .*(spammer5|bad5)\\.example"),
              "{bad5.example,spammer5.example} {from: ,reply-to: }");
    EXPECT_EQ(pcre("^(?:From|Reply-To): .*(?:spammer5|bad5)\\.example"),
              "{bad5.example,spammer5.example} {from: ,reply-to: }");
    // A branch that may be empty makes the alternation say nothing.
    EXPECT_EQ(posix("(foo|)bar"), "{bar}");
    EXPECT_EQ(posix("x(foo|)"), "{x}");
    EXPECT_EQ(posix("a|.*"), "-");
    // Each branch gives its most selective set: "ccc" rather than "bb".
    EXPECT_EQ(posix("a|bb.*ccc"), "{a,ccc}");
    // Optional parts are never required.
    EXPECT_EQ(posix("abc?"), "{ab}");
    EXPECT_EQ(posix("(abc)*def"), "{def}");
    EXPECT_EQ(posix("(abc)?def"), "{def}");
    EXPECT_EQ(posix("(abc){0,3}def"), "{def}");
    EXPECT_EQ(pcre("(abc){0}def"), "{def}");
    EXPECT_EQ(pcre("(abc)??def"), "{def}");
    EXPECT_EQ(pcre("(?:abc)*+def"), "{def}");
    EXPECT_EQ(posix("(abc)+def"), "{abc} {def}");
    EXPECT_EQ(pcre("(?:ab|cd){2,5}ef"), "{ab,cd} {ef}");
    EXPECT_EQ(posix("x+"), "{x}");
    EXPECT_EQ(posix("(a|b)?"), "-");
}

TEST(RequiredLiterals, BracketExpressions) {
    EXPECT_EQ(posix("[abc]x"), "{ax,bx,cx}");
    EXPECT_EQ(posix("[Aa]x"), "{ax}");
    EXPECT_EQ(posix("[a-z]x"), "{x}");
    EXPECT_EQ(posix("[^a]bc"), "{bc}");
    EXPECT_EQ(posix("[[:alpha:]]bc"), "{bc}");
    EXPECT_EQ(posix("[]a]bc"), "{]bc,abc}");
    EXPECT_EQ(posix("[a-]bc"), "{-bc,abc}");
    // Inside brackets a POSIX backslash is itself; a PCRE one escapes.
    EXPECT_EQ(posix("[\\d]x"), "{\\x,dx}");
    EXPECT_EQ(pcre("[\\d]x"), "{x}");
    EXPECT_EQ(pcre("[\\]]x"), "{]x}");
    EXPECT_EQ(pcre("[\\b]x"), "{x}");  // backspace: not a letter to look for
    EXPECT_EQ(posix("[abcdef]x"), "{x}");
}

TEST(RequiredLiterals, WhatIsNotUnderstoodGivesNothingWrong) {
    // Back-references, \Q..\E, escapes for characters, verbs, recursion, conditionals,
    // extended mode: nothing is claimed rather than something wrong.
    EXPECT_EQ(posix("(ab)\\1"), "-");
    EXPECT_EQ(pcre("(ab)\\1"), "-");
    EXPECT_EQ(pcre("(?<n>ab)\\k<n>"), "-");
    EXPECT_EQ(pcre("\\Qa.b\\E"), "-");
    EXPECT_EQ(pcre("a\\x41b"), "-");
    EXPECT_EQ(pcre("a\\nb"), "-");
    EXPECT_EQ(posix("a\\nb"), "-");
    EXPECT_EQ(posix("\\dabc"), "-");  // glibc has no \d
    EXPECT_EQ(pcre("(*UTF)abc"), "-");
    EXPECT_EQ(pcre("abc(?R)?"), "-");
    EXPECT_EQ(pcre("(?(1)a|b)c"), "-");
    EXPECT_EQ(pcre("(?x) a b c"), "-");
    EXPECT_EQ(pcre("(?<*ab)c(d>e)"), "-");  // not a named group
    EXPECT_EQ(pcre("a{,3}b"), "-");         // a literal brace in some PCRE2 versions
    EXPECT_EQ(posix("*abc"), "-");
    EXPECT_EQ(posix("abc)"), "-");
    EXPECT_EQ(posix("(abc"), "-");
    // The engines stop at a NUL: what follows it is not required.
    EXPECT_EQ(posix(std::string_view("abc\0def", 7)), "-");
    // Groups and lookarounds that are understood.
    EXPECT_EQ(pcre("(?<name>abc)d"), "{abcd}");
    EXPECT_EQ(pcre("(?P<name>abc)d"), "{abcd}");
    EXPECT_EQ(pcre("(?=xyz)abc"), "{abc}");
    EXPECT_EQ(pcre("(?<!xyz)abc"), "{abc}");
    EXPECT_EQ(pcre("(?#note)abc"), "{abc}");
    EXPECT_EQ(pcre("(?>ab|cd)e"), "{abe,cde}");
    // Non-ASCII bytes are not looked for (case folding of UTF-8 is not ASCII's).
    EXPECT_EQ(posix("caf\xc3\xa9 au lait"), "{ au lait} {caf}");
    // Nesting deeper than the reader follows.
    EXPECT_EQ(posix(std::string(100, '(') + "abc" + std::string(100, ')')), "-");
    EXPECT_EQ(posix(std::string(20, '(') + "abc" + std::string(20, ')')), "{abc}");
}

// ---------------------------------------------------------------------------------------
// Differential: generated tables, Dict::lookup (indexed) against scanPatternTable.

const char* const kWords[] = {"offer", "number", "From", "Reply-To", "spam", "Bad", "viagra", "user", "example", "x"};

class Generator {
public:
    explicit Generator(uint32_t seed) : rng_(seed) {}

    size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    bool chance(int percent) { return static_cast<int>(pick(100)) < percent; }
    std::string word() {
        std::string w = kWords[pick(std::size(kWords))];
        if (chance(30))
            for (char& c : w) c = static_cast<char>(chance(50) ? std::toupper(c) : std::tolower(c));
        if (chance(80)) w += std::to_string(pick(40));
        return w;
    }

    // One piece of a pattern and a text that it matches (appended to `key`).
    std::string piece(bool pcre, std::string& key, int depth = 0) {
        size_t kind = pick(depth > 1 ? 6 : 12);
        // No ".*" under a repetition: "(.*)*" backtracks exponentially on a miss.
        if (depth > 0 && kind == 3) kind = 0;
        switch (kind) {
            case 0:
            case 1:
            case 2: {
                std::string w = word();
                key += w;
                return w;
            }
            case 3:
                key += chance(50) ? "" : "zz ";
                return ".*";
            case 4:
                key += "b";
                return "[abc]";
            case 5:
                key += std::to_string(pick(10));
                return pcre && chance(50) ? "\\d" : "[0-9]";
            case 6: {
                std::string alt1, alt2;
                std::string a = piece(pcre, alt1, depth + 1), b = piece(pcre, alt2, depth + 1);
                key += chance(50) ? alt1 : alt2;
                return (pcre && chance(50) ? "(?:" : "(") + a + "|" + b + ")";
            }
            case 7: {
                std::string inner;
                std::string p = piece(pcre, inner, depth + 1);
                if (chance(50)) key += inner;
                return "(" + p + ")?";
            }
            case 8: {
                std::string inner;
                std::string p = piece(pcre, inner, depth + 1);
                size_t n = pick(3);
                for (size_t i = 0; i < n; ++i) key += inner;
                return "(" + p + ")" + (chance(50) ? "*" : "{0,2}");
            }
            case 9:
                key += ".";
                return "\\.";
            case 10:
                key += " ";
                return "\\b ";
            default:
                if (pcre && chance(50)) {
                    std::string w = word();
                    key += w;
                    return "(?i)" + w;
                }
                key += "q";
                return "[^a]";
        }
    }

    // A rule line and a key meant to match it.
    std::string rule(bool pcre, size_t n, std::string& key) {
        std::string pattern;
        key.clear();
        bool anchored = chance(40);
        if (anchored)
            pattern += "^";
        else if (chance(50))
            key += word() + " ";
        // Every rule names at least one word, as real rules do, so that most keys match
        // few rules and the first match is often far down the table.
        size_t pieces = pick(4), at = pick(pieces + 1);
        for (size_t i = 0; i <= pieces; ++i) {
            if (i == at) {
                std::string w = word();
                key += w;
                pattern += w;
            } else {
                pattern += piece(pcre, key);
            }
        }
        if (chance(20))
            pattern += "$";
        else if (chance(50))
            key += " " + word();
        std::string flags;
        if (chance(25)) flags += "i";
        if (chance(10)) flags += "m";
        if (pcre && chance(5)) flags += "x";
        if (!pcre && chance(3)) flags += "x";  // basic syntax: never indexed
        std::string line = (chance(2) ? "!" : "") + std::string("/") + pattern + "/" + flags;
        return line + " r" + std::to_string(n);
    }

    // A variant of a key: one character changed, dropped or doubled, or the case changed.
    std::string mutate(std::string key) {
        if (key.empty()) return word();
        size_t at = pick(key.size());
        switch (pick(4)) {
            case 0:
                key[at] = static_cast<char>('a' + pick(26));
                break;
            case 1:
                key.erase(at, 1);
                break;
            case 2:
                key.insert(at, 1, key[at]);
                break;
            default:
                for (char& c : key) c = static_cast<char>(std::toupper(c));
        }
        return key;
    }

    std::mt19937 rng_;
};

class PatternIndex : public ::testing::Test {
protected:
    void SetUp() override {
        base::setMsgSink([this](base::Severity, std::string_view text) { warnings.emplace_back(text); });
        dir = ::testing::TempDir() + "pattern_index_test." + std::to_string(::getpid());
        ::mkdir(dir.c_str(), 0700);
    }
    void TearDown() override { base::setMsgSink(nullptr); }

    std::unique_ptr<Dict> open(const std::string& type, const std::string& text) {
        std::string path = dir + "/t." + type;
        std::ofstream(path) << text;
        auto dict = openDict(type + ":" + path, OpenMode::Read, 0);
        EXPECT_TRUE(dict.ok()) << (dict.ok() ? "" : dict.error().message);
        return dict.ok() ? std::move(dict).value() : nullptr;
    }

    static std::string describe(const Lookup& r) {
        if (r.isError()) return "<error>";
        return r.isFound() ? r.value : "<none>";
    }

    void differential(const std::string& type, uint32_t seed) {
        bool pcreType = type == "pcre";
        Generator gen(seed);
        size_t found = 0, total = 0;
        for (int table = 0; table < 40; ++table) {
            std::string text;
            std::vector<std::string> keys;
            int openIfs = 0;
            size_t rules = 60 + gen.pick(120);
            for (size_t n = 0; n < rules; ++n) {
                if (gen.chance(4)) {
                    std::string ifKey;
                    std::string line = gen.rule(pcreType, n, ifKey);
                    text += "if " + line.substr(0, line.rfind(' ')) + "\n";
                    ++openIfs;
                    keys.push_back(ifKey);
                } else if (openIfs > 0 && gen.chance(8)) {
                    text += "endif\n";
                    --openIfs;
                }
                std::string key;
                text += gen.rule(pcreType, n, key) + "\n";
                keys.push_back(key);
                keys.push_back(gen.mutate(key));
                if (gen.chance(30)) keys.push_back(key + "\n" + gen.word());  // multi-line keys
            }
            while (openIfs-- > 0) text += "endif\n";
            for (int i = 0; i < 100; ++i) {
                std::string key;
                for (size_t w = gen.pick(5); w > 0; --w) key += gen.word() + (gen.chance(50) ? " " : "");
                keys.push_back(key);
            }
            warnings.clear();
            auto dict = open(type, text);
            ASSERT_TRUE(dict);
            for (const auto& key : keys) {
                Lookup indexed = dict->lookup(key);
                auto reference = scanPatternTable(*dict, key);
                ASSERT_TRUE(reference) << reference.error().message;
                ASSERT_EQ(describe(indexed), describe(*reference))
                    << type << " table " << table << ", key \"" << key << "\"\n"
                    << text;
                ++total;
                if (indexed.isFound()) ++found;
            }
        }
        // The keys must exercise both outcomes, or the comparison says little.
        EXPECT_GT(found, total / 5) << found << " of " << total;
        EXPECT_LT(found, total - total / 20) << found << " of " << total;
    }

    std::vector<std::string> warnings;
    std::string dir;
};

TEST_F(PatternIndex, RegexpLookupsAgreeWithThePlainScan) {
    differential("regexp", 12345);
    differential("regexp", 777);
}

TEST_F(PatternIndex, PcreLookupsAgreeWithThePlainScan) {
    if (!findDictType("pcre")) GTEST_SKIP() << "built without PCRE2";
    differential("pcre", 12345);
    differential("pcre", 777);
}

TEST_F(PatternIndex, ScanIsOnlyForPatternTables) {
    auto dict = open("cidr", "10.0.0.0/8 OK\n");
    ASSERT_TRUE(dict);
    auto r = scanPatternTable(*dict, "10.1.2.3");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("is not a pattern table"), std::string::npos) << r.error().message;
}

// Many rules that share their text up to a ".*" and differ after it, as administrators
// write them: the right rule answers, also for keys that name several numbers.
TEST_F(PatternIndex, SharedPrefixRulesAnswerTheRightRule) {
    std::string text;
    for (int n = 0; n < 2000; ++n)
        text += "/^Subject: .*offer number " + std::to_string(n) + "\\b/ REJECT offer " + std::to_string(n) + "\n";
    text += "/^Subject: / DUNNO\n";
    for (const std::string type : {"regexp", "pcre"}) {
        if (type == "pcre" && !findDictType("pcre")) continue;
        auto dict = open(type, text);
        ASSERT_TRUE(dict);
        EXPECT_EQ(describe(dict->lookup("Subject: great OFFER NUMBER 1999 today")), "REJECT offer 1999") << type;
        EXPECT_EQ(describe(dict->lookup("Subject: offer number 12 and offer number 7")), "REJECT offer 7") << type;
        EXPECT_EQ(describe(dict->lookup("Subject: offer number 20000")), "DUNNO") << type;
        EXPECT_EQ(describe(dict->lookup("From: offer number 5")), "<none>") << type;
    }
}

// ---------------------------------------------------------------------------------------
// regexp's nesting guard: glibc's regcomp recurses once per level.

TEST_F(PatternIndex, RegexpRefusesPatternsNestedTooDeeply) {
    const size_t depth = 20000;
    std::string deep = "/" + std::string(depth, '(') + "a" + std::string(depth, ')') + "/ deep\n";
    std::string starred = "/";
    for (size_t i = 0; i < depth; ++i) starred += "(";
    starred += "b";
    for (size_t i = 0; i < depth; ++i) starred += ")*";
    starred += "/ starred\n";
    auto dict = open("regexp", deep + starred + "/a/ shallow\n");
    ASSERT_TRUE(dict);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("line 1: regular expression nested too deeply"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[1].find("line 2: regular expression nested too deeply"), std::string::npos) << warnings[1];
    EXPECT_EQ(describe(dict->lookup("a")), "shallow");
    EXPECT_EQ(describe(dict->lookup("b")), "<none>");
}

// regexp's expansion guard: regcomp copies what '+' and {n,m} repeat, and copies the
// copies of a repetition of a repetition (a fuzzer's 40 stacked '+' took 2 GB).
TEST_F(PatternIndex, RegexpRefusesRepetitionsThatExpandExponentially) {
    std::string stacked = "/^a" + std::string(40, '+') + "(x)/ stacked\n";
    std::string starred = "/^c" + std::string(150, '*') + "(..)/ starred\n";
    // 19 stacked '+' after spaces (a fuzzer's slow input: 0.4 s to compile, 15 s in a
    // sanitizer build) are refused too; one {n,m} up to RE_DUP_MAX is not.
    std::string nineteen = "/^   " + std::string(19, '+') + "     sales@/ slow\n";
    auto dict = open("regexp", stacked + "/^b{1000}{1000}{1000}/ braces\n/^(a+)+$/ fine\n/x{1,255}/ wide\n" + starred +
                                   nineteen + "/^y{1,32767}z/ optional\n/^y{2,2050}z/ long\n/^y{30000}z/ exact\n");
    ASSERT_TRUE(dict);
    ASSERT_EQ(warnings.size(), 5u);
    EXPECT_NE(warnings[3].find("line 6: regular expression repeats repetitions too often (more than 2^16"),
              std::string::npos)
        << warnings[3];
    // One {n,m} with more than 2048 optional copies: gigabytes in regcomp (Postfix's too).
    EXPECT_NE(warnings[4].find("line 7: regular expression repeats too many optional copies"), std::string::npos)
        << warnings[4];
    EXPECT_EQ(describe(dict->lookup("yyyz")), "long");
    EXPECT_EQ(describe(dict->lookup(std::string(30000, 'y') + "z")), "exact");
    EXPECT_NE(warnings[2].find("line 5: regular expression repeats repetitions too often"), std::string::npos)
        << warnings[2];
    EXPECT_NE(warnings[0].find("line 1: regular expression repeats repetitions too often"), std::string::npos)
        << warnings[0];
    EXPECT_NE(warnings[1].find("line 2: regular expression repeats repetitions too often"), std::string::npos)
        << warnings[1];
    EXPECT_EQ(describe(dict->lookup("aaa")), "fine");
    EXPECT_EQ(describe(dict->lookup("xx")), "wide");
}

// regexp's guard for repetitions of what may match nothing: "^a+?+++++" kept glibc's
// regcomp busy for seconds (found by the table_spec fuzzer), "^a?++++" takes none.
TEST_F(PatternIndex, RegexpRefusesRepeatedRepetitionsOfNullableParts) {
    auto dict = open("regexp",
                     "/^(.*)@+?++++++x/ fuzzed\n/^((((((a?)+)+)+)+)+)+/ nested\n/^(a?){1,100}{1,100}/ braces\n"
                     "/^b?++++1$/ four\n/^((((c?)+)+)+)+2$/ groups\n/^(d?){1,100}3$/ wide\n/^(e*)*(f+)?4$/ usual\n");
    ASSERT_TRUE(dict);
    ASSERT_EQ(warnings.size(), 3u);
    for (size_t i = 0; i < 3; ++i)
        EXPECT_NE(warnings[i].find("line " + std::to_string(i + 1) +
                                   ": regular expression repeats a repetition of what may match nothing too often"),
                  std::string::npos)
            << warnings[i];
    EXPECT_EQ(describe(dict->lookup("bb1")), "four");
    EXPECT_EQ(describe(dict->lookup("cc2")), "groups");
    EXPECT_EQ(describe(dict->lookup("dd3")), "wide");
    EXPECT_EQ(describe(dict->lookup("eef4")), "usual");
}

TEST_F(PatternIndex, RegexpKeepsPatternsOfModerateDepth) {
    const size_t depth = 50;
    std::string text = "/^" + std::string(depth, '(') + "a" + std::string(depth, ')') + "$/ fifty\n";
    // Groups that each add a letter: "((b)c)d" and so on, 50 deep.
    std::string chain = "/^";
    std::string key = "b";
    for (size_t i = 0; i < depth; ++i) chain += "(";
    chain += "b";
    for (size_t i = 0; i < depth; ++i) {
        char letter = static_cast<char>('c' + i % 20);
        chain += std::string(")") + letter;
        key += letter;
    }
    text += chain + "$/ chain\n";
    auto dict = open("regexp", text);
    ASSERT_TRUE(dict);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    EXPECT_EQ(describe(dict->lookup("A")), "fifty");
    EXPECT_EQ(describe(dict->lookup(key)), "chain");
    EXPECT_EQ(describe(dict->lookup(key.substr(1))), "<none>");
    EXPECT_EQ(describe(dict->lookup("ab")), "<none>");
}

}  // namespace
}  // namespace postline::maps
