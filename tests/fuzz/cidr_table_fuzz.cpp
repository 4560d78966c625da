// libFuzzer target: cidr tables (see pattern_table_fuzz.inc).
#define FUZZ_TABLE_TYPE "cidr"
#include "pattern_table_fuzz.inc"
