// postline: the commands Postfix lacks. The command line is parsed here with CLI11;
// each subcommand runs from its own CLI-free files (trace_command.h, ...).
#include <CLI/CLI.hpp>
#include <iostream>

#include "trace_command.h"

int main(int argc, char** argv) {
    CLI::App app{"postline: lint, compile and simulate Postfix configurations"};
    app.require_subcommand(1);

    postline::tools::TraceCommandOptions trace;
    CLI::App* traceCommand = app.add_subcommand("trace", "show how addresses are rewritten, resolved and delivered");
    traceCommand->add_option("-c,--config-dir", trace.configDir,
                             "configuration directory (default: $MAIL_CONFIG or /etc/postfix)");
    traceCommand->add_option("-f,--sender", trace.sender, "envelope sender (default: the null sender)");
    traceCommand->add_option("--format", trace.format, "output format")->check(CLI::IsMember({"text", "json"}));
    traceCommand->add_option("addresses", trace.addresses, "recipient addresses")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int status = app.exit(e);
        return status == 0 ? 0 : 1;
    }
    if (traceCommand->parsed()) return postline::tools::runTrace(trace, std::cout, std::cerr);
    return 1;
}
