#include "core/train/Checkpoint.h"
#include "core/train/Trainer.h"

#include "SyntheticTrainingData.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>

using namespace medseg;
using namespace medseg::core;

class TestTrainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void learnsTheSyntheticTaskOnCpu();
    void stageTwoKeepsTheBackboneBitIdentical();
    void nanLossStopsWithAClearMessageAndKeepsTheLastCheckpoint();
    void emptyDatasetGivesAClearError();
    void corruptCheckpointGivesAClearError();
    void mismatchingClassCountGivesAClearError();
};

namespace {

QStringList readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QString errorOf(const std::function<void()> &work)
{
    try {
        work();
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

} // namespace

void TestTrainer::learnsTheSyntheticTaskOnCpu()
{
    const TrainingData data = test::makeSyntheticData(32, 8);
    const TrainingConfig config = test::learningConfig();

    QTemporaryDir dir;
    const std::string runDir = dir.filePath("run").toStdString();
    std::vector<EpochResult> epochResults;
    TrainerHooks hooks;
    hooks.onEpoch = [&](const EpochResult &result) {
        epochResults.push_back(result);
    };
    hooks.onEvent = [](const TrainingEvent &event) {
        qInfo("%s", describe(event).c_str());
    };
    Trainer trainer(config, runDir);
    const TrainingResult result = trainer.fit(data, hooks);

    QVERIFY2(result.status == TrainingResult::Status::Finished, result.message.c_str());
    qInfo("best mean foreground Dice %.3f after %lld steps", result.bestMeanDice,
          static_cast<long long>(result.steps));
    QVERIFY2(result.bestMeanDice >= 0.8, qPrintable(QString::number(result.bestMeanDice)));
    QCOMPARE(result.steps, std::int64_t(11 * 8));
    QCOMPARE(epochResults.size(), std::size_t(11));

    // The run directory.
    const QDir run(dir.filePath("run"));
    for (const char *name : {"config.json", "metrics.jsonl", "best.pt", "best.json", "final.pt",
                             "final.json", "checkpoints/last.ckpt"})
        QVERIFY2(run.exists(QLatin1String(name)), name);
    // One checkpoint, to resume: stage copies only on request (they filled the disk).
    QCOMPARE(QDir(run.filePath(QStringLiteral("checkpoints"))).entryList(QDir::Files),
             QStringList{QStringLiteral("last.ckpt")});
    const QStringList lines = readLines(run.filePath(QStringLiteral("metrics.jsonl")));
    QCOMPARE(lines.filter(QStringLiteral("\"type\":\"step\"")).size(), 11 * 8);
    QCOMPARE(lines.filter(QStringLiteral("\"type\":\"epoch\"")).size(), 11);
    QFile configFile(run.filePath(QStringLiteral("config.json")));
    QVERIFY(configFile.open(QIODevice::ReadOnly));
    QCOMPARE(toJson(trainingConfigFromJson(configFile.readAll().toStdString())), toJson(config));

    // The best model is the one of the best epoch, and opens as a bundle.
    double best = 0;
    for (const EpochResult &epoch : epochResults)
        best = std::max(best, epoch.meanForegroundDice);
    QCOMPARE(result.bestMeanDice, best);
    models::PSPNet model{nullptr};
    const ModelBundle bundle = loadModelBundle(result.bestModelPath, &model);
    QCOMPARE(bundle.classes.size(), std::size_t(3));
    QCOMPARE(bundle.config.num_classes, 3);
    // It carries the validation it was chosen on, as the trainer reported it.
    QVERIFY(bundle.validation.isValid());
    QCOMPARE(bundle.validation.meanForegroundDice, best);
    const auto bestEpoch =
        std::find_if(epochResults.begin(), epochResults.end(),
                     [best](const EpochResult &e) { return e.meanForegroundDice == best; });
    QCOMPARE(bundle.validation.dice.size(), bestEpoch->dice.size());
    QCOMPARE(bundle.validation.epoch, bestEpoch->epoch);

    // The weights are stored once: a finished run's last.ckpt keeps only its position.
    QVERIFY2(QFileInfo(run.filePath(QStringLiteral("checkpoints/last.ckpt"))).size() <
                 QFileInfo(run.filePath(QStringLiteral("final.pt"))).size() / 10,
             "last.ckpt still holds the weights");
    QVERIFY(loadCheckpoint(run.filePath(QStringLiteral("checkpoints/last.ckpt")).toStdString())
                .model.empty());

    // Fitting a finished run again does nothing more, and keeps the final weights.
    models::PSPNet before{nullptr};
    loadModelBundle(result.finalModelPath, &before);
    const TrainingResult again = Trainer(config, runDir).fit(data);
    QVERIFY(again.resumed);
    QCOMPARE(again.steps, result.steps);
    models::PSPNet after{nullptr};
    loadModelBundle(again.finalModelPath, &after);
    for (const auto &item : before->named_parameters())
        QVERIFY2(at::equal(item.value(), after->named_parameters()[item.key()]),
                 item.key().c_str());
}

void TestTrainer::stageTwoKeepsTheBackboneBitIdentical()
{
    const TrainingData data = test::makeSyntheticData(8, 2, 32);
    TrainingConfig config = test::tinyConfig();
    config.stages[0].epochs = 1;
    config.stages[1].epochs = 2;
    config.stages.resize(2);
    config.keepStageCheckpoints = true;
    QTemporaryDir dir;
    const TrainingResult result = Trainer(config, dir.path().toStdString()).fit(data);
    QVERIFY2(result.status == TrainingResult::Status::Finished, result.message.c_str());

    const CheckpointState before =
        loadCheckpoint(dir.filePath("checkpoints/stage-1.ckpt").toStdString());
    const CheckpointState after =
        loadCheckpoint(dir.filePath("checkpoints/stage-2.ckpt").toStdString());
    int backbone = 0, changed = 0;
    for (const auto &[name, tensor] : before.model) {
        if (name.rfind("backbone.", 0) == 0) {
            ++backbone;
            // Weights and BatchNorm statistics alike.
            QVERIFY2(at::equal(tensor, after.model.at(name)), name.c_str());
        } else if (name.rfind("ppm.", 0) == 0 && !at::equal(tensor, after.model.at(name))) {
            ++changed;
        }
    }
    QVERIFY(backbone > 50);
    QVERIFY(changed > 0); // the pyramid pooling did train
}

void TestTrainer::nanLossStopsWithAClearMessageAndKeepsTheLastCheckpoint()
{
    const TrainingData data = test::makeSyntheticData(8, 2, 32);
    TrainingConfig config = test::tinyConfig();
    config.stages.resize(2);
    config.stages[1].trainable = TrainableParts::All;
    config.stages[1].learningRate = 1e10;
    config.stages[1].epochs = 5;
    QTemporaryDir dir;
    const TrainingResult result = Trainer(config, dir.path().toStdString()).fit(data);
    QVERIFY(result.status == TrainingResult::Status::Failed);
    const QString message = QString::fromStdString(result.message);
    QVERIFY2(message.contains(QStringLiteral("NaN")) ||
                 message.contains(QStringLiteral("infinite")),
             qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("last good checkpoint")), qPrintable(message));
    // last.ckpt is still the one written at the end of stage 1 (1 step: 2 of 8 slices).
    const CheckpointState last =
        loadCheckpoint(dir.filePath("checkpoints/last.ckpt").toStdString());
    QCOMPARE(last.stage, 1);
    QCOMPARE(last.globalStep, std::int64_t(1));
    for (const auto &[name, tensor] : last.model)
        if (tensor.is_floating_point())
            QVERIFY(at::isfinite(tensor).all().item<bool>());
}

void TestTrainer::emptyDatasetGivesAClearError()
{
    QTemporaryDir dir;
    TrainingData data = test::makeSyntheticData(4, 2, 32);
    data.train.clear();
    QString message =
        errorOf([&] { Trainer(test::tinyConfig(), dir.path().toStdString()).fit(data); });
    QVERIFY2(message.contains(QStringLiteral("no training slices")), qPrintable(message));

    data = test::makeSyntheticData(4, 2, 32);
    data.val.clear();
    message = errorOf([&] { Trainer(test::tinyConfig(), dir.path().toStdString()).fit(data); });
    QVERIFY2(message.contains(QStringLiteral("no validation slices")), qPrintable(message));
}

void TestTrainer::corruptCheckpointGivesAClearError()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("checkpoints")));
    const QString path = dir.filePath("checkpoints/last.ckpt");
    std::ofstream(path.toStdString(), std::ios::binary) << "MEDSEGCK but then nothing useful";
    const TrainingData data = test::makeSyntheticData(4, 2, 32);
    const QString message =
        errorOf([&] { Trainer(test::tinyConfig(), dir.path().toStdString()).fit(data); });
    QVERIFY2(message.contains(path), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("corrupt")), qPrintable(message));
}

void TestTrainer::mismatchingClassCountGivesAClearError()
{
    QTemporaryDir dir;
    TrainingConfig config = test::tinyConfig();
    config.model.num_classes = 5;
    const TrainingData data = test::makeSyntheticData(4, 2, 32);
    const QString message = errorOf([&] { Trainer(config, dir.path().toStdString()).fit(data); });
    QVERIFY2(message.contains(QStringLiteral("5 classes")), qPrintable(message));
}

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_Trainer.moc"
