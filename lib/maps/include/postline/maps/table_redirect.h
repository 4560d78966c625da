// Opening tables from somewhere else than the configuration names: while a
// TableRedirect is installed (on this thread), every read-only open of a spec that it
// maps is an open of the spec it gives instead. `postline trace --compiled` installs one
// that maps each table of a compiled generation to the generation's own file, so that
// every place that opens a table (map lists, match lists, access tables, the members of
// unionmap/pipemap) reads the compiled tables without knowing about generations.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace postline::maps {

class TableRedirect {
public:
    // Gives the spec to open instead of `spec`, or nullopt to open `spec` itself.
    using Map = std::function<std::optional<std::string>(std::string_view spec)>;

    explicit TableRedirect(Map map);  // installs it; the previous one returns on destruction
    ~TableRedirect();
    TableRedirect(const TableRedirect&) = delete;
    TableRedirect& operator=(const TableRedirect&) = delete;

private:
    Map map_;
    const TableRedirect* previous_;
    friend std::string redirectedSpec(std::string_view spec);
};

// The spec a read-only open of `spec` opens: the installed redirect's answer, else `spec`.
std::string redirectedSpec(std::string_view spec);

}  // namespace postline::maps
