// The regexp: table type over POSIX regcomp/regexec (Postfix's util/dict_regexp.c):
// option letters i x m (case-insensitive and extended syntax by default), regerror texts
// as warnings, and the legacy /p1/!/p2/ form.
#include <regex.h>

#include <memory>
#include <string>
#include <vector>

#include "backends.h"
#include "pattern_rules.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"

namespace postline::maps::backend {

namespace {

using base::cat;
using detail::OptionResult;
using detail::Pattern;

OptionResult applyRegexpOption(char letter, uint32_t& options) {
    switch (letter) {
        case 'i':
            options ^= REG_ICASE;
            return OptionResult::Applied;
        case 'm':
            options ^= REG_NEWLINE;
            return OptionResult::Applied;
        case 'x':
            options ^= REG_EXTENDED;
            return OptionResult::Applied;
        default:
            return OptionResult::Unknown;
    }
}

const detail::PatternDialect kRegexpDialect{
    "regexp", true, "skipping", "out-of-range", REG_EXTENDED | REG_ICASE, applyRegexpOption,
};

class RegexpEngine final : public detail::PatternEngine {
public:
    explicit RegexpEngine(std::string mapName) : mapName_(std::move(mapName)) {}

    ~RegexpEngine() override {
        for (auto& compiled : codes_) regfree(&compiled->expr);
    }

    bool compile(const Pattern& pattern, bool wantGroups, int lineno, size_t& id, size_t& groups) override {
        auto compiled = std::make_unique<Compiled>();
        compiled->lineno = lineno;
        int options = static_cast<int>(pattern.options) | (wantGroups ? 0 : REG_NOSUB);
        int error = regcomp(&compiled->expr, pattern.text.c_str(), options);
        if (error != 0) {
            warn(lineno, error, &compiled->expr);
            return false;
        }
        id = codes_.size();
        groups = compiled->expr.re_nsub;
        if (wantGroups && groups + 1 > matches_.size()) matches_.resize(groups + 1);
        codes_.push_back(std::move(compiled));
        return true;
    }

    int exec(size_t id, std::string_view key, size_t groups) override {
        Compiled& compiled = *codes_[id];
        subject_.assign(key);
        size_t count = groups > 0 ? std::min(groups + 1, matches_.size()) : 0;
        int error = regexec(&compiled.expr, subject_.c_str(), count, count ? matches_.data() : nullptr, 0);
        if (error == 0) return 1;
        if (error == REG_NOMATCH) return 0;
        warn(compiled.lineno, error, &compiled.expr);
        return -1;
    }

    std::string_view group(size_t n, std::string_view key) const override {
        if (n >= matches_.size()) return {};
        const regmatch_t& m = matches_[n];
        if (m.rm_so < 0 || m.rm_eo <= m.rm_so || static_cast<size_t>(m.rm_eo) > key.size()) return {};
        return key.substr(static_cast<size_t>(m.rm_so), static_cast<size_t>(m.rm_eo - m.rm_so));
    }

    std::vector<LiteralAlternatives> literalsOf(const Pattern& pattern) const override {
        // Only extended syntax (GNU basic syntax has \| and \{).
        if (!(pattern.options & REG_EXTENDED)) return {};
        return requiredLiterals(pattern.text, RegexSyntax::PosixExtended);
    }

private:
    struct Compiled {
        regex_t expr;
        int lineno = 0;
    };

    void warn(int lineno, int error, const regex_t* expr) const {
        char buffer[256];
        regerror(error, expr, buffer, sizeof(buffer));
        base::msgWarn(cat("regexp map ", mapName_, ", line ", lineno, ": ", buffer));
    }

    std::string mapName_;
    std::vector<std::unique_ptr<Compiled>> codes_;
    std::vector<regmatch_t> matches_;
    std::string subject_;  // regexec wants a NUL-terminated string
};

}  // namespace

base::Result<std::unique_ptr<Dict>> openRegexp(const DictSpec& spec, OpenMode mode, uint32_t flags,
                                               const OpenContext&) {
    return detail::openPatternTable(spec, mode, flags, kRegexpDialect, std::make_unique<RegexpEngine>(spec.name));
}

}  // namespace postline::maps::backend
