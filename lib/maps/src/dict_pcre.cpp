// The pcre: table type over PCRE2 (Postfix's util/dict_pcre.c): option letters i m s x A E
// U X, compile errors worded as Postfix words them, and matching through the PCRE2 JIT
// for rules that run often; the one file that includes <pcre2.h>.
#include <pcre2.h>

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

// Rules that run this often are compiled to machine code, in tables of up to kJitMaxPatterns
// patterns: rules that the literal index keeps away from most keys never pay for the JIT,
// and in large tables the machine code of thousands of patterns no longer fits the
// processor's caches (measured: 10,000 JIT-compiled rules run 2.5 times slower than the
// interpreter, which starts each match with PCRE2's own cheap first-byte checks; at 500
// simple rules the two are even).
constexpr uint32_t kJitAfterRuns = 4;
constexpr size_t kJitMaxPatterns = 256;

OptionResult applyPcreOption(char letter, uint32_t& options) {
    switch (letter) {
        case 'i':
            options ^= PCRE2_CASELESS;
            return OptionResult::Applied;
        case 'm':
            options ^= PCRE2_MULTILINE;
            return OptionResult::Applied;
        case 's':
            options ^= PCRE2_DOTALL;
            return OptionResult::Applied;
        case 'x':
            options ^= PCRE2_EXTENDED;
            return OptionResult::Applied;
        case 'A':
            options ^= PCRE2_ANCHORED;
            return OptionResult::Applied;
        case 'E':
            options ^= PCRE2_DOLLAR_ENDONLY;
            return OptionResult::Applied;
        case 'U':
            options ^= PCRE2_UNGREEDY;
            return OptionResult::Applied;
        case 'X':
            return OptionResult::Obsolete;  // PCRE_EXTRA has no PCRE2 equivalent
        default:
            return OptionResult::Unknown;
    }
}

const detail::PatternDialect kPcreDialect{
    "pcre", false, "ignoring", "out of range", PCRE2_CASELESS | PCRE2_DOTALL, applyPcreOption,
};

std::string pcreErrorText(int code) {
    PCRE2_UCHAR buffer[256];
    int len = pcre2_get_error_message(code, buffer, sizeof(buffer));
    if (len > 0) return std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(len));
    return cat("unexpected pcre2 error code ", code);
}

class PcreEngine final : public detail::PatternEngine {
public:
    explicit PcreEngine(std::string mapName) : mapName_(std::move(mapName)) {}

    ~PcreEngine() override {
        for (auto& compiled : codes_) pcre2_code_free(compiled.code);
        if (matchData_) pcre2_match_data_free(matchData_);
    }

    bool compile(const Pattern& pattern, bool, int lineno, size_t& id, size_t& groups) override {
        int error = 0;
        PCRE2_SIZE offset = 0;
        pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.text.c_str()), PCRE2_ZERO_TERMINATED,
                                         pattern.options, &error, &offset, nullptr);
        if (!code) {
            base::msgWarn(cat("pcre map ", mapName_, ", line ", lineno, ": error in regex at offset ",
                              static_cast<unsigned long>(offset), ": ", pcreErrorText(error)));
            return false;
        }
        uint32_t captures = 0;
        pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
        id = codes_.size();
        groups = captures;
        codes_.push_back({code, lineno, 0, false});
        if (captures + 1 > pairs_) {
            pairs_ = captures + 1;
            if (matchData_) pcre2_match_data_free(matchData_);
            matchData_ = nullptr;
        }
        return true;
    }

    int exec(size_t id, std::string_view key, size_t) override {
        Compiled& compiled = codes_[id];
        if (!matchData_) matchData_ = pcre2_match_data_create(pairs_, nullptr);
        if (!compiled.jitTried && ++compiled.runs >= kJitAfterRuns && codes_.size() <= kJitMaxPatterns) {
            compiled.jitTried = true;
            (void)pcre2_jit_compile(compiled.code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter
        }
        auto subject = reinterpret_cast<PCRE2_SPTR>(key.data());
        int rc = pcre2_match(compiled.code, subject, key.size(), 0, 0, matchData_, nullptr);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
            rc = pcre2_match(compiled.code, subject, key.size(), 0, PCRE2_NO_JIT, matchData_, nullptr);
        lastRc_ = rc;
        if (rc > 0) return 1;
        if (rc == PCRE2_ERROR_NOMATCH) return 0;
        base::msgWarn(cat("pcre map ", mapName_, ", line ", compiled.lineno, ": ", pcreErrorText(rc)));
        return -1;
    }

    std::string_view group(size_t n, std::string_view key) const override {
        if (!matchData_ || lastRc_ <= 0 || n >= static_cast<size_t>(lastRc_)) return {};
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(matchData_);
        PCRE2_SIZE start = ovector[2 * n], end = ovector[2 * n + 1];
        if (start == PCRE2_UNSET || end == PCRE2_UNSET || end <= start || end > key.size()) return {};
        return key.substr(start, end - start);
    }

    std::vector<LiteralAlternatives> literalsOf(const Pattern& pattern) const override {
        // Extended mode changes the syntax; in UTF mode a caseless 'k' or 's' also matches
        // U+212A or U+017F, which the index's ASCII lowercasing of keys would not find.
        if (pattern.options & (PCRE2_EXTENDED | PCRE2_UTF | PCRE2_UCP)) return {};
        return requiredLiterals(pattern.text, RegexSyntax::Pcre);
    }

private:
    struct Compiled {
        pcre2_code* code;
        int lineno;
        uint32_t runs;
        bool jitTried;
    };
    std::string mapName_;
    std::vector<Compiled> codes_;
    pcre2_match_data* matchData_ = nullptr;  // one per table, sized for its largest pattern
    uint32_t pairs_ = 1;
    int lastRc_ = 0;
};

}  // namespace

base::Result<std::unique_ptr<Dict>> openPcre(const DictSpec& spec, OpenMode mode, uint32_t flags, const OpenContext&) {
    return detail::openPatternTable(spec, mode, flags, kPcreDialect, std::make_unique<PcreEngine>(spec.name));
}

}  // namespace postline::maps::backend
