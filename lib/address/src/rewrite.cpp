// rewrite_tree() of trivial-rewrite/rewrite.c over our flat token lists.
#include "postline/address/rewrite.h"

#include "postline/address/routing_context.h"
#include "postline/config/config.h"

namespace postline::address {

RewriteSettings RewriteSettings::local(const config::Config& config) {
    RewriteSettings s;
    s.swapBangpath = config.getBool("swap_bangpath");
    s.percentHack = config.getBool("allow_percent_hack");
    s.appendAtMyorigin = config.getBool("append_at_myorigin");
    s.appendDotMydomain = config.getBool("append_dot_mydomain");
    // myorigin = /etc/mailname names a file (Debian); one that cannot be read leaves
    // the value as it is, and routeRecipient reports the error.
    auto origin = myoriginValue(config);
    s.origin = origin ? *origin : config.get("myorigin");
    s.domain = config.get("mydomain");
    return s;
}

RewriteSettings RewriteSettings::remote(const config::Config& config) {
    RewriteSettings s = local(config);
    s.origin = s.domain = config.get("remote_header_rewrite_domain");
    return s;
}

namespace {

std::optional<size_t> rfind(const TokenList& t, char op) {
    for (size_t i = t.size(); i-- > 0;)
        if (t[i].isOperator(op)) return i;
    return std::nullopt;
}

void append(TokenList& t, std::string_view text) {
    for (auto& tok : scanTokens(text)) t.push_back(tok);
}

}  // namespace

void rewriteTokens(TokenList& t, const RewriteSettings& s) {
    if (t.empty()) return;
    if (t.size() == 1 && t[0].isOperator('@')) {
        t.clear();
        return;
    }
    // Strip a source route "@a,@b:".
    if (t.front().isOperator('@')) {
        auto colon = findOperator(t, ':');
        if (colon && *colon != t.size() - 1) t.erase(t.begin(), t.begin() + static_cast<long>(*colon) + 1);
    }
    if (!rfind(t, '@')) {
        auto bang = findOperator(t, '!');
        auto percent = rfind(t, '%');
        if (s.swapBangpath && bang) {
            TokenList site(t.begin(), t.begin() + static_cast<long>(*bang));
            TokenList user(t.begin() + static_cast<long>(*bang) + 1, t.end());
            t = std::move(user);
            t.push_back(Token::makeOperator('@'));
            t.insert(t.end(), site.begin(), site.end());
        } else if (s.percentHack && percent) {
            t[*percent] = Token::makeOperator('@');
        } else if (s.appendAtMyorigin && !s.origin.empty()) {
            t.push_back(Token::makeOperator('@'));
            append(t, s.origin);
        }
    }
    auto at = rfind(t, '@');
    if (s.appendDotMydomain && !s.domain.empty() && at && *at != t.size() - 1) {
        bool literal = false, dot = false;
        for (size_t i = *at + 1; i < t.size(); ++i) {
            literal |= t[i].type == TokenType::DomainLiteral;
            dot |= t[i].isOperator('.');
        }
        if (!literal && !dot) {
            t.push_back(Token::makeOperator('.'));
            append(t, s.domain);
        }
    }
    if (t.size() >= 2 && t.back().isOperator('.') && !t[t.size() - 2].isOperator('.') &&
        !t[t.size() - 2].isOperator('@'))
        t.pop_back();
}

std::string rewriteAddress(std::string_view address, const RewriteSettings& settings, Steps* steps) {
    // The empty address stays empty (its quoted form "" would otherwise gain @origin);
    // cleanup never rewrites it: the null sender stays null and an empty recipient
    // becomes $empty_address_recipient first.
    if (address.empty()) return {};
    TokenList t = scanTokens(quoteLocalPart(address));
    rewriteTokens(t, settings);
    std::string out = internalize(t);
    if (steps && out != address) {
        Step step;
        step.stage = "rewrite";
        step.key = std::string(address);
        step.result = out;
        step.status = StepStatus::Changed;
        steps->push_back(std::move(step));
    }
    return out;
}

}  // namespace postline::address
