// medseg-training-stall-bench: how long the GUI thread stalls while a training runs on the
// worker (issue 8's goal: never more than 50 ms). A 256x256x60 synthetic series is shown in an
// axial SliceView with labels; the "user" scrolls a slice and paints a brush dab every 40 ms
// while the TrainingController trains on the project's labels and the live preview refreshes
// every second. A 5 ms timer measures the event loop's lateness. Run by hand; not a test:
//   QT_QPA_PLATFORM=offscreen build/bin/medseg-training-stall-bench [seconds]

#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingController.h"
#include "ui/session/TrainingSession.h"
#include "ui/widgets/SliceView.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QPainter>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace medseg;

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("medseg-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("medseg-training-stall-bench"));
    const int seconds = argc > 1 ? std::max(5, std::atoi(argv[1])) : 30;
    constexpr int Size = 256;
    constexpr int Depth = 60;

    ui::Document document;
    document.setAutosaveInterval(0);
    auto volume = std::make_shared<core::Volume>(Size, Size, Depth);
    for (int k = 0; k < Depth; ++k)
        for (int j = 0; j < Size; ++j)
            for (int i = 0; i < Size; ++i)
                volume->value(i, j, k) =
                    std::hypot(i - 128.0, j - 128.0) < 60.0 - k % 10 ? 60.0f : -100.0f;
    document.series()->setVolume(volume, core::SeriesLayout{});
    auto map = document.labels()->sharedLabelMap();
    for (int k = 0; k < Depth; k += 2)
        for (int j = 0; j < Size; ++j)
            for (int i = 0; i < Size; ++i)
                if (std::hypot(i - 128.0, j - 128.0) < 60.0 - k % 10)
                    map->setValue(i, j, k, 1);

    ui::TrainingSession *training = document.training();
    if (!training->useProjectLabels()) {
        std::fprintf(stderr, "no training data: %s\n", qPrintable(training->errorString()));
        return 1;
    }
    core::TrainingConfig config = training->config();
    config.model.output_stride = 16;
    config.model.bottleneck_channels = 64;
    for (core::StagePlan &stage : config.stages) {
        stage.epochs = 100; // longer than the measurement
        stage.batchSize = 4;
        stage.inputSize = 128;
    }
    training->setConfig(config);
    training->setRunsDirectory(QDir::temp().filePath(QStringLiteral("medseg-stall-bench")));
    training->setPreviewInterval(1000);

    ui::SliceView view(document.series(), ui::SliceOrientation::Axial);
    view.setLabelSession(document.labels());
    view.resize(Size + 8, Size + 8);
    view.show();
    QImage canvas(view.size(), QImage::Format_RGB32);

    // The user: scroll, paint a dab, repaint; every 40 ms.
    QTimer user;
    int tick = 0;
    QObject::connect(&user, &QTimer::timeout, [&] {
        document.series()->setSliceIndex(ui::SliceOrientation::Axial, tick % Depth);
        ui::LabelToolSettings tools = document.labels()->toolSettings();
        tools.tool = ui::LabelTool::Brush;
        tools.radius = 4;
        document.labels()->setToolSettings(tools);
        const core::Vec3 at{64.0 + tick % 100, 64.0, double(tick % Depth)};
        if (document.labels()->beginStroke(ui::SliceOrientation::Axial, at))
            document.labels()->endStroke();
        QPainter painter(&canvas);
        view.render(&painter);
        ++tick;
    });

    // The probe: a 5 ms timer; lateness beyond its period is a stall of the GUI thread.
    std::vector<double> gaps;
    QElapsedTimer clock;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    double last = 0;
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const double now = clock.nsecsElapsed() / 1e6;
        gaps.push_back(now - last);
        last = now;
    });

    if (!training->start()) {
        std::fprintf(stderr, "cannot start: %s\n", qPrintable(training->errorString()));
        return 1;
    }
    // Measure once the first steps ran (model built, worker busy).
    QObject::connect(training->controller(), &ui::TrainingController::progressed, &app, [&] {
        if (clock.isValid())
            return;
        clock.start();
        probe.start(5);
        user.start(40);
        QTimer::singleShot(seconds * 1000, &app, [&] {
            probe.stop();
            user.stop();
            training->controller()->stop();
        });
    });
    QObject::connect(training->controller(), &ui::TrainingController::stateChanged, &app,
                     [&](ui::TrainingController::State state) {
                         if (state == ui::TrainingController::State::Idle)
                             app.quit();
                     });
    app.exec();

    if (gaps.size() < 2) {
        std::fprintf(stderr, "no measurement\n");
        return 1;
    }
    std::sort(gaps.begin() + 1, gaps.end());
    const auto quantile = [&](double q) {
        return gaps[1 + std::size_t(q * double(gaps.size() - 2))];
    };
    const long long steps = training->controller()->lastProgress().step;
    std::printf("medseg-training-stall-bench: %d s of training (%lld steps, %d user actions), "
                "%zu probe ticks of 5 ms\n",
                seconds, steps, tick, gaps.size() - 1);
    std::printf("%-28s %10s\n", "GUI event-loop gap", "ms");
    std::printf("%-28s %10.1f\n", "median", quantile(0.5));
    std::printf("%-28s %10.1f\n", "99th percentile", quantile(0.99));
    std::printf("%-28s %10.1f\n", "largest (goal <= 50)", gaps.back());
    return 0;
}
