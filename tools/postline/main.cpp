// postline: the commands Postfix lacks. The command line is parsed here with CLI11;
// each subcommand runs from its own CLI-free files (trace_command.h, ...).
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "compile_command.h"
#include "diff_command.h"
#include "lint_command.h"
#include "test_command.h"
#include "trace_command.h"

namespace {
constexpr const char* kRootHelp =
    "read the configuration under DIR as if DIR were / (a checkout of a configuration repository): "
    "-c, the tables and the other files it names by absolute paths";
}  // namespace

int main(int argc, char** argv) {
    // A generation file past an inherited file size limit fails its write (EFBIG: the
    // compile reports it and removes its temporary directory) instead of killing us.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"postline: lint, compile and simulate Postfix configurations"};
    app.require_subcommand(1);

    postline::tools::TraceCommandOptions trace;
    CLI::App* traceCommand = app.add_subcommand("trace", "show how addresses are rewritten, resolved and delivered");
    CLI::Option* traceConfig = traceCommand->add_option(
        "-c,--config-dir", trace.configDir, "configuration directory (default: $MAIL_CONFIG or /etc/postfix)");
    traceCommand
        ->add_option("--compiled", trace.compiledDir,
                     "trace the generation in use in this postline compile output directory instead")
        ->excludes(traceConfig);
    traceCommand->add_option("--root", trace.root, kRootHelp)->excludes("--compiled");
    traceCommand->add_option("-f,--sender", trace.sender, "envelope sender (default: the null sender)");
    traceCommand->add_option("--format", trace.format, "output format")->check(CLI::IsMember({"text", "json"}));
    traceCommand->add_option("--addresses", trace.addressesFile,
                             "file of recipient addresses, one a line (- for stdin)");
    traceCommand->add_flag("--raw-arguments", trace.rawArguments,
                           "addresses and sender are RCPT TO: and MAIL FROM: arguments as the client writes them (the "
                           "sender defaults to <>)");
    traceCommand->add_option("--client", trace.client,
                             "SMTP client IP[,NAME]: evaluate smtpd's restrictions for a message from it");
    traceCommand->add_option("--helo", trace.helo, "HELO/EHLO name the client sends (needs --client)");
    traceCommand->add_option("--sasl", trace.sasl, "SASL login of the client (needs --client)");
    traceCommand
        ->add_option("--dns", trace.dns,
                     "offline DNS answer NAME=found|notfound|tempfail|nullmx|malformed (repeatable)")
        ->allow_extra_args(false);
    traceCommand->add_option("--policy", trace.policy, "offline policy server answer SERVICE=ACTION (repeatable)")
        ->allow_extra_args(false);
    traceCommand
        ->add_option("--lookup", trace.lookups,
                     "answer of an external table (mysql:, pgsql:, ldap:, ...) TABLE=KEY=VALUE (repeatable)")
        ->allow_extra_args(false);
    traceCommand->add_option("addresses", trace.addresses, "recipient addresses");

    postline::tools::TestCommandOptions test;
    CLI::App* testCommand = app.add_subcommand("test", "run routing test files against a configuration");
    testCommand->add_option("-c,--config-dir", test.configDir,
                            "configuration directory (default: $MAIL_CONFIG or /etc/postfix)");
    testCommand->add_flag("-v,--verbose", test.verbose, "also list the cases that pass");
    testCommand->add_option("--root", test.root, kRootHelp);
    testCommand->add_option("files", test.files, "routing test files")->required();

    postline::tools::DiffCommandOptions diff;
    CLI::App* diffCommand = app.add_subcommand("diff", "show addresses routed differently by two configurations");
    diffCommand->add_option("dir_a", diff.dirA, "first configuration directory")->required();
    diffCommand->add_option("dir_b", diff.dirB, "second configuration directory")->required();
    diffCommand->add_option("--addresses", diff.addressesFile,
                            "file of addresses to compare, one a line (- for stdin)");
    diffCommand->add_option("--root-a", diff.rootA, "read dir_a under this root, as if it were / (two checkouts)");
    diffCommand->add_option("--root-b", diff.rootB, "read dir_b under this root, as if it were /");
    std::string diffRoot;
    diffCommand
        ->add_option("--root", diffRoot, "read both configurations under this root (one checkout, two directories)")
        ->excludes("--root-a")
        ->excludes("--root-b");

    postline::tools::LintCommandOptions lint;
    CLI::App* lintCommand = app.add_subcommand("lint", "check a Postfix configuration directory");
    lintCommand->add_option("-c,--config-dir", lint.configDir,
                            "configuration directory (default: $MAIL_CONFIG or /etc/postfix)");
    lintCommand->add_option("--format", lint.format, "report format")->check(CLI::IsMember({"text", "json", "sarif"}));
    lintCommand->add_flag("--werror", lint.warningsAreErrors, "treat warnings as errors");
    lintCommand->add_option("--disable", lint.disable, "turn off a rule (repeatable)");
    lintCommand->add_option("--compiled", lint.compiledDir,
                            "output directory of postline compile to compare with (default: CONFIG_DIR/compiled)");
    lintCommand->add_option("--root", lint.root, kRootHelp);

    postline::tools::CompileCommandOptions compile;
    CLI::App* compileCommand =
        app.add_subcommand("compile", "lint a configuration, then write it as a new compiled generation");
    compileCommand->add_option("-c,--config-dir", compile.configDir,
                               "configuration directory (default: $MAIL_CONFIG or /etc/postfix)");
    compileCommand->add_option("-o,--output-dir", compile.outDir, "output directory (default: CONFIG_DIR/compiled)");
    compileCommand->add_option("--root", compile.root, kRootHelp);
    compileCommand->add_option("--disable", compile.disable,
                               "turn off a lint rule (repeatable), as postline lint does");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int status = app.exit(e);
        if (status == 0) return 0;
        // Usage errors: "could not run" (2) for lint, compile, test and diff; trace's "undecidable" (1).
        return lintCommand->parsed() || compileCommand->parsed() || testCommand->parsed() || diffCommand->parsed() ? 2
                                                                                                                   : 1;
    }
    if (lintCommand->parsed()) return postline::tools::runLint(lint);
    if (compileCommand->parsed()) return postline::tools::runCompile(compile);
    if (traceCommand->parsed()) return postline::tools::runTrace(trace, std::cout, std::cerr);
    if (testCommand->parsed()) return postline::tools::runTest(test, std::cout, std::cerr);
    if (diffCommand->parsed()) {
        if (!diffRoot.empty()) diff.rootA = diff.rootB = diffRoot;
        return postline::tools::runDiff(diff, std::cout, std::cerr);
    }
    return 1;
}
