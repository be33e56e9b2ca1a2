#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "models/Complexity.h"
#include "models/Registry.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

namespace medseg::cli {
namespace {

// The pretrained weights the workstation's Training dock remembers for a backbone (its
// settings: ui/session/TrainingSession), when the file still exists.
QString configuredWeights(const std::string &backbone)
{
    const QSettings studio(QStringLiteral("MedSeg"), QStringLiteral("MedSeg Studio"));
    const QString file =
        studio.value(QStringLiteral("training/pretrained/") + QString::fromStdString(backbone))
            .toString();
    return QFileInfo(file).isFile() ? file : QString();
}

// `medseg models [--size N] [--output-stride S] [--json]`: what each backbone costs as a
// PSPNet, so that a user can choose one for a laptop or a GPU server.
class ModelsCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(ModelsCommand)

public:
    QString name() const override { return QStringLiteral("models"); }
    QString summary() const override
    {
        return tr("List the backbones with their parameters, the operations of one prediction "
                  "and whether pretrained weights are configured.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption jsonOption(QStringLiteral("json"),
                                            tr("Print JSON instead of a table."));
        const QCommandLineOption sizeOption(QStringLiteral("size"),
                                            tr("Square input size (default 512)."),
                                            QStringLiteral("N"), QStringLiteral("512"));
        const QCommandLineOption strideOption(QStringLiteral("output-stride"),
                                              tr("Output stride: 8 (default), 16 or 32."),
                                              QStringLiteral("S"), QStringLiteral("8"));
        parser.addOptions({jsonOption, sizeOption, strideOption});
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        const auto sizeValue = wholeOption(parser, sizeOption, 32, 4096);
        if (!sizeValue)
            return ExitUsage;
        const int size = int(*sizeValue);
        bool strideOk = false;
        const int stride = parser.value(strideOption).toInt(&strideOk);
        if (!strideOk || (stride != 8 && stride != 16 && stride != 32)) {
            printError(tr("--output-stride must be 8, 16 or 32."));
            return ExitUsage;
        }

        QJsonArray rows;
        QString table =
            tr("%1  %2  %3  %4  %5\n")
                .arg(tr("backbone").leftJustified(20), tr("backbone M").rightJustified(10),
                     tr("PSPNet M").rightJustified(9), tr("GFLOPs@%1").arg(size).rightJustified(12),
                     tr("pretrained"));
        for (const std::string &backbone : models::availableBackbones()) {
            models::ModelConfig config;
            config.backbone = backbone;
            config.output_stride = stride;
            const models::ModelComplexity cost = models::measureComplexity(config, size, size);
            const double gflops = double(cost.multiplyAccumulates) / 1e9;
            const QString weights = configuredWeights(backbone);
            QJsonObject row{
                {QStringLiteral("backbone"), QString::fromStdString(backbone)},
                {QStringLiteral("backbone_parameters"), qint64(cost.backboneParameters)},
                {QStringLiteral("parameters"), qint64(cost.parameters)},
                {QStringLiteral("gflops"), gflops},
                {QStringLiteral("input_size"), size},
                {QStringLiteral("output_stride"), stride},
                {QStringLiteral("pretrained"),
                 weights.isEmpty() ? QJsonValue() : QJsonValue(weights)}};
            rows.append(row);
            table +=
                QStringLiteral("%1  %2  %3  %4  %5\n")
                    .arg(QString::fromStdString(backbone).leftJustified(20),
                         QString::number(cost.backboneParameters / 1e6, 'f', 2).rightJustified(10),
                         QString::number(cost.parameters / 1e6, 'f', 2).rightJustified(9),
                         QString::number(gflops, 'f', 1).rightJustified(12),
                         weights.isEmpty() ? tr("no") : QFileInfo(weights).fileName());
        }
        if (parser.isSet(jsonOption)) {
            printOut(QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Indented)));
            return ExitOk;
        }
        printOut(table);
        printOut(tr("GFLOPs: multiply-accumulates of one prediction at %1 x %1, output stride "
                    "%2, as torchvision's tables count them (one multiply-add is one "
                    "operation). Parameters in millions, for 2 classes.\n")
                     .arg(size)
                     .arg(stride));
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeModelsCommand()
{
    return std::make_unique<ModelsCommand>();
}

} // namespace medseg::cli
