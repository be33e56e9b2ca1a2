#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "models/Registry.h"
#include "models/WeightImport.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace medseg::cli {
namespace {

// `medseg import-weights --arch NAME FILE.pth [--in-channels K] [-o OUT.pt]`: loads a state
// dict written by PyTorch's torch.save (torchvision's ImageNet weight files) into a backbone and
// reports exactly which keys matched; -o saves the backbone, first layer adapted, for training.
class ImportWeightsCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(ImportWeightsCommand)

public:
    QString name() const override { return QStringLiteral("import-weights"); }
    QString summary() const override
    {
        return tr("Load torchvision weights (torch.save state dict) into a backbone and report "
                  "the keys.");
    }

    int run(const QStringList &arguments) override
    {
        QStringList architectures;
        for (const std::string &name : models::availableBackbones())
            architectures << QString::fromStdString(name);

        QCommandLineParser parser;
        const QCommandLineOption archOption(
            QStringLiteral("arch"),
            tr("Backbone: %1.").arg(architectures.join(QStringLiteral(", "))),
            QStringLiteral("NAME"));
        const QCommandLineOption channelsOption(
            QStringLiteral("in-channels"),
            tr("Input channels of the model (1 grey, 3, or k adjacent slices); the first layer's "
               "RGB weights are adapted."),
            QStringLiteral("K"), QStringLiteral("3"));
        const QCommandLineOption outputOption(
            {QStringLiteral("o"), QStringLiteral("output")},
            tr("Save the loaded backbone's weights to this file."), QStringLiteral("FILE"));
        parser.addOption(archOption);
        parser.addOption(channelsOption);
        parser.addOption(outputOption);
        parser.addPositionalArgument(QStringLiteral("file"), tr("The .pth file to import."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;

        const QString arch = parser.value(archOption);
        if (!architectures.contains(arch)) {
            printError(
                arch.isEmpty()
                    ? tr("--arch is required (%1).").arg(architectures.join(QStringLiteral(", ")))
                    : tr("unknown architecture '%1' (%2).")
                          .arg(arch, architectures.join(QStringLiteral(", "))));
            return ExitUsage;
        }
        const auto channelsValue = wholeOption(parser, channelsOption, 1, 64);
        if (!channelsValue)
            return ExitUsage;
        const int channels = int(*channelsValue);
        if (parser.positionalArguments().size() != 1) {
            printError(tr("give exactly one weight file."));
            return ExitUsage;
        }
        const QString file = parser.positionalArguments().first();
        if (!QFileInfo(file).isFile()) {
            printError(tr("%1: no such file.").arg(file));
            return ExitBadInput;
        }

        models::BackboneOptions options;
        options.in_channels = channels;
        const models::BackbonePtr backbone = models::createBackbone(arch.toStdString(), options);
        models::ImportReport report;
        try {
            report = models::importBackboneWeights(*backbone, file.toStdString());
        } catch (const std::exception &error) {
            printError(tr("%1 is not a readable state dict: %2").arg(file, errorText(error)));
            return ExitBadInput;
        }
        printOut(QString::fromStdString(report.summary()));

        if (parser.isSet(outputOption)) {
            const QString output = parser.value(outputOption);
            models::StateDict state;
            for (const auto &item : backbone->named_parameters())
                state[item.key()] = item.value();
            for (const auto &item : backbone->named_buffers())
                state[item.key()] = item.value();
            try {
                models::writeStateDict(state, output.toStdString());
            } catch (const std::exception &error) {
                printError(tr("cannot write %1: %2").arg(output, errorText(error)));
                return ExitIoError;
            }
        }
        return report.ok() ? ExitOk : ExitFailure;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeImportWeightsCommand()
{
    return std::make_unique<ImportWeightsCommand>();
}

} // namespace medseg::cli
