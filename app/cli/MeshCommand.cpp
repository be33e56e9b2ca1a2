#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "core/dataset/LabelTable.h"
#include "core/dataset/NiftiIo.h"
#include "core/mesh/LabelStatistics.h"
#include "core/mesh/MeshIo.h"
#include "core/mesh/SurfaceExtractor.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <algorithm>
#include <map>
#include <optional>

namespace medseg::cli {
namespace {

// `medseg mesh LABELS.nii.gz -o OUT.stl|.obj|.ply [--label N] [--merge] [--smooth K]
// [--decimate F] [--image IMAGE.nii.gz] [--classes labels.json] [--stats OUT.csv]`: surfaces
// of a label volume in patient coordinates (LPS mm) and the per-label statistics table.
// With --label N the surface of N goes to OUT itself; otherwise each label present gets its own
// file, OUT with "_N" before the extension (out_1.stl, out_2.stl), because STL has no place for
// a label and printers and CAD tools want one part per file; --merge writes them all into OUT.
class MeshCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(MeshCommand)

public:
    QString name() const override { return QStringLiteral("mesh"); }
    QString summary() const override
    {
        return tr("Write the surfaces of a NIfTI label volume as STL, OBJ or PLY and print "
                  "per-label volumes and areas.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption outputOption(
            {QStringLiteral("o"), QStringLiteral("output")},
            tr("The mesh file to write: .stl, .obj or .ply (one file per label with _N added "
               "unless --label or --merge is given)."),
            tr("OUT"));
        const QCommandLineOption labelOption(
            QStringLiteral("label"), tr("Only this label, written to OUT itself."), tr("N"));
        const QCommandLineOption mergeOption(QStringLiteral("merge"),
                                             tr("Write all labels into one file, OUT."));
        const QCommandLineOption smoothOption(
            QStringLiteral("smooth"),
            tr("Windowed-sinc smoothing iterations, 0 for the raw voxel surface (default 20)."),
            tr("K"), QStringLiteral("20"));
        const QCommandLineOption decimateOption(
            QStringLiteral("decimate"),
            tr("Fraction of triangles to remove, 0 to 0.99 (default 0)."), tr("F"),
            QStringLiteral("0"));
        const QCommandLineOption imageOption(
            QStringLiteral("image"),
            tr("A NIfTI image on the same grid: adds the mean and standard deviation inside "
               "each label."),
            tr("IMAGE"));
        const QCommandLineOption classesOption(QStringLiteral("classes"),
                                               tr("A labels.json with label names and colours."),
                                               tr("JSON"));
        const QCommandLineOption statsOption(QStringLiteral("stats"),
                                             tr("Also write the statistics as CSV."), tr("CSV"));
        for (const QCommandLineOption *option :
             {&outputOption, &labelOption, &mergeOption, &smoothOption, &decimateOption,
              &imageOption, &classesOption, &statsOption})
            parser.addOption(*option);
        parser.addPositionalArgument(QStringLiteral("labels"),
                                     tr("A label volume (.nii or .nii.gz)."),
                                     QStringLiteral("LABELS"));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;

        if (parser.positionalArguments().size() != 1) {
            printError(tr("'mesh' needs exactly one LABELS file."));
            return ExitUsage;
        }
        const QString output = parser.value(outputOption);
        if (output.isEmpty()) {
            printError(tr("'mesh' needs an output mesh: -o OUT.stl"));
            return ExitUsage;
        }
        if (!core::MeshIo::formatOf(output.toStdString())) {
            printError(tr("%1: unknown mesh format (use .stl, .obj or .ply).").arg(output));
            return ExitUsage;
        }
        core::SurfaceOptions options;
        const auto smoothing = wholeOption(parser, smoothOption, 0, 1000);
        const auto decimation = numberOption(parser, decimateOption, {0.0, 0.99});
        if (!smoothing || !decimation)
            return ExitUsage;
        options.smoothingIterations = int(*smoothing);
        options.decimation = *decimation;
        std::optional<int> onlyLabel;
        if (parser.isSet(labelOption)) {
            const auto label = wholeOption(parser, labelOption, 1, 65535);
            if (!label)
                return ExitUsage;
            onlyLabel = int(*label);
        }
        if (onlyLabel && parser.isSet(mergeOption)) {
            printError(tr("--label and --merge exclude each other."));
            return ExitUsage;
        }

        const QString labelsPath = parser.positionalArguments().first();
        core::Volume labels;
        core::Volume image;
        core::LabelTable classes;
        try {
            labels = core::NiftiIo::read(labelsPath.toStdString());
            if (parser.isSet(imageOption))
                image = core::NiftiIo::read(parser.value(imageOption).toStdString());
            if (parser.isSet(classesOption))
                classes = core::LabelTable::load(parser.value(classesOption).toStdString());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        if (parser.isSet(imageOption) &&
            (image.width() != labels.width() || image.height() != labels.height() ||
             image.depth() != labels.depth())) {
            printError(tr("%1: the image is %2x%3x%4 voxels, the labels %5x%6x%7.")
                           .arg(parser.value(imageOption))
                           .arg(image.width())
                           .arg(image.height())
                           .arg(image.depth())
                           .arg(labels.width())
                           .arg(labels.height())
                           .arg(labels.depth()));
            return ExitBadInput;
        }

        const core::LabelGrid grid(labels);
        std::vector<core::LabelSurface> surfaces;
        std::vector<core::LabelMeasurement> measurements;
        try {
            surfaces = core::SurfaceExtractor::extractAll(
                grid, options, onlyLabel ? std::vector<int>{*onlyLabel} : std::vector<int>{});
            measurements = core::LabelStatistics::compute(
                grid, parser.isSet(imageOption) ? &image : nullptr, &surfaces);
        } catch (const std::exception &error) {
            printError(tr("%1: %2").arg(labelsPath, errorText(error)));
            return ExitFailure;
        }
        if (surfaces.empty()) {
            printError(
                onlyLabel ? tr("%1: label %2 is not in the volume.").arg(labelsPath).arg(*onlyLabel)
                          : tr("%1: the volume has no labels.").arg(labelsPath));
            return ExitBadInput;
        }
        if (onlyLabel) {
            const int label = *onlyLabel;
            measurements.erase(std::remove_if(measurements.begin(), measurements.end(),
                                              [label](const core::LabelMeasurement &m) {
                                                  return m.label != label;
                                              }),
                               measurements.end());
        }

        std::map<int, std::string> names;
        for (const core::LabelClass &entry : classes.classes())
            names[entry.index] = entry.name;
        QStringList written;
        try {
            if (onlyLabel || parser.isSet(mergeOption)) {
                core::TriangleMesh merged;
                for (const core::LabelSurface &surface : surfaces)
                    merged.append(surface.mesh);
                std::optional<std::array<std::uint8_t, 3>> colour;
                if (const core::LabelClass *entry = onlyLabel ? classes.find(*onlyLabel) : nullptr)
                    colour = entry->colour;
                core::MeshIo::write(merged, output.toStdString(), colour);
                written << output;
            } else {
                for (const core::LabelSurface &surface : surfaces) {
                    const QString path = perLabelPath(output, surface.label);
                    std::optional<std::array<std::uint8_t, 3>> colour;
                    if (const core::LabelClass *entry = classes.find(surface.label))
                        colour = entry->colour;
                    core::MeshIo::write(surface.mesh, path.toStdString(), colour);
                    written << path;
                }
            }
            if (parser.isSet(statsOption))
                core::LabelStatistics::writeCsv(parser.value(statsOption).toStdString(),
                                                measurements, names);
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitIoError;
        }

        QString text = tr("label  name             voxels      volume (mL)  surface (mm²)  "
                          "mean        std") +
                       QLatin1Char('\n');
        for (const core::LabelMeasurement &m : measurements) {
            const auto name = names.find(m.label);
            text +=
                QStringLiteral("%1  %2 %3  %4  %5  %6  %7\n")
                    .arg(m.label, 5)
                    .arg(name == names.end() ? QString() : QString::fromStdString(name->second),
                         -15)
                    .arg(qint64(m.voxelCount), 10)
                    .arg(m.volumeMl, 11, 'f', 4)
                    .arg(m.surfaceAreaMm2, 13, 'f', 2)
                    .arg(m.hasImage ? QString::number(m.mean, 'f', 3) : QString(), 10)
                    .arg(m.hasImage ? QString::number(m.standardDeviation, 'f', 3) : QString(), 10);
        }
        for (const QString &path : written)
            text += tr("wrote %1").arg(path) + QLatin1Char('\n');
        printOut(text);
        return ExitOk;
    }

private:
    // out.stl -> out_3.stl; keeps a multi-dot name's stem (a.b.stl -> a.b_3.stl).
    static QString perLabelPath(const QString &output, int label)
    {
        const QFileInfo info(output);
        const QString file =
            info.completeBaseName() + QStringLiteral("_%1.").arg(label) + info.suffix();
        return info.path() == QStringLiteral(".") && !output.startsWith(QStringLiteral("./"))
                   ? file
                   : info.path() + QLatin1Char('/') + file;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeMeshCommand()
{
    return std::make_unique<MeshCommand>();
}

} // namespace medseg::cli
