// Canonical rewriting, the "rewrite" request of Postfix's trivial-rewrite
// (trivial-rewrite/rewrite.c): strip a source route, site!user and user%site forms,
// append @$myorigin and .$mydomain, strip a trailing dot.
#pragma once

#include <string>
#include <string_view>

#include "postline/address/step.h"
#include "postline/address/tokens.h"

namespace postline::config {
class Config;
}

namespace postline::address {

struct RewriteSettings {
    bool swapBangpath = true;        // swap_bangpath
    bool percentHack = true;         // allow_percent_hack
    bool appendAtMyorigin = true;    // append_at_myorigin
    bool appendDotMydomain = false;  // append_dot_mydomain
    std::string origin;              // $myorigin ("local" context) or $remote_header_rewrite_domain
    std::string domain;              // $mydomain ("local" context) or $remote_header_rewrite_domain

    // The "local" rewrite context (origin $myorigin, domain $mydomain).
    static RewriteSettings local(const config::Config& config);
    // The "remote" context: both are $remote_header_rewrite_domain.
    static RewriteSettings remote(const config::Config& config);
};

// rewrite_tree: rewrites a flat token list (from scanTokens on an external-form address).
void rewriteTokens(TokenList& tokens, const RewriteSettings& settings);

// Rewrites an internal-form address and returns the internal-form result; a change is
// recorded as a "rewrite" step.
std::string rewriteAddress(std::string_view address, const RewriteSettings& settings, Steps* steps = nullptr);

}  // namespace postline::address
