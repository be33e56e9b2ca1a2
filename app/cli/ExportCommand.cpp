#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "core/dataset/VocReader.h"
#include "core/export/ModelExport.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"
#include "core/train/ModelBundle.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <filesystem>

namespace medseg::cli {
namespace {

// `medseg export RUN_OR_MODEL -o model.onnx [--int8 cpu|tensorrt] [--opset N] [--calib N]
// [--static-size HxW] [--upsampled-head] [--format onnx|torchscript]
// [--data VOC]`: ONNX export with the validation of core/export written to
// NAME.export-report.json and the model card to NAME.modelcard.json beside the output. Exit 0
// when the checks passed, or when the model was written but could not be verified (said so);
// 1 when a check failed.
class ExportCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(ExportCommand)

public:
    QString name() const override { return QStringLiteral("export"); }
    QString summary() const override
    {
        return tr("Export a trained model to ONNX (fp32 or int8) or TorchScript and validate it.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption outputOption({QStringLiteral("o"), QStringLiteral("output")},
                                              tr("The .onnx file to write."),
                                              QStringLiteral("FILE"));
        const QCommandLineOption int8Option(
            QStringLiteral("int8"),
            tr("Quantize to int8 for this runtime: cpu (ONNX Runtime) or tensorrt."),
            QStringLiteral("PROFILE"));
        const QCommandLineOption opsetOption(QStringLiteral("opset"),
                                             tr("ONNX opset: 11, 13 or 17 (int8: 13 or 17)."),
                                             QStringLiteral("N"), QStringLiteral("17"));
        const QCommandLineOption calibOption(QStringLiteral("calib"),
                                             tr("Number of training slices for int8 calibration."),
                                             QStringLiteral("N"), QStringLiteral("32"));
        const QCommandLineOption dataOption(
            QStringLiteral("data"),
            tr("VOC dataset: calibration slices from its train split, validation slices (with "
               "masks) from its val split."),
            QStringLiteral("DIR"));
        const QCommandLineOption percentileOption(
            QStringLiteral("percentile"),
            tr("Percentile calibration (e.g. 99.99) instead of min/max."), QStringLiteral("P"));
        const QCommandLineOption softmaxOption(QStringLiteral("softmax"),
                                               tr("Add a \"probabilities\" output."));
        const QCommandLineOption argmaxOption(QStringLiteral("argmax"),
                                              tr("Add a \"labels\" output (class per pixel)."));
        const QCommandLineOption staticOption(
            QStringLiteral("static-size"),
            tr("A static graph for input 1 x C x H x W instead of dynamic sizes, for runtimes "
               "that cannot compute shapes (OpenCV's dnn module)."),
            QStringLiteral("HxW"));
        const QCommandLineOption upsampledOption(
            QStringLiteral("upsampled-head"),
            tr("Write the pyramid head as upsampling, concatenation and convolution, as in "
               "training, instead of its faster factored form (the same values), for runtimes "
               "that reject the factored form's operators."));
        const QCommandLineOption formatOption(
            QStringLiteral("format"),
            tr("onnx (default) or torchscript (fp32, for LibTorch and PyTorch)."),
            QStringLiteral("FORMAT"), QStringLiteral("onnx"));
        const QCommandLineOption checkImageOption(
            QStringLiteral("check-image"),
            tr("An image (DICOM folder, NIfTI, NRRD or MetaImage; a case's first channel file "
               "for models of several) on which to prove that the exported file's preprocessing "
               "gives the network the same input as the model's own."),
            QStringLiteral("FILE"));
        for (const auto *o : {&outputOption, &int8Option, &opsetOption, &calibOption, &dataOption,
                              &percentileOption, &softmaxOption, &argmaxOption, &staticOption,
                              &upsampledOption, &formatOption, &checkImageOption})
            parser.addOption(*o);
        parser.addPositionalArgument(QStringLiteral("model"),
                                     tr("A model bundle (.pt) or a training run folder."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        if (parser.positionalArguments().size() != 1 || !parser.isSet(outputOption)) {
            printError(tr("give one model and -o FILE.onnx."));
            return ExitUsage;
        }
        core::OnnxExportOptions options;
        bool ok = false;
        options.opset = parser.value(opsetOption).toInt(&ok);
        if (!ok || (options.opset != 11 && options.opset != 13 && options.opset != 17)) {
            printError(tr("--opset must be 11, 13 or 17."));
            return ExitUsage;
        }
        if (parser.isSet(int8Option)) {
            const QString profile = parser.value(int8Option);
            if (profile == QStringLiteral("cpu"))
                options.int8 = core::QuantProfile::Cpu;
            else if (profile == QStringLiteral("tensorrt"))
                options.int8 = core::QuantProfile::TensorRT;
            else {
                printError(tr("--int8 must be cpu or tensorrt."));
                return ExitUsage;
            }
            if (options.opset < 13) {
                printError(tr("int8 needs --opset 13 or 17."));
                return ExitUsage;
            }
            if (!parser.isSet(dataOption)) {
                printError(tr("int8 needs --data DIR for calibration slices."));
                return ExitUsage;
            }
        }
        const auto calibValue = wholeOption(parser, calibOption, 1, 100000);
        if (!calibValue)
            return ExitUsage;
        const int calib = int(*calibValue);
        if (parser.isSet(percentileOption)) {
            options.calibration = core::CalibrationMethod::Percentile;
            const auto percentile = numberOption(parser, percentileOption, {50.0, 100.0, true});
            if (!percentile)
                return ExitUsage;
            options.percentile = *percentile;
        }
        if (parser.isSet(staticOption)) {
            const QStringList hw = parser.value(staticOption).split(QLatin1Char('x'));
            bool okH = false;
            bool okW = false;
            const int h = hw.size() == 2 ? hw[0].toInt(&okH) : 0;
            const int w = hw.size() == 2 ? hw[1].toInt(&okW) : 0;
            if (!okH || !okW || h < 1 || w < 1 || h > 8192 || w > 8192) {
                printError(tr("--static-size must be HEIGHTxWIDTH, e.g. 512x512."));
                return ExitUsage;
            }
            options.staticSize = std::array<int64_t, 2>{h, w};
        }
        options.softmaxOutput = parser.isSet(softmaxOption);
        options.argmaxOutput = parser.isSet(argmaxOption);
        options.factorPyramidHead = !parser.isSet(upsampledOption);

        core::ModelExportJob job;
        const QString format = parser.value(formatOption);
        if (format == QStringLiteral("torchscript")) {
            job.format = core::ExportFormat::TorchScript;
            if (options.int8 || options.staticSize || options.softmaxOutput ||
                options.argmaxOutput) {
                printError(tr("TorchScript export is fp32 with dynamic sizes: --int8, "
                              "--static-size, --softmax and --argmax are ONNX options."));
                return ExitUsage;
            }
        } else if (format != QStringLiteral("onnx")) {
            printError(tr("--format must be onnx or torchscript."));
            return ExitUsage;
        }
        job.model = parser.positionalArguments().first().toStdString();
        job.output = parser.value(outputOption).toStdString();
        job.options = options;
        core::ModelBundle bundle;
        try {
            // A model that cannot be read is bad input; anything after that is the export's.
            bundle = core::loadModelBundle(core::resolveExportModel(job.model), nullptr);
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        if (parser.isSet(dataOption) && bundle.preprocessing.adjacentSlices > 1) {
            printError(tr("this model reads %1 adjacent slices (2.5D), which the single images "
                          "of a VOC dataset (--data) do not have: export it without --data and "
                          "check it with --check-image, or export int8 from the workstation, "
                          "which calibrates on the project's volumes.")
                           .arg(bundle.preprocessing.adjacentSlices));
            return ExitBadInput;
        }
        try {
            if (parser.isSet(dataOption))
                readSlices(parser.value(dataOption).toStdString(), calib, &job);
            if (parser.isSet(checkImageOption))
                readCheckCase(parser.value(checkImageOption).toStdString(), &job);
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }

        core::ModelExportResult result;
        try {
            result = core::exportModel(job);
        } catch (const std::invalid_argument &error) {
            printError(errorText(error));
            return ExitFailure;
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitIoError;
        }
        const core::ExportReport &report = result.report;
        const QString written = tr("Wrote %1 and %2.\n")
                                    .arg(QString::fromStdString(result.onnxPath),
                                         QString::fromStdString(result.reportPath));
        if (report.failed()) {
            printOut(written +
                     tr("Validation FAILED (fp32: %1%2; input: %3); see the report.\n")
                         .arg(QString::fromStdString(report.fp32Status),
                              report.int8Status.empty()
                                  ? QString()
                                  : tr(", int8: %1").arg(QString::fromStdString(report.int8Status)),
                              QString::fromStdString(report.inputStatus)));
            return ExitFailure;
        }
        const bool inputChecked = report.inputSlices > 0;
        if (inputChecked)
            printOut(tr("Input check (%1): %2, largest difference %3 over %n slice(s).\n", nullptr,
                        report.inputSlices)
                         .arg(QString::fromStdString(report.inputSource),
                              QString::fromStdString(report.inputStatus))
                         .arg(report.inputMaxAbsDiff));
        else
            printOut(tr("Input check: %1 (give --check-image FILE or --data DIR to run it).\n")
                         .arg(QString::fromStdString(report.inputStatus)));
        if (!report.verified()) {
            printOut(written + tr("NOT VERIFIED: the exported model could not be run to compare "
                                  "it with the trained network (%1).\n")
                                   .arg(QString::fromStdString(report.notVerifiedReason())));
            return ExitOk;
        }
        printOut(written + (inputChecked
                                ? tr("Validation passed: every check ran and passed.\n")
                                : tr("Validation passed for the checks that ran; the input check "
                                     "did not run.\n")));
        return ExitOk;
    }

private:
    // The case of `path` (its first series) as raw values [C, D, H, W], with the model's other
    // channels from the files beside it (CASE_0001, ...) or the volumes of a 4D file.
    static void readCheckCase(const std::string &path, core::ModelExportJob *job)
    {
        const core::ModelBundle bundle =
            core::readModelBundleInfo(core::resolveExportModel(job->model));
        const int wanted = bundle.preprocessing.imageChannels();
        std::vector<core::DicomSeries> channels;
        if (std::filesystem::is_regular_file(path)) {
            channels = wanted > 1 ? core::caseChannelsOfFile(path) : core::imageFileSeries(path);
        } else { // a DICOM folder: its first study's series
            const core::DicomIndex index = core::indexImages(path);
            if (!index.patients.empty() && !index.patients.front().studies.empty())
                channels = index.patients.front().studies.front().series;
            std::sort(channels.begin(), channels.end(),
                      [](const core::DicomSeries &a, const core::DicomSeries &b) {
                          const std::string pa =
                              a.instances.empty() ? "" : a.instances.front().path;
                          const std::string pb =
                              b.instances.empty() ? "" : b.instances.front().path;
                          return pa < pb;
                      });
        }
        if (channels.empty())
            throw std::runtime_error(path + ": no image found to check the export on");
        if (int(channels.size()) < wanted)
            throw std::runtime_error(path + ": the model reads " + std::to_string(wanted) +
                                     " image channels; this case has " +
                                     std::to_string(channels.size()));
        std::vector<at::Tensor> volumes;
        core::SeriesLayout layout;
        for (int c = 0; c < wanted; ++c) {
            const auto volume =
                core::SeriesReader::load(channels[std::size_t(c)], c == 0 ? &layout : nullptr);
            volumes.push_back(at::from_blob(volume->data(),
                                            {volume->depth(), volume->height(), volume->width()},
                                            at::kFloat)
                                  .clone());
        }
        job->checkCase = at::stack(volumes);
        job->checkCaseName = path;
        job->checkCaseInverted = layout.invertForDisplay;
    }

    // Calibration: `count` train slices spread evenly over the split; validation: up to `count`
    // val slices (train ones when there is no val split) with their masks.
    static void readSlices(const std::string &dir, int count, core::ModelExportJob *job)
    {
        const core::VocDataset dataset = core::VocReader::open(dir);
        std::vector<const core::VocSample *> train, val;
        for (const auto &s : dataset.samples) {
            if (s.imagePath.empty())
                continue;
            (s.split == "val" ? val : train).push_back(&s);
        }
        if (train.empty())
            train = val;
        if (val.empty())
            val = train;
        auto pick = [count](const std::vector<const core::VocSample *> &from) {
            std::vector<const core::VocSample *> picked;
            const size_t n = std::min(from.size(), size_t(count));
            for (size_t i = 0; i < n; ++i)
                picked.push_back(from[i * from.size() / n]);
            return picked;
        };
        const auto image = [](const core::VocSample &sample) {
            int w = 0, h = 0, c = 0;
            std::vector<std::uint8_t> pixels =
                core::VocReader::readImage(sample.imagePath, &w, &h, &c);
            return at::from_blob(pixels.data(), {h, w, c}, at::kByte).permute({2, 0, 1}).clone();
        };
        for (const auto *s : pick(train))
            job->calibrationImages.push_back(image(*s));
        for (const auto *s : pick(val)) {
            job->validationImages.push_back(image(*s));
            if (!s->maskPath.empty()) {
                core::VocMask mask = core::VocReader::readMask(dataset, *s);
                job->validationMasks.push_back(
                    at::from_blob(mask.indexes.data(), {mask.height, mask.width}, at::kByte)
                        .clone());
            }
        }
        if (job->validationMasks.size() != job->validationImages.size())
            job->validationMasks.clear();
    }
};

} // namespace

std::unique_ptr<CliCommand> makeExportCommand()
{
    return std::make_unique<ExportCommand>();
}

} // namespace medseg::cli
