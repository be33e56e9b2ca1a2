#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "core/dataset/NiftiIo.h"
#include "core/dataset/VocReader.h"
#include "core/dataset/detail/PngIo.h"
#include "core/dicom/DicomIndexer.h"
#include "core/imageio/ImageFile.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"
#include "core/train/Predictor.h"
#include "core/train/ProjectPrediction.h"
#include "core/train/VolumeTrainingData.h"

#include <torch/cuda.h>

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <optional>

namespace medseg::cli {
namespace {

// `medseg predict MODEL.pt INPUT -o OUT [--series UID] [--batch N] [--device auto|cpu|cuda]`:
// segments a DICOM series (the one with the most slices, or --series) into a NIfTI label volume
// on the series' grid, or PNG/JPEG images (one file or a folder of them) into palette PNG masks
// named after the images. The model is a bundle written by training (MODEL.pt + MODEL.json).
class PredictCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(PredictCommand)

public:
    QString name() const override { return QStringLiteral("predict"); }
    QString summary() const override
    {
        return tr("Segment a DICOM series (to a NIfTI label volume) or PNG/JPEG images (to "
                  "palette PNG masks) with a trained model.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption outputOption(
            {QStringLiteral("o"), QStringLiteral("output")},
            tr("Output: a .nii.gz label volume for DICOM input, a folder of masks for images."),
            QStringLiteral("OUT"));
        const QCommandLineOption seriesOption(
            QStringLiteral("series"),
            tr("SeriesInstanceUID of the series to segment (default: the one with most slices)."),
            QStringLiteral("UID"));
        const QCommandLineOption batchOption(QStringLiteral("batch"),
                                             tr("Slices per forward pass."), QStringLiteral("N"),
                                             QStringLiteral("4"));
        const QCommandLineOption deviceOption(QStringLiteral("device"),
                                              tr("Where the model runs: auto, cpu or cuda."),
                                              QStringLiteral("DEVICE"), QStringLiteral("auto"));
        const QCommandLineOption modalityOption(
            QStringLiteral("modality"),
            tr("What the intensities of image files (NIfTI, NRRD, MetaImage) are: CT or MR "
               "(default: CT when the values look like Hounsfield units)."),
            QStringLiteral("CT|MR"));
        parser.addOption(outputOption);
        parser.addOption(seriesOption);
        parser.addOption(modalityOption);
        parser.addOption(batchOption);
        parser.addOption(deviceOption);
        parser.addPositionalArgument(QStringLiteral("model"),
                                     tr("Model bundle (.pt with its .json beside it)."));
        parser.addPositionalArgument(
            QStringLiteral("input"),
            tr("DICOM folder or file, NIfTI/NRRD/MetaImage file or folder of them, or a "
               "PNG/JPEG image or folder of images."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        if (parser.positionalArguments().size() != 2 || !parser.isSet(outputOption)) {
            printError(tr("give a model, an input and -o OUT."));
            return ExitUsage;
        }
        const auto batchValue = wholeOption(parser, batchOption, 1, 4096);
        if (!batchValue)
            return ExitUsage;
        const int batch = int(*batchValue);
        const QString deviceName = parser.value(deviceOption).toLower();
        if (deviceName != QLatin1String("auto") && deviceName != QLatin1String("cpu") &&
            deviceName != QLatin1String("cuda")) {
            printError(tr("--device must be auto, cpu or cuda."));
            return ExitUsage;
        }
        m_modality = parser.value(modalityOption).toUpper();
        if (!m_modality.isEmpty() && m_modality != QLatin1String("CT") &&
            m_modality != QLatin1String("MR")) {
            printError(tr("--modality must be CT or MR."));
            return ExitUsage;
        }
        const bool cuda = torch::cuda::is_available();
        if (deviceName == QLatin1String("cuda") && !cuda) {
            printError(tr("--device cuda: no CUDA device is available."));
            return ExitFailure;
        }
        const torch::Device device =
            deviceName == QLatin1String("cpu") || !cuda ? torch::kCPU : torch::kCUDA;

        const QString modelPath = parser.positionalArguments().at(0);
        const QString input = parser.positionalArguments().at(1);
        const QString output = parser.value(outputOption);
        if (!QFileInfo::exists(input)) {
            printError(tr("%1: no such file or folder.").arg(input));
            return ExitBadInput;
        }
        if (QDir(input).exists(QStringLiteral("project.json")))
            return predictProject(modelPath, input, output);
        const QStringList images = imageFiles(input);
        const bool dicom = images.isEmpty() || parser.isSet(seriesOption);
        const bool niftiOutput =
            output.endsWith(QLatin1String(".nii.gz")) || output.endsWith(QLatin1String(".nii"));
        // A folder of image volumes (nnU-Net's imagesTs) gives a folder of label files.
        const bool volumeFolder =
            dicom && !niftiOutput && QFileInfo(input).isDir() && holdsImageVolumes(input);
        if (dicom && !niftiOutput && !volumeFolder) {
            printError(tr("-o must name a .nii.gz or .nii file for DICOM or image volume input."));
            return ExitUsage;
        }

        std::optional<core::Predictor> predictor;
        try {
            predictor.emplace(core::Predictor::load(modelPath.toStdString(), device));
        } catch (const std::exception &error) {
            printError(tr("cannot load the model: %1").arg(errorText(error)));
            return ExitBadInput;
        }
        predictor->setBatchSize(batch);
        if (volumeFolder)
            return predictVolumeFolder(*predictor, input, output);
        return dicom ? predictSeries(*predictor, input, parser.value(seriesOption), output)
                     : predictImages(*predictor, images, output);
    }

private:
    // Every case of a project into OUTPUT/CASE.nii.gz, as the Review tab's "Predict all volumes".
    int predictProject(const QString &model, const QString &project, const QString &output)
    {
        if (output.isEmpty()) {
            printError(tr("-o must name the folder for the label files."));
            return ExitUsage;
        }
        core::ProjectPredictionResult result;
        try {
            result = core::predictProject(project.toStdString(), model.toStdString(),
                                          output.toStdString());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        for (const std::string &skipped : result.skipped)
            printError(tr("skipped %1").arg(QString::fromStdString(skipped)));
        printOut(tr("Segmented %n case(s) into %1.\n", nullptr, int(result.files.size()))
                     .arg(QDir::toNativeSeparators(output)));
        return result.skipped.empty() ? ExitOk : ExitFailure;
    }

    // Whether a folder holds NIfTI, NRRD or MetaImage images (label maps beside DICOM, as in
    // the demo study's labels/, do not count).
    static bool holdsImageVolumes(const QString &folder)
    {
        return !core::imageFilePaths(folder.toStdString()).empty();
    }

    // The images to segment: INPUT itself, or the images at the top of the folder, by name.
    static QStringList imageFiles(const QString &input)
    {
        const QStringList patterns{QStringLiteral("*.png"), QStringLiteral("*.jpg"),
                                   QStringLiteral("*.jpeg")};
        const QFileInfo info(input);
        if (info.isFile())
            return QDir::match(patterns, info.fileName()) ? QStringList{input} : QStringList{};
        QStringList files;
        const QDir dir(input);
        for (const QString &name : dir.entryList(patterns, QDir::Files, QDir::Name))
            files << dir.filePath(name);
        return files;
    }

    int predictSeries(core::Predictor &predictor, const QString &input, const QString &uid,
                      const QString &output)
    {
        core::DicomIndex index;
        try {
            index = core::indexImages(input.toStdString());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        const core::DicomSeries *chosen = nullptr;
        if (!uid.isEmpty()) {
            chosen = index.findSeries(uid.toStdString());
            if (!chosen) {
                printError(tr("%1: no series %2.").arg(input, uid));
                return ExitBadInput;
            }
        } else {
            for (const core::DicomPatient &patient : index.patients)
                for (const core::DicomStudy &study : patient.studies)
                    for (const core::DicomSeries &series : study.series)
                        if (!chosen || series.imageCount() > chosen->imageCount())
                            chosen = &series;
            if (!chosen) {
                printError(tr("%1: no DICOM series found.").arg(input));
                return ExitBadInput;
            }
        }

        const int code = segmentSeries(predictor, *chosen, output);
        if (code == ExitOk)
            printOut(
                tr("Segmented %n slice(s) of series %1 into %2.\n", nullptr, chosen->imageCount())
                    .arg(QString::fromStdString(chosen->seriesInstanceUid),
                         QDir::toNativeSeparators(output)));
        return code;
    }

    // Every case of a folder of image volumes into OUTPUT/CASE.nii.gz, on the input's grid
    // (the grid of its first channel).
    int predictVolumeFolder(core::Predictor &predictor, const QString &input, const QString &output)
    {
        core::DicomIndex index;
        try {
            index = core::indexImages(input.toStdString());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        std::vector<std::pair<QString, std::vector<core::DicomSeries>>> cases;
        for (const core::DicomPatient &patient : index.patients) {
            std::vector<core::DicomSeries> channels = core::caseChannels(patient);
            if (!channels.empty())
                cases.push_back({QString::fromStdString(patient.patientId), std::move(channels)});
        }
        if (cases.empty()) {
            printError(tr("%1: no NIfTI, NRRD or MetaImage volumes found.").arg(input));
            return ExitBadInput;
        }
        if (!QDir().mkpath(output)) {
            printError(tr("%1: cannot create the folder.").arg(output));
            return ExitIoError;
        }
        for (const auto &[name, channels] : cases) {
            const QString file = QDir(output).filePath(name + QStringLiteral(".nii.gz"));
            if (const int code = segmentCase(predictor, channels, file); code != ExitOk)
                return code;
        }
        printOut(tr("Segmented %n case(s) into %1.\n", nullptr, int(cases.size()))
                     .arg(QDir::toNativeSeparators(output)));
        return ExitOk;
    }

    int segmentSeries(core::Predictor &predictor, const core::DicomSeries &series,
                      const QString &output)
    {
        std::vector<core::DicomSeries> channels{series};
        const int wanted = predictor.bundle().preprocessing.imageChannels();
        if (wanted > 1 && series.isImageFile()) {
            // The case's other channels: the other volumes of a 4D file, or the files beside it
            // of the same case (CASE_0001, ...).
            try {
                channels = core::caseChannelsOfFile(series.instances.front().path);
            } catch (const std::exception &error) {
                printError(errorText(error));
                return ExitBadInput;
            }
        }
        return segmentCase(predictor, channels, output);
    }

    // Reads a case (channel 0 first), predicts every slice and writes the label volume to
    // `output` on channel 0's grid: for a NIfTI image with its header's grid exactly (sform,
    // qform and their codes).
    int segmentCase(core::Predictor &predictor, std::vector<core::DicomSeries> channels,
                    const QString &output)
    {
        const int wanted = predictor.bundle().preprocessing.imageChannels();
        if (int(channels.size()) < wanted) {
            printError(tr("%1: the model reads %2 image channels (%3); this case has %4.")
                           .arg(QString::fromStdString(channels.front().instances.front().path))
                           .arg(wanted)
                           .arg(channelNames(predictor))
                           .arg(channels.size()));
            return ExitBadInput;
        }
        channels.resize(std::size_t(wanted));
        const core::DicomSeries &series = channels.front();
        core::SeriesLayout layout;
        std::vector<std::shared_ptr<const core::Volume>> volumes;
        const auto load = [this](core::DicomSeries read, core::SeriesLayout *readLayout) {
            if (read.isImageFile() && !m_modality.isEmpty())
                read.modality = m_modality.toStdString();
            return std::shared_ptr<const core::Volume>(core::SeriesReader::load(read, readLayout));
        };
        try {
            volumes.push_back(load(series, &layout));
            std::vector<std::string> uids;
            for (const core::DicomSeries &channel : channels)
                uids.push_back(channel.seriesInstanceUid);
            const auto more =
                core::loadMoreChannels(uids, *volumes.front(), series.instances.front().path,
                                       [&](const std::string &uid, std::string *file) {
                                           for (const core::DicomSeries &channel : channels)
                                               if (channel.seriesInstanceUid == uid) {
                                                   *file = channel.instances.front().path;
                                                   return load(channel, nullptr);
                                               }
                                           return std::shared_ptr<const core::Volume>();
                                       });
            volumes.insert(volumes.end(), more.begin(), more.end());
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        const core::Volume *volume = volumes.front().get();
        if (volume->components() != 1) {
            printError(tr("series %1 is a colour series; only grey images are segmented.")
                           .arg(QString::fromStdString(series.seriesInstanceUid)));
            return ExitBadInput;
        }
        std::vector<std::uint8_t> labels;
        try {
            labels = core::predictCaseLabels(predictor, volumes, layout);
        } catch (const std::exception &error) {
            printError(tr("prediction failed: %1").arg(errorText(error)));
            return ExitFailure;
        }
        core::NiftiIo::LabelVolume result;
        result.width = volume->width();
        result.height = volume->height();
        result.depth = volume->depth();
        result.geometry = volume->geometry();
        result.labels.assign(labels.begin(), labels.end());
        try {
            const std::string &source = series.instances.front().path;
            if (series.isImageFile() &&
                core::imageFileFormatOf(source) == core::ImageFileFormat::Nifti)
                core::NiftiIo::writeLabelVolumeLike(output.toStdString(), result, source);
            else
                core::NiftiIo::writeLabelVolume(output.toStdString(), result);
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitIoError;
        }
        return ExitOk;
    }

    static QString channelNames(const core::Predictor &predictor)
    {
        QStringList names;
        for (const core::ChannelIntensity &rule : predictor.bundle().preprocessing.intensity)
            names << QString::fromStdString(rule.channel);
        return names.join(QStringLiteral(", "));
    }

    int predictImages(core::Predictor &predictor, const QStringList &images, const QString &output)
    {
        if (!QDir().mkpath(output)) {
            printError(tr("%1: cannot create the folder.").arg(output));
            return ExitIoError;
        }
        // The model's class colours over the VOC palette (which keeps 255 = ignore).
        std::vector<std::array<std::uint8_t, 3>> palette = core::detail::vocPalette();
        for (const core::ModelClass &item : predictor.bundle().classes)
            if (item.index >= 0 && item.index < int(palette.size()))
                palette[std::size_t(item.index)] = item.colour;

        for (const QString &image : images) {
            int w = 0, h = 0, channels = 0;
            std::vector<std::uint8_t> pixels;
            try {
                pixels = core::VocReader::readImage(image.toStdString(), &w, &h, &channels);
            } catch (const std::exception &error) {
                printError(errorText(error));
                return ExitBadInput;
            }
            torch::Tensor labels;
            try {
                labels = predictor.predictImage(pixels.data(), w, h, channels).labels;
            } catch (const std::exception &error) {
                printError(tr("%1: prediction failed: %2").arg(image, errorText(error)));
                return ExitFailure;
            }
            const QString mask =
                QDir(output).filePath(QFileInfo(image).completeBaseName() + QStringLiteral(".png"));
            try {
                core::detail::writeIndexedPng(mask.toStdString(), w, h,
                                              labels.data_ptr<std::uint8_t>(), palette);
            } catch (const std::exception &error) {
                printError(errorText(error));
                return ExitIoError;
            }
        }
        printOut(tr("Wrote %n mask(s) to %1.\n", nullptr, int(images.size()))
                     .arg(QDir::toNativeSeparators(output)));
        return ExitOk;
    }

    QString m_modality; // --modality: what image files' intensities are ("" = judged)
};

} // namespace

std::unique_ptr<CliCommand> makePredictCommand()
{
    return std::make_unique<PredictCommand>();
}

} // namespace medseg::cli
