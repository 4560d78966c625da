// Entry point of postfix(1): everything lives in postfix_impl.
#include "postfix.h"

int main(int argc, char** argv) { return postline::tools::runPostfix(argc, argv); }
