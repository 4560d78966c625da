// Tests of postmap's source-record parsing (table_source.h, after postmap/postmap.c):
// the key/value split, the skip and alias-file warnings with their line numbers, and a
// differential check of records and warnings against the real postmap.
#include "postline/maps/table_source.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::maps {
namespace {

class Warnings {
public:
    Warnings() {
        base::setProgramName("postmap");
        base::setMsgSink([this](base::Severity s, std::string_view text) { text_ += base::formatMsg(s, text) + "\n"; });
    }
    ~Warnings() { base::setMsgSink(nullptr); }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

struct Rec {
    std::string key;
    std::string value;
    int line;
    bool operator==(const Rec&) const = default;
};

std::vector<Rec> walk(std::string_view text, bool checkUtf8 = false) {
    std::vector<Rec> out;
    base::Status s = forEachSourceRecord(text, "src", checkUtf8, [&](const SourceRecord& r, int lineno) {
        out.push_back({std::string(r.key), std::string(r.value), lineno});
        return base::Status();
    });
    EXPECT_TRUE(s.ok());
    return out;
}

// The records and warnings of a file read piece by piece with small buffers equal those
// of the whole text: pieces end only where a logical line ends.
TEST(TableSource, PiecesGiveWhatTheWholeTextGives) {
    std::string text =
        "  leading continuation\n"
        "a 1\n"
        "# comment between\n"
        "  continued after comment\n"
        "\n"
        "b two\r\n"
        " \t more\n"
        "#\n"
        "c three with a rather long value that is longer than the smallest buffers\n"
        "noval\n"
        "\"x y 3\n"
        "nul\0byte value\n"
        "alias: target\n"
        "\n\n"
        "last line without newline";
    Warnings whole;
    auto want = walk(text);
    std::string wantWarnings = whole.text();
    char path[] = "/tmp/postline-source-test-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, text.data(), text.size()), ssize_t(text.size()));
    ::close(fd);
    for (size_t piece : {size_t(2), size_t(7), size_t(16), size_t(64), size_t(1) << 20}) {
        Warnings w;
        auto reader = SourceReader::open(path, piece);
        ASSERT_TRUE(reader.ok());
        std::vector<Rec> got;
        std::string_view chunk;
        int before = 0;
        for (;;) {
            auto more = (*reader)->next(chunk, before);
            ASSERT_TRUE(more.ok());
            if (!*more) break;
            base::Status s = forEachSourceRecord(
                chunk, "src", false,
                [&](const SourceRecord& r, int lineno) {
                    got.push_back({std::string(r.key), std::string(r.value), lineno});
                    return base::Status();
                },
                before);
            ASSERT_TRUE(s.ok());
        }
        EXPECT_EQ(got, want) << "piece " << piece;
        EXPECT_EQ(w.text(), wantWarnings) << "piece " << piece;
    }
    ::unlink(path);
    EXPECT_FALSE(SourceReader::open(std::string(path)).ok());
}

TEST(TableSource, SplitsAtFirstUnquotedUnescapedWhitespace) {
    SourceRecord r;
    ASSERT_EQ(parseSourceRecord("\"a b\"c  value with  spaces  ", r), RecordStatus::Ok);
    EXPECT_EQ(r.key, "\"a b\"c");
    EXPECT_EQ(r.value, "value with  spaces");
    ASSERT_EQ(parseSourceRecord("back\\ slash\tv", r), RecordStatus::Ok);
    EXPECT_EQ(r.key, "back\\ slash");
    EXPECT_EQ(r.value, "v");
    EXPECT_EQ(parseSourceRecord("lonely", r), RecordStatus::MissingPart);
    EXPECT_EQ(parseSourceRecord("key   ", r), RecordStatus::MissingPart);
    EXPECT_EQ(parseSourceRecord("\"open key value", r), RecordStatus::UnbalancedQuote);
    // A trailing backslash escapes nothing: the key is the whole line.
    EXPECT_EQ(parseSourceRecord("z\\", r), RecordStatus::MissingPart);
}

TEST(TableSource, WarningsNameTheFirstPhysicalLine) {
    Warnings w;
    auto recs = walk(
        "# comment\n"
        "a 1\n"
        "\n"
        "b two\n"
        "  continued\n"
        "noval\n"
        "\"x y 3\n"
        "alias: target\n");
    std::vector<Rec> want{{"a", "1", 2}, {"b", "two  continued", 4}, {"alias:", "target", 8}};
    EXPECT_EQ(recs, want);
    EXPECT_EQ(w.text(),
              "postmap: warning: src, line 6: expected format: key whitespace value\n"
              "postmap: warning: src, line 7: unbalanced '\"' in '\"x y 3' -- ignoring this line\n"
              "postmap: warning: src, line 8: record is in \"key: value\" format; is this an alias file?\n");
}

TEST(TableSource, NonUtf8LinesSkippedOnlyWhenAsked) {
    std::string text = "ok v\nbad\xff v\n";
    {
        Warnings w;
        EXPECT_EQ(walk(text, true), (std::vector<Rec>{{"ok", "v", 1}}));
        EXPECT_EQ(w.text(), "postmap: warning: src, line 2: non-UTF-8 input \"bad? v\" -- ignoring this line\n");
    }
    Warnings w;
    EXPECT_EQ(walk(text, false).size(), 2u);
    EXPECT_EQ(w.text(), "");
}

TEST(TableSource, CallbackErrorStopsTheWalk) {
    int calls = 0;
    base::Status s = forEachSourceRecord("a 1\nb 2\nc 3\n", "src", false, [&](const SourceRecord&, int) {
        return ++calls == 2 ? base::Status(base::Error{"table hash:t: write error"}) : base::Status();
    });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message, "table hash:t: write error");
    EXPECT_EQ(calls, 2);
}

// The real postmap: its warnings for the same source, and the records it stores (keys
// are lowercase here, so FOLD_FIX changes nothing).
TEST(TableSource, SameRecordsAndWarningsAsPostfix) {
    if (::access("/usr/sbin/postmap", X_OK) != 0) GTEST_SKIP() << "Postfix not installed";
    const std::string source =
        "# header\n"
        "plain value one\n"
        "\"quoted key\"   spaced  value  \n"
        "tab\tv\twith tab\n"
        "cont first\n"
        "\tsecond part\n"
        "missing\n"
        "\"unbalanced x\n"
        "user: alias-like\n"
        "back\\ slash v2\n"
        "z\\\n"
        "utf8-\xc3\xa9 accent\n"
        "bad\xfe\xfe x\n";
    char tmpl[] = "/tmp/postline-tsrc-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::ofstream(dir + "/main.cf") << "compatibility_level = 3.6\n";
    std::ofstream(dir + "/t", std::ios::binary) << source;
    std::string cmd = "cd " + dir + " && /usr/sbin/postmap -c . hash:t 2>err && /usr/sbin/postmap -c . -s hash:t";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ASSERT_EQ(::pclose(p), 0);
    std::ifstream errIn(dir + "/err", std::ios::binary);
    std::string realErr((std::istreambuf_iterator<char>(errIn)), {});
    std::system(("rm -rf " + dir).c_str());

    std::vector<std::string> realLines;
    for (std::string_view line : base::splitAny(out, "\n"))
        if (!line.empty()) realLines.emplace_back(line);
    std::sort(realLines.begin(), realLines.end());

    Warnings w;
    base::setMsgUtf8(true);
    std::vector<std::string> ours;
    for (const Rec& r : walk(source, true)) ours.push_back(r.key + "\t" + r.value);
    base::setMsgUtf8(false);
    std::sort(ours.begin(), ours.end());
    EXPECT_EQ(ours, realLines);
    // Our source is called "src", the real one "t".
    std::string want = realErr;
    for (size_t at; (at = want.find(": t, line ")) != std::string::npos;) want.replace(at, 10, ": src, line ");
    EXPECT_EQ(w.text(), want);
}

}  // namespace
}  // namespace postline::maps
