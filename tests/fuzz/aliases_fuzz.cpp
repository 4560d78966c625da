// The aliases(5) source format (address::readAliasSource, postalias/postalias.c):
// RFC 822 tokenizing of `name: value, ...`, quoting to internal and external form.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "postline/address/alias_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string_view text = fuzz::asText(data, size);
    for (bool checkUtf8 : {false, true}) {
        address::AliasSourceOptions options;
        options.checkUtf8 = checkUtf8;
        (void)address::readAliasSource(text, "aliases", options, [](const std::string&, const std::string&, int line) {
            if (line < 1) std::abort();
            return base::Status::success();
        });
    }
    address::AliasLine line = address::parseAliasLine(text);
    (void)address::aliasLineProblem(line.status);
    return 0;
}
