// Open functions of every backend; registry.cpp puts them in the one type table.
// Each group lives in one source file (dict_db.cpp, dict_lmdb.cpp, …) so that a
// vendor library is confined to the file that uses it.
#pragma once

#include "postline/maps/registry.h"

namespace postline::maps::backend {

#define POSTLINE_DICT_OPEN(fn) \
    base::Result<std::unique_ptr<Dict>> fn(const DictSpec&, OpenMode, uint32_t, const OpenContext&)

POSTLINE_DICT_OPEN(openHash);      // dict_db.cpp (Berkeley DB)
POSTLINE_DICT_OPEN(openBtree);     // dict_db.cpp (Berkeley DB)
POSTLINE_DICT_OPEN(openLmdb);      // dict_lmdb.cpp (LMDB)
POSTLINE_DICT_OPEN(openPcre);      // dict_pcre.cpp (PCRE2)
POSTLINE_DICT_OPEN(openRegexp);    // dict_regexp.cpp (POSIX regex)
POSTLINE_DICT_OPEN(openCidr);      // dict_cidr.cpp
POSTLINE_DICT_OPEN(openTexthash);  // dict_thash.cpp
POSTLINE_DICT_OPEN(openStatic);    // dict_memory.cpp
POSTLINE_DICT_OPEN(openInline);    // dict_memory.cpp
POSTLINE_DICT_OPEN(openFail);      // dict_memory.cpp
POSTLINE_DICT_OPEN(openEnviron);   // dict_memory.cpp
POSTLINE_DICT_OPEN(openInternal);  // dict_memory.cpp
POSTLINE_DICT_OPEN(openUnionmap);  // dict_compose.cpp
POSTLINE_DICT_OPEN(openPipemap);   // dict_compose.cpp

#undef POSTLINE_DICT_OPEN

}  // namespace postline::maps::backend
