#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <exception>

class QCommandLineParser;

namespace medseg::cli {

// Exit codes of `medseg`, listed in `medseg --help`. Scripts rely on them: never renumber.
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1,    // the job ran and failed
    ExitUsage = 2,      // unknown command, bad or missing arguments
    ExitBadInput = 3,   // an input file is missing, unreadable or not what was expected
    ExitIoError = 4,    // an output could not be written (disk full, permissions)
    ExitCancelled = 130 // interrupted (Ctrl+C), as shells report SIGINT
};

// One `medseg` subcommand. Each lives in a file of its own under app/cli/ and is listed in
// Commands.cpp.
class CliCommand
{
public:
    virtual ~CliCommand() = default;

    virtual QString name() const = 0;
    // One line for `medseg --help`.
    virtual QString summary() const = 0;
    // arguments[0] is "medseg NAME"; the rest are the command's own arguments.
    virtual int run(const QStringList &arguments) = 0;
};

// Shared argument handling: parses `arguments` with `parser` (adding --help), prints the
// command's help on --help and a one-line error on stderr on bad usage. Returns -1 when the
// command should go on, or the exit code to return now.
int parseCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                     const QString &description);

// Messages on stderr, prefixed with the program name, so pipes of stdout stay clean.
void printError(const QString &message);
void printOut(const QString &text);
// An exception's message in words (core::userMessage: "not enough memory..." for bad_alloc).
QString errorText(const std::exception &error);

} // namespace medseg::cli
