// Tests of TableQuery (table_query.h, after postmap/postmap.c): -q KEY over several
// tables, -q - (plain keys and message keys), -s, -d and -d -, the empty-value warnings
// and errors, each compared with the real postmap on the same tables.
#include "postline/maps/table_query.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

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

struct Outcome {
    std::string out;
    std::string err;
    int status = 0;
    bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
    return os << "{out=\"" << o.out << "\", err=\"" << o.err << "\", status=" << o.status << "}";
}

// A scratch directory (the working directory while alive) with tables built by the
// real postmap.
class QueryTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::access("/usr/sbin/postmap", X_OK) != 0) GTEST_SKIP() << "Postfix not installed";
        if (!findDictType("hash")) GTEST_SKIP() << "hash not compiled in";
        char tmpl[] = "/tmp/postline-tquery-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        if (!::getcwd(saved_, sizeof saved_)) saved_[0] = 0;
        ASSERT_EQ(::chdir(dir_.c_str()), 0);
        write("main.cf", "");
        write("a", "k1 from-a\nshared a-wins\n");
        write("b", "k2 from-b\nshared b-loses\nk3 three\n");
        write("checks", "/^Subject:/ SUBJECT\n/^X-Long:/ LONG\n/spam/ SPAM\n/^body/ BODY\n");
        write("msg", "Subject: hello\nX-Long: one\n two\nFrom: x@example.com\n\nbody line\nspam here\n");
        ASSERT_EQ(std::system("/usr/sbin/postmap -c . hash:a hash:b"), 0);
    }
    void TearDown() override {
        if (dir_.empty()) return;
        if (::chdir(saved_) != 0) std::perror("chdir");
        std::system(("rm -rf '" + dir_ + "'").c_str());
    }
    void write(const std::string& name, const std::string& text) { std::ofstream(name, std::ios::binary) << text; }

    Outcome real(const std::string& args, const std::string& input = "") {
        write(".in", input);
        Outcome o;
        FILE* p = ::popen(("/usr/sbin/postmap -c . " + args + " <.in 2>.err").c_str(), "r");
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) o.out.append(buf, n);
        o.status = WEXITSTATUS(::pclose(p));
        std::ifstream err(".err", std::ios::binary);
        o.err.assign(std::istreambuf_iterator<char>(err), {});
        return o;
    }

    static std::vector<DictSpec> specs(std::initializer_list<const char*> names) {
        std::vector<DictSpec> out;
        for (const char* n : names) out.push_back(parseDictSpec(n, "hash"));
        return out;
    }

    // Runs an operation the way postmap does: output collected, an error is fatal.
    template <class Fn>
    Outcome ours(Fn fn) {
        Warnings w;
        Outcome o;
        OutputFn out = [&](std::string_view text) { o.out += text; };
        base::Result<bool> r = fn(out);
        if (!r) {
            o.out.clear();  // buffered output is lost on a fatal error, as in Postfix
            o.err = w.text() + "postmap: fatal: " + r.error().message + "\n";
            o.status = 1;
        } else {
            o.err = w.text();
            o.status = *r ? 0 : 1;
        }
        return o;
    }

    std::string dir_;
    char saved_[4096];
};

TEST_F(QueryTest, OneKeyFirstTableWins) {
    for (const char* key : {"shared", "k2", "nope", "K1"}) {
        Outcome o = ours([&](const OutputFn& out) { return TableQuery(specs({"a", "b"}), {}).query(key, out); });
        EXPECT_EQ(o, real(std::string("-q ") + key + " a b")) << key;
    }
    // FOLD_FIX off: the upper-case key misses.
    QueryOptions exact;
    exact.dictFlags = 0;
    Outcome o = ours([&](const OutputFn& out) { return TableQuery(specs({"a"}), exact).query("K1", out); });
    EXPECT_EQ(o, real("-f -q K1 a"));
    EXPECT_EQ(o.status, 1);
}

TEST_F(QueryTest, KeysFromStdin) {
    const std::string keys = "k3\nshared\nmissing\n\nk1";
    Outcome o = ours([&](const OutputFn& out) { return TableQuery(specs({"a", "b"}), {}).queryStream(keys, out); });
    EXPECT_EQ(o, real("-q - a b", keys));
    EXPECT_EQ(o.out, "k3\tthree\nshared\ta-wins\nk1\tfrom-a\n");
    Outcome none = ours([&](const OutputFn& out) { return TableQuery(specs({"a"}), {}).queryStream("x\ny\n", out); });
    EXPECT_EQ(none, real("-q - a", "x\ny\n"));
    EXPECT_EQ(none.status, 1);
}

TEST_F(QueryTest, MessageKeys) {
    if (!findDictType("regexp")) GTEST_SKIP();
    std::ifstream in("msg");
    std::string msg((std::istreambuf_iterator<char>(in)), {});
    struct Case {
        const char* flags;
        MessageKeyOptions keys;
    };
    for (const Case& c : {Case{"-h", {true, false, false}}, Case{"-b", {false, true, false}},
                          Case{"-h -b", {true, true, false}}, Case{"-h -m", {true, false, true}}}) {
        QueryOptions options;
        options.dictFlags = flag::kFoldFix;
        options.messageKeys = c.keys;
        Outcome o = ours(
            [&](const OutputFn& out) { return TableQuery(specs({"regexp:checks"}), options).queryStream(msg, out); });
        EXPECT_EQ(o, real(std::string("-q - ") + c.flags + " regexp:checks", msg)) << c.flags;
    }
}

TEST_F(QueryTest, DumpFirstTableOnly) {
    Outcome o = ours([&](const OutputFn& out) -> base::Result<bool> {
        base::Status s = TableQuery(specs({"b", "a"}), {}).dump(out);
        if (!s) return s.error();
        return true;
    });
    Outcome want = real("-s b a");
    // Order is the table's own: compare sorted lines.
    auto sorted = [](std::string text) {
        std::vector<std::string_view> lines = base::splitAny(text, "\n");
        std::sort(lines.begin(), lines.end());
        std::string all;
        for (auto l : lines) all += base::cat(l, "\n");
        return all;
    };
    EXPECT_EQ(sorted(o.out), sorted(want.out));
    EXPECT_EQ(sorted(o.out), "k2\tfrom-b\nk3\tthree\nshared\tb-loses\n");
    EXPECT_EQ(o.err, want.err);
    EXPECT_EQ(o.status, want.status);
}

TEST_F(QueryTest, DeleteFromEveryTable) {
    Outcome o = ours([&](const OutputFn&) { return TableQuery(specs({"a", "b"}), {}).remove("shared"); });
    EXPECT_EQ(o.status, 0);
    EXPECT_EQ(real("-q shared a b").status, 1) << "deleted from both";
    EXPECT_EQ(real("-q k1 a").out, "from-a\n");
    o = ours([&](const OutputFn&) { return TableQuery(specs({"a", "b"}), {}).remove("shared"); });
    EXPECT_EQ(o, real("-d shared a b"));
    EXPECT_EQ(o.status, 1);
    bool read = false;
    o = ours([&](const OutputFn&) {
        return TableQuery(specs({"a", "b"}), {}).removeStream([&] {
            read = true;
            return std::string("k1\nnothing\nk3\n");
        });
    });
    EXPECT_TRUE(read);
    EXPECT_EQ(o.status, 0);
    EXPECT_EQ(real("-q - a b", "k1\nk2\nk3\n").out, "k2\tfrom-b\n");
    o = ours([&](const OutputFn&) {
        return TableQuery(specs({"a", "b"}), {}).removeStream([] { return std::string("k1\n"); });
    });
    EXPECT_EQ(o, real("-d - a b", "k1\n"));
}

TEST_F(QueryTest, EmptyValuesAndErrors) {
    for (const char* spec : {"inline:{x=}", "static:"}) {
        Outcome o = ours([&](const OutputFn& out) { return TableQuery(specs({spec}), {}).query("x", out); });
        EXPECT_EQ(o, real(std::string("-q x '") + spec + "'")) << spec;
        if (std::string_view(spec) == "inline:{x=}") {
            EXPECT_NE(o.err.find("empty string result is not allowed"), std::string::npos);
        }
    }
    for (const char* spec : {"hash:missing", "fail:oops", "foo:bar"}) {
        Outcome o = ours([&](const OutputFn& out) { return TableQuery(specs({spec}), {}).query("x", out); });
        EXPECT_EQ(o, real(std::string("-q x ") + spec)) << spec;
        EXPECT_EQ(o.status, 1);
    }
    Outcome o = ours([&](const OutputFn& out) {
        return TableQuery(specs({"a", "fail:x"}), {}).queryStream("k1\nzz\n", out);
    });
    EXPECT_EQ(o, real("-q - a fail:x", "k1\nzz\n"));
    o = ours([&](const OutputFn& out) -> base::Result<bool> {
        base::Status s = TableQuery(specs({"proxy:hash:a"}), {}).dump(out);
        if (!s) return s.error();
        return true;
    });
    EXPECT_EQ(o, real("-s proxy:hash:a"));
}

TEST_F(QueryTest, FileValuesDecoded) {
    write("v1", "line one\n");
    write("src", "key v1\n");
    ASSERT_EQ(std::system("/usr/sbin/postmap -c . -F hash:src"), 0);
    QueryOptions options;
    options.valueIsFile = true;
    Outcome o = ours([&](const OutputFn& out) { return TableQuery(specs({"src"}), options).query("key", out); });
    EXPECT_EQ(o, real("-F -q key src"));
    EXPECT_EQ(o.out, "line one\n\n");
    // An empty file gives an empty value: -q names the table as given, -q - and the
    // errors by Postfix's internal name (NAME.db for Berkeley DB tables).
    write("empty", "");
    write("src2", "k empty\n");
    ASSERT_EQ(std::system("/usr/sbin/postmap -c . -F hash:src2"), 0);
    o = ours([&](const OutputFn& out) { return TableQuery(specs({"src2"}), options).query("k", out); });
    EXPECT_EQ(o, real("-F -q k src2"));
    EXPECT_NE(o.err.find("table hash:src2: key k"), std::string::npos);
    o = ours([&](const OutputFn& out) { return TableQuery(specs({"src2", "a"}), options).queryStream("k\n", out); });
    EXPECT_EQ(o, real("-F -q - src2 a", "k\n"));
    EXPECT_NE(o.err.find("table hash:src2.db: key k"), std::string::npos);
    o = ours([&](const OutputFn& out) -> base::Result<bool> {
        base::Status s = TableQuery(specs({"a"}), options).dump(out);
        if (!s) return s.error();
        return true;
    });
    EXPECT_EQ(o, real("-F -s a"));
    // A value that is not base64 (table built without -F).
    Outcome bad = ours([&](const OutputFn& out) { return TableQuery(specs({"a"}), options).query("shared", out); });
    EXPECT_EQ(bad, real("-F -q shared a"));
}

}  // namespace
}  // namespace postline::maps
