// Entry point of sendmail(1): everything lives in sendmail_impl so tests can link it.
#include "sendmail.h"

int main(int argc, char** argv) { return postline::tools::runSendmail(argc, argv); }
