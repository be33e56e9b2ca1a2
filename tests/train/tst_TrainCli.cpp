// `medseg train`, run as a script would: on a converted demo dataset it writes the run folder,
// resumes a run that has a checkpoint, stops with a checkpoint and exit code 130 on Ctrl+C, and
// refuses bad input with the documented exit codes.

#include "TinyModel.h"

#include "core/train/Checkpoint.h"
#include "core/train/ModelBundle.h"
#include "support/CliRunner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

class TestTrainCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainsIntoARunFolderAndResumes();
    void interruptWritesACheckpointAndExits130();
    void badInputGivesTheDocumentedExitCodes();
    void pretrainedWeightsChooseTheFineTunePlan();

private:
    QTemporaryDir m_dir;
    QString m_dataset;
};

namespace {

using Result = medseg::testing::CliResult;
using medseg::testing::cliEnvironment;

Result run(const QStringList &arguments)
{
    return medseg::testing::runCli(arguments, 300000);
}

QStringList tinyOptions()
{
    return {QStringLiteral("--backbone"),      QStringLiteral("resnet18"),
            QStringLiteral("--input-size"),    QStringLiteral("64"),
            QStringLiteral("--batch"),         QStringLiteral("2"),
            QStringLiteral("--output-stride"), QStringLiteral("16"),
            QStringLiteral("--threads"),       QStringLiteral("2"),
            QStringLiteral("--seed"),          QStringLiteral("3"),
            QStringLiteral("--device"),        QStringLiteral("cpu")};
}

} // namespace

void TestTrainCli::initTestCase()
{
    const QString demo = m_dir.filePath(QStringLiteral("demo"));
    m_dataset = m_dir.filePath(QStringLiteral("voc"));
    Result result = run({QStringLiteral("make-demo"), demo, QStringLiteral("--patients"),
                         QStringLiteral("2"), QStringLiteral("--slices"), QStringLiteral("4"),
                         QStringLiteral("--size"), QStringLiteral("64")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    result = run({QStringLiteral("convert"), demo, m_dataset});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
}

void TestTrainCli::trainsIntoARunFolderAndResumes()
{
    const QString runDir = m_dir.filePath(QStringLiteral("run"));
    Result result = run(QStringList{QStringLiteral("train"), m_dataset, QStringLiteral("--epochs"),
                                    QStringLiteral("1"), QStringLiteral("--run-dir"), runDir} +
                        tinyOptions());
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    // Without pretrained weights the plan is the one made for random weights (issue 22).
    QVERIFY2(result.err.contains(QStringLiteral("stage 1/1 'from scratch'")),
             qPrintable(result.err));
    QVERIFY2(result.out.contains(
                 QStringLiteral("Plan: from scratch because no pretrained weights were given")),
             qPrintable(result.out));
    QVERIFY2(result.out.contains(QStringLiteral("Finished")), qPrintable(result.out));
    // The per-class table of the best model ends the run.
    QVERIFY2(result.out.contains(QStringLiteral("Validation Dice of the best model")),
             qPrintable(result.out));
    QVERIFY2(QRegularExpression(QStringLiteral(R"(\n  liver +\d\.\d{3}\n)"))
                 .match(result.out)
                 .hasMatch(),
             qPrintable(result.out));
    const QDir folder(runDir);
    for (const char *name : {"config.json", "metrics.jsonl", "best.pt", "best.json", "final.pt",
                             "checkpoints/last.ckpt"})
        QVERIFY2(folder.exists(QLatin1String(name)), name);
    QVERIFY(!folder.exists(QStringLiteral("checkpoints/stage-1.ckpt"))); // on request only
    const medseg::core::CheckpointState last = medseg::core::loadCheckpoint(
        folder.filePath(QStringLiteral("checkpoints/last.ckpt")).toStdString());
    QCOMPARE(last.stage, 1);

    // The window convert rendered the slices with travels into the model: prediction windows
    // raw values the same way.
    QFile preprocessing(QDir(m_dataset).filePath(QStringLiteral("preprocessing.json")));
    QVERIFY(preprocessing.open(QIODevice::ReadOnly));
    const QJsonObject window = QJsonDocument::fromJson(preprocessing.readAll()).object();
    QVERIFY2(window.contains(QStringLiteral("window_center")), qPrintable(m_dataset));
    const medseg::core::ModelBundle bundle = medseg::core::loadModelBundle(
        folder.filePath(QStringLiteral("best.pt")).toStdString(), nullptr);
    QCOMPARE(bundle.preprocessing.intensity.size(), std::size_t(1));
    const medseg::core::ChannelIntensity &rule = bundle.preprocessing.intensity.front();
    QVERIFY(rule.scheme == medseg::core::IntensityScheme::Window);
    QCOMPARE(rule.windowCenter, window[QStringLiteral("window_center")].toDouble());
    QCOMPARE(rule.windowWidth, window[QStringLiteral("window_width")].toDouble());
    // The run's config.json records the rules the data resolved to.
    QFile runConfig(folder.filePath(QStringLiteral("config.json")));
    QVERIFY(runConfig.open(QIODevice::ReadOnly));
    const QJsonObject recorded = QJsonDocument::fromJson(runConfig.readAll()).object();
    QCOMPARE(recorded[QStringLiteral("preprocessing")][QStringLiteral("intensity")]
                 .toArray()
                 .at(0)[QStringLiteral("scheme")]
                 .toString(),
             QStringLiteral("window"));

    // The run's own config.json, given back, resumes that run (here: already finished).
    result = run({QStringLiteral("train"), QStringLiteral("--config"),
                  folder.filePath(QStringLiteral("config.json"))});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QStringLiteral("Resuming")), qPrintable(result.out));
}

void TestTrainCli::interruptWritesACheckpointAndExits130()
{
    const QString runDir = m_dir.filePath(QStringLiteral("interrupted"));
    QProcess process;
    process.setProcessEnvironment(cliEnvironment());
    process.start(QStringLiteral(MEDSEG_CLI),
                  QStringList{QStringLiteral("train"), m_dataset, QStringLiteral("--epochs"),
                              QStringLiteral("200"), QStringLiteral("--run-dir"), runDir} +
                      tinyOptions());
    QVERIFY(process.waitForStarted());
    QByteArray err;
    // Wait for the first progress line: training has started.
    while (!err.contains("stage 1/1") && process.state() == QProcess::Running) {
        process.waitForReadyRead(1000);
        err += process.readAllStandardError();
    }
    QVERIFY2(err.contains("stage 1/1"), err.constData());
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(120000));
    err += process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    QVERIFY(QFile::exists(QDir(runDir).filePath(QStringLiteral("checkpoints/last.ckpt"))));
    QVERIFY(QString::fromUtf8(process.readAllStandardOutput()).contains(QStringLiteral("resume")));
}

void TestTrainCli::badInputGivesTheDocumentedExitCodes()
{
    Result result = run({QStringLiteral("train"), m_dir.filePath(QStringLiteral("nothing"))});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(QStringLiteral("nothing")), qPrintable(result.err));
    result = run({QStringLiteral("train"), m_dataset, QStringLiteral("--output-stride"),
                  QStringLiteral("12")});
    QCOMPARE(result.exitCode, 2);
    result = run({QStringLiteral("train")});
    QCOMPARE(result.exitCode, 2);
    const QString config = m_dir.filePath(QStringLiteral("bad.json"));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"stages": [{"learning_rate": "fast"}]})");
    file.close();
    result = run({QStringLiteral("train"), m_dataset, QStringLiteral("--config"), config});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(QStringLiteral("learning_rate")), qPrintable(result.err));
}

// Issue 22: `--pretrained FILE` fine-tunes in three stages; a file for another architecture or
// a corrupt one is refused before anything is written.
void TestTrainCli::pretrainedWeightsChooseTheFineTunePlan()
{
    const auto save = [](const char *backbone, const QString &path) {
        medseg::test::writeBackboneWeights(backbone, path.toStdString());
    };
    const QString resnet = m_dir.filePath(QStringLiteral("resnet18-random.pth"));
    save("resnet18", resnet);
    const QString runDir = m_dir.filePath(QStringLiteral("fine-tuned"));
    Result result = run(QStringList{QStringLiteral("train"), m_dataset, QStringLiteral("--epochs"),
                                    QStringLiteral("1"), QStringLiteral("--pretrained"), resnet,
                                    QStringLiteral("--run-dir"), runDir} +
                        tinyOptions());
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QStringLiteral("Plan: fine-tune because pretrained weights were "
                                                "given (resnet18-random.pth); 3 stages")),
             qPrintable(result.out));
    QVERIFY2(result.err.contains(QStringLiteral("stage 3/3")), qPrintable(result.err));
    QFile card(QDir(runDir).filePath(QStringLiteral("best.json")));
    QVERIFY(card.open(QIODevice::ReadOnly));
    const QJsonObject training = QJsonDocument::fromJson(card.readAll())
                                     .object()
                                     .value(QStringLiteral("training"))
                                     .toObject();
    QCOMPARE(training.value(QStringLiteral("recipe")).toString(), QStringLiteral("fine_tune"));
    QCOMPARE(training.value(QStringLiteral("stages")).toArray().size(), 3);

    const QString mobilenet = m_dir.filePath(QStringLiteral("mobilenet.pth"));
    save("mobilenet_v3_large", mobilenet);
    const QString corrupt = m_dir.filePath(QStringLiteral("corrupt.pth"));
    QFile text(corrupt);
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("not a state dict");
    text.close();
    for (const QString &weights : {mobilenet, corrupt}) {
        const QString refused = m_dir.filePath(QStringLiteral("refused"));
        result = run(QStringList{QStringLiteral("train"), m_dataset, QStringLiteral("--pretrained"),
                                 weights, QStringLiteral("--run-dir"), refused} +
                     tinyOptions());
        QCOMPARE(result.exitCode, 3);
        QVERIFY2(result.err.contains(QFileInfo(weights).fileName()), qPrintable(result.err));
        QVERIFY2(!QFileInfo::exists(refused), qPrintable(result.err));
    }
}

QTEST_GUILESS_MAIN(TestTrainCli)
#include "tst_TrainCli.moc"
