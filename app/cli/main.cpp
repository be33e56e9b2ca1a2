// medseg: the headless command line of MedSeg Studio. Every job the GUI can start runs here
// with the same core code, for scripts and GPU servers.

#include "app/cli/Commands.h"
#include "app/common/BuildInfo.h"
#include "app/common/Runtime.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <cstdio>
#include <exception>

namespace medseg::cli {
namespace {

class Cli
{
    Q_DECLARE_TR_FUNCTIONS(Cli)

public:
    static QString helpText(const QString &optionsHelp,
                            const std::vector<std::unique_ptr<CliCommand>> &commands)
    {
        int width = 0;
        for (const auto &command : commands)
            width = qMax(width, int(command->name().size()));

        QString text = optionsHelp;
        text += QLatin1Char('\n') + tr("Commands:") + QLatin1Char('\n');
        for (const auto &command : commands)
            text += QStringLiteral("  ") + command->name().leftJustified(width + 2) +
                    command->summary() + QLatin1Char('\n');
        text += QLatin1Char('\n') + tr("Run 'medseg COMMAND --help' for a command's options.") +
                QLatin1Char('\n');
        text += QLatin1Char('\n') + tr("Exit codes:") + QLatin1Char('\n');
        const QList<QPair<int, QString>> codes = {
            {ExitOk, tr("success")},
            {ExitFailure, tr("the job ran and failed")},
            {ExitUsage, tr("unknown command, bad or missing arguments")},
            {ExitBadInput, tr("an input is missing, unreadable or invalid")},
            {ExitIoError, tr("an output could not be written")},
            {ExitCancelled, tr("interrupted")},
        };
        for (const auto &[code, meaning] : codes)
            text += QStringLiteral("  %1  %2\n").arg(code, 3).arg(meaning);
        return text;
    }

    static QString unknownCommand(const QString &name)
    {
        return tr("unknown command '%1'. See 'medseg --help'.").arg(name);
    }
    static QString description() { return tr("MedSeg Studio on the command line."); }
    static QString commandArgument() { return tr("The command to run (see below)."); }
    static QString failed(const QString &what) { return tr("failed: %1").arg(what); }
};

void installTranslations(QCoreApplication &app)
{
    // English is the source language; its file holds only the plural forms ("1 image").
    const QString code = QLocale::system().name().startsWith(QLatin1String("zh"))
                             ? QStringLiteral("zh_CN")
                             : QStringLiteral("en");
    auto *translator = new QTranslator(&app);
    if (translator->load(QStringLiteral("medseg_") + code,
                         QCoreApplication::applicationDirPath() +
                             QStringLiteral("/../share/medseg-studio/translations")))
        QCoreApplication::installTranslator(translator);
}

int runCli(QCoreApplication &app)
{
    const std::vector<std::unique_ptr<CliCommand>> commands = allCommands();

    QCommandLineParser parser;
    parser.setApplicationDescription(Cli::description());
    // Everything after the command name belongs to the command.
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), Cli::commandArgument(),
                                 QStringLiteral("COMMAND [ARGS...]"));

    if (!parser.parse(app.arguments())) {
        printError(parser.errorText());
        return ExitUsage;
    }
    if (parser.isSet(versionOption)) {
        printOut(QStringLiteral("medseg %1\n").arg(app::applicationVersion()));
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(helpOption) || positional.isEmpty()) {
        const QString help = Cli::helpText(parser.helpText(), commands);
        if (positional.isEmpty() && !parser.isSet(helpOption)) {
            std::fputs(help.toLocal8Bit().constData(), stderr);
            return ExitUsage;
        }
        printOut(help);
        return ExitOk;
    }

    const QString name = positional.first();
    for (const auto &command : commands) {
        if (command->name() == name) {
            QStringList arguments = positional.mid(1);
            arguments.prepend(QStringLiteral("medseg ") + name);
            return command->run(arguments);
        }
    }
    printError(Cli::unknownCommand(name));
    return ExitUsage;
}

} // namespace
} // namespace medseg::cli

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("medseg"));
    QCoreApplication::setOrganizationName(QStringLiteral("MedSeg"));
    QCoreApplication::setApplicationVersion(medseg::app::applicationVersion());
    medseg::cli::installTranslations(app);
    medseg::app::configureRuntime();
    try {
        return medseg::cli::runCli(app);
    } catch (const std::exception &error) {
        // A command that lets an exception escape still gets a message, never a core dump.
        medseg::cli::printError(medseg::cli::Cli::failed(medseg::cli::errorText(error)));
        return medseg::cli::ExitFailure;
    }
}
