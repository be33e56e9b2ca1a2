// The training dashboard draws what the run's metrics file holds: one loss and learning-rate
// point per step, one Dice point per epoch and foreground class, the per-class table, and the
// run in the list of past runs.

#include "ui/session/Document.h"
#include "ui/session/PredictionSession.h"
#include "ui/session/TrainingSession.h"
#include "ui/widgets/TrainingPanel.h"

#include <QChartView>
#include <QDir>
#include <QFile>
#include <QLineSeries>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <cmath>

class TrainingPanelTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chartsHoldThePointsOfTheMetricsFile()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir runs;
        const QString run = QDir(runs.path()).filePath(QStringLiteral("run-a"));
        QVERIFY(QDir().mkpath(run));
        QFile metrics(QDir(run).filePath(QStringLiteral("metrics.jsonl")));
        QVERIFY(metrics.open(QIODevice::WriteOnly));
        for (int step = 1; step <= 12; ++step)
            metrics.write(QStringLiteral(R"({"type":"step","stage":0,"stage_count":3,)"
                                         R"("stage_name":"feature-extractor","epoch":0,)"
                                         R"("epochs":2,"step":%1,"total_steps":30,"loss":%2,)"
                                         R"("lr":0.0001})"
                                         "\n")
                              .arg(step)
                              .arg(1.0 / step)
                              .toUtf8());
        for (int epoch = 0; epoch < 4; ++epoch)
            metrics.write(QStringLiteral(R"({"type":"epoch","stage":0,"epoch":%1,"step":%2,)"
                                         R"("dice":[0.99,%3,0.5],"iou":[0.98,0.4,0.3],)"
                                         R"("mean_foreground_dice":%3})"
                                         "\n")
                              .arg(epoch)
                              .arg(3 * (epoch + 1))
                              .arg(0.2 * epoch)
                              .toUtf8());
        metrics.close();

        medseg::ui::Document document;
        medseg::ui::TrainingSession *session = document.training();
        session->setRunsDirectory(runs.path());
        medseg::ui::TrainingPanel panel(session, document.predictions());
        panel.show();

        auto *list = panel.findChild<QTreeWidget *>(QStringLiteral("trainingRuns"));
        QVERIFY(list);
        QCOMPARE(list->topLevelItemCount(), 1);
        QCOMPARE(list->topLevelItem(0)->text(0), QStringLiteral("run-a"));
        QCOMPARE(list->topLevelItem(0)->text(2), QStringLiteral("0.600"));

        list->setCurrentItem(list->topLevelItem(0));
        panel.findChild<QPushButton *>(QStringLiteral("trainingFollowRun"))->click();

        auto *loss = panel.findChild<QChartView *>(QStringLiteral("trainingLossChart"));
        auto *lossSeries = static_cast<QLineSeries *>(loss->chart()->series().at(0));
        QCOMPARE(lossSeries->count(), 12);
        QCOMPARE(lossSeries->at(11).x(), 12.0);
        QVERIFY(std::abs(lossSeries->at(11).y() - 1.0 / 12) < 1e-5);
        auto *dice = panel.findChild<QChartView *>(QStringLiteral("trainingDiceChart"));
        QCOMPARE(dice->chart()->series().size(), 2); // foreground classes
        for (QAbstractSeries *series : dice->chart()->series())
            QCOMPARE(static_cast<QLineSeries *>(series)->count(), 4);
        auto *table = panel.findChild<QTableWidget *>(QStringLiteral("trainingDiceTable"));
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("0.600"));
        QCOMPARE(table->item(2, 3)->text(), QStringLiteral("0.500"));
    }

    void startWithoutDataExplainsWhy()
    {
        medseg::ui::Document document;
        QVERIFY(!document.training()->start());
        QVERIFY(!document.training()->errorString().isEmpty());
        QVERIFY(!document.training()->useProjectLabels()); // no series open
        QVERIFY(document.training()->errorString().contains(QStringLiteral("series")));
    }
};

QTEST_MAIN(TrainingPanelTest)
#include "tst_TrainingPanel.moc"
