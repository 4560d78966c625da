// main.cf (global/mail_conf.c, util/dict.c's `name = value` lines) and the `$name`
// expansion of every value it defines (util/mac_expand.c): the input is a main.cf, read
// as Config::load reads one, then each parameter it sets and a few built-in ones that
// depend on others are expanded with Postfix's diagnostics.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "postline/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace postline;
    fuzz::quietDiagnostics();
    std::string_view text = fuzz::asText(data, size);
    (void)config::parseMainCfEntries(text, "main.cf");
    fuzz::writeScratch("main.cf", text);
    auto loaded = config::Config::load(fuzz::scratchDirectory());
    if (!loaded) return 0;
    const config::Config& config = *loaded;
    for (const std::string& name : config.definedNames()) {
        (void)config.get(name);
        if (auto raw = config.raw(name)) (void)config.expandChecked(*raw);
    }
    for (const char* name : {"myorigin", "mydestination", "smtpd_banner", "relay_domains", "alias_maps"})
        (void)config.get(name);
    (void)config.getBool("append_dot_mydomain");
    (void)config.getLong("message_size_limit");
    return 0;
}
