// Reading the compiled generation in use (what the MTA daemons load read-only): the
// effective parameters, the master.cf services with their overrides and the compiled
// table of every table reference, from OUTDIR/current's config.json; and whether a newer
// generation has been switched in since (changed()). While a Generation (or a copy) lives,
// its directory stays on the disk: compile skips it when pruning old generations.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postline/base/result.h"

namespace postline::artifact {

struct Setting {
    std::string value;     // as written (unexpanded)
    std::string expanded;  // after $name expansion
    std::string origin;    // "default", or "FILE:LINE"
};

struct Service {
    std::string name;
    std::string type;                                       // inet, unix, unix-dgram, fifo, pass
    std::vector<std::string> fields;                        // the eight master.cf fields, command included
    std::vector<std::string> args;                          // the command's arguments after the fields
    std::map<std::string, Setting, std::less<>> overrides;  // -o name=value, the last one per name
    std::string origin;                                     // "FILE:LINE"
};

struct CompiledTable {
    std::string reference;  // the table as the configuration names it, e.g. "hash:/etc/postfix/virtual"
    std::string type;
    std::string source;  // the source file ("" for in-line and external tables)
    // The spec to open: the copy in the generation ("hash:OUTDIR/gen-N/tables/ID"), or the
    // reference itself for in-line and external tables.
    std::string spec;
    bool compiled = false;  // the generation holds a file of it
};

class Generation {
public:
    // Opens OUTDIR/current (read-only) and holds its directory as in use. Errors: "no
    // compiled generation in OUTDIR: ...", "open OUTDIR/gen-N: ..." (or "lock ...") for a
    // directory that cannot be opened, "OUTDIR/gen-N/config.json: ..." for a file that
    // cannot be read or parsed.
    static base::Result<Generation> openCurrent(const std::string& outDir);

    int number() const { return number_; }
    const std::string& path() const { return path_; }  // OUTDIR/gen-N
    const std::string& configDirectory() const { return configDir_; }

    const std::map<std::string, Setting, std::less<>>& parameters() const { return parameters_; }
    // The expanded value of a parameter, nullopt when the generation does not have it.
    std::optional<std::string> parameter(std::string_view name) const;
    // The expanded value for one service: its -o override, else the main.cf value.
    std::optional<std::string> serviceParameter(std::string_view service, std::string_view type,
                                                std::string_view name) const;
    const std::vector<Service>& services() const { return services_; }
    // Each service's eight master.cf fields, in master.cf's order (what
    // address::deliveryServicesOf() reads).
    std::vector<std::vector<std::string>> serviceFields() const;
    const std::vector<CompiledTable>& tables() const { return tables_; }
    // The spec to open for a table reference as main.cf names it (after expansion; a
    // proxy: prefix is looked through); nullopt when the generation does not know it.
    std::optional<std::string> tableSpec(std::string_view reference) const;

    // True when OUTDIR/current no longer points at this generation (a newer one was
    // switched in, or current was removed): the caller should open the new one.
    bool changed() const;

private:
    std::string outDir_;
    std::string target_;  // current's link target when opened ("gen-N")
    std::string path_;
    std::string configDir_;
    int number_ = 0;
    std::map<std::string, Setting, std::less<>> parameters_;
    std::vector<Service> services_;
    std::vector<CompiledTable> tables_;
    // A shared flock on path_, held while any copy of this Generation lives: compile
    // does not remove a generation in use, whose tables may still be opened.
    std::shared_ptr<const void> inUse_;
};

}  // namespace postline::artifact
