// The GUI's training worker: a tiny training started through TrainingController delivers
// progress, epoch results and previews as signals on the GUI thread; pause, resume and stop
// act within a step; deleting the controller mid-run stops and joins the worker.

#include "ui/session/TrainingController.h"

#include "../train/SyntheticTrainingData.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using medseg::core::TrainingResult;
using medseg::ui::TrainingController;

class TrainingControllerTest : public QObject
{
    Q_OBJECT

private:
    static std::shared_ptr<const medseg::core::TrainingData> data()
    {
        static const auto shared = std::make_shared<const medseg::core::TrainingData>(
            medseg::test::makeSyntheticData(8, 2, 32));
        return shared;
    }
    static medseg::core::TrainingConfig config(int epochs = 1)
    {
        medseg::core::TrainingConfig config = medseg::test::tinyConfig();
        config.model.output_stride = 32;
        config.model.bins = {1, 2};
        for (auto &stage : config.stages) {
            stage.epochs = epochs;
            stage.batchSize = 2;
            stage.dataFraction = 1.0;
        }
        return config;
    }

private Q_SLOTS:
    void trainingDeliversProgressEpochsAndPreview()
    {
        QTemporaryDir run;
        TrainingController controller;
        controller.setProgressInterval(0);
        QSignalSpy progressed(&controller, &TrainingController::progressed);
        QSignalSpy epochs(&controller, &TrainingController::epochFinished);
        QSignalSpy previews(&controller, &TrainingController::previewReady);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QSignalSpy failed(&controller, &TrainingController::failed);
        QVERIFY(controller.start(config(), data(), run.path()));
        QCOMPARE(controller.state(), TrainingController::State::Running);
        QVERIFY(!controller.start(config(), data(), run.path())); // one run at a time

        QVERIFY(progressed.wait(60000));
        QImage slice(32, 24, QImage::Format_Grayscale8);
        slice.fill(200);
        const qint64 id = controller.requestPreview(slice);
        QVERIFY(id > 0);
        QVERIFY(finished.wait(120000) || !finished.isEmpty());
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QCOMPARE(controller.state(), TrainingController::State::Idle);

        const auto result = finished.first().first().value<TrainingResult>();
        QCOMPARE(result.status, TrainingResult::Status::Finished);
        QVERIFY(result.steps > 0);
        QCOMPARE(controller.lastProgress().step, result.steps);
        QVERIFY(progressed.count() >= 1);
        QCOMPARE(epochs.count(), 3); // one epoch per stage
        QCOMPARE(int(controller.epochs().size()), 3);
        QCOMPARE(int(controller.epochs().back().dice.size()), 3);
        QVERIFY(!previews.isEmpty());
        const QImage labels = previews.last().at(0).value<QImage>();
        QCOMPARE(labels.size(), QSize(32, 24));
        QCOMPARE(previews.last().at(2).toLongLong(), id);
        for (int y = 0; y < labels.height(); ++y)
            for (int x = 0; x < labels.width(); ++x)
                QVERIFY(labels.constScanLine(y)[x] < 3);
        QVERIFY(QFile::exists(run.filePath(QStringLiteral("metrics.jsonl"))));
    }

    void pauseHoldsAndStopEndsTheRun()
    {
        QTemporaryDir run;
        TrainingController controller;
        controller.setProgressInterval(0);
        QSignalSpy progressed(&controller, &TrainingController::progressed);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(config(20), data(), run.path()));
        QVERIFY(progressed.wait(60000));

        controller.pause();
        QCOMPARE(controller.state(), TrainingController::State::Paused);
        QTest::qWait(1500); // a step in flight may still end
        const qint64 pausedAt = controller.lastProgress().step;
        QTest::qWait(1500);
        QCOMPARE(controller.lastProgress().step, pausedAt);

        controller.resume();
        QCOMPARE(controller.state(), TrainingController::State::Running);
        QTRY_VERIFY_WITH_TIMEOUT(controller.lastProgress().step > pausedAt, 30000);

        QElapsedTimer clock;
        clock.start();
        controller.stop();
        QCOMPARE(controller.state(), TrainingController::State::Stopping);
        QVERIFY(finished.wait(60000));
        const auto result = finished.first().first().value<TrainingResult>();
        QCOMPARE(result.status, TrainingResult::Status::Stopped);
        QVERIFY(result.steps < 20 * 3 * 4); // far from the planned end
        QCOMPARE(controller.state(), TrainingController::State::Idle);
    }

    void deletingTheControllerStopsTheWorker()
    {
        QTemporaryDir run;
        auto controller = std::make_unique<TrainingController>();
        QSignalSpy progressed(controller.get(), &TrainingController::progressed);
        QVERIFY(controller->start(config(50), data(), run.path()));
        QVERIFY(progressed.wait(60000));
        QElapsedTimer clock;
        clock.start();
        controller.reset(); // must stop and join, not crash or hang
        QVERIFY(clock.elapsed() < 60000);
        // The stop left a checkpoint to resume from.
        QVERIFY(QFile::exists(run.filePath(QStringLiteral("checkpoints/last.ckpt"))));
    }
};

QTEST_GUILESS_MAIN(TrainingControllerTest)
#include "tst_TrainingController.moc"
