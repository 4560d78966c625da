// Entry point of postcat(1): everything lives in postcat_impl so tests can link it.
#include "postcat.h"

int main(int argc, char** argv) { return postline::tools::runPostcat(argc, argv); }
