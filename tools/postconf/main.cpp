// Entry point of postconf(1): everything lives in postconf_impl so tests can link it.
#include "postconf.h"

int main(int argc, char** argv) { return postline::tools::runPostconf(argc, argv); }
