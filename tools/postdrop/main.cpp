// Entry point of postdrop(1): everything lives in postdrop_impl so tests can link it.
#include "postdrop.h"

int main(int argc, char** argv) { return postline::tools::runPostdrop(argc, argv); }
