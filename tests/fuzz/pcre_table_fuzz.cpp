// libFuzzer target: pcre tables (see pattern_table_fuzz.inc).
#define FUZZ_TABLE_TYPE "pcre"
#include "pattern_table_fuzz.inc"
