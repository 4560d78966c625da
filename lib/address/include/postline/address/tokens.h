// RFC 822 address tokens: the tokenizer, the address-list parser and the conversions
// back to text in internal (unquoted) and external (quoted) form. Mirrors Postfix's
// global/tok822_parse.c, tok822_find.c and quote_822_local.c; like Postfix it also
// treats '%', '!' and '|' as operators and leaves 8-bit text alone.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postline::address {

enum class TokenType {
    Operator,       // a single special character: ( ) < > @ , ; : \ " . [ ] | % !
    Atom,           // a run of ordinary characters
    QuotedString,   // "..." (text holds the contents, unquoted)
    Comment,        // (...) (text holds the comment in external form, parentheses included)
    DomainLiteral,  // [...] (text holds the contents, without brackets)
    Address,        // a parse-tree node grouping the tokens of one address (children)
    StartGroup,     // the ':' that opens a named group "name: a, b;"
};

struct Token {
    TokenType type = TokenType::Atom;
    char op = 0;                  // the character, when type is Operator
    std::string text;             // contents of Atom, QuotedString, Comment, DomainLiteral
    std::vector<Token> children;  // members of an Address node

    static Token makeOperator(char c) { return Token{TokenType::Operator, c, {}, {}}; }
    static Token make(TokenType type, std::string text) { return Token{type, 0, std::move(text), {}}; }

    bool isOperator(char c) const { return type == TokenType::Operator && op == c; }
    // Atoms, quoted strings, comments, domain literals and addresses ("words").
    bool isWord() const;
};

using TokenList = std::vector<Token>;

// True for the characters the tokenizer treats as single-character operators.
bool isOperatorChar(char c);

// Splits external-form text into a flat token list (tok822_scan). Whitespace (space, tab,
// CR, LF) separates tokens and is dropped; a backslash quotes the next character; an
// unterminated quoted string, comment or domain literal runs to the end of the text. An
// atom that would need quoting (space, control or operator characters obtained through
// backslashes) becomes a QuotedString. `limit` > 0 stops after that many tokens.
TokenList scanTokens(std::string_view text, size_t limit = 0);

// Parses an external-form address list into a token tree (tok822_parse): each address
// becomes an Address node, missing commas between addresses are inserted, comments are
// moved out of addresses, and nothing that is not understood is thrown away.
TokenList parseAddressList(std::string_view text, size_t limit = 0);

// Conversion back to text. With `lineBreaks`, a comma is followed by a newline instead
// of a space (header folding is up to the caller).
struct ToStringOptions {
    bool lineBreaks = false;
};

// Internal (unquoted) form: quoted strings lose their quotes and backslashes.
std::string internalize(std::span<const Token> tokens, ToStringOptions options = {});
// External (quoted) form: quoted strings and domain literals are re-quoted, and each
// Address node is written with its local part quoted as RFC 822 requires.
std::string externalize(std::span<const Token> tokens, ToStringOptions options = {});

// Position of the first top-level Operator `op` at or after `from` (tok822_find_type).
std::optional<size_t> findOperator(std::span<const Token> tokens, char op, size_t from = 0);
// True when a top-level Operator `op` occurs among the tokens (tok822_rfind_type != 0).
bool containsOperator(std::span<const Token> tokens, char op);

// Local-part quoting (quote_822_local). The local part is the text after an optional
// "@route:" prefix, up to the last '@'.
struct QuoteOptions {
    bool eightBitClean = true;   // QUOTE_FLAG_8BITCLEAN: 8-bit text needs no quoting
    bool exposeAt = false;       // QUOTE_FLAG_EXPOSE_AT: '@' in the local part is ordinary
    bool bareLocalPart = false;  // QUOTE_FLAG_BARE_LOCALPART: the input has no @domain
};
// Returns the address with its local part turned into a quoted-string when it is not an
// RFC 822 dot-string ("a b@x" -> "\"a b\"@x").
std::string quoteLocalPart(std::string_view address, QuoteOptions options = {});
// The inverse: removes quotes and backslashes from the local part (unquote_822_local).
std::string unquoteLocalPart(std::string_view address);

}  // namespace postline::address
