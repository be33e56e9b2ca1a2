// Human in the loop: "Predict this slice" with a model file puts a prediction beside the labels;
// accepting it is one undoable command that fills unlabeled voxels (or replaces), and the slice
// status follows (predicted -> reviewed).

#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/PredictionSession.h"
#include "ui/session/SeriesSession.h"

#include "../train/TinyModel.h"

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
