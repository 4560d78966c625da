// libFuzzer target: regexp tables (see pattern_table_fuzz.inc).
#define FUZZ_TABLE_TYPE "regexp"
#include "pattern_table_fuzz.inc"
