// Entry point of postfix(1): everything lives in postfix_impl.
#include <csignal>

#include "postfix.h"

int main(int argc, char** argv) {
    // A mail log or a generation file past an inherited file size limit must fail a
    // write (EFBIG, reported), not kill the command, as Postfix's programs ignore it.
    std::signal(SIGXFSZ, SIG_IGN);
    return postline::tools::runPostfix(argc, argv);
}
