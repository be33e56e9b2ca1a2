// medseg-ui-bench: speed of the labeling canvas on a 512x512x400 synthetic volume, offscreen:
// a brush dab plus repaint of the slice with the overlay, scrolling with the overlay on, the
// overlay render alone, and the undo memory of 100 strokes. Run by hand; not a test.
#include "core/labels/LabelMap.h"
#include "ui/session/Document.h"
#include "ui/session/LabelEditCommand.h"
#include "ui/session/LabelOverlay.h"
#include "ui/session/LabelSession.h"
#include "ui/session/SeriesSession.h"
#include "ui/widgets/SliceView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QUndoStack>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

using namespace medseg;

namespace {

constexpr int Size = 512;
constexpr int Depth = 400;

std::shared_ptr<core::Volume> makeVolume()
{
    auto volume = std::make_shared<core::Volume>(Size, Size, Depth);
    for (int k = 0; k < Depth; ++k)
        for (int j = 0; j < Size; ++j)
            for (int i = 0; i < Size; ++i) {
                const double r = std::hypot(i - 256.0, j - 256.0);
                volume->value(i, j, k) = r < 200.0 ? float(40 + (i ^ j ^ k) % 30) : -1000.0f;
            }
    core::ImageGeometry geometry;
    geometry.spacing = {0.7, 0.7, 1.25};
    volume->setGeometry(geometry);
    return volume;
}

// Wall time and this thread's CPU time: on a shared, loaded machine the CPU time is the
// work done, the wall time what a user would have seen at that load.
struct Stopwatch
{
    QElapsedTimer wall;
    double cpuStart = cpuSeconds();
    Stopwatch() { wall.start(); }
    static double cpuSeconds()
    {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
    }
    double wallSeconds() const { return double(wall.nsecsElapsed()) / 1e9; }
    double cpu() const { return cpuSeconds() - cpuStart; }
};

void row(const char *what, double value, const char *unit, const char *goal, double cpu = -1.0)
{
    if (cpu >= 0.0)
        std::printf("| %-44s | %10.3f %-9s | %10.3f %-9s | %-12s |\n", what, value, unit, cpu, unit,
                    goal);
    else
        std::printf("| %-44s | %10.3f %-9s | %-20s | %-12s |\n", what, value, unit, "", goal);
}

// Per-iteration milliseconds (wall, CPU) of n iterations.
void timedRow(const char *what, const Stopwatch &watch, int n, const char *goal)
{
    row(what, watch.wallSeconds() * 1e3 / n, "ms", goal, watch.cpu() * 1e3 / n);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("medseg-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("medseg-ui-bench"));

    std::printf("building a %dx%dx%d volume...\n", Size, Size, Depth);
    ui::Document document;
    document.setAutosaveInterval(0);
    document.series()->setVolume(makeVolume(), core::SeriesLayout{});
    ui::LabelSession *labels = document.labels();

    // Labels on every slice (as a liver contoured throughout): a disc, unrecorded.
    auto map = labels->sharedLabelMap();
    for (int k = 0; k < Depth; ++k)
        for (int j = 156; j < 356; ++j)
            for (int i = 156; i < 356; ++i)
                if (std::hypot(i - 256.0, j - 256.0) < 100.0 - (k % 20))
                    map->setValue(i, j, k, core::LabelValue(1 + k % 3));

    ui::SliceView view(document.series(), ui::SliceOrientation::Axial);
    view.setLabelSession(labels);
    view.resize(Size + 8, Size + 8); // the image fills 512x512 pixels (4 px margins)
    view.show();
    QImage canvas(view.size(), QImage::Format_RGB32);
    const auto repaint = [&] {
        QPainter painter(&canvas);
        view.render(&painter);
    };
    repaint();

    std::printf("\n| %-44s | %-20s | %-20s | %-12s |\n", "measure", "wall", "thread CPU", "goal");
    std::printf("|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(22, '-').c_str(),
                std::string(22, '-').c_str(), std::string(14, '-').c_str());

    // Overlay alone.
    {
        std::vector<std::uint16_t> scratch;
        QImage image;
        const int k = Depth / 2;
        for (ui::OverlayStyle style : {ui::OverlayStyle::Fill, ui::OverlayStyle::Outline}) {
            Stopwatch watch;
            const int n = 300;
            for (int r = 0; r < n; ++r)
                ui::renderLabelOverlay(*map, ui::SliceOrientation::Axial, k + r % 5,
                                       labels->colourLut(), style, image, scratch);
            timedRow(style == ui::OverlayStyle::Fill ? "overlay render 512x512, fill"
                                                     : "overlay render 512x512, outline",
                     watch, n, "< 2 ms");
        }
    }

    // Repaint alone (cached slice and overlay): the floor under the numbers below.
    {
        const int n = 200;
        Stopwatch watch;
        for (int r = 0; r < n; ++r)
            repaint();
        timedRow("repaint only (slice and overlay cached)", watch, n, "-");
    }

    // Brush dab + repaint of the slice with overlay.
    {
        labels->setTool(ui::LabelTool::Brush);
        labels->setBrushRadius(8);
        std::mt19937 random(7);
        std::uniform_real_distribution<double> position(60.0, 450.0);
        const int k = document.series()->sliceIndex(ui::SliceOrientation::Axial);
        const int n = 200;
        Stopwatch watch;
        for (int r = 0; r < n; ++r) {
            const core::Vec3 at{position(random), position(random), double(k)};
            labels->beginStroke(ui::SliceOrientation::Axial, at);
            repaint();
            labels->endStroke();
        }
        timedRow("brush dab + repaint 512x512 with overlay", watch, n, "<= 4 ms");
        Stopwatch drag;
        labels->beginStroke(ui::SliceOrientation::Axial, {100, 100, double(k)});
        for (int r = 1; r <= n; ++r) {
            labels->continueStroke({100.0 + r * 1.5, 100.0 + r, double(k)});
            repaint();
        }
        labels->endStroke();
        timedRow("drag step (segment of dabs) + repaint", drag, n, "<= 4 ms");
    }

    // Scrolling with the overlay on.
    {
        const int n = 200;
        Stopwatch watch;
        for (int r = 0; r < n; ++r) {
            document.series()->setSliceIndex(ui::SliceOrientation::Axial, (r * 7) % Depth);
            repaint();
        }
        row("scrolling with overlay on", n / watch.wallSeconds(), "slices/s", ">= 60/s",
            n / watch.cpu());
    }

    // Undo memory of 100 strokes (fresh stack): each a 2D drag of ~150 mm with radius 8.
    {
        document.undoStack()->clear();
        labels->setBrushRadius(8);
        std::mt19937 random(11);
        std::uniform_real_distribution<double> position(40.0, 470.0);
        std::uniform_int_distribution<int> slice(0, Depth - 1);
        for (int s = 0; s < 100; ++s) {
            const double k = slice(random);
            core::Vec3 at{position(random), position(random), k};
            labels->beginStroke(ui::SliceOrientation::Axial, at);
            for (int step = 0; step < 20; ++step) {
                at[0] = std::clamp(at[0] + position(random) / 40.0 - 6.0, 0.0, 511.0);
                at[1] = std::clamp(at[1] + position(random) / 40.0 - 6.0, 0.0, 511.0);
                labels->continueStroke(at);
            }
            labels->endStroke();
        }
        row("undo memory, 100 strokes", labels->undoMemory().totalBytes() / 1048576.0, "MB",
            "<= 20 MB");
        row("  commands on the stack", document.undoStack()->count(), "", "100");
        row("label map memory (400 painted slices)", map->memoryBytes() / 1048576.0, "MB", "-");
    }
    return 0;
}
