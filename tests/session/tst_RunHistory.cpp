// The dashboard's data: metrics.jsonl lines (as the trainer writes them) become step points
// and epoch results; a followed run picks up lines appended by another process.

#include "ui/session/RunHistory.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using medseg::ui::RunHistory;

namespace {
QByteArray stepLine(int step, double loss)
{
    return QStringLiteral(R"({"type":"step","stage":0,"epoch":0,"step":%1,"total_steps":10,)"
                          R"("loss":%2,"lr":0.0001,"images_per_second":3.5})")
               .arg(step)
               .arg(loss)
               .toUtf8() +
           '\n';
}
QByteArray epochLine(int epoch, double meanDice)
{
    return QStringLiteral(R"({"type":"epoch","stage":0,"epoch":%1,"step":%2,"train_loss":0.5,)"
                          R"("val_loss":0.4,"dice":[0.99,%3,null],"iou":[0.98,0.5,null],)"
                          R"("mean_dice":%3,"improved":true})")
               .arg(epoch)
               .arg(epoch * 5)
               .arg(meanDice)
               .toUtf8() +
           '\n';
}
} // namespace

class RunHistoryTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void metricsLinesBecomePointsAndEpochs()
    {
        RunHistory history;
        QVERIFY(history.addMetricsLine(stepLine(1, 0.9)));
        QVERIFY(history.addMetricsLine(stepLine(2, 0.7)));
        QVERIFY(history.addMetricsLine(epochLine(0, 0.6)));
        QVERIFY(!history.addMetricsLine(R"({"type":"other"})"));
        QVERIFY(!history.addMetricsLine("not json"));
        QCOMPARE(int(history.steps().size()), 2);
        QCOMPARE(history.steps()[1].step, 2);
        QCOMPARE(history.steps()[1].loss, 0.7);
        QCOMPARE(history.steps()[1].learningRate, 1e-4);
        QCOMPARE(history.lastProgress().imagesPerSecond, 3.5);
        QCOMPARE(int(history.epochs().size()), 1);
        QCOMPARE(int(history.epochs()[0].dice.size()), 3);
        QVERIFY(std::isnan(history.epochs()[0].dice[2])); // null: class absent
        QCOMPARE(history.bestMeanDice(), 0.6);
    }

    void followingARunReadsAppendedLines()
    {
        QTemporaryDir run;
        QFile metrics(run.filePath(QStringLiteral("metrics.jsonl")));
        QVERIFY(metrics.open(QIODevice::WriteOnly));
        metrics.write(stepLine(1, 0.9));
        metrics.flush();

        RunHistory history;
        QVERIFY(history.load(run.path(), true));
        QVERIFY(history.isFollowing());
        QCOMPARE(int(history.steps().size()), 1);

        QSignalSpy changed(&history, &RunHistory::changed);
        // Half a line first: it must wait for the rest.
        const QByteArray line = stepLine(2, 0.8);
        metrics.write(line.left(20));
        metrics.flush();
        QTest::qWait(1200);
        QCOMPARE(int(history.steps().size()), 1);
        metrics.write(line.mid(20));
        metrics.write(epochLine(0, 0.7));
        metrics.flush();
        QTRY_COMPARE_WITH_TIMEOUT(int(history.steps().size()), 2, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(int(history.epochs().size()), 1, 5000);
        QVERIFY(!changed.isEmpty());
        QCOMPARE(history.bestMeanDice(), 0.7);

        const auto summary = medseg::ui::summarizeRun(run.path());
        QCOMPARE(summary.steps, 2);
        QCOMPARE(summary.bestMeanDice, 0.7);
    }

    void aFolderWithoutMetricsIsNotARun()
    {
        QTemporaryDir run;
        RunHistory history;
        QVERIFY(!history.load(run.path(), false));
        QVERIFY(history.errorString().contains(QStringLiteral("metrics.jsonl")));
    }
};

QTEST_GUILESS_MAIN(RunHistoryTest)
#include "tst_RunHistory.moc"
