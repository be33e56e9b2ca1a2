#include "app/cli/CliCommand.h"

#include "core/common/ErrorText.h"

#include <QCommandLineParser>

#include <cstdio>

namespace medseg::cli {

void printError(const QString &message)
{
    std::fprintf(stderr, "medseg: %s\n", qPrintable(message));
    std::fflush(stderr);
}

QString errorText(const std::exception &error)
{
    return QString::fromLocal8Bit(core::userMessage(error).c_str());
}

void printOut(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

int parseCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                     const QString &description)
{
    parser.setApplicationDescription(description);
    const QCommandLineOption helpOption = parser.addHelpOption();
    if (!parser.parse(arguments)) {
        printError(parser.errorText());
        return ExitUsage;
    }
    if (parser.isSet(helpOption)) {
        // Qt names the executable's path in the usage line; show the subcommand instead.
        QString help = parser.helpText();
        const QString program = QCoreApplication::arguments().value(0);
        const qsizetype lineEnd = help.indexOf(QLatin1Char('\n'));
        if (!program.isEmpty() && lineEnd > 0)
            help.replace(help.indexOf(program), program.size(), arguments.value(0));
        printOut(help);
        return ExitOk;
    }
    return -1;
}

} // namespace medseg::cli
