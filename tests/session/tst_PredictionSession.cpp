// Human in the loop: "Predict this slice" with a model file puts a prediction beside the labels;
// accepting it is one undoable command that fills unlabeled voxels (or replaces), and the slice
// status follows (predicted -> reviewed).

#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/PredictionSession.h"
#include "ui/session/SeriesSession.h"

#include "ui/session/TrainingController.h"
#include "ui/session/TrainingSession.h"

#include "../train/SyntheticTrainingData.h"
#include "../train/TinyModel.h"

#include <QDir>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using medseg::ui::PredictionSession;

class PredictionSessionTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // A model that answers "class 1" everywhere: its classifier's bias decides.
        const auto config = medseg::test::tinyModelConfig(3, 3);
        auto model = medseg::test::tinyModel(config);
        {
            torch::NoGradGuard noGrad;
            model->classifier->bias.zero_();
            model->classifier->bias[1] = 1000.0;
        }
        m_modelPath = m_folder.filePath(QStringLiteral("best.pt"));
        medseg::core::saveModelBundle(m_modelPath.toStdString(), model,
                                      medseg::test::tinyBundle(config));
    }

    void acceptingAPredictionIsOneUndoableCommand()
    {
        medseg::ui::Document document;
        auto volume = std::make_shared<medseg::core::Volume>(40, 32, 5);
        for (std::size_t i = 0; i < volume->voxelCount(); ++i)
            volume->data()[i] = float(i % 97);
        document.series()->setVolume(volume, {});
        QVERIFY(document.labels()->hasLabels());
        PredictionSession *predictions = document.predictions();
        QCOMPARE(predictions->status(2), PredictionSession::SliceStatus::Unlabeled);
        QVERIFY(!predictions->predictSlice(2)); // no model yet

        predictions->setModelPath(m_modelPath);
        QSignalSpy finished(predictions, &PredictionSession::finished);
        QVERIFY(predictions->predictSlice(2));
        QVERIFY(finished.wait(30000));
        QVERIFY(predictions->hasPrediction(2));
        QVERIFY(!predictions->hasPrediction(1));
        QCOMPARE(predictions->predictionMap()->value(7, 9, 2), medseg::core::LabelValue(1));
        QCOMPARE(predictions->status(2), PredictionSession::SliceStatus::Predicted);
        QCOMPARE(predictions->nextToReview(0), 2);

        // A voxel the user labeled already: "fill unlabeled" keeps it.
        document.labels()->sharedLabelMap()->setValue(3, 4, 2, 2);
        QUndoStack *undo = document.undoStack();
        const int commands = undo->count();
        const std::size_t changed =
            predictions->acceptSlice(2, PredictionSession::AcceptMode::FillUnlabeled);
        QCOMPARE(changed, std::size_t(40 * 32 - 1));
        QCOMPARE(undo->count(), commands + 1);
        const medseg::core::LabelMap *labels = document.labels()->labelMap();
        QCOMPARE(labels->value(3, 4, 2), medseg::core::LabelValue(2));
        QCOMPARE(labels->value(0, 0, 2), medseg::core::LabelValue(1));
        QCOMPARE(labels->value(0, 0, 1), medseg::core::LabelValue(0));
        QCOMPARE(predictions->status(2), PredictionSession::SliceStatus::Reviewed);
        QCOMPARE(predictions->nextToReview(0), -1);

        undo->undo();
        QCOMPARE(labels->value(0, 0, 2), medseg::core::LabelValue(0));
        QCOMPARE(labels->value(3, 4, 2), medseg::core::LabelValue(2));
        undo->redo();
        QCOMPARE(labels->value(39, 31, 2), medseg::core::LabelValue(1));

        // Replace overwrites the user's voxel too.
        predictions->acceptSlice(2, PredictionSession::AcceptMode::Replace);
        QCOMPARE(labels->value(3, 4, 2), medseg::core::LabelValue(1));
    }

    void modelClassesMatchLabelsByName()
    {
        medseg::ui::Document document;
        auto volume = std::make_shared<medseg::core::Volume>(20, 16, 2);
        document.series()->setVolume(volume, {});
        // The model's class 1 is "organ 1": in this table that is label 42.
        medseg::core::LabelDescriptions table = document.labels()->table();
        std::vector<medseg::core::LabelDescription> labels = table.labels();
        medseg::core::LabelDescription organ;
        organ.index = 42;
        organ.name = "  Organ 1 ";
        organ.colour = {10, 200, 10};
        labels.push_back(organ);
        document.labels()->setTable(medseg::core::LabelDescriptions(labels));
        PredictionSession *predictions = document.predictions();
        predictions->setModelPath(m_modelPath);
        QSignalSpy finished(predictions, &PredictionSession::finished);
        QVERIFY(predictions->predictSlice(1));
        QVERIFY(finished.wait(30000));
        QCOMPARE(predictions->predictionMap()->value(5, 5, 1), medseg::core::LabelValue(42));
        predictions->acceptSlice(1, PredictionSession::AcceptMode::Replace);
        QCOMPARE(document.labels()->labelMap()->value(19, 15, 1), medseg::core::LabelValue(42));
    }

    void predictingTheSeriesCoversEverySlice()
    {
        medseg::ui::Document document;
        auto volume = std::make_shared<medseg::core::Volume>(24, 24, 3);
        document.series()->setVolume(volume, {});
        PredictionSession *predictions = document.predictions();
        predictions->setModelPath(m_modelPath);
        QSignalSpy finished(predictions, &PredictionSession::finished);
        QVERIFY(predictions->predictSeries());
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().first().toInt(), 3);
        for (int k = 0; k < 3; ++k)
            QCOMPARE(predictions->status(k), PredictionSession::SliceStatus::Predicted);
        const std::size_t changed =
            predictions->acceptAll(PredictionSession::AcceptMode::FillUnlabeled);
        QCOMPARE(changed, std::size_t(24 * 24 * 3));
        QCOMPARE(predictions->status(1), PredictionSession::SliceStatus::Reviewed);
    }

    // Issue 20, defect 7: undo of "accept all" restores the review status with the labels;
    // the predictions say which run they come from and with what validation Dice; another
    // run's predictions replace them instead of mixing with them.
    void acceptAllUndoRestoresTheReviewStatusAndOriginsNeverMix()
    {
        // A second run's model, with validation scores.
        QTemporaryDir runs;
        QVERIFY(QDir(runs.path()).mkpath(QStringLiteral("run-b")));
        const QString other = QDir(runs.path()).filePath(QStringLiteral("run-b/best.pt"));
        {
            const auto config = medseg::test::tinyModelConfig(3, 3);
            auto model = medseg::test::tinyModel(config);
            {
                torch::NoGradGuard noGrad;
                model->classifier->bias.zero_();
                model->classifier->bias[2] = 1000.0;
            }
            medseg::core::ModelBundle bundle = medseg::test::tinyBundle(config);
            bundle.validation = {{0.99, 0.05, 0.01}, 0.03, 0, 1, 20};
            medseg::core::saveModelBundle(other.toStdString(), model, bundle);
        }

        medseg::ui::Document document;
        document.series()->setVolume(std::make_shared<medseg::core::Volume>(24, 24, 3), {});
        PredictionSession *predictions = document.predictions();
        QVERIFY(predictions->origin().isEmpty());
        predictions->setModelPath(m_modelPath);
        QSignalSpy finished(predictions, &PredictionSession::finished);
        QVERIFY(predictions->predictSeries());
        QVERIFY(finished.wait(30000));
        QVERIFY2(predictions->origin().endsWith(QStringLiteral("/best.pt")),
                 qPrintable(predictions->origin()));
        QVERIFY(!predictions->originScores().isValid()); // this bundle was never validated
        QCOMPARE(predictions->unreviewedCount(), 3);

        predictions->markReviewed(0);
        QCOMPARE(predictions->unreviewedCount(), 2);
        QUndoStack *undo = document.undoStack();
        const int before = undo->count();
        QCOMPARE(predictions->acceptAll(PredictionSession::AcceptMode::FillUnlabeled),
                 std::size_t(24 * 24 * 2));
        QCOMPARE(undo->count(), before + 1);
        QCOMPARE(predictions->status(1), PredictionSession::SliceStatus::Reviewed);
        undo->undo();
        QCOMPARE(document.labels()->labelMap()->value(5, 5, 1), medseg::core::LabelValue(0));
        QCOMPARE(predictions->status(0), PredictionSession::SliceStatus::Reviewed); // by hand
        QCOMPARE(predictions->status(1), PredictionSession::SliceStatus::Predicted);
        QCOMPARE(predictions->status(2), PredictionSession::SliceStatus::Predicted);
        QCOMPARE(predictions->unreviewedCount(), 2);
        undo->redo();
        QCOMPARE(predictions->status(2), PredictionSession::SliceStatus::Reviewed);
        QCOMPARE(document.labels()->labelMap()->value(5, 5, 2), medseg::core::LabelValue(1));

        // Another run: its slice replaces every prediction of the first, and says so.
        predictions->setModelPath(other);
        QVERIFY(predictions->predictSlice(1));
        QVERIFY(finished.wait(30000));
        QCOMPARE(predictions->origin(), QStringLiteral("run-b/best.pt"));
        QVERIFY(!predictions->hasPrediction(0));
        QVERIFY(!predictions->hasPrediction(2));
        QCOMPARE(predictions->predictionMap()->value(5, 5, 1), medseg::core::LabelValue(2));
        QCOMPARE(predictions->predictionSource(1), QStringLiteral("run-b/best.pt"));
        const medseg::core::ValidationScores scores = predictions->originScores();
        QVERIFY(scores.isValid());
        QCOMPARE(scores.meanForegroundDice, 0.03);
        QCOMPARE(predictions->originClassNames().value(1), QStringLiteral("organ 1"));
    }

    // Defect 7: the live preview shows a model still learning; when the training ends it goes,
    // rather than staying on screen as if it were a result.
    void livePreviewIsClearedWhenTrainingEnds()
    {
        QTemporaryDir runs;
        medseg::ui::Document document;
        auto volume = std::make_shared<medseg::core::Volume>(32, 32, 2);
        for (std::size_t i = 0; i < volume->voxelCount(); ++i)
            volume->data()[i] = float(i % 200);
        document.series()->setVolume(volume, {});
        medseg::ui::TrainingSession *training = document.training();
        training->setRunsDirectory(runs.path());
        training->setTrainingData(std::make_shared<const medseg::core::TrainingData>(
                                      medseg::test::makeSyntheticData(8, 2, 32)),
                                  QStringLiteral("synthetic"));
        medseg::core::TrainingConfig config = medseg::test::tinyConfig();
        config.model.output_stride = 32;
        config.model.bins = {1, 2};
        for (auto &stage : config.stages) {
            stage.epochs = 2;
            stage.batchSize = 2;
            stage.dataFraction = 1.0;
        }
        training->setConfig(config);
        training->setPreviewInterval(200);
        PredictionSession *predictions = document.predictions();
        QSignalSpy previews(training, &medseg::ui::TrainingSession::previewUpdated);
        QVERIFY2(training->start(), qPrintable(training->errorString()));
        QVERIFY(previews.wait(120000));
        const int slice = previews.first().first().toInt();
        QVERIFY(predictions->hasPrediction(slice));
        QCOMPARE(predictions->origin(), QStringLiteral("live preview of the training"));
        QTRY_VERIFY_WITH_TIMEOUT(
            training->controller()->state() == medseg::ui::TrainingController::State::Idle, 180000);
        QVERIFY(!predictions->hasPrediction(slice));
        QVERIFY(predictions->origin().isEmpty());
    }

    void aBrokenModelFileFailsWithItsName()
    {
        medseg::ui::Document document;
        document.series()->setVolume(std::make_shared<medseg::core::Volume>(8, 8, 2), {});
        const QString broken = m_folder.filePath(QStringLiteral("broken.pt"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a model");
        file.close();
        PredictionSession *predictions = document.predictions();
        predictions->setModelPath(broken);
        QSignalSpy failed(predictions, &PredictionSession::failed);
        QVERIFY(predictions->predictSlice(0));
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("broken")));
        QVERIFY(!predictions->hasPrediction(0));
    }

private:
    QTemporaryDir m_folder;
    QString m_modelPath;
};

QTEST_MAIN(PredictionSessionTest)
#include "tst_PredictionSession.moc"
