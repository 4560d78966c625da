// The RFC 822 address tokenizer and address-list parser (global/tok822_scan.c,
// tok822_parse.c, quote_822_local.c): the input is header or command text; its tokens
// and parse tree are written back in internal and external form, and the local-part
// quoting is applied both ways.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "postline/address/tokens.h"
#include "postline/simulate/route_case.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    std::string_view text = fuzz::asText(data, size);
    address::TokenList tokens = address::scanTokens(text);
    (void)address::internalize(tokens);
    (void)address::externalize(tokens);
    (void)address::scanTokens(text, 3);
    address::TokenList tree = address::parseAddressList(text);
    (void)address::internalize(tree, {true});
    std::string external = address::externalize(tree);
    (void)address::findOperator(tree, '@');
    (void)address::containsOperator(tree, ':');
    for (const address::Token& token : tree)
        if (token.type == address::TokenType::Address) (void)address::internalize(token.children);
    // Parsing what was written must not fail either (no round-trip equality: Postfix's
    // own conversions are not idempotent for every input).
    (void)address::parseAddressList(external);
    for (bool exposeAt : {false, true})
        for (bool bare : {false, true}) {
            std::string quoted = address::quoteLocalPart(text, {true, exposeAt, bare});
            (void)address::unquoteLocalPart(quoted);
            (void)address::quoteLocalPart(text, {false, exposeAt, bare});
        }
    (void)address::unquoteLocalPart(text);
    (void)simulate::caseAddress(text);
    return 0;
}
