#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"
#include "app/cli/WindowOptions.h"

#include "core/dataset/FolderLabels.h"
#include "core/dataset/LabelTable.h"
#include "core/dataset/NiftiIo.h"
#include "core/dataset/VocWriter.h"
#include "core/datasetio/NnUnetDataset.h"
#include "core/datasetio/ProjectDatasets.h"
#include "core/dicom/DicomIndexer.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"
#include "core/workspace/Workspace.h"

#include <nlohmann/json.hpp>

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <optional>

namespace medseg::cli {
namespace {

// `medseg convert SOURCE OUT_VOC [--window C,W | --preset NAME] [--format png|jpg]
// [--val-fraction F] [--seed S]`: turns labeled DICOM series into a PASCAL VOC dataset.
// Label convention (the layout `medseg make-demo` writes): each series' labels are a NIfTI
// file named after its SeriesInstanceUID, `<uid>.nii.gz` (or `.nii`), in SOURCE/labels/ or in
// the folder of the series' files; the class table is `labels.json` in the same place. Series
// without a label file are skipped with a note. The split is by patient.
class ConvertCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(ConvertCommand)

public:
    QString name() const override { return QStringLiteral("convert"); }
    QString summary() const override
    {
        return tr("Convert between projects and datasets: an nnU-Net v2 or Decathlon dataset "
                  "into a project, a project into an nnU-Net v2 dataset, and labeled DICOM "
                  "series or a project into a PASCAL VOC dataset split by patient.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const WindowOptions windowOptions;
        const QCommandLineOption formatOption(QStringLiteral("format"),
                                              tr("Image format: png (lossless, default) or jpg."),
                                              QStringLiteral("png|jpg"), QStringLiteral("png"));
        const QCommandLineOption valOption(QStringLiteral("val-fraction"),
                                           tr("Fraction of the patients kept for validation."),
                                           QStringLiteral("F"), QStringLiteral("0.2"));
        const QCommandLineOption seedOption(QStringLiteral("seed"),
                                            tr("Seed of the patient split."), QStringLiteral("S"),
                                            QStringLiteral("1"));
        const QCommandLineOption toOption(
            QStringLiteral("to"),
            tr("What to write: medseg (a project from an nnU-Net or Decathlon dataset), nnunet "
               "(an nnU-Net v2 dataset from a project), msd (a Medical Segmentation Decathlon "
               "dataset from a project: one 4D image per case) or voc (a VOC dataset from a "
               "project or a DICOM folder). Default: from OUT's name (NAME.medseg, "
               "DatasetNNN_Name, TaskNN_Name), else voc."),
            QStringLiteral("medseg|nnunet|msd|voc"));
        windowOptions.addTo(parser);
        parser.addOption(toOption);
        parser.addOption(formatOption);
        parser.addOption(valOption);
        parser.addOption(seedOption);
        parser.addPositionalArgument(QStringLiteral("source"),
                                     tr("DICOM folder with label files, or a project "
                                        "(NAME.medseg)."));
        parser.addPositionalArgument(QStringLiteral("out"), tr("Folder of the VOC dataset."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;

        if (parser.positionalArguments().size() != 2) {
            printError(tr("give a source folder and an output folder."));
            return ExitUsage;
        }
        std::optional<core::Window> chosen;
        if (const int code = windowOptions.parse(parser, chosen); code >= 0)
            return code;
        core::VocWriter::Options options;
        const QString format = parser.value(formatOption).toLower();
        if (format == QLatin1String("jpg") || format == QLatin1String("jpeg"))
            options.format = core::VocImageFormat::Jpeg;
        else if (format != QLatin1String("png")) {
            printError(tr("--format must be png or jpg."));
            return ExitUsage;
        }
        const auto valFraction = numberOption(parser, valOption, {0.0, 1.0, false, true});
        const auto seed = wholeOption(parser, seedOption, 0, 0xffffffffLL);
        if (!valFraction || !seed)
            return ExitUsage;
        options.valFraction = *valFraction;
        options.seed = std::uint32_t(*seed);

        const QString source = parser.positionalArguments().at(0);
        const QString output = parser.positionalArguments().at(1);
        if (!QFileInfo(source).isDir()) {
            printError(tr("%1: no such folder.").arg(source));
            return ExitBadInput;
        }
        QString to = parser.value(toOption).toLower();
        if (to.isEmpty())
            to = output.endsWith(QLatin1String(".medseg")) ? QStringLiteral("medseg")
                 : core::isNnUnetDatasetName(
                       QFileInfo(QDir::cleanPath(output)).fileName().toStdString())
                     ? QStringLiteral("nnunet")
                 : QFileInfo(QDir::cleanPath(output)).fileName().startsWith(QLatin1String("Task"))
                     ? QStringLiteral("msd")
                     : QStringLiteral("voc");
        if (to == QLatin1String("medseg"))
            return toProject(source, output);
        if (to == QLatin1String("nnunet") || to == QLatin1String("msd"))
            return toDataset(source, output, to == QLatin1String("msd"));
        if (to != QLatin1String("voc")) {
            printError(tr("--to must be medseg, nnunet, msd or voc."));
            return ExitUsage;
        }
        if (QFileInfo::exists(QDir(source).filePath(QStringLiteral("dataset.json")))) {
            printError(tr("%1 is an nnU-Net or Decathlon dataset: convert it to a project first "
                          "(medseg convert %1 NAME.medseg).")
                           .arg(source));
            return ExitUsage;
        }
        const core::FolderLabels folderLabels(source.toStdString());
        core::DicomIndex index;
        core::LabelTable table;
        // A workspace (NAME.medseg with project.json) names its DICOM sources, keeps one label
        // volume per series under labels/ (file names hashed from the UID) and its label table.
        std::optional<core::Workspace> workspace;
        try {
            if (QFileInfo::exists(QDir(source).filePath(QStringLiteral("project.json")))) {
                workspace = core::Workspace::open(source.toStdString());
                for (const std::string &path : workspace->sources()) {
                    core::DicomIndex part = core::indexImages(path);
                    for (core::DicomPatient &patient : part.patients)
                        index.patients.push_back(std::move(patient));
                }
                table = core::LabelTable::fromJson(
                    nlohmann::json{{"labels", workspace->labelTable()}}.dump(),
                    workspace->projectFile());
            } else {
                index = core::indexImages(source.toStdString());
                const std::string tableFile = folderLabels.tableFile();
                table = core::LabelTable::load(
                    tableFile.empty()
                        ? QDir(source).filePath(QStringLiteral("labels.json")).toStdString()
                        : tableFile);
            }
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        const auto labelsOf = [&](const core::DicomSeries &series) {
            if (workspace) {
                const QString path =
                    QString::fromStdString(workspace->labelPath(series.seriesInstanceUid));
                return QFileInfo::exists(path) ? path : QString();
            }
            return QString::fromStdString(folderLabels.labelFile(
                series.seriesInstanceUid,
                series.instances.empty() ? std::string() : series.instances.front().path));
        };

        try {
            core::VocWriter writer(output.toStdString(), table, options);
            int series = 0;
            for (const core::DicomPatient &patient : index.patients)
                for (const core::DicomStudy &study : patient.studies)
                    for (const core::DicomSeries &item : study.series) {
                        const QString labels = labelsOf(item);
                        if (labels.isEmpty()) {
                            printError(tr("note: no labels for series %1; skipped.")
                                           .arg(QString::fromStdString(item.seriesInstanceUid)));
                            continue;
                        }
                        if (const int code = convertSeries(writer, patient, item, labels, chosen);
                            code != ExitOk)
                            return code;
                        ++series;
                    }
            const int slices = writer.finish();
            printOut(tr("Wrote %n slice(s) of %1 series to %2.\n", nullptr, slices)
                         .arg(series)
                         .arg(QDir::toNativeSeparators(output)));
            return series > 0 ? ExitOk : ExitBadInput;
        } catch (const std::exception &error) {
            printError(tr("cannot write the dataset: %1").arg(errorText(error)));
            return ExitIoError;
        }
    }

private:
    int toProject(const QString &source, const QString &output)
    {
        if (!QFileInfo::exists(QDir(source).filePath(QStringLiteral("dataset.json")))) {
            printError(tr("%1 has no dataset.json: a project is made from an nnU-Net v2 or "
                          "Medical Segmentation Decathlon dataset.")
                           .arg(source));
            return ExitBadInput;
        }
        core::DatasetImportReport report;
        try {
            report = core::importDataset(source.toStdString(), output.toStdString());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        QStringList labels;
        for (const std::string &name : report.labels)
            labels << QString::fromStdString(name);
        printOut(tr("Imported %1 (%2): %n training case(s); test cases: %3; labels: %4.\n", nullptr,
                    report.trainingCases)
                     .arg(QDir::toNativeSeparators(QString::fromStdString(report.project)),
                          QString::fromStdString(report.format))
                     .arg(report.testCases)
                     .arg(labels.join(QStringLiteral(", "))));
        return ExitOk;
    }

    int toDataset(const QString &source, const QString &output, bool decathlon)
    {
        if (!QFileInfo::exists(QDir(source).filePath(QStringLiteral("project.json")))) {
            printError(tr("%1 is not a project (NAME.medseg with project.json): an nnU-Net "
                          "dataset is written from a project's labeled volumes.")
                           .arg(source));
            return ExitBadInput;
        }
        core::DatasetExportReport report;
        try {
            report = decathlon
                         ? core::exportDecathlonDataset(source.toStdString(), output.toStdString())
                         : core::exportNnUnetDataset(source.toStdString(), output.toStdString());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        for (const std::string &note : report.notes)
            printOut(QString::fromStdString(note) + QLatin1Char('\n'));
        printOut(tr("Wrote %n case(s) to %1.\n", nullptr, report.cases)
                     .arg(QDir::toNativeSeparators(QString::fromStdString(report.folder))));
        return ExitOk;
    }

    int convertSeries(core::VocWriter &writer, const core::DicomPatient &patient,
                      const core::DicomSeries &series, const QString &labelFile,
                      const std::optional<core::Window> &chosen)
    {
        core::SeriesLayout layout;
        std::shared_ptr<core::Volume> volume;
        core::Volume labels;
        try {
            volume = core::SeriesReader::load(series, &layout);
            labels = core::NiftiIo::read(labelFile.toStdString());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        if (volume->components() != 1) {
            printError(tr("series %1 is a colour series; only grey images are exported.")
                           .arg(QString::fromStdString(series.seriesInstanceUid)));
            return ExitBadInput;
        }
        if (labels.width() == volume->width() && labels.height() == volume->height() &&
            labels.depth() == volume->depth() &&
            !labels.geometry().isClose(volume->geometry(), 0.01)) {
            printError(tr("%1: the labels do not lie on the grid of series %2.")
                           .arg(labelFile, QString::fromStdString(series.seriesInstanceUid)));
            return ExitBadInput;
        }
        core::VocSeries item;
        item.image = volume.get();
        item.labels = &labels;
        item.window = chosen ? *chosen : core::defaultWindow(layout, *volume);
        item.invert = layout.invertForDisplay;
        item.seriesUid = series.seriesInstanceUid;
        // Groups the split only; VocWriter never writes it.
        item.patientKey = patient.patientId + '\n' + patient.name;
        item.labelSource = labelFile.toStdString();
        try {
            writer.addSeries(item);
        } catch (const std::runtime_error &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeConvertCommand()
{
    return std::make_unique<ConvertCommand>();
}

} // namespace medseg::cli
