// master.cf (master/master_ent.c, postconf_master.c): the input is a master.cf, parsed as
// postconf and master parse it and scanned as the linter scans it; each entry's -o
// options are expanded for the service as its daemon would (config::expandForService).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "postline/config/config.h"
#include "postline/config/master_cf.h"
#include "postline/config/service_expand.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string_view text = fuzz::asText(data, size);
    static const config::Config defaults = config::Config::defaults();
    (void)config::parseMasterCf(text, "master.cf");
    config::MasterCfScan scan = config::scanMasterCf(text);
    std::vector<std::string> lines;
    for (std::string_view rest = text; !rest.empty();) lines.emplace_back(fuzz::firstLine(rest));
    for (const config::MasterEntry& entry : scan.entries) {
        (void)config::checkMasterEntry(entry.argv, "fuzz");
        for (const auto& option : entry.options()) {
            (void)config::normalizeOptionValue(option.value);
            (void)config::optionNameValue(option.value);
            (void)config::masterOptionLine(lines, entry, option.name);
            (void)config::expandForService(defaults, entry, option.value);
        }
        (void)config::expandForService(defaults, entry, "$service_name $myhostname ${smtpd_banner}");
    }
    (void)config::splitNameValue(text);
    return 0;
}
