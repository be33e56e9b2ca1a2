#include "core/train/Checkpoint.h"
#include "core/train/Trainer.h"

#include "SyntheticTrainingData.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace medseg;
using namespace medseg::core;

// A run interrupted at any step and continued by a new Trainer on the same run directory ends
// with exactly the weights (bit for bit, on the CPU) and the metrics of an uninterrupted run.
class TestTrainerResume : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void stoppedAndResumedEqualsUninterrupted_data();
    void stoppedAndResumedEqualsUninterrupted();
    void killedAfterAPeriodicCheckpointResumesExactly();

private:
    TrainingConfig m_config;
    TrainingData m_data;
    QTemporaryDir m_dir;
    CheckpointState m_reference;
    QStringList m_referenceLosses;
};

namespace {

// The loss of every step line of metrics.jsonl, as written.
QStringList stepLosses(const QString &runDir)
{
    QFile file(runDir + QStringLiteral("/metrics.jsonl"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList losses;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.contains("\"type\":\"step\""))
            continue;
        const int start = line.indexOf("\"loss\":");
        losses << QString::fromUtf8(line.mid(start, line.indexOf(',', start) - start));
    }
    return losses;
}

void compareWeights(const CheckpointState &expected, const CheckpointState &actual)
{
    QCOMPARE(actual.globalStep, expected.globalStep);
    QCOMPARE(actual.model.size(), expected.model.size());
    for (const auto &[name, tensor] : expected.model)
        QVERIFY2(at::equal(tensor, actual.model.at(name)), name.c_str());
    QCOMPARE(actual.bestScore, expected.bestScore);
}

} // namespace

void TestTrainerResume::initTestCase()
{
    // Two stages with augmentation, dropout and a frozen backbone: every random generator and
    // every piece of state the checkpoint carries is exercised.
    m_data = test::makeSyntheticData(16, 3, 32);
    m_config = test::tinyConfig();
    m_config.stages.resize(2);
    for (StagePlan &stage : m_config.stages) {
        stage.dataFraction = 1.0;
        stage.epochs = 2;
        stage.batchSize = 4;
        stage.augmentation = AugmentationLevel::Medium;
    }
    m_config.stages[0].warmupSteps = 3;
    m_config.stages[1].schedule = "cosine";
    const QString runDir = m_dir.filePath(QStringLiteral("reference"));
    const TrainingResult result = Trainer(m_config, runDir.toStdString()).fit(m_data);
    QVERIFY2(result.status == TrainingResult::Status::Finished, result.message.c_str());
    QCOMPARE(result.steps, std::int64_t(16));
    m_reference = loadCheckpoint(Trainer::checkpointPath(runDir.toStdString()));
    m_referenceLosses = stepLosses(runDir);
    QCOMPARE(m_referenceLosses.size(), 16);
}

void TestTrainerResume::stoppedAndResumedEqualsUninterrupted_data()
{
    QTest::addColumn<int>("stopAfter");
    QTest::newRow("mid epoch") << 3;
    QTest::newRow("epoch end, before validation") << 4;
    QTest::newRow("mid stage 2") << 11;
}

void TestTrainerResume::stoppedAndResumedEqualsUninterrupted()
{
    QFETCH(int, stopAfter);
    const QString runDir = m_dir.filePath(QStringLiteral("stopped-%1").arg(stopAfter));
    TrainingControl control;
    TrainerHooks hooks;
    hooks.onStep = [&](const TrainingProgress &progress) {
        if (progress.step == stopAfter)
            control.requestStop();
    };
    const TrainingResult stopped =
        Trainer(m_config, runDir.toStdString()).fit(m_data, hooks, &control);
    QVERIFY(stopped.status == TrainingResult::Status::Stopped);
    QCOMPARE(stopped.steps, std::int64_t(stopAfter));

    const TrainingResult resumed = Trainer(m_config, runDir.toStdString()).fit(m_data);
    QVERIFY(resumed.resumed);
    QVERIFY2(resumed.status == TrainingResult::Status::Finished, resumed.message.c_str());
    compareWeights(m_reference, loadCheckpoint(Trainer::checkpointPath(runDir.toStdString())));
    QCOMPARE(stepLosses(runDir), m_referenceLosses);
}

void TestTrainerResume::killedAfterAPeriodicCheckpointResumesExactly()
{
    const QString runDir = m_dir.filePath(QStringLiteral("killed"));
    TrainingConfig config = m_config;
    config.checkpointEverySteps = 5;
    TrainerHooks hooks;
    // An exception out of a hook ends fit() at once, without a final checkpoint, as a kill
    // would: the run must continue from the periodic checkpoint of step 5.
    hooks.onStep = [&](const TrainingProgress &progress) {
        if (progress.step == 7)
            throw std::runtime_error("simulated kill");
    };
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             Trainer(config, runDir.toStdString()).fit(m_data, hooks));
    QCOMPARE(loadCheckpoint(Trainer::checkpointPath(runDir.toStdString())).globalStep,
             std::int64_t(5));
    QCOMPARE(stepLosses(runDir).size(), 7);

    const TrainingResult resumed = Trainer(config, runDir.toStdString()).fit(m_data);
    QVERIFY(resumed.resumed);
    QVERIFY2(resumed.status == TrainingResult::Status::Finished, resumed.message.c_str());
    compareWeights(m_reference, loadCheckpoint(Trainer::checkpointPath(runDir.toStdString())));
    // The two lines written after the checkpoint were dropped, not repeated.
    QCOMPARE(stepLosses(runDir), m_referenceLosses);
}

QTEST_APPLESS_MAIN(TestTrainerResume)
#include "tst_TrainerResume.moc"
