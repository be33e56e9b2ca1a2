#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "core/dataset/LabeledDemoStudy.h"

#include <QCommandLineParser>
#include <QDir>

namespace medseg::cli {
namespace {

// `medseg make-demo DIR [--patients N] [--slices N] [--size N] [--seed S]`: writes the
// synthetic demo CT study (DICOM, one folder per patient), its ground truth as
// DIR/labels/<SeriesInstanceUID>.nii.gz, and DIR/labels/labels.json (the class table).
class MakeDemoCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(MakeDemoCommand)

public:
    QString name() const override { return QStringLiteral("make-demo"); }
    QString summary() const override
    {
        return tr("Write a synthetic CT study with ground-truth labels (NIfTI) to try the "
                  "program without patient data.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption patientsOption(QStringLiteral("patients"),
                                                tr("Number of patients (1 to 99)."),
                                                QStringLiteral("N"), QStringLiteral("3"));
        const QCommandLineOption slicesOption(QStringLiteral("slices"),
                                              tr("Slices per series (1 to 1000)."),
                                              QStringLiteral("N"), QStringLiteral("24"));
        const QCommandLineOption sizeOption(QStringLiteral("size"),
                                            tr("Rows and columns of each slice (16 to 1024)."),
                                            QStringLiteral("N"), QStringLiteral("128"));
        const QCommandLineOption seedOption(
            QStringLiteral("seed"),
            tr("Seed of the generator: a seed always gives the same images."), QStringLiteral("S"),
            QStringLiteral("1"));
        parser.addOption(patientsOption);
        parser.addOption(slicesOption);
        parser.addOption(sizeOption);
        parser.addOption(seedOption);
        parser.addPositionalArgument(QStringLiteral("dir"), tr("Folder to write the study to."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;

        core::DemoStudy::Options options;
        const auto patients = wholeOption(parser, patientsOption, 1, 99);
        const auto slices = wholeOption(parser, slicesOption, 1, 1000);
        const auto size = wholeOption(parser, sizeOption, 16, 1024);
        const auto seedValue = wholeOption(parser, seedOption, 0, 2147483647);
        if (!patients || !slices || !size || !seedValue)
            return ExitUsage;
        options.patients = int(*patients);
        options.slices = int(*slices);
        options.size = int(*size);
        const int seed = int(*seedValue);
        options.seed = std::uint32_t(seed);
        if (parser.positionalArguments().size() != 1) {
            printError(tr("give exactly one output folder."));
            return ExitUsage;
        }
        const QString dir = parser.positionalArguments().first();
        try {
            const std::vector<core::DemoPatient> patients =
                core::writeLabeledDemoStudy(dir.toStdString(), options);
            printOut(tr("Wrote %n demo patient(s) to %1.\n", nullptr, int(patients.size()))
                         .arg(QDir::toNativeSeparators(dir)));
        } catch (const std::exception &error) {
            printError(tr("cannot write the demo study: %1").arg(errorText(error)));
            return ExitIoError;
        }
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeMakeDemoCommand()
{
    return std::make_unique<MakeDemoCommand>();
}

} // namespace medseg::cli
