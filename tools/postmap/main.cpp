// Entry point of postmap(1): everything lives in postmap_impl so tests can link it.
#include "postmap.h"

int main(int argc, char** argv) { return postline::tools::runPostmap(argc, argv); }
