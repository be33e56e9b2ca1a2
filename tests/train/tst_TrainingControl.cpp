#include "core/train/Trainer.h"

#include "SyntheticTrainingData.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace medseg;
using namespace medseg::core;

// Stop, pause and preview requests to a fit() running on a thread of its own.
class TestTrainingControl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void stopFromAnotherThreadReturnsWithinOneStep();
    void pauseHoldsTrainingUntilResumed();
    void latestPreviewRequestWins();
    void previewIsServedWhilePaused();

private:
    TrainingConfig m_config;
    TrainingData m_data;
    QTemporaryDir m_dir;
};

void TestTrainingControl::initTestCase()
{
    m_data = test::makeSyntheticData(8, 2, 32);
    m_config = test::tinyConfig();
    m_config.stages.resize(1);
    m_config.stages[0].dataFraction = 1.0;
    m_config.stages[0].batchSize = 2;
    m_config.stages[0].epochs = 50; // far longer than any test waits
}

void TestTrainingControl::stopFromAnotherThreadReturnsWithinOneStep()
{
    TrainingControl control;
    std::atomic<std::int64_t> steps{0};
    std::atomic<std::int64_t> stepsAtRequest{-1};
    TrainerHooks hooks;
    hooks.onStep = [&](const TrainingProgress &progress) {
        steps = progress.step;
    };
    TrainingResult result;
    std::thread worker([&] {
        result =
            Trainer(m_config, m_dir.filePath("stop").toStdString()).fit(m_data, hooks, &control);
    });
    QTRY_VERIFY_WITH_TIMEOUT(steps >= 2, 60000);
    stepsAtRequest = steps.load();
    control.requestStop();
    worker.join();
    QVERIFY(result.status == TrainingResult::Status::Stopped);
    // The step running when the request came may finish; no other starts.
    QVERIFY(result.steps <= stepsAtRequest + 1);
    QVERIFY(Trainer::hasCheckpoint(m_dir.filePath("stop").toStdString()));
}

void TestTrainingControl::pauseHoldsTrainingUntilResumed()
{
    TrainingControl control;
    std::atomic<std::int64_t> steps{0};
    TrainerHooks hooks;
    hooks.onStep = [&](const TrainingProgress &progress) {
        steps = progress.step;
        if (progress.step == 2)
            control.pause();
        if (progress.step == 4)
            control.requestStop();
    };
    TrainingResult result;
    std::thread worker([&] {
        result =
            Trainer(m_config, m_dir.filePath("pause").toStdString()).fit(m_data, hooks, &control);
    });
    QTRY_VERIFY_WITH_TIMEOUT(control.isPaused() && steps == 2, 60000);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    QCOMPARE(steps.load(), std::int64_t(2)); // no step while paused
    control.resume();
    worker.join();
    QVERIFY(result.status == TrainingResult::Status::Stopped);
    QCOMPARE(result.steps, std::int64_t(4));
}

void TestTrainingControl::latestPreviewRequestWins()
{
    TrainingControl control;
    std::vector<PreviewResult> previews;
    std::int64_t latest = 0;
    TrainerHooks hooks;
    hooks.onStep = [&](const TrainingProgress &progress) {
        if (progress.step == 1) {
            // Two requests before the worker looks: only the second is served.
            control.requestPreview(m_data.val[0].image);
            latest = control.requestPreview(
                at::zeros({1, 40, 24}, at::kByte)); // another size, to tell them apart
        }
        if (progress.step == 3)
            control.requestStop();
    };
    hooks.onPreview = [&](const PreviewResult &preview) {
        previews.push_back(preview);
    };
    std::thread worker([&] {
        Trainer(m_config, m_dir.filePath("preview").toStdString()).fit(m_data, hooks, &control);
    });
    worker.join();
    QCOMPARE(previews.size(), std::size_t(1));
    QCOMPARE(previews[0].requestId, latest);
    QCOMPARE(previews[0].step, std::int64_t(1));
    QCOMPARE(previews[0].labels.sizes().vec(), (std::vector<std::int64_t>{40, 24}));
    QCOMPARE(previews[0].labels.scalar_type(), at::kByte);
    QVERIFY(previews[0].labels.max().item<int>() < 3);
}

void TestTrainingControl::previewIsServedWhilePaused()
{
    TrainingControl control;
    std::atomic<bool> served{false};
    TrainerHooks hooks;
    hooks.onStep = [&](const TrainingProgress &progress) {
        if (progress.step == 1)
            control.pause();
    };
    hooks.onPreview = [&](const PreviewResult &preview) {
        served = preview.labels.size(0) == 32;
    };
    TrainingResult result;
    std::thread worker([&] {
        result = Trainer(m_config, m_dir.filePath("paused-preview").toStdString())
                     .fit(m_data, hooks, &control);
    });
    QTRY_VERIFY_WITH_TIMEOUT(control.isPaused(), 60000);
    control.requestPreview(m_data.val[1].image);
    QTRY_VERIFY_WITH_TIMEOUT(served.load(), 60000);
    control.requestStop();
    worker.join();
    QVERIFY(result.status == TrainingResult::Status::Stopped);
    QCOMPARE(result.steps, std::int64_t(1));
}

QTEST_GUILESS_MAIN(TestTrainingControl)
#include "tst_TrainingControl.moc"
