// Entry point of postalias(1); the same program is installed as newaliases(1) and then
// behaves like Postfix's "sendmail -bi" (dispatch on the program name, as Postfix's
// sendmail does for newaliases and mailq).
#include <string_view>

#include "postalias.h"

int main(int argc, char** argv) {
    std::string_view name = argc > 0 && argv[0] ? argv[0] : "postalias";
    if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    if (name == "newaliases") return postline::tools::runNewaliases(argc, argv);
    return postline::tools::runPostalias(argc, argv);
}
