// RFC 822 tokenizer, address-list parser and string conversions, after Postfix's
// global/tok822_parse.c (scan, parse, internalize, externalize), tok822_find.c and
// quote_822_local.c. The parser works on a doubly linked node list, as Postfix's does,
// because its right-to-left regrouping is easiest to express that way.
#include "postline/address/tokens.h"

#include <cstring>
#include <memory>

namespace postline::address {

namespace {

// Postfix's tok822_opchar: "|%!" plus the RFC 822 specials.
constexpr std::string_view kOperators = "|%!()<>@,;:\\\".[]";

bool isSpaceTabCrLf(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool isCntrl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Collects characters while `keep(c)` holds; a backslash takes the next character
// literally; whitespace characters are stored as a space (Postfix's COLLECT macro).
template <class Keep>
void collect(std::string_view text, size_t& pos, std::string& out, Keep keep) {
    while (pos < text.size()) {
        unsigned char c = static_cast<unsigned char>(text[pos]);
        if (c == '\\') {
            if (++pos >= text.size()) break;
            c = static_cast<unsigned char>(text[pos]);
        } else if (!keep(c)) {
            break;
        }
        out.push_back(isSpaceTabCrLf(c) ? ' ' : static_cast<char>(c));
        ++pos;
    }
}

// A comment is kept in external form, parentheses included; comments nest.
void collectComment(std::string_view text, size_t& pos, std::string& out) {
    int level = 1;
    out.push_back('(');
    while (pos < text.size()) {
        char c = text[pos++];
        out.push_back(c);
        if (c == '(') {
            ++level;
        } else if (c == ')') {
            if (--level == 0) break;
        } else if (c == '\\') {
            if (pos >= text.size()) break;
            out.push_back(text[pos++]);
        }
    }
}

bool atomNeedsQuoting(std::string_view atom) {
    for (unsigned char c : atom)
        if (c == ' ' || isCntrl(c) || isOperatorChar(static_cast<char>(c))) return true;
    return false;
}

void copyQuoted(std::string& out, std::string_view text, std::string_view quoteSet) {
    for (char c : text) {
        if (quoteSet.find(c) != std::string_view::npos) out.push_back('\\');
        out.push_back(c);
    }
}

// tok822_append_space: a space separates two words, follows a comma or group start,
// and precedes '<'; never inside an address node.
bool appendSpace(std::span<const Token> tokens, size_t i, bool nested) {
    if (nested || i + 1 >= tokens.size()) return false;
    const Token& tp = tokens[i];
    const Token& next = tokens[i + 1];
    if (tp.isOperator(',') || tp.type == TokenType::StartGroup || next.isOperator('<')) return true;
    return tp.isWord() && next.isWord();
}

enum class Form { Internal, External };

void toString(std::string& out, std::span<const Token> tokens, ToStringOptions options, Form form, bool nested) {
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token& tp = tokens[i];
        switch (tp.type) {
            case TokenType::Operator:
                out.push_back(tp.op);
                if (tp.op == ',') {
                    out.push_back(options.lineBreaks ? '\n' : ' ');
                    continue;
                }
                break;
            case TokenType::Address:
                if (form == Form::Internal) {
                    toString(out, tp.children, {}, Form::Internal, true);
                } else {
                    std::string inner;
                    toString(inner, tp.children, {}, Form::Internal, true);
                    out += quoteLocalPart(inner, QuoteOptions{.eightBitClean = true});
                }
                break;
            case TokenType::Atom:
            case TokenType::Comment:
                out += tp.text;
                break;
            case TokenType::QuotedString:
                if (form == Form::Internal) {
                    out += tp.text;
                } else {
                    out.push_back('"');
                    copyQuoted(out, tp.text, "\"\\\r\n");
                    out.push_back('"');
                }
                break;
            case TokenType::DomainLiteral:
                out.push_back('[');
                if (form == Form::Internal)
                    out += tp.text;
                else
                    copyQuoted(out, tp.text, "\\\r\n");
                out.push_back(']');
                break;
            case TokenType::StartGroup:
                out.push_back(':');
                break;
        }
        if (appendSpace(tokens, i, nested)) out.push_back(' ');
    }
}

// ---- The parser's linked representation (tok822_tree.c). ----

struct Node {
    Token token;  // children unused here; see head/tail
    bool sentinel = false;
    Node* prev = nullptr;
    Node* next = nullptr;
    Node* head = nullptr;
    Node* tail = nullptr;
    Node* owner = nullptr;
};

class Arena {
public:
    Node* make(Token token, bool sentinel = false) {
        nodes_.push_back(std::make_unique<Node>());
        nodes_.back()->token = std::move(token);
        nodes_.back()->sentinel = sentinel;
        return nodes_.back().get();
    }

private:
    std::vector<std::unique_ptr<Node>> nodes_;
};

// Inserts list t2 after t1; returns the end of the inserted list.
Node* append(Node* t1, Node* t2) {
    Node* next = t1->next;
    t1->next = t2;
    t2->prev = t1;
    t2->owner = t1->owner;
    while (t2->next) (t2 = t2->next)->owner = t1->owner;
    t2->next = next;
    if (next) next->prev = t2;
    return t2;
}

// Inserts list t2 before t1; returns the end of the inserted list.
Node* prepend(Node* t1, Node* t2) {
    Node* prev = t1->prev;
    if (prev) prev->next = t2;
    t2->prev = prev;
    t2->owner = t1->owner;
    while (t2->next) (t2 = t2->next)->owner = t1->owner;
    t2->next = t1;
    t1->prev = t2;
    return t2;
}

Node* cutBefore(Node* tp) {
    Node* prev = tp->prev;
    if (prev) {
        prev->next = nullptr;
        tp->prev = nullptr;
    }
    return prev;
}

Node* unlink(Node* tp) {
    Node* prev = tp->prev;
    Node* next = tp->next;
    if (prev) prev->next = next;
    if (next) next->prev = prev;
    tp->prev = tp->next = nullptr;
    return prev;
}

void subAppend(Node* t1, Node* t2) {
    if (t1->head) {
        t1->tail = append(t1->tail, t2);
    } else {
        t1->head = t2;
        t2->owner = t1;
        while (t2->next) (t2 = t2->next)->owner = t1;
        t1->tail = t2;
    }
}

bool isType(const Node* n, TokenType type) { return !n->sentinel && n->token.type == type; }
bool isOp(const Node* n, char c) { return !n->sentinel && n->token.isOperator(c); }

// Clusters the tokens strictly between left and right under a new Address node,
// optionally inserting a comma before it (tok822_group). Returns left.
Node* group(Arena& arena, Node* left, Node* right, bool addComma) {
    Node* first = left->next;
    if (left != right && first != right) {
        cutBefore(right);
        cutBefore(first);
        Node* addr = arena.make(Token::make(TokenType::Address, {}));
        subAppend(addr, first);
        append(left, addr);
        append(addr, right);
        if (addComma) append(left, arena.make(Token::makeOperator(',')));
    }
    return left;
}

TokenList toTokens(const Node* first, const Node* stop) {
    TokenList out;
    for (const Node* n = first; n && n != stop; n = n->next) {
        Token t = n->token;
        if (t.type == TokenType::Address) t.children = toTokens(n->head, nullptr);
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace

bool Token::isWord() const {
    return type == TokenType::Atom || type == TokenType::QuotedString || type == TokenType::Comment ||
           type == TokenType::DomainLiteral || type == TokenType::Address;
}

bool isOperatorChar(char c) { return c != 0 && kOperators.find(c) != std::string_view::npos; }

TokenList scanTokens(std::string_view text, size_t limit) {
    TokenList tokens;
    size_t pos = 0;
    while (pos < text.size()) {
        unsigned char c = static_cast<unsigned char>(text[pos++]);
        if (isSpaceTabCrLf(c)) continue;
        Token tp;
        if (c == '(') {
            tp.type = TokenType::Comment;
            collectComment(text, pos, tp.text);
        } else if (c == '[') {
            tp.type = TokenType::DomainLiteral;
            collect(text, pos, tp.text, [](unsigned char ch) { return ch != ']'; });
            if (pos < text.size()) ++pos;
        } else if (c == '"') {
            tp.type = TokenType::QuotedString;
            collect(text, pos, tp.text, [](unsigned char ch) { return ch != '"'; });
            if (pos < text.size()) ++pos;
        } else if (c != '\\' && isOperatorChar(static_cast<char>(c))) {
            tp = Token::makeOperator(static_cast<char>(c));
        } else {
            tp.type = TokenType::Atom;
            --pos;  // a backslash may start the atom
            collect(text, pos, tp.text,
                    [](unsigned char ch) { return !isSpaceTabCrLf(ch) && !isOperatorChar(static_cast<char>(ch)); });
            if (atomNeedsQuoting(tp.text)) tp.type = TokenType::QuotedString;
        }
        tokens.push_back(std::move(tp));
        if (limit > 0 && tokens.size() >= limit) break;
    }
    return tokens;
}

TokenList parseAddressList(std::string_view text, size_t limit) {
    TokenList flat = scanTokens(text, limit);
    if (flat.empty()) return {};

    // The flat list, sandwiched between two sentinels.
    Arena arena;
    Node* head = arena.make({}, true);
    Node* last = head;
    for (Token& t : flat) {
        Node* n = arena.make(std::move(t));
        last->next = n;
        n->prev = last;
        last = n;
    }
    Node* tail = arena.make({}, true);
    last->next = tail;
    tail->prev = last;

    // Right to left: the current address lies between tp and right.
    constexpr int kDoWord = 1 << 0;
    constexpr int kDoGroup = 1 << 1;
    int state = kDoWord;
    Node* right = tail;
    Node* tp = tail->prev;
    auto moveComment = [&]() {
        Node* prev = unlink(tp);
        right = prepend(right, tp);
        tp = prev;
    };
    while (!tp->sentinel) {
        if (isType(tp, TokenType::Comment)) {
            moveComment();
            continue;
        } else if (isOp(tp, ';')) {
            right = group(arena, tp, right, true);
            state = kDoGroup | kDoWord;
        } else if (isOp(tp, ':') && (state & kDoGroup) != 0) {
            tp->token = Token::make(TokenType::StartGroup, {});
            group(arena, tp, right, false);
            while (!tp->sentinel && !isOp(tp, ',')) tp = tp->prev;
            right = tp;
            continue;
        } else if (isOp(tp, '>')) {
            right = group(arena, tp, right, true);
            while (!tp->sentinel && !isOp(tp, '<')) {
                if (isType(tp, TokenType::Comment)) {
                    moveComment();
                    continue;
                }
                tp = tp->prev;
            }
            group(arena, tp, right, false);
            while (!tp->sentinel &&
                   !(tp->token.type == TokenType::Operator && std::strchr(">;,:", tp->token.op) != nullptr))
                tp = tp->prev;
            right = tp;
            state |= kDoWord;
            continue;
        } else if (isType(tp, TokenType::Atom) || isType(tp, TokenType::QuotedString) ||
                   isType(tp, TokenType::DomainLiteral)) {
            if ((state & kDoWord) == 0) right = group(arena, tp, right, true)->next;
            state &= ~kDoWord;
        } else if (isOp(tp, ',')) {
            right = group(arena, tp, right, false);
            state |= kDoWord;
        } else {
            state |= kDoWord;
        }
        tp = tp->prev;
    }
    group(arena, tp, right, false);
    return toTokens(head->next, tail);
}

std::string internalize(std::span<const Token> tokens, ToStringOptions options) {
    std::string out;
    toString(out, tokens, options, Form::Internal, false);
    return out;
}

std::string externalize(std::span<const Token> tokens, ToStringOptions options) {
    std::string out;
    toString(out, tokens, options, Form::External, false);
    return out;
}

std::optional<size_t> findOperator(std::span<const Token> tokens, char op, size_t from) {
    for (size_t i = from; i < tokens.size(); ++i)
        if (tokens[i].isOperator(op)) return i;
    return std::nullopt;
}

bool containsOperator(std::span<const Token> tokens, char op) { return findOperator(tokens, op).has_value(); }

namespace {

bool isDotString(std::string_view local, const QuoteOptions& options) {
    if (local.empty() || local[0] == '.') return false;
    for (size_t i = 0; i < local.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(local[i]);
        if (c == '.' && i + 1 < local.size() && local[i + 1] == '.') return false;
        if (c > 127 && !options.eightBitClean) return false;
        if (c == ' ' || isCntrl(c)) return false;
        if (c == '(' || c == ')' || c == '<' || c == '>' || (c == '@' && !options.exposeAt) || c == ',' || c == ';' ||
            c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
            return false;
    }
    return local.back() != '.';
}

}  // namespace

std::string quoteLocalPart(std::string_view address, QuoteOptions options) {
    // Stop at an embedded NUL, as the C string functions do.
    address = address.substr(0, address.find('\0'));
    size_t start = 0;
    if (!address.empty() && address[0] == '@') {
        size_t colon = address.find(':');
        if (colon != std::string_view::npos) start = colon + 1;
    }
    size_t end = address.size();
    if (!options.bareLocalPart) {
        size_t at = address.rfind('@');
        if (at != std::string_view::npos && at >= start) end = at;
    }
    std::string_view local = address.substr(start, end - start);
    if (isDotString(local, options)) return std::string(address);
    std::string out(address.substr(0, start));
    out.push_back('"');
    for (char ch : local) {
        unsigned char c = static_cast<unsigned char>(ch);
        if ((c > 127 && !options.eightBitClean) || c == '"' || c == '\\' || c == '\r') out.push_back('\\');
        out.push_back(ch);
    }
    out.push_back('"');
    out += address.substr(end);
    return out;
}

std::string unquoteLocalPart(std::string_view address) {
    std::string out;
    size_t start = 0;
    if (!address.empty() && address[0] == '@') {
        size_t colon = address.find(':');
        if (colon != std::string_view::npos) {
            start = colon + 1;
            out.assign(address.substr(0, start));
        }
    }
    bool inQuote = false;
    std::optional<size_t> bareAtOut;
    size_t bareAtIn = 0;
    for (size_t i = start; i < address.size(); ++i) {
        char c = address[i];
        if (c == '"') {
            inQuote = !inQuote;
            continue;
        } else if (c == '@') {
            if (!inQuote) {
                bareAtOut = out.size();
                bareAtIn = i;
            }
        } else if (c == '\\') {
            if (i + 1 >= address.size()) continue;
            c = address[++i];
        }
        out.push_back(c);
    }
    // Text after the last unquoted '@' (the domain) is kept as it was.
    if (bareAtOut) {
        out.resize(*bareAtOut);
        out += address.substr(bareAtIn);
    }
    return out;
}

}  // namespace postline::address
