// smtpd_discard_ehlo_keywords as global/ehlo_mask.c reads and prints it.
#include "postline/smtp/ehlo_mask.h"

#include "postline/base/strings.h"

namespace postline::smtp {

namespace {

struct Name {
    const char* name;
    unsigned bit;
};
// ehlo_mask.c's table order, which str_ehlo_mask() follows.
constexpr Name kNames[] = {
    {"8BITMIME", ehlo_mask::k8BitMime},
    {"AUTH", ehlo_mask::kAuth},
    {"ETRN", ehlo_mask::kEtrn},
    {"PIPELINING", ehlo_mask::kPipelining},
    {"SIZE", ehlo_mask::kSize},
    {"VERP", ehlo_mask::kVerp},
    {"VRFY", ehlo_mask::kVrfy},
    {"XCLIENT", ehlo_mask::kXclient},
    {"XFORWARD", ehlo_mask::kXforward},
    {"STARTTLS", ehlo_mask::kStartTls},
    {"ENHANCEDSTATUSCODES", ehlo_mask::kEnhancedStatusCodes},
    {"DSN", ehlo_mask::kDsn},
    {"SMTPUTF8", ehlo_mask::kSmtputf8},
    {"CHUNKING", ehlo_mask::kChunking},
    {"SILENT-DISCARD", ehlo_mask::kSilent},
};

}  // namespace

unsigned ehloMask(std::string_view names) {
    unsigned mask = 0;
    for (std::string_view word : base::splitAny(names, ", \t\r\n"))
        for (const Name& n : kNames)
            if (base::equalsIgnoreCase(word, n.name)) mask |= n.bit;
    return mask;
}

std::string ehloMaskNames(unsigned mask) {
    std::string out;
    for (const Name& n : kNames)
        if (mask & n.bit) {
            if (!out.empty()) out += ' ';
            out += n.name;
        }
    return out;
}

}  // namespace postline::smtp
