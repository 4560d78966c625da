// The postalias(1) and newaliases(1) commands as a library (postalias_impl), so that
// main.cpp only dispatches on the program name. Mirrors Postfix 3.7's
// postalias/postalias.c and the newaliases mode of sendmail/sendmail.c.
#pragma once

namespace postline::tools {

// postalias [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file...
// Returns the exit status; fatal errors end the process with status 1, as in Postfix.
int runPostalias(int argc, char** argv);

// newaliases [sendmail options]: runs postalias on every entry of alias_database
// (or the map given with -oA). Its own fatal errors exit with status 75 (EX_TEMPFAIL).
int runNewaliases(int argc, char** argv);

}  // namespace postline::tools
