// A compiled generation as a configuration to run: the parameters it recorded as in
// effect, and its tables opened from its own files (tables/) instead of their sources.
// `postline trace --compiled` shows with these what the generation would do.
#pragma once

#include "postline/artifact/generation.h"
#include "postline/config/config.h"
#include "postline/maps/table_redirect.h"

namespace postline::artifact {

// The generation's effective parameters over the built-in defaults of its
// configuration directory: the ones main.cf defined (and master.cf added) are set as
// written, so they expand as they did when it was compiled. main.cf is not read.
config::Config configOf(const Generation& generation);

// For a maps::TableRedirect: each table reference the generation compiled (as the
// configuration names it, proxy: looked through) to its file in the generation; other
// specs (in-line, external, not in the configuration) are opened as written.
maps::TableRedirect::Map tableRedirectOf(const Generation& generation);

}  // namespace postline::artifact
