// A direct writer of Berkeley DB 5.3 B-tree files (the "btree" table type) for full
// rebuilds: sorted entries go straight into leaf pages, internal pages are built bottom
// up, in the on-disk format of Berkeley DB's btree access method (dbinc/db_page.h,
// dbinc/btree.h) that libdb, db_verify and Postfix's dict_db.c read and update.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db_bulk.h"
#include "postline/base/result.h"

namespace postline::maps::backend {

// True when every key and value of `table` fits on a leaf page as a plain item, which is
// what writeBtreeFile() writes; larger ones need Berkeley DB's overflow pages.
bool btreeFileCanHold(const BulkTable& table);

// Writes the live entries of `table`, in `order` (sorted as Berkeley DB's default
// comparison sorts), as a complete B-tree database with 4 KiB pages to the new, empty
// file `fd`. Errors: "write PATH: ERRNO".
base::Status writeBtreeFile(int fd, const std::string& path, const BulkTable& table,
                            const std::vector<uint32_t>& order);

}  // namespace postline::maps::backend
