// The Received: header of smtpd/smtpd.c common_pre_message_handling (without the TLS
// and SASL lines) and global/mail_date.c's date.
#include "postline/smtp/received_header.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "postline/address/tokens.h"

namespace postline::smtp {

std::string mailDate(long when) {
    time_t t = static_cast<time_t>(when);
    struct tm gmt {};
    struct tm lt {};
    gmtime_r(&t, &gmt);
    localtime_r(&t, &lt);
    // The offset from UTC in minutes, as mail_date() works it out from the two times.
    int offset = (lt.tm_hour - gmt.tm_hour) * 60 + lt.tm_min - gmt.tm_min;
    if (lt.tm_year < gmt.tm_year)
        offset -= 24 * 60;
    else if (lt.tm_year > gmt.tm_year)
        offset += 24 * 60;
    else if (lt.tm_yday < gmt.tm_yday)
        offset -= 24 * 60;
    else if (lt.tm_yday > gmt.tm_yday)
        offset += 24 * 60;
    if (lt.tm_sec <= gmt.tm_sec - 60)
        offset -= 1;
    else if (lt.tm_sec >= gmt.tm_sec + 60)
        offset += 1;
    char buf[128];
    size_t n = strftime(buf, sizeof buf, "%a, %e %b %Y %H:%M:%S ", &lt);
    std::string out(buf, n);
    char zone[16];
    std::snprintf(zone, sizeof zone, "%+03d%02d", offset / 60, std::abs(offset) % 60);
    out += zone;
    n = strftime(buf, sizeof buf, " (%Z)", &lt);
    out.append(buf, n);
    return out;
}

std::vector<std::string> receivedHeader(const ReceivedFields& f) {
    std::vector<std::string> lines;
    std::string addr = f.ipv6 ? "IPv6:" + f.clientAddress : f.clientAddress;
    lines.push_back("Received: from " + (f.heloName.empty() ? f.clientName : f.heloName) + " (" + f.clientName + " [" +
                    addr + "])");
    std::string by = "\tby " + f.myhostname + " (" + f.mailName + ") with " + f.protocol;
    if (!f.queueId.empty()) by += " id " + f.queueId;
    if (!f.recipient.empty()) {
        lines.push_back(by);
        lines.push_back("\tfor <" + address::quoteLocalPart(f.recipient) + ">; " + mailDate(f.arrival));
    } else {
        lines.push_back(by + ";");
        lines.push_back("\t" + mailDate(f.arrival));
    }
    return lines;
}

}  // namespace postline::smtp
