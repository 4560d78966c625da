// Entry point of postqueue(1); the same program is installed as mailq(1) and then
// behaves like Postfix's mailq (sendmail -bp), which hands over to "postqueue -p".
#include <string_view>

#include "postqueue.h"

int main(int argc, char** argv) {
    std::string_view name = argc > 0 && argv[0] ? argv[0] : "postqueue";
    if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    if (name == "mailq") return postline::tools::runMailq(argc, argv);
    return postline::tools::runPostqueue(argc, argv);
}
