// DaemonConfig over a compiled generation: its parameters with the service's -o
// overrides on top (Postfix's mail_conf_suck() then mail_conf_update() per -o).
#include <cstdlib>

#include "postline/artifact/compiler.h"
#include "postline/artifact/generation.h"
#include "postline/artifact/generation_config.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/config/registry.h"
#include "postline/config/time_value.h"
#include "postline/server/daemon.h"

namespace postline::server {

namespace {

// A time value without a registry entry: a number with an optional unit, seconds by
// default; 0 when malformed.
long secondsOf(std::string_view value) { return config::timeValue(base::trim(value)).value_or(0); }

class GenerationDaemonConfig : public DaemonConfig {
public:
    GenerationDaemonConfig(std::shared_ptr<const artifact::Generation> generation, const ServiceOptions& options)
        : generation_(std::move(generation)), options_(options), config_(artifact::configOf(*generation_)) {
        for (const auto& [name, value] : options_.overrides) config_.set(name, value);
        config_.set("process_name", options_.program);
        config_.set("service_name", options_.serviceName);
    }

    const config::Config& config() const override { return config_; }
    const artifact::Generation& generation() const override { return *generation_; }
    const ServiceOptions& options() const override { return options_; }
    std::string get(std::string_view name) const override { return config_.get(name); }
    long getLong(std::string_view name) const override { return config_.getLong(name); }
    bool getBool(std::string_view name) const override { return config_.getBool(name); }
    long getSeconds(std::string_view name) const override {
        std::string value = config_.get(name);
        if (const config::ParameterInfo* info = config::findBuiltinParameter(name);
            info && info->type == config::ParamType::Time)
            if (auto n = config::numericValue(*info, value)) return long(*n);
        return secondsOf(value);
    }

private:
    std::shared_ptr<const artifact::Generation> generation_;
    ServiceOptions options_;
    config::Config config_;
};

}  // namespace

std::shared_ptr<const DaemonConfig> makeDaemonConfig(std::shared_ptr<const artifact::Generation> generation,
                                                     const ServiceOptions& options) {
    return std::make_shared<GenerationDaemonConfig>(std::move(generation), options);
}

base::Result<std::shared_ptr<const DaemonConfig>> loadDaemonConfig(const ServiceOptions& options) {
    auto opened = artifact::Generation::openCurrent(artifact::defaultOutputDirectory(options.configDirectory));
    if (!opened) return opened.error();
    auto generation = std::make_shared<const artifact::Generation>(std::move(*opened));
    return makeDaemonConfig(std::move(generation), options);
}

}  // namespace postline::server
