#include "app/cli/Commands.h"
#include "app/cli/NumberOptions.h"
#include "app/cli/WindowOptions.h"

#include "core/dicom/WindowLevel.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>

#include <algorithm>
#include <cmath>
#include <optional>

namespace medseg::cli {
namespace {

// `medseg render FILE [--frame N] [--window C,W | --preset NAME] -o OUT.png`: one frame as the
// 8-bit image a viewer shows, for checks and reports. Grey images go through the DICOM linear
// window (MONOCHROME1 inverted); colour images are written as RGB.
class RenderCommand : public CliCommand
{
    Q_DECLARE_TR_FUNCTIONS(RenderCommand)

public:
    QString name() const override { return QStringLiteral("render"); }
    QString summary() const override
    {
        return tr("Write one frame of a DICOM file as an 8-bit image with a window.");
    }

    int run(const QStringList &arguments) override
    {
        QCommandLineParser parser;
        const QCommandLineOption frameOption(QStringLiteral("frame"),
                                             tr("Frame to render, counting from 0 (default 0)."),
                                             tr("N"), QStringLiteral("0"));
        const WindowOptions windowOptions;
        const QCommandLineOption outputOption({QStringLiteral("o"), QStringLiteral("output")},
                                              tr("The image to write (PNG unless the name says "
                                                 "otherwise)."),
                                              tr("OUT"));
        parser.addOption(frameOption);
        windowOptions.addTo(parser);
        parser.addOption(outputOption);
        parser.addPositionalArgument(QStringLiteral("file"), tr("A DICOM file."),
                                     QStringLiteral("FILE"));
        if (const int code = parseCommandLine(parser, arguments, summary()); code >= 0)
            return code;

        const QStringList positional = parser.positionalArguments();
        if (positional.size() != 1) {
            printError(tr("'render' needs exactly one FILE."));
            return ExitUsage;
        }
        if (!parser.isSet(outputOption) || parser.value(outputOption).isEmpty()) {
            printError(tr("'render' needs an output image: -o OUT.png"));
            return ExitUsage;
        }
        const auto frameValue = wholeOption(parser, frameOption, 0, 0x7fffffff);
        if (!frameValue)
            return ExitUsage;
        const int frame = int(*frameValue);
        std::optional<core::Window> chosen;
        if (const int code = windowOptions.parse(parser, chosen); code >= 0)
            return code;

        const QString file = positional.first();
        const QString output = parser.value(outputOption);
        std::optional<core::SeriesReader> loader;
        int slice = -1;
        try {
            loader.emplace(core::SeriesReader::forFile(file.toStdString()));
            loader->prepare();
            const auto &slices = loader->layout().slices;
            for (int k = 0; k < int(slices.size()); ++k) {
                if (slices[std::size_t(k)].frame == frame)
                    slice = k;
            }
            if (slice < 0) {
                printError(tr("'%1' has no frame %2 (it has %3).")
                               .arg(file)
                               .arg(frame)
                               .arg(slices.size()));
                return ExitUsage;
            }
            loader->decodeSlice(slice);
        } catch (const std::exception &error) {
            // core names the file at the start of its messages; the line names it already.
            QString reason = QString::fromUtf8(error.what());
            if (reason.startsWith(file + QStringLiteral(": ")))
                reason.remove(0, file.size() + 2);
            printError(tr("cannot read '%1': %2").arg(file, reason));
            return ExitBadInput;
        }

        const core::Volume &volume = *loader->volume();
        const core::SeriesLayout &layout = loader->layout();
        const float *values = volume.slice(slice);
        const std::size_t pixels = std::size_t(volume.width()) * std::size_t(volume.height());
        QImage image;
        QString description;
        if (volume.components() == 3) {
            if (chosen)
                printError(tr("'%1' is a colour image; the window is not used.").arg(file));
            image = QImage(volume.width(), volume.height(), QImage::Format_RGB888);
            for (int y = 0; y < volume.height(); ++y) {
                uchar *line = image.scanLine(y);
                const float *row = values + std::size_t(y) * std::size_t(volume.width()) * 3;
                for (int n = 0; n < volume.width() * 3; ++n)
                    line[n] = uchar(std::clamp(row[n], 0.0f, 255.0f));
            }
            description = tr("RGB");
        } else {
            const auto [lo, hi] = std::minmax_element(values, values + pixels);
            // The file's first window, else the frame's own range (as dcmj2pnm +Wm).
            const core::Window window = chosen ? *chosen
                                        : !layout.windows.empty()
                                            ? layout.windows.front()
                                            : core::minMaxWindow(values, pixels);
            const core::WindowLut lut(window, int(std::floor(*lo)), int(std::ceil(*hi)),
                                      layout.invertForDisplay);
            image = QImage(volume.width(), volume.height(), QImage::Format_Grayscale8);
            for (int y = 0; y < volume.height(); ++y)
                lut.apply(values + std::size_t(y) * std::size_t(volume.width()),
                          std::size_t(volume.width()), image.scanLine(y));
            description = tr("window %1/%2").arg(window.center).arg(window.width);
            if (layout.invertForDisplay)
                description += QStringLiteral(", ") + tr("inverted (MONOCHROME1)");
        }

        QImageWriter writer(output);
        if (QFileInfo(output).suffix().isEmpty())
            writer.setFormat("png");
        if (!writer.write(image)) {
            printError(tr("cannot write '%1': %2").arg(output, writer.errorString()));
            return ExitIoError;
        }
        printOut(tr("%1: frame %2, %3x%4, %5\n")
                     .arg(output)
                     .arg(frame)
                     .arg(volume.width())
                     .arg(volume.height())
                     .arg(description));
        return ExitOk;
    }
};

} // namespace

std::unique_ptr<CliCommand> makeRenderCommand()
{
    return std::make_unique<RenderCommand>();
}

} // namespace medseg::cli
