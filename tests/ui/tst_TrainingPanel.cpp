// The training dashboard draws what the run's metrics file holds: one loss and learning-rate
// point per step, one Dice point per epoch and foreground class, the per-class table, and the
// run in the list of past runs.

#include "core/labels/LabelMap.h"
#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/PredictionSession.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingController.h"
#include "ui/session/TrainingSession.h"
#include "ui/widgets/TrainingPanel.h"

#include "../train/SyntheticTrainingData.h"
#include "../train/TinyModel.h"

#include <QChartView>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <cmath>

class TrainingPanelTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Issue 22: the Setup tab takes pretrained weights, checks them at once, and the plan
    // follows: fine-tuning in three stages with them, from scratch in one without.
    void pretrainedWeightsChooseThePlan()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir dir;
        const auto save = [](const char *backbone, const QString &path) {
            medseg::test::writeBackboneWeights(backbone, path.toStdString());
        };
        const QString resnet = dir.filePath(QStringLiteral("resnet18-random.pth"));
        const QString mobilenet = dir.filePath(QStringLiteral("mobilenet.pth"));
        save("resnet18", resnet);
        save("mobilenet_v3_large", mobilenet);

        medseg::ui::Document document;
        medseg::ui::TrainingSession *session = document.training();
        medseg::ui::TrainingPanel panel(session, document.predictions());
        panel.show();
        auto *plan = panel.findChild<QLabel *>(QStringLiteral("trainingPlan"));
        auto *stages = panel.findChild<QTableWidget *>(QStringLiteral("trainingStages"));
        QVERIFY(plan && stages);
        QCOMPARE(stages->rowCount(), 1);
        QVERIFY2(plan->text().contains(QStringLiteral("from scratch")), qPrintable(plan->text()));

        QVERIFY(!session->setPretrainedWeights(mobilenet)); // another architecture
        QVERIFY2(session->errorString().contains(QStringLiteral("resnet18")),
                 qPrintable(session->errorString()));
        QCOMPARE(stages->rowCount(), 1);

        QVERIFY2(session->setPretrainedWeights(resnet), qPrintable(session->errorString()));
        QVERIFY(session->importSummary().startsWith(
            QStringLiteral("%1 tensors loaded")
                .arg(medseg::models::createBackbone("resnet18")->named_parameters(true).size() +
                     medseg::models::createBackbone("resnet18")->named_buffers(true).size())));
        QCOMPARE(stages->rowCount(), 3);
        QVERIFY2(plan->text().contains(QStringLiteral("resnet18-random.pth")),
                 qPrintable(plan->text()));
        QCOMPARE(
            medseg::ui::TrainingSession::rememberedPretrainedWeights(QStringLiteral("resnet18")),
            QFileInfo(resnet).absoluteFilePath());
        // A new window starts from the remembered weights.
        QCOMPARE(medseg::ui::TrainingSession().config().stages.size(), std::size_t(3));

        panel.findChild<QPushButton *>(QStringLiteral("trainingClearPretrained"))->click();
        QCOMPARE(stages->rowCount(), 1);
        QVERIFY(session->config().pretrainedBackbone.empty());
        QVERIFY(medseg::ui::TrainingSession::rememberedPretrainedWeights(QStringLiteral("resnet18"))
                    .isEmpty());
    }

    // Issue 22, point 3: the Setup tab's time budget fits the epochs to this computer when the
    // run starts (the Epochs column is not used then); resuming the run keeps the plan it
    // started with, whatever the Setup tab says by then, and its clock goes on.
    void aTimeBudgetFitsTheEpochsAndAResumedRunKeepsThem()
    {
        QStandardPaths::setTestModeEnabled(true);
        medseg::ui::Document document;
        medseg::ui::TrainingSession *session = document.training();
        medseg::ui::TrainingPanel panel(session, document.predictions());
        panel.show();
        session->setTrainingData(
            std::make_shared<medseg::core::TrainingData>(medseg::test::makeSyntheticData(8, 4, 32)),
            QStringLiteral("synthetic"));
        medseg::core::TrainingConfig config = medseg::test::tinyConfig();
        config.stages.resize(1);
        config.stages[0].epochs = 100000;
        config.stages[0].batchSize = 2;
        config.model.output_stride = 32;
        config.model.bins = {1, 2};
        session->setConfig(config);
        QTemporaryDir runs;
        session->setRunsDirectory(runs.path());

        // Two minutes, typed into the field.
        auto *budget = panel.findChild<QSpinBox *>(QStringLiteral("trainingTimeBudget"));
        auto *stages = panel.findChild<QTableWidget *>(QStringLiteral("trainingStages"));
        QVERIFY(budget && stages);
        QCOMPARE(budget->text(), QStringLiteral("Off"));
        budget->setFocus();
        budget->selectAll();
        QTest::keyClicks(budget, QStringLiteral("2"));
        QCOMPARE(session->config().timeBudgetSeconds, 120.0);
        const int epochsColumn = 3;
        QCOMPARE(stages->horizontalHeaderItem(epochsColumn)->text(), QStringLiteral("Epochs"));
        QVERIFY(!(stages->item(0, epochsColumn)->flags() & Qt::ItemIsEditable));

        medseg::ui::TrainingController *controller = session->controller();
        QSignalSpy log(controller, &medseg::ui::TrainingController::logMessage);
        QSignalSpy epochs(controller, &medseg::ui::TrainingController::epochFinished);
        QVERIFY2(session->start(), qPrintable(session->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= 2, 60000);
        controller->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!controller->isActive(), 30000);
        const QRegularExpression fitted(
            QStringLiteral(R"(Fitted to the time budget \([^)]+\): (\d+) epoch)"));
        int fittedEpochs = 0;
        for (const QList<QVariant> &line : log)
            if (const auto match = fitted.match(line.at(0).toString()); match.hasMatch())
                fittedEpochs = match.captured(1).toInt();
        QVERIFY2(fittedEpochs > 2 && fittedEpochs < 100000,
                 qPrintable(QString::number(fittedEpochs)));
        const QString run = controller->runDir();
        const QJsonObject started = readJson(QDir(run).filePath(QStringLiteral("config.json")));
        const auto plannedEpochs = [](const QJsonObject &runConfig) {
            return runConfig[QStringLiteral("stages")]
                .toArray()
                .at(0)[QStringLiteral("epochs")]
                .toInt();
        };
        QCOMPARE(plannedEpochs(started), fittedEpochs);
        const double trainerBudget = started[QStringLiteral("time_budget_seconds")].toDouble();
        QVERIFY2(trainerBudget > 100.0 && trainerBudget < 120.0,
                 qPrintable(QString::number(trainerBudget)));
        const double stoppedAt = lastElapsedSeconds(run);

        // The Setup tab changes; the resumed run does not.
        budget->setValue(0);
        QVERIFY(stages->item(0, epochsColumn)->flags() & Qt::ItemIsEditable);
        stages->item(0, epochsColumn)->setText(QStringLiteral("3"));
        QCOMPARE(session->config().stages[0].epochs, 3);
        epochs.clear();
        QVERIFY2(session->resumeRun(run), qPrintable(session->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= 1, 60000);
        controller->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!controller->isActive(), 30000);
        const QJsonObject resumed = readJson(QDir(run).filePath(QStringLiteral("config.json")));
        QCOMPARE(plannedEpochs(resumed), fittedEpochs);
        QCOMPARE(resumed[QStringLiteral("time_budget_seconds")].toDouble(), trainerBudget);
        QVERIFY2(
            lastElapsedSeconds(run) > stoppedAt,
            qPrintable(QStringLiteral("%1 after %2").arg(lastElapsedSeconds(run)).arg(stoppedAt)));
    }

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
        QCOMPARE(list->topLevelItem(0)->text(1), QStringLiteral("0.600")); // best Dice

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

    // Issue 20, defect 9: each run shows its size on disk and can be deleted (after a question);
    // a run shown live cannot, and nothing outside the runs folder can.
    void runsShowTheirSizeAndCanBeDeleted()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir runs;
        for (const char *name : {"run-20261207-101533-a", "run-20261207-101533-b"}) {
            const QDir run(QDir(runs.path()).filePath(QLatin1String(name)));
            QVERIFY(QDir().mkpath(run.filePath(QStringLiteral("checkpoints"))));
            writeFile(run.filePath(QStringLiteral("metrics.jsonl")), QByteArray());
            writeFile(run.filePath(QStringLiteral("checkpoints/last.ckpt")),
                      QByteArray(1500000, 'x'));
            writeFile(run.filePath(QStringLiteral("best.pt")), QByteArray(500000, 'y'));
        }
        medseg::ui::Document document;
        medseg::ui::TrainingSession *session = document.training();
        session->setRunsDirectory(runs.path());
        medseg::ui::TrainingPanel panel(session, document.predictions());
        panel.show();
        // Before any run the stage bar names no stage (it said "(1 of 0)").
        auto *stage = panel.findChild<QProgressBar *>(QStringLiteral("trainingStageProgress"));
        QVERIFY2(!stage->text().contains(QStringLiteral("of 0")), qPrintable(stage->text()));
        auto *list = panel.findChild<QTreeWidget *>(QStringLiteral("trainingRuns"));
        QCOMPARE(list->topLevelItemCount(), 2);
        QCOMPARE(list->topLevelItem(0)->text(2), QStringLiteral("2.0 MB")); // size
        QVERIFY(list->columnWidth(0) >=
                list->fontMetrics().horizontalAdvance(list->topLevelItem(0)->text(0)));

        QTreeWidgetItem *b =
            list->findItems(QStringLiteral("run-20261207-101533-b"), Qt::MatchExactly).value(0);
        list->setCurrentItem(b);
        auto *remove = panel.findChild<QPushButton *>(QStringLiteral("trainingDeleteRun"));
        answer(&panel, QMessageBox::No);
        remove->click();
        QVERIFY(QDir(runs.filePath(QStringLiteral("run-20261207-101533-b"))).exists());
        answer(&panel, QMessageBox::Yes);
        remove->click();
        QVERIFY(!QDir(runs.filePath(QStringLiteral("run-20261207-101533-b"))).exists());
        QCOMPARE(list->topLevelItemCount(), 1);
        QCOMPARE(list->topLevelItem(0)->text(0), QStringLiteral("run-20261207-101533-a"));

        // Shown live (as `medseg train` writes it): refused.
        QVERIFY(session->followRun(runs.filePath(QStringLiteral("run-20261207-101533-a"))));
        QVERIFY(!session->deleteRun(runs.filePath(QStringLiteral("run-20261207-101533-a"))));
        QVERIFY(QDir(runs.filePath(QStringLiteral("run-20261207-101533-a"))).exists());
        QTemporaryDir elsewhere;
        writeFile(QDir(elsewhere.path()).filePath(QStringLiteral("metrics.jsonl")), "{}");
        QVERIFY(!session->deleteRun(elsewhere.path()));
        QVERIFY(QDir(elsewhere.path()).exists());
    }

    // Defect 7: "Accept all unreviewed" applied a model of mean Dice 0.023 to 24 slices without
    // a word. The Review tab shows the predictions' origin and validation Dice per class, and
    // asks before accepting a series from a model below the threshold.
    void acceptAllFromAWeakModelAsksFirst()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir folder;
        QVERIFY(QDir(folder.path()).mkpath(QStringLiteral("run-weak")));
        const QString modelPath = QDir(folder.path()).filePath(QStringLiteral("run-weak/best.pt"));
        const auto config = medseg::test::tinyModelConfig(3, 3);
        auto model = medseg::test::tinyModel(config);
        {
            torch::NoGradGuard noGrad;
            model->classifier->bias.zero_();
            model->classifier->bias[1] = 1000.0;
        }
        medseg::core::ModelBundle bundle = medseg::test::tinyBundle(config);
        bundle.validation = {{0.99, 0.023, std::nan("")}, 0.023, 2, 3, 240};
        medseg::core::saveModelBundle(modelPath.toStdString(), model, bundle);

        medseg::ui::Document document;
        document.series()->setVolume(std::make_shared<medseg::core::Volume>(24, 24, 4), {});
        medseg::ui::PredictionSession *predictions = document.predictions();
        medseg::ui::TrainingPanel panel(document.training(), predictions);
        panel.show();
        predictions->setModelPath(modelPath);
        QSignalSpy finished(predictions, &medseg::ui::PredictionSession::finished);
        QVERIFY(predictions->predictSeries());
        QVERIFY(finished.wait(30000));

        auto *scores = panel.findChild<QLabel *>(QStringLiteral("reviewOriginScores"));
        QVERIFY(scores);
        QVERIFY2(scores->text().contains(QStringLiteral("run-weak/best.pt")) &&
                     scores->text().contains(QStringLiteral("0.023")) &&
                     scores->text().contains(QStringLiteral("organ 1")),
                 qPrintable(scores->text()));

        auto *acceptAll = panel.findChild<QPushButton *>(QStringLiteral("reviewAcceptAll"));
        answer(&panel, QMessageBox::No);
        acceptAll->click();
        QCOMPARE(document.labels()->labelMap()->value(3, 3, 2), medseg::core::LabelValue(0));
        QCOMPARE(predictions->unreviewedCount(), 4);
        answer(&panel, QMessageBox::Yes);
        acceptAll->click();
        QCOMPARE(document.labels()->labelMap()->value(3, 3, 2), medseg::core::LabelValue(1));
        QCOMPARE(predictions->unreviewedCount(), 0);
    }

    // Defect 10: "Predict this series" took 20 s with only "Predicting…": it shows how far it
    // got and can be cancelled.
    void predictingASeriesShowsProgressAndCancels()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir folder;
        const QString modelPath = QDir(folder.path()).filePath(QStringLiteral("best.pt"));
        const auto config = medseg::test::tinyModelConfig(3, 3);
        auto model = medseg::test::tinyModel(config);
        medseg::core::saveModelBundle(modelPath.toStdString(), model,
                                      medseg::test::tinyBundle(config));
        medseg::ui::Document document;
        document.series()->setVolume(std::make_shared<medseg::core::Volume>(32, 32, 12), {});
        medseg::ui::PredictionSession *predictions = document.predictions();
        medseg::ui::TrainingPanel panel(document.training(), predictions);
        panel.show();
        predictions->setModelPath(modelPath);
        auto *bar = panel.findChild<QProgressBar *>(QStringLiteral("reviewPredictProgress"));
        auto *cancel = panel.findChild<QPushButton *>(QStringLiteral("reviewCancelPredict"));
        QVERIFY(bar && cancel);
        QVERIFY(bar->isHidden() && cancel->isHidden());

        QSignalSpy progressed(predictions, &medseg::ui::PredictionSession::progressed);
        QSignalSpy finished(predictions, &medseg::ui::PredictionSession::finished);
        QVERIFY(predictions->predictSeries());
        QVERIFY(!bar->isHidden() && !cancel->isHidden());
        QVERIFY(finished.wait(30000));
        QVERIFY(!progressed.isEmpty());
        QCOMPARE(progressed.last().at(0).toInt(), 12);
        QCOMPARE(progressed.last().at(1).toInt(), 12);
        QVERIFY(bar->isHidden() && cancel->isHidden());

        QSignalSpy failed(predictions, &medseg::ui::PredictionSession::failed);
        predictions->clearPredictions();
        QVERIFY(predictions->predictSeries());
        cancel->click(); // before the worker has loaded the model
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("cancelled")),
                 qPrintable(failed.first().first().toString()));
        QVERIFY(!predictions->hasPrediction(0));
        QVERIFY(bar->isHidden());
    }

    // Layout and words: every machine-learning setting explains itself in plain words.
    void everySettingHasATooltip()
    {
        medseg::ui::Document document;
        medseg::ui::TrainingPanel panel(document.training(), document.predictions());
        for (const char *name :
             {"trainingBackbone", "trainingBins", "trainingOutputStride", "trainingLossAlpha",
              "trainingFocalGamma", "trainingClassWeights", "trainingSeed"}) {
            auto *widget = panel.findChild<QWidget *>(QLatin1String(name));
            QVERIFY2(widget, name);
            QVERIFY2(widget->toolTip().size() > 40, name);
        }
        auto *stages = panel.findChild<QTableWidget *>(QStringLiteral("trainingStages"));
        for (int column = 0; column < stages->columnCount(); ++column)
            QVERIFY2(stages->horizontalHeaderItem(column)->toolTip().size() > 20,
                     qPrintable(stages->horizontalHeaderItem(column)->text()));
    }

    void startWithoutDataExplainsWhy()
    {
        medseg::ui::Document document;
        QVERIFY(!document.training()->start());
        QVERIFY(!document.training()->errorString().isEmpty());
        QVERIFY(!document.training()->useProjectLabels()); // no series open
        QVERIFY(document.training()->errorString().contains(QStringLiteral("series")));
    }

private:
    static QJsonObject readJson(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object();
    }
    // The run's time at its metrics file's last record.
    static double lastElapsedSeconds(const QString &run)
    {
        QFile file(QDir(run).filePath(QStringLiteral("metrics.jsonl")));
        double last = -1;
        if (file.open(QIODevice::ReadOnly))
            for (const QByteArray &line : file.readAll().split('\n'))
                if (const QJsonObject record = QJsonDocument::fromJson(line).object();
                    record.contains(QStringLiteral("elapsed_seconds")))
                    last = record[QStringLiteral("elapsed_seconds")].toDouble();
        return last;
    }
    static void writeFile(const QString &path, const QByteArray &bytes)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }
    // Answers the next question box of `panel` with `button`.
    static void answer(QWidget *panel, QMessageBox::StandardButton button)
    {
        QTimer::singleShot(0, panel, [panel, button] {
            for (QMessageBox *box : panel->findChildren<QMessageBox *>())
                if (box->isVisible())
                    box->button(button)->click();
        });
    }
};

QTEST_MAIN(TrainingPanelTest)
#include "tst_TrainingPanel.moc"
