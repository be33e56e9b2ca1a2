#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"

#include "core/dataset/VocReader.h"
#include "core/dataset/detail/PngIo.h"
#include "core/train/Augmentation.h"

#include <QCommandLineParser>
#include <QDir>
#include <QImage>

#include <algorithm>

namespace medseg::cli {
namespace {

// `medseg augment-preview DATASET -o grid.png [--level low|medium|high] [--count N] [--seed S]`:
// augments the first N image/mask pairs of a VOC dataset as training would and writes them as a
// grid, each pair as the augmented image beside the same image with the mask's class colours
// blended in (pixels that came from outside the image show the ignore colour). For checking
// by eye that masks stay on the anatomy and that a level is not too strong.
class AugmentPreviewCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(AugmentPreviewCommand)

public:
    QString name() const override { return QStringLiteral("augment-preview"); }
    QString summary() const override
    {
        return tr("Write a grid of augmented image/mask pairs of a VOC dataset, to check the "
                  "augmentation by eye.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption outputOption({QStringLiteral("o"), QStringLiteral("output")},
                                              tr("The grid image to write (PNG)."),
                                              QStringLiteral("FILE"));
        const QCommandLineOption levelOption(QStringLiteral("level"),
                                             tr("Augmentation level: none, low, medium or high."),
                                             QStringLiteral("LEVEL"), QStringLiteral("medium"));
        const QCommandLineOption countOption(QStringLiteral("count"),
                                             tr("Number of image/mask pairs."), QStringLiteral("N"),
                                             QStringLiteral("8"));
        const QCommandLineOption seedOption(QStringLiteral("seed"), tr("Seed of the augmentation."),
                                            QStringLiteral("S"), QStringLiteral("0"));
        parser.addOption(outputOption);
        parser.addOption(levelOption);
        parser.addOption(countOption);
        parser.addOption(seedOption);
        parser.addPositionalArgument(QStringLiteral("dataset"), tr("Folder of the VOC dataset."));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;
        if (parser.positionalArguments().size() != 1 || !parser.isSet(outputOption)) {
            printError(tr("give a dataset folder and -o FILE."));
            return ExitUsage;
        }
        core::AugmentationLevel level = core::AugmentationLevel::Medium;
        try {
            level = core::augmentationLevelFromString(parser.value(levelOption).toStdString());
        } catch (const std::exception &) {
            printError(tr("--level must be none, low, medium or high."));
            return ExitUsage;
        }
        const auto countValue = wholeOption(parser, countOption, 1, 1000);
        const auto seedValue =
            wholeOption(parser, seedOption, 0, std::numeric_limits<long long>::max());
        if (!countValue || !seedValue)
            return ExitUsage;
        const int count = int(*countValue);
        const qulonglong seed = qulonglong(*seedValue);
        const QString datasetDir = parser.positionalArguments().at(0);
        const QString output = parser.value(outputOption);

        core::VocDataset dataset;
        std::vector<Pair> pairs;
        try {
            dataset = core::VocReader::open(datasetDir.toStdString());
            for (const core::VocSample &sample : dataset.samples) {
                if (int(pairs.size()) == count)
                    break;
                if (sample.imagePath.empty() || sample.maskPath.empty())
                    continue;
                pairs.push_back(readPair(dataset, sample));
            }
        } catch (const std::exception &error) {
            printError(errorText(error));
            return ExitBadInput;
        }
        if (pairs.empty()) {
            printError(tr("%1: no image with a mask.").arg(datasetDir));
            return ExitBadInput;
        }

        core::Augmenter augmenter(core::AugmentationOptions::forLevel(level), seed);
        for (Pair &pair : pairs) {
            const core::AugmentedBatch out =
                augmenter(pair.image.unsqueeze(0), pair.mask.unsqueeze(0));
            pair.image = out.images.squeeze(0);
            pair.mask = out.masks.squeeze(0);
        }

        const QImage grid = compose(pairs, dataset);
        if (!grid.save(output, "PNG")) {
            printError(tr("%1: cannot write the image.").arg(output));
            return ExitIoError;
        }
        printOut(tr("Wrote %n augmented pair(s) to %1.\n", nullptr, int(pairs.size()))
                     .arg(QDir::toNativeSeparators(output)));
        return ExitOk;
    }

private:
    struct Pair
    {
        torch::Tensor image; // [C, H, W] float in [0, 1]
        torch::Tensor mask;  // [H, W] int64
    };

    static Pair readPair(const core::VocDataset &dataset, const core::VocSample &sample)
    {
        int w = 0, h = 0, channels = 0;
        std::vector<std::uint8_t> pixels =
            core::VocReader::readImage(sample.imagePath, &w, &h, &channels);
        const core::VocMask mask = core::VocReader::readMask(dataset, sample);
        if (mask.width != w || mask.height != h)
            throw std::runtime_error(sample.maskPath +
                                     ": the mask's size differs from the image's");
        Pair pair;
        pair.image = torch::from_blob(pixels.data(), {h, w, channels}, torch::kByte)
                         .permute({2, 0, 1})
                         .to(torch::kFloat)
                         .div(255.0)
                         .contiguous();
        pair.mask =
            torch::from_blob(const_cast<std::uint8_t *>(mask.indexes.data()), {h, w}, torch::kByte)
                .to(torch::kLong);
        return pair;
    }

    static QImage compose(const std::vector<Pair> &pairs, const core::VocDataset &dataset)
    {
        constexpr int gap = 4;
        int cellW = 0, cellH = 0;
        for (const Pair &pair : pairs) {
            cellW = std::max(cellW, int(pair.image.size(2)));
            cellH = std::max(cellH, int(pair.image.size(1)));
        }
        const int perRow = std::min(int(pairs.size()), 4);
        const int rows = (int(pairs.size()) + perRow - 1) / perRow;
        QImage grid(gap + perRow * (2 * cellW + 2 * gap), gap + rows * (cellH + gap),
                    QImage::Format_RGB888);
        grid.fill(QColor(40, 40, 40));

        std::vector<std::array<std::uint8_t, 3>> colours = core::detail::vocPalette();
        for (const core::LabelClass &item : dataset.classes.classes())
            if (item.index >= 0 && item.index < 255)
                colours[std::size_t(item.index)] = item.colour;

        for (std::size_t n = 0; n < pairs.size(); ++n) {
            const at::Tensor image =
                (pairs[n].image.clamp(0, 1) * 255.0).round().to(torch::kByte).contiguous();
            const at::Tensor mask = pairs[n].mask.to(torch::kLong).contiguous();
            const int channels = int(image.size(0)), h = int(image.size(1)), w = int(image.size(2));
            const std::uint8_t *pixels = image.data_ptr<std::uint8_t>();
            const std::int64_t *classes = mask.data_ptr<std::int64_t>();
            const int x0 = gap + int(n % std::size_t(perRow)) * (2 * cellW + 2 * gap);
            const int y0 = gap + int(n / std::size_t(perRow)) * (cellH + gap);
            for (int y = 0; y < h; ++y) {
                std::uint8_t *left = grid.scanLine(y0 + y) + 3 * x0;
                std::uint8_t *right = grid.scanLine(y0 + y) + 3 * (x0 + cellW + gap);
                for (int x = 0; x < w; ++x) {
                    const std::size_t at = std::size_t(y) * std::size_t(w) + std::size_t(x);
                    const std::size_t plane = std::size_t(h) * std::size_t(w);
                    const std::int64_t c = classes[at];
                    for (int k = 0; k < 3; ++k) {
                        const int value = pixels[std::size_t(channels == 3 ? k : 0) * plane + at];
                        left[3 * x + k] = std::uint8_t(value);
                        int shown = value;
                        if (c == 255)
                            shown = colours[255][std::size_t(k)];
                        else if (c > 0 && c < 255)
                            shown = (value + colours[std::size_t(c)][std::size_t(k)]) / 2;
                        right[3 * x + k] = std::uint8_t(shown);
                    }
                }
            }
        }
        return grid;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeAugmentPreviewCommand()
{
    return std::make_unique<AugmentPreviewCommand>();
}

} // namespace medseg::cli
