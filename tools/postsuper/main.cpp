// Entry point of postsuper(1): everything lives in postsuper_impl so tests can link it.
#include "postsuper.h"

int main(int argc, char** argv) { return postline::tools::runPostsuper(argc, argv); }
