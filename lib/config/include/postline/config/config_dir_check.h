// Whether a program may read a configuration directory other than the default one, as
// Postfix 3.7's global/mail_conf.c (mail_conf_checkdir) and util/unsafe.c decide for its
// set-gid commands (postdrop, postqueue) and for sendmail -C: a process running with
// privileges it did not inherit from the user accepts a non-default directory only when
// the default main.cf names it in alternate_config_directories or
// multi_instance_directories.
#pragma once

#include <string>
#include <string_view>

#include "postline/base/result.h"

namespace postline::config {

// unsafe(): the real and effective ids differ (a set-uid or set-gid program run by a
// user), unless real and effective uid are both root.
bool processIsUnsafe();

// mail_conf_checkdir(): reads DEFAULT/main.cf ("/etc/postfix" unless given) and looks for
// `directory` among the values of alternate_config_directories and
// multi_instance_directories (separated by commas and white space, compared exactly).
// Errors are Postfix's fatal texts: "open file /etc/postfix/main.cf: REASON", and for a
// directory not named there, after the error "unauthorized configuration directory
// name: DIR" (reported through base::msgError), the fatal text
// `specify "alternate_config_directories = DIR" or "multi_instance_directories = DIR"
// in /etc/postfix/main.cf`.
base::Status checkConfigDirectory(std::string_view directory, const std::string& defaultDirectory = "/etc/postfix");

// The check as mail_conf_suck() makes it at start-up: only for a non-default directory
// and an unsafe process.
base::Status checkConfigDirectoryIfUnsafe(std::string_view directory);

}  // namespace postline::config
