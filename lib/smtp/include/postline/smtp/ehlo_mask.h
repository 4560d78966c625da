// The EHLO keywords smtpd may leave out of its EHLO reply (global/ehlo_mask.c):
// smtpd_discard_ehlo_keywords as a bit mask, and the mask as the names smtpd logs.
#pragma once

#include <string>
#include <string_view>

namespace postline::smtp {

namespace ehlo_mask {
inline constexpr unsigned k8BitMime = 1u << 0, kPipelining = 1u << 1, kSize = 1u << 2, kVrfy = 1u << 3, kEtrn = 1u << 4,
                          kAuth = 1u << 5, kVerp = 1u << 6, kStartTls = 1u << 7, kXclient = 1u << 8,
                          kXforward = 1u << 9, kEnhancedStatusCodes = 1u << 10, kDsn = 1u << 11, kSmtputf8 = 1u << 12,
                          kChunking = 1u << 13, kSilent = 1u << 15;
}

// Names separated by commas or white space, in any case; unknown names are ignored
// (ehlo_mask()).
unsigned ehloMask(std::string_view names);
// The names of the bits set, in Postfix's table order, separated by spaces
// (str_ehlo_mask(): "PIPELINING SIZE DSN").
std::string ehloMaskNames(unsigned mask);

}  // namespace postline::smtp
