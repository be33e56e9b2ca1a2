// Issue 22, point 3: the batch size from the memory a measured step takes, the epochs from a
// time budget, both from a probe (here a fake one with known costs; `medseg train --minutes`
// in tst_TrainCli runs the real one).

#include "core/train/Checkpoint.h"
#include "core/train/Trainer.h"
#include "core/train/TrainingBudget.h"
#include "support/CliRunner.h"

#include "SyntheticTrainingData.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <stdexcept>
#include <variant>

using namespace medseg::core;

namespace {

// Steps whose memory and time grow linearly with the batch, on a device with `budget` bytes.
class FakeProbe : public TrainingProbe
{
public:
    FakeProbe(std::int64_t bytesPerSlice, std::int64_t budget)
        : m_bytesPerSlice(bytesPerSlice)
        , m_budget(budget)
    {}

    StepCost measure(int batchSize) override
    {
        measured.push_back(batchSize);
        StepCost cost;
        cost.batchSize = batchSize;
        cost.stepSeconds = 0.05 * batchSize;
        cost.predictSecondsPerSlice = 0.02;
        cost.saveSeconds = 0.1;
        cost.peakBytes = 100'000'000 + m_bytesPerSlice * batchSize; // gradients + activations
        return cost;
    }
    std::int64_t memoryBudgetBytes() override { return m_budget; }
    std::string memoryName() const override { return "GPU memory"; }

    std::vector<int> measured;

private:
    std::int64_t m_bytesPerSlice;
    std::int64_t m_budget;
};

} // namespace

class TestTrainingBudget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void largestBatchThatFitsTheMemory();
    void aSmallMemoryBudgetGivesASmallerBatch();
    void noBatchFitsIsRefusedWithTheNumbers();
    void plannedEpochsFitTheBudget();
    void stagesAreCountedAsTheTrainerLaysThemOut();
    void aBudgetTooShortForOneEpochIsRefused();
    void thePaceIgnoresOneSlowEpoch();
    void aRealOneMinuteBudgetEndsOnTime();
    void aResumedRunCountsTheTimeItTrainedAlready();
    void aBudgetTooShortIsRefusedBeforeAnythingIsWritten();

private:
    QString demoDataset();
    QTemporaryDir m_dir;
};

void TestTrainingBudget::largestBatchThatFitsTheMemory()
{
    FakeProbe probe(50'000'000, 16'000'000'000);
    const BatchChoice choice = chooseBatchSize(probe, 32);
    QCOMPARE(choice.batchSize, 32);
    QCOMPARE(probe.measured, (std::vector<int>{2, 4, 8, 16, 32}));
    QCOMPARE(choice.measured.back().batchSize, 32);
    QVERIFY(describe(choice).find("batch 32") != std::string::npos);
    QCOMPARE(largestBatch(false, 48), 8);
    QCOMPARE(largestBatch(true, 48), 32);
    QCOMPARE(largestBatch(true, 5), 5);
    QCOMPARE(largestBatch(false, 1), 2);
}

void TestTrainingBudget::aSmallMemoryBudgetGivesASmallerBatch()
{
    // 100 MB + 200 MB per slice: batch 4 takes 900 MB, batch 8 would take 1.7 GB of 1.2 GB.
    FakeProbe probe(200'000'000, 1'200'000'000);
    const BatchChoice choice = chooseBatchSize(probe, 32);
    QCOMPARE(choice.batchSize, 4);
    // Doubling the measured 900 MB exceeds the budget: batch 8 is not even tried.
    QCOMPARE(probe.measured, (std::vector<int>{2, 4}));
    TrainingConfig config;
    config.stages = defaultStages();
    apply(choice, config);
    for (const StagePlan &stage : config.stages)
        QCOMPARE(stage.batchSize, 4);
    QVERIFY(describe(choice).find("twice the batch would not fit") != std::string::npos);
}

void TestTrainingBudget::noBatchFitsIsRefusedWithTheNumbers()
{
    FakeProbe probe(200'000'000, 300'000'000);
    try {
        chooseBatchSize(probe, 8);
        QFAIL("a batch that does not fit was chosen");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("0.50 GB")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("0.30 GB")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("smaller input size")), qPrintable(message));
    }
}

void TestTrainingBudget::plannedEpochsFitTheBudget()
{
    TrainingConfig config; // from scratch: one stage
    config.stages[0].batchSize = 8;
    StepCost cost;
    cost.batchSize = 8;
    cost.stepSeconds = 0.5;
    cost.predictSecondsPerSlice = 0.02;
    cost.saveSeconds = 0.1;
    // 48 slices: 6 steps (3 s), 24 validation slices (0.48 s): 3.48 s per epoch (the best
    // model is saved beside the next epoch); finishing: 2 x 0.48 + 2 x 0.1 = 1.16 s.
    const TimePlan plan = planEpochs(config, 48, 24, cost, 60.0, 2.0);
    QCOMPARE(plan.epochs, 16);
    QVERIFY(qAbs(plan.epochSeconds - 3.48) < 1e-9);
    QVERIFY(qAbs(plan.finishSeconds - 1.16) < 1e-9);
    QVERIFY(plan.plannedSeconds() <= 60.0);
    QVERIFY(plan.plannedSeconds() + plan.epochSeconds > 60.0); // no room for one more
    apply(plan, config);
    QCOMPARE(config.stages[0].epochs, 16);
    QCOMPARE(config.timeBudgetSeconds, 58.0); // the trainer's share: the rest was spent
    QVERIFY(describe(plan).find("16 epochs") != std::string::npos);

    // A budget ten times longer plans about ten times the epochs.
    QCOMPARE(planEpochs(config, 48, 24, cost, 600.0, 2.0).epochs, 171);
}

void TestTrainingBudget::stagesAreCountedAsTheTrainerLaysThemOut()
{
    TrainingConfig config;
    config.stages = defaultStages(); // 20%, 60% and 100% of the slices
    for (StagePlan &stage : config.stages)
        stage.batchSize = 4;
    QCOMPARE(stepsPerEpoch(config.stages[0], 50), std::int64_t(2)); // 10 slices, 2 whole batches
    QCOMPARE(stepsPerEpoch(config.stages[1], 50), std::int64_t(7)); // 30 slices
    QCOMPARE(stepsPerEpoch(config.stages[2], 50), std::int64_t(12));
    QCOMPARE(stageBatchSize(config.stages[0], 3), std::int64_t(2)); // two slices at least
    StepCost cost;
    cost.batchSize = 2; // measured at 2: a batch of 4 takes twice as long
    cost.stepSeconds = 0.25;
    const TimePlan plan = planEpochs(config, 50, 0, cost, 100.0, 0.0);
    QVERIFY(qAbs(plan.epochSeconds - (2 + 7 + 12) * 0.5) < 1e-9);
    QCOMPARE(plan.epochs, 9); // 9 x 10.5 s = 94.5 s
}

void TestTrainingBudget::aBudgetTooShortForOneEpochIsRefused()
{
    TrainingConfig config;
    StepCost cost;
    cost.batchSize = 8;
    cost.stepSeconds = 2.0;
    try {
        planEpochs(config, 80, 10, cost, 12.0, 3.0);
        QFAIL("an impossible budget was planned");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("too short")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("20.0 s")), qPrintable(message)); // one epoch
    }
}

// The ETA and the refits use medians since the last fit: one epoch the machine slowed (or that
// saved a model) does not move them; after a refit the last window's pace stands in.
void TestTrainingBudget::thePaceIgnoresOneSlowEpoch()
{
    RunPace pace;
    QCOMPARE(pace.overheadSeconds(0.7), 0.7); // nothing measured yet
    pace.addStep(0.5);
    QCOMPARE(pace.stepSeconds(), 0.5); // the current epoch's steps until one ends
    for (int epoch = 0; epoch < 5; ++epoch) {
        for (int step = 0; step < 4; ++step)
            pace.addStep(epoch == 3 ? 1.5 : 0.5); // epoch 4 runs three times slower
        pace.endEpoch(epoch == 3 ? 7.0 : 2.5);
    }
    QCOMPARE(pace.epochs(), 5);
    QCOMPARE(pace.stepSeconds(), 0.5);
    QCOMPARE(pace.overheadSeconds(0), 0.5);
    QCOMPARE(pace.epochSeconds(), 2.5);
    pace.restart();
    QCOMPARE(pace.epochs(), 0);
    QCOMPARE(pace.epochSeconds(), 2.5);
    QCOMPARE(pace.overheadSeconds(9.0), 0.5);

    // Refitting: 10 steps of 0.5 s and 1 s besides per epoch, 3 epochs done, 40 s left
    // (2 s kept to finish): 3 + floor(38 / 6) = 9 epochs in all.
    QCOMPARE(refitEpochs({10}, 0, 3, 0.5, 1.0, 40.0), 9);
    // Never fewer than the epochs done.
    QCOMPARE(refitEpochs({10}, 0, 3, 0.5, 1.0, 1.0), 3);
}

namespace {

QStringList smallRun(const QString &dataset, const QString &runDir, const QString &minutes)
{
    return {QStringLiteral("train"),           dataset,
            QStringLiteral("--minutes"),       minutes,
            QStringLiteral("--run-dir"),       runDir,
            QStringLiteral("--backbone"),      QStringLiteral("resnet18"),
            QStringLiteral("--input-size"),    QStringLiteral("160"),
            QStringLiteral("--output-stride"), QStringLiteral("16"),
            QStringLiteral("--threads"),       QStringLiteral("2"),
            QStringLiteral("--device"),        QStringLiteral("cpu")};
}

} // namespace

QString TestTrainingBudget::demoDataset()
{
    const QString dataset = m_dir.filePath(QStringLiteral("voc"));
    if (QDir(dataset).exists())
        return dataset;
    const QString demo = m_dir.filePath(QStringLiteral("demo"));
    auto result = medseg::testing::runCli({QStringLiteral("make-demo"), demo,
                                           QStringLiteral("--patients"), QStringLiteral("3"),
                                           QStringLiteral("--slices"), QStringLiteral("16"),
                                           QStringLiteral("--size"), QStringLiteral("64")});
    if (result.exitCode != 0)
        qFatal("make-demo failed: %s", qPrintable(result.err));
    result = medseg::testing::runCli({QStringLiteral("convert"), demo, dataset});
    if (result.exitCode != 0)
        qFatal("convert failed: %s", qPrintable(result.err));
    return dataset;
}

// `medseg train --minutes 1` (the whole command: reading the data, measuring, training,
// choosing TTA) ends between 50 and 70 s, and its ETA holds within 15%. Run
// alone (RUN_SERIAL): a neighbouring test would take the cores the plan was measured on.
void TestTrainingBudget::aRealOneMinuteBudgetEndsOnTime()
{
    const QString dataset = demoDataset();
    const QString runDir = m_dir.filePath(QStringLiteral("budget"));
    QElapsedTimer timer;
    timer.start();
    const auto result =
        medseg::testing::runCli(smallRun(dataset, runDir, QStringLiteral("1")), 150000);
    const double seconds = double(timer.elapsed()) / 1000.0;
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(seconds >= 50.0 && seconds <= 70.0,
             qPrintable(QStringLiteral("%1 s\n%2%3").arg(seconds).arg(result.out, result.err)));
    QVERIFY2(result.out.contains(QStringLiteral("Chosen for this machine: batch")),
             qPrintable(result.out));
    QVERIFY2(result.out.contains(QStringLiteral("Time budget:")), qPrintable(result.out));
    // The trainer fits the plan to its pace twice (at a tenth of the budget and halfway).
    QRegularExpressionMatchIterator fits =
        QRegularExpression(QStringLiteral(R"(fitted to the time budget of [\d.]+ s: (\d+) epochs)"))
            .globalMatch(result.err);
    QString fittedEpochs;
    int fitCount = 0;
    while (fits.hasNext()) {
        fittedEpochs = fits.next().captured(1);
        ++fitCount;
    }
    QVERIFY2(fitCount == 2, qPrintable(result.err));

    // config.json records the trainer's share of the budget and the fitted epochs.
    QFile configFile(QDir(runDir).filePath(QStringLiteral("config.json")));
    QVERIFY(configFile.open(QIODevice::ReadOnly));
    const QJsonObject config = QJsonDocument::fromJson(configFile.readAll()).object();
    const double trainerBudget = config[QStringLiteral("time_budget_seconds")].toDouble();
    QVERIFY2(trainerBudget > 45.0 && trainerBudget < 60.0,
             qPrintable(QString::number(trainerBudget)));
    QCOMPARE(config[QStringLiteral("stages")].toArray().at(0)[QStringLiteral("epochs")].toInt(),
             fittedEpochs.toInt());

    // The ETA in the second half of the run (after the trainer fitted the plan to its pace at a
    // tenth of the budget and halfway) against the time the run then took: the median error of
    // every step's ETA there (one epoch slowed by the machine moves a few, not the median).
    QFile metricsFile(QDir(runDir).filePath(QStringLiteral("metrics.jsonl")));
    QVERIFY(metricsFile.open(QIODevice::ReadOnly));
    std::vector<QJsonObject> steps;
    double ended = 0; // the last epoch's end, its validation included
    for (const QByteArray &line : metricsFile.readAll().split('\n')) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        if (record[QStringLiteral("type")].toString() == QLatin1String("step"))
            steps.push_back(record);
        if (record[QStringLiteral("type")].toString() == QLatin1String("epoch"))
            ended = record[QStringLiteral("elapsed_seconds")].toDouble();
    }
    std::vector<double> errors;
    for (const QJsonObject &step : steps) {
        const double at = step[QStringLiteral("elapsed_seconds")].toDouble();
        const double actual = ended - at;
        if (at >= 0.55 * ended && actual > 5.0)
            errors.push_back(qAbs(step[QStringLiteral("eta_seconds")].toDouble() - actual) /
                             actual);
    }
    QVERIFY2(errors.size() >= 5, qPrintable(QString::number(errors.size())));
    std::nth_element(errors.begin(), errors.begin() + std::ptrdiff_t(errors.size() / 2),
                     errors.end());
    const double median = errors[errors.size() / 2];
    qInfo("ETA in the second half: median error %.1f%% over %zu steps; the run took %.1f s",
          100.0 * median, errors.size(), seconds);
    QVERIFY2(median <= 0.15, qPrintable(QStringLiteral("median ETA error %1").arg(median)));
}

// A run with a time budget, stopped and resumed: the checkpoint keeps the seconds it trained,
// the resumed session fits the epochs to its own pace at its first epoch, and the run as a
// whole keeps to its budget.
void TestTrainingBudget::aResumedRunCountsTheTimeItTrainedAlready()
{
    const TrainingData data = medseg::test::makeSyntheticData(16, 4, 32);
    TrainingConfig config = medseg::test::tinyConfig();
    for (StagePlan &stage : config.stages)
        stage.epochs = 1000; // the budget decides
    config.timeBudgetSeconds = 20;
    const std::string runDir = m_dir.filePath(QStringLiteral("resumed")).toStdString();

    int fits = 0;
    TrainerHooks hooks;
    hooks.onEvent = [&](const TrainingEvent &event) {
        fits += std::holds_alternative<EpochsFitted>(event) ? 1 : 0;
    };
    TrainingControl control;
    QElapsedTimer first;
    first.start();
    hooks.onEpoch = [&](const EpochResult &) {
        if (first.elapsed() > 7000)
            control.requestStop();
    };
    const TrainingResult stopped = Trainer(config, runDir).fit(data, hooks, &control);
    QVERIFY2(stopped.status == TrainingResult::Status::Stopped, stopped.message.c_str());
    const double firstSeconds = double(first.elapsed()) / 1000.0;
    QCOMPARE(fits, 1); // at a tenth of the budget, not yet halfway
    const double trained = loadCheckpoint(stopped.checkpointPath).elapsedSeconds;
    QVERIFY2(trained > 6.5 && trained <= firstSeconds, qPrintable(QString::number(trained)));

    fits = 0;
    hooks.onEpoch = {};
    QElapsedTimer second;
    second.start();
    const TrainingResult finished = Trainer(config, runDir).fit(data, hooks, nullptr);
    const double secondSeconds = double(second.elapsed()) / 1000.0;
    QVERIFY2(finished.status == TrainingResult::Status::Finished, finished.message.c_str());
    QVERIFY2(fits >= 1, "the resumed session did not fit the epochs to its pace");
    // Both sessions together: the budget, give or take an epoch and finishing (a resumed run
    // that started its clock again would take the 7 s more).
    const double total = trained + secondSeconds;
    qInfo("stopped after %.1f s, resumed for %.1f s: %.1f s of a 20 s budget", trained,
          secondSeconds, total);
    QVERIFY2(total > 16.0 && total < 24.0, qPrintable(QString::number(total)));

    // metrics.jsonl counts the run's time across both sessions.
    QFile metricsFile(
        QDir(QString::fromStdString(runDir)).filePath(QStringLiteral("metrics.jsonl")));
    QVERIFY(metricsFile.open(QIODevice::ReadOnly));
    double previous = 0, last = 0;
    for (const QByteArray &line : metricsFile.readAll().split('\n')) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        if (!record.contains(QStringLiteral("elapsed_seconds")))
            continue;
        last = record[QStringLiteral("elapsed_seconds")].toDouble();
        QVERIFY2(last >= previous, qPrintable(QString::fromUtf8(line)));
        previous = last;
    }
    QVERIFY2(last > trained + 0.5 * secondSeconds, qPrintable(QString::number(last)));
}

// Bad input: a budget too short for one epoch is refused before training starts, and the run
// folder is not even created.
void TestTrainingBudget::aBudgetTooShortIsRefusedBeforeAnythingIsWritten()
{
    const QString runDir = m_dir.filePath(QStringLiteral("too-short"));
    const auto result =
        medseg::testing::runCli(smallRun(demoDataset(), runDir, QStringLiteral("0.01")));
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(QStringLiteral("too short")), qPrintable(result.err));
    QVERIFY(!QDir(runDir).exists());
    const auto both =
        medseg::testing::runCli(smallRun(demoDataset(), runDir, QStringLiteral("1")) +
                                QStringList{QStringLiteral("--epochs"), QStringLiteral("3")});
    QCOMPARE(both.exitCode, 2);
}

QTEST_MAIN(TestTrainingBudget)
#include "tst_TrainingBudget.moc"
