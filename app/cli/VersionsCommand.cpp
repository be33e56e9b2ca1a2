#include "app/cli/Commands.h"
#include "app/common/BuildInfo.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>

namespace medseg::cli {
namespace {

// `medseg versions [--json]`: the versions of every library this process loaded, for bug
// reports and for checking a GPU server's install.
class VersionsCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(VersionsCommand)

public:
    QString name() const override { return QStringLiteral("versions"); }
    QString summary() const override
    {
        return tr("Print the versions of MedSeg Studio and the libraries it loaded.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption jsonOption(QStringLiteral("json"),
                                            tr("Print one JSON object instead of a table."));
        parser.addOption(jsonOption);
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        if (!parser.positionalArguments().isEmpty()) {
            printError(tr("'versions' takes no arguments."));
            return ExitUsage;
        }

        const auto components = app::componentVersions();
        if (parser.isSet(jsonOption)) {
            QJsonObject object;
            for (const auto &[component, version] : components)
                object.insert(component, version);
            printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
            return ExitOk;
        }
        int width = 0;
        for (const auto &component : components)
            width = qMax(width, int(component.first.size()));
        QString table;
        for (const auto &[component, version] : components)
            table += component.leftJustified(width + 2) + version + QLatin1Char('\n');
        printOut(table);
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeVersionsCommand()
{
    return std::make_unique<VersionsCommand>();
}

} // namespace medseg::cli
