// Test helpers for the in-memory and pattern table tests: capture diagnostics, and run
// the same `postmap -q KEY SPEC` through real Postfix (/usr/sbin/postmap) and through
// our openDict()+lookup(), formatted the way postmap prints them, for differential tests.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "postline/base/msg.h"
#include "postline/maps/registry.h"

namespace postline::maps::testing {

// Collects "postmap: warning: ..." lines while alive.
class MsgCapture {
public:
    MsgCapture() {
        base::setProgramName("postmap");
        base::setMsgSink([this](base::Severity severity, std::string_view text) {
            lines_.push_back(base::formatMsg(severity, text));
        });
    }
    ~MsgCapture() { base::setMsgSink(nullptr); }
    const std::vector<std::string>& lines() const { return lines_; }
    std::string text() const {
        std::string all;
        for (const auto& line : lines_) all += line + "\n";
        return all;
    }
    void clear() { lines_.clear(); }

private:
    std::vector<std::string> lines_;
};

struct QueryOutcome {
    std::string out;  // stdout
    std::string err;  // stderr
    int status = 0;
    bool operator==(const QueryOutcome&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const QueryOutcome& q) {
    return os << "{out=\"" << q.out << "\", err=\"" << q.err << "\", status=" << q.status << "}";
}

inline const char* kRealPostmap = "/usr/sbin/postmap";

inline bool havePostfix() { return ::access(kRealPostmap, X_OK) == 0; }

// A scratch directory with a main.cf; `utf8` selects compatibility_level 3.6 (SMTPUTF8 on).
class ScratchDir {
public:
    explicit ScratchDir(bool utf8 = false) {
        char tmpl[] = "/tmp/postline-simplemaps-XXXXXX";
        path_ = ::mkdtemp(tmpl);
        write("main.cf", utf8 ? "compatibility_level = 3.6\n" : "");
    }
    ~ScratchDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    // Writes a file with an old mtime, so Postfix's texthash does not re-read a "hot" file.
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(file(name), std::ios::binary) << text;
        std::system(("touch -d 2020-01-01 '" + file(name) + "'").c_str());
        return file(name);
    }

private:
    std::string path_;
};

inline std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

// Runs the real postmap in `dir` (relative table names resolve there).
inline QueryOutcome realPostmapQuery(const ScratchDir& dir, const std::string& key, const std::string& spec,
                                     const std::string& options = "") {
    std::string errFile = dir.file(".stderr");
    std::string cmd = "cd " + shellQuote(dir.path()) + " && " + kRealPostmap + " -c . " + options + " -q " +
                      shellQuote(key) + " " + shellQuote(spec) + " 2>" + shellQuote(errFile);
    QueryOutcome result;
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) result.out.append(buf, n);
    int status = ::pclose(p);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(errFile, std::ios::binary);
    result.err.assign(std::istreambuf_iterator<char>(in), {});
    return result;
}

// The same query through our library, printed as postmap prints it.
inline QueryOutcome ourPostmapQuery(const ScratchDir& dir, const std::string& key, const std::string& spec,
                                    uint32_t flags) {
    QueryOutcome result;
    MsgCapture capture;
    char saved[4096];
    if (!::getcwd(saved, sizeof saved)) saved[0] = 0;
    if (::chdir(dir.path().c_str()) != 0) return result;
    auto dict = openDict(spec, OpenMode::Read, flags);
    if (!dict) {
        result.err = capture.text() + "postmap: fatal: " + dict.error().message + "\n";
        result.status = 1;
    } else {
        Lookup found = (*dict)->lookup(key);
        result.err = capture.text();
        if (found.isFound()) {
            result.out = found.value + "\n";
            result.status = 0;
        } else if (found.isError()) {
            result.err += "postmap: fatal: table " + spec + ": query error: " + found.error + "\n";
            result.status = 1;
        } else {
            result.status = 1;
        }
    }
    if (::chdir(saved) != 0) result.status = -2;
    return result;
}

// Postmap's default query flags (DUP_WARN, FOLD_FIX, LOCK; UTF8_REQUEST with SMTPUTF8).
inline uint32_t postmapFlags(bool utf8) {
    return flag::kDupWarn | flag::kFoldFix | flag::kLock | (utf8 ? flag::kUtf8Request : 0);
}

// Compares every key of `keys` for one spec, real vs ours. Postfix sleeps a second before
// every fatal exit, so a spec that fails or errors is compared with its first key only.
inline void expectSameAsPostfix(const ScratchDir& dir, const std::string& spec, const std::vector<std::string>& keys,
                                bool utf8 = false) {
    for (const auto& key : keys) {
        SCOPED_TRACE("key \"" + key + "\" spec " + spec);
        QueryOutcome ours = ourPostmapQuery(dir, key, spec, postmapFlags(utf8));
        EXPECT_EQ(ours, realPostmapQuery(dir, key, spec));
        if (ours.err.find("postmap: fatal: ") != std::string::npos) break;
    }
}

}  // namespace postline::maps::testing
