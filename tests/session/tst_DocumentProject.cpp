#include "core/dataset/NiftiIo.h"
#include "core/dicom/DemoStudy.h"
#include "core/dicom/DicomSegReader.h"
#include "core/labels/LabelDescriptions.h"
#include "core/labels/LabelMap.h"
#include "core/workspace/Workspace.h"
#include "ui/session/DicomBrowserController.h"
#include "ui/session/DicomBrowserModel.h"
#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingSession.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QUnhandledException>
#include <QtTest>

#include <algorithm>
#include <set>

using namespace medseg;
using ui::Document;
using ui::SliceOrientation;

namespace {

std::shared_ptr<core::Volume> makeVolume()
{
    auto volume = std::make_shared<core::Volume>(40, 30, 6);
    core::ImageGeometry geometry;
    geometry.spacing = {0.8, 0.8, 2.5};
    geometry.origin = {-100.0, -50.0, 20.0};
    volume->setGeometry(geometry);
    return volume;
}

void showVolume(Document &document, std::shared_ptr<core::Volume> volume)
{
    document.series()->setVolume(std::move(volume), core::SeriesLayout{});
}

void paint(Document &document, int label, const core::Vec3 &from, const core::Vec3 &to)
{
    ui::LabelSession *labels = document.labels();
    labels->setActiveLabel(label);
    labels->setTool(ui::LabelTool::Brush);
    labels->setBrushRadius(2);
    QVERIFY(labels->beginStroke(SliceOrientation::Axial, from));
    labels->continueStroke(to);
    labels->endStroke();
}

} // namespace

// Document's project folder, autosave/recovery and label files.
class tst_DocumentProject : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("medseg-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_DocumentProject"));
    }

    void saveThenOpenGivesIdenticalLabelsAndTable()
    {
        QTemporaryDir dir;
        const auto volume = makeVolume();
        std::vector<core::LabelValue> saved;
        QString folder;
        {
            Document document;
            document.setAutosaveInterval(0);
            showVolume(document, volume);
            paint(document, 1, {5, 5, 1}, {30, 20, 1});
            paint(document, 3, {10, 25, 4}, {35, 5, 4});
            document.labels()->renameLabel(3, QStringLiteral("Spleen"));
            document.labels()->setLabelLocked(3, true);
            QVERIFY(document.isModified());
            QSignalSpy pathChanged(&document, &Document::projectPathChanged);
            QString error;
            QVERIFY2(document.saveProjectAs(dir.filePath(QStringLiteral("study")), &error),
                     qPrintable(error));
            QVERIFY(!document.isModified());
            QCOMPARE(pathChanged.count(), 1);
            folder = document.projectPath();
            QVERIFY(folder.endsWith(QStringLiteral("study.medseg")));
            QVERIFY(QFile::exists(folder + QStringLiteral("/project.json")));
            saved = document.labels()->labelMap()->toDense();
            // Save again after a change: same folder, clean again.
            paint(document, 2, {1, 1, 0}, {3, 3, 0});
            QVERIFY(document.isModified());
            QVERIFY2(document.saveProject(&error), qPrintable(error));
            QVERIFY(!document.isModified());
            saved = document.labels()->labelMap()->toDense();
        }
        Document reopened;
        reopened.setAutosaveInterval(0);
        QString error;
        QVERIFY2(reopened.openProject(folder, &error), qPrintable(error));
        QVERIFY(!reopened.isModified());
        QCOMPARE(reopened.projectPath(), folder);
        const core::LabelDescription *spleen = reopened.labels()->table().find(3);
        QVERIFY(spleen);
        QCOMPARE(QString::fromStdString(spleen->name), QStringLiteral("Spleen"));
        QVERIFY(spleen->locked);
        showVolume(reopened, volume);
        QVERIFY(reopened.labels()->labelMap()->toDense() == saved);
        QVERIFY(!reopened.isModified());
    }

    void autosaveWritesARecoveryThatANewDocumentFinds()
    {
        QTemporaryDir root;
        const auto volume = makeVolume();
        auto crashed = std::make_unique<Document>();
        crashed->setAutosaveInterval(0);
        crashed->setRecoveryRoot(root.path());
        showVolume(*crashed, volume);
        paint(*crashed, 2, {3, 3, 2}, {25, 25, 2});
        QString error;
        QVERIFY2(crashed->autosave(&error), qPrintable(error));
        const auto painted = crashed->labels()->labelMap()->toDense();

        // The first document is still "running" (as after a crash: nobody cleaned up).
        Document next;
        next.setAutosaveInterval(0);
        next.setRecoveryRoot(root.path());
        const QString found = next.findRecovery();
        QVERIFY(!found.isEmpty());
        QVERIFY(found.startsWith(root.path()));
        QVERIFY2(next.recover(found, &error), qPrintable(error));
        QVERIFY(next.isModified());
        QVERIFY(next.projectPath().isEmpty()); // untitled stays untitled
        showVolume(next, volume);
        QVERIFY(next.labels()->labelMap()->toDense() == painted);

        next.discardRecovery(found);
        QVERIFY(!QFile::exists(found));
        QVERIFY(next.findRecovery().isEmpty());
    }

    void autosaveTimerWritesWhenModified()
    {
        QTemporaryDir root;
        Document document;
        document.setRecoveryRoot(root.path());
        document.setAutosaveInterval(50);
        QCOMPARE(document.autosaveInterval(), 50);
        showVolume(document, makeVolume());
        paint(document, 1, {5, 5, 0}, {6, 6, 0});
        QTRY_VERIFY_WITH_TIMEOUT(
            !document.findRecovery().isEmpty() ||
                !QDir(root.path()).entryList({QStringLiteral("*.medseg")}, QDir::Dirs).isEmpty(),
            5000);
    }

    // The timer's autosave writes on a worker: the document goes on while it writes, the files
    // hold the labels as they were when it started, and a failed write (recovery/ blocked) is
    // reported and retried by the next one.
    void timerAutosaveWritesInTheBackgroundAndRetriesAfterAFailure()
    {
        QTemporaryDir root;
        Document document;
        document.setRecoveryRoot(root.path());
        QSignalSpy finished(&document, &Document::autosaveFinished);
        showVolume(document, makeVolume());
        paint(document, 2, {5, 5, 1}, {12, 9, 1});
        const auto painted = document.labels()->labelMap()->toDense();
        document.setAutosaveInterval(20);
        QTRY_VERIFY_WITH_TIMEOUT(document.isAutosaveRunning() || finished.count() > 0, 5000);
        // An edit while it writes belongs to the next autosave, not to this one.
        paint(document, 3, {20, 20, 4}, {22, 22, 4});
        const auto edited = document.labels()->labelMap()->toDense();
        QVERIFY(finished.count() > 0 || finished.wait(5000));
        document.setAutosaveInterval(0);
        QTRY_VERIFY(!document.isAutosaveRunning()); // a second tick may have started one
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));

        const QStringList untitled =
            QDir(root.path()).entryList({QStringLiteral("untitled-*")}, QDir::Dirs);
        QCOMPARE(untitled.size(), 1);
        QDir recovery(QDir(root.path()).filePath(untitled.first() + "/recovery"));
        const QStringList volumes = recovery.entryList({QStringLiteral("*.nii.gz")}, QDir::Files);
        QCOMPARE(volumes.size(), 1);
        const QString volumePath = recovery.filePath(volumes.first());
        const auto first = core::NiftiIo::readLabelVolume(volumePath.toStdString());
        QVERIFY(first.labels == painted || first.labels == edited);

        // Block recovery/: the next autosave fails and says so.
        QVERIFY(recovery.removeRecursively());
        QFile blocker(recovery.path());
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        finished.clear();
        document.setAutosaveInterval(20);
        QVERIFY(finished.wait(5000));
        document.setAutosaveInterval(0);
        QTRY_VERIFY(!document.isAutosaveRunning());
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(!finished.first().at(1).toString().isEmpty());

        // Unblocked, the next one writes the series again with every edit.
        QVERIFY(QFile::remove(recovery.path()));
        finished.clear();
        document.setAutosaveInterval(20);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() && finished.last().at(0).toBool(), 5000);
        document.setAutosaveInterval(0);
        QTRY_VERIFY(!document.isAutosaveRunning());
        const auto second = core::NiftiIo::readLabelVolume(volumePath.toStdString());
        QVERIFY(second.labels == edited);
    }

    void labelVolumeExportImportRoundTrips()
    {
        QTemporaryDir dir;
        const auto volume = makeVolume();
        Document document;
        document.setAutosaveInterval(0);
        showVolume(document, volume);
        paint(document, 4, {2, 2, 3}, {20, 10, 3});
        const auto painted = document.labels()->labelMap()->toDense();
        const QString path = dir.filePath(QStringLiteral("labels.nii.gz"));
        QString error;
        QVERIFY2(document.exportLabelVolume(path, &error), qPrintable(error));
        const auto file = core::NiftiIo::readLabelVolume(path.toStdString());
        QCOMPARE(file.width, 40);
        QVERIFY(file.labels == painted);

        document.undoStack()->undo();
        QVERIFY(document.labels()->labelMap()->allocatedTileCount() == 0);
        QVERIFY2(document.importLabelVolume(path, &error), qPrintable(error));
        QVERIFY(document.labels()->labelMap()->toDense() == painted);
        document.undoStack()->undo();
        QVERIFY(document.labels()->labelMap()->allocatedTileCount() == 0);
    }

    // Labels made in another tool come with its label names (ITK-SNAP's labels.txt): they are
    // mapped onto the project's labels by name, names the project lacks are added, and the
    // whole import is one undo step.
    void importedLabelsAreMappedByName()
    {
        QTemporaryDir dir;
        const auto volume = makeVolume();
        Document document;
        document.setAutosaveInterval(0);
        showVolume(document, volume);
        core::LabelDescriptions project = document.labels()->table();
        core::LabelDescription liver = *project.find(1);
        liver.name = "Liver";
        project.set(liver);
        core::LabelDescription spleen = *project.find(2);
        spleen.name = "spleen";
        project.set(spleen);
        document.labels()->replaceTable(project, QStringLiteral("names"));
        const int before = document.undoStack()->count();

        // The file: 1 = spleen, 2 = liver, 3 = kidney (new), 4 = unnamed.
        std::vector<std::uint16_t> values(std::size_t(volume->voxelCount()), 0);
        values[0] = 1;
        values[1] = 2;
        values[2] = 3;
        values[3] = 4;
        const QString path = dir.filePath(QStringLiteral("other.nii.gz"));
        core::NiftiIo::writeLabelVolume(path.toStdString(), values.data(), volume->width(),
                                        volume->height(), volume->depth(), volume->geometry());
        core::LabelDescriptions described = core::LabelDescriptions::defaults();
        for (auto [index, name] :
             {std::pair<int, const char *>{1, "spleen"}, {2, " LIVER "}, {3, "kidney"}}) {
            core::LabelDescription row = *described.find(index);
            row.name = name;
            described.set(row);
        }
        described.saveItkSnap(dir.filePath(QStringLiteral("labels.txt")).toStdString());

        QString error;
        QStringList notes;
        QVERIFY2(document.importLabelVolume(path, &error, &notes), qPrintable(error));
        const auto dense = document.labels()->labelMap()->toDense();
        QCOMPARE(int(dense[0]), 2); // spleen
        QCOMPARE(int(dense[1]), 1); // liver
        QCOMPARE(document.labels()->table().find(int(dense[2]))->name, std::string("kidney"));
        QCOMPARE(int(dense[3]), 4); // no name: its number
        QVERIFY2(notes.join(QLatin1Char(' '))
                     .contains(QStringLiteral("'spleen' is label 1 in the file and 2")),
                 qPrintable(notes.join(QLatin1Char('\n'))));
        QCOMPARE(document.undoStack()->count(), before + 1);
        document.undoStack()->undo();
        QVERIFY(document.labels()->table().find(3)->name != "kidney");
        QVERIFY(document.labels()->labelMap()->allocatedTileCount() == 0);
    }

    void importRefusesAnotherGrid()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.nii.gz"));
        std::vector<std::uint16_t> values(20 * 30 * 6, 1);
        core::NiftiIo::writeLabelVolume(path.toStdString(), values.data(), 20, 30, 6,
                                        makeVolume()->geometry());
        Document document;
        document.setAutosaveInterval(0);
        showVolume(document, makeVolume());
        QString error;
        QVERIFY(!document.importLabelVolume(path, &error));
        QVERIFY2(error.contains(QStringLiteral("other.nii.gz")), qPrintable(error));
        QCOMPARE(document.undoStack()->count(), 0);
    }

    void dicomSeriesLabelsAreKeyedByUidAndExportAsDicomSeg()
    {
        QTemporaryDir dir;
        core::DemoStudyOptions options;
        options.patients = 1;
        options.slices = 6;
        options.size = 64;
        const auto patients = core::DemoStudy::write(dir.path().toStdString(), options);
        Document document;
        document.setAutosaveInterval(0);
        const QString project = dir.filePath(QStringLiteral("study.medseg"));
        QString saveError;
        QVERIFY2(document.saveProjectAs(project, &saveError), qPrintable(saveError));
        QSignalSpy indexed(document.dicomBrowser(), &ui::DicomBrowserController::idle);
        QVERIFY(document.addSource(QString::fromStdString(patients[0].folder)));
        QVERIFY(indexed.wait(20000));
        // The project keeps the source's index in its own cache.
        QCOMPARE(QDir(project + QStringLiteral("/cache/dicom-index"))
                     .entryList({QStringLiteral("*.json")}, QDir::Files)
                     .size(),
                 1);
        const core::DicomSeries *series =
            document.dicomBrowser()->model()->indexes().front().findSeries(
                patients[0].seriesInstanceUid);
        QVERIFY(series);
        QSignalSpy loaded(document.series(), &ui::SeriesSession::loadingFinished);
        document.series()->loadSeries(*series);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(document.labels()->currentSeriesKey(),
                 QString::fromStdString(patients[0].seriesInstanceUid));
        paint(document, 2, {10, 10, 3}, {40, 30, 3});
        const auto painted = document.labels()->labelMap()->toDense();

        const QString path = dir.filePath(QStringLiteral("seg.dcm"));
        QString error;
        QVERIFY2(document.exportDicomSeg(path, &error), qPrintable(error));
        const auto volume = document.series()->volume();
        const core::DicomSegContent content =
            core::DicomSegReader::read(path.toStdString(), volume->width(), volume->height(),
                                       volume->depth(), volume->geometry());
        QCOMPARE(content.referencedSeriesInstanceUid, patients[0].seriesInstanceUid);
        QVERIFY(content.labels == painted);
    }

    void imageFileVolumesAreSeriesWithLabelsOfTheirOwn()
    {
        // nibabel's oblique 4D NIfTI: each volume is a series; labels painted on volume 2 stay
        // with volume 2 through save and reopen, on the file's exact grid.
        const QString image =
            QStringLiteral("/usr/lib/python3/dist-packages/nibabel/tests/data/example4d.nii.gz");
        QVERIFY2(QFileInfo::exists(image), "python3-nibabel's test data is missing");
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("nifti.medseg"));
        std::vector<std::uint16_t> painted;
        QString secondUid;
        {
            Document document;
            document.setAutosaveInterval(0);
            QString error;
            QVERIFY2(document.saveProjectAs(project, &error), qPrintable(error));
            QSignalSpy indexed(document.dicomBrowser(), &ui::DicomBrowserController::idle);
            QVERIFY(document.openSource(image));
            QVERIFY(indexed.wait(20000));
            const core::DicomIndex &index = document.dicomBrowser()->model()->indexes().front();
            QCOMPARE(index.seriesCount(), 2);
            const core::DicomSeries &second = index.patients.front().studies.front().series[1];
            QCOMPARE(second.volumeIndex, 1);
            secondUid = QString::fromStdString(second.seriesInstanceUid);
            QSignalSpy loaded(document.series(), &ui::SeriesSession::loadingFinished);
            document.series()->loadSeries(second);
            QVERIFY(loaded.wait(20000));
            QCOMPARE(document.series()->volume()->width(), 128);
            QCOMPARE(document.series()->layout().modality, std::string("MR"));
            QCOMPARE(document.labels()->currentSeriesKey(), secondUid);
            paint(document, 2, {20, 20, 5}, {60, 40, 5});
            painted = document.labels()->labelMap()->toDense();
            QVERIFY(std::count(painted.begin(), painted.end(), 2) > 100);
            QVERIFY2(document.saveProject(&error), qPrintable(error));
        }
        Document reopened;
        reopened.setAutosaveInterval(0);
        QString error;
        QSignalSpy indexed(reopened.dicomBrowser(), &ui::DicomBrowserController::idle);
        QVERIFY2(reopened.openProject(project, &error), qPrintable(error));
        QVERIFY(indexed.wait(20000));
        const core::DicomIndex &index = reopened.dicomBrowser()->model()->indexes().front();
        const core::DicomSeries *first = &index.patients.front().studies.front().series[0];
        const core::DicomSeries *second = index.findSeries(secondUid.toStdString());
        QVERIFY(second);
        QSignalSpy loaded(reopened.series(), &ui::SeriesSession::loadingFinished);
        reopened.series()->loadSeries(*first);
        QVERIFY(loaded.wait(20000));
        const auto firstLabels = reopened.labels()->labelMap()->toDense();
        QCOMPARE(std::count(firstLabels.begin(), firstLabels.end(), 2), 0L);
        reopened.series()->loadSeries(*second);
        QVERIFY(loaded.wait(20000));
        QVERIFY(reopened.labels()->labelMap()->toDense() == painted);
        // The saved label file lies on the image's grid, as nibabel reads it.
        const core::NiftiIo::LabelVolume saved = core::NiftiIo::readLabelVolume(
            QDir(project)
                .filePath(
                    QStringLiteral("labels/") +
                    QString::fromStdString(core::Workspace::seriesKey(secondUid.toStdString())) +
                    QStringLiteral(".nii.gz"))
                .toStdString());
        QVERIFY(saved.geometry.isClose(reopened.series()->volume()->geometry(), 1e-4));
    }

    void importedDatasetOpensWithItsLabels()
    {
        // A one-case nnU-Net dataset through Document::importDataset, then opened: the case's
        // labels are on its image, the table carries the dataset's names.
        QTemporaryDir dir;
        QDir root(dir.path());
        QVERIFY(root.mkpath(QStringLiteral("Dataset007_Tiny/imagesTr")));
        QVERIFY(root.mkpath(QStringLiteral("Dataset007_Tiny/labelsTr")));
        const QString dataset = root.filePath(QStringLiteral("Dataset007_Tiny"));
        core::Volume image(16, 12, 5);
        image.setGeometry(makeVolume()->geometry());
        for (std::size_t n = 0; n < image.voxelCount(); ++n)
            image.data()[n] = float(n % 300);
        core::NiftiIo::writeImage(
            QDir(dataset).filePath(QStringLiteral("imagesTr/tiny_0000.nii.gz")).toStdString(),
            image);
        std::vector<std::uint16_t> labels(16 * 12 * 5, 0);
        std::fill(labels.begin() + 200, labels.begin() + 400, 1);
        core::NiftiIo::writeLabelVolume(
            QDir(dataset).filePath(QStringLiteral("labelsTr/tiny.nii.gz")).toStdString(),
            labels.data(), 16, 12, 5, image.geometry());
        QFile json(QDir(dataset).filePath(QStringLiteral("dataset.json")));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(R"({"channel_names": {"0": "MR"}, "labels": {"background": 0, "lesion": 1},
                      "numTraining": 1, "file_ending": ".nii.gz"})");
        json.close();

        QFuture<QString> future =
            Document::importDataset(dataset, dir.filePath(QStringLiteral("tiny")));
        future.waitForFinished();
        const QString project = future.result();
        QCOMPARE(project, dir.filePath(QStringLiteral("tiny.medseg")));
        Document document;
        document.setAutosaveInterval(0);
        QSignalSpy indexed(document.dicomBrowser(), &ui::DicomBrowserController::idle);
        QString error;
        QVERIFY2(document.openProject(project, &error), qPrintable(error));
        QVERIFY(indexed.wait(20000));
        QCOMPARE(document.labels()->table().find(1)->name, std::string("lesion"));
        const core::DicomIndex &index = document.dicomBrowser()->model()->indexes().front();
        QSignalSpy loaded(document.series(), &ui::SeriesSession::loadingFinished);
        document.series()->loadSeries(index.patients.front().studies.front().series.front());
        QVERIFY(loaded.wait(20000));
        QVERIFY(document.labels()->labelMap()->toDense() == labels);

        // A dataset that lies about its cases: the future says so, naming the file.
        QVERIFY(json.open(QIODevice::WriteOnly | QIODevice::Truncate));
        json.write(R"({"channel_names": {"0": "MR"}, "labels": {"background": 0, "lesion": 1},
                      "numTraining": 2, "file_ending": ".nii.gz"})");
        json.close();
        future = Document::importDataset(dataset, dir.filePath(QStringLiteral("lying")));
        QString message;
        try {
            future.waitForFinished();
        } catch (const QUnhandledException &wrapped) {
            try {
                std::rethrow_exception(wrapped.exception());
            } catch (const std::exception &inner) {
                message = QString::fromStdString(inner.what());
            }
        }
        QVERIFY2(message.contains(QStringLiteral("numTraining 2")), qPrintable(message));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("lying.medseg"))));
    }

    void projectLabelsTrainOnEveryVolumeSplitByPatient()
    {
        // Three imported cases (three patients), one of them on screen with an unsaved edit:
        // "Use this project's labels" takes all three volumes, the edit included, and keeps
        // each case on one side of the split.
        QTemporaryDir dir;
        QDir root(dir.path());
        QVERIFY(root.mkpath(QStringLiteral("Dataset008_Three/imagesTr")));
        QVERIFY(root.mkpath(QStringLiteral("Dataset008_Three/labelsTr")));
        const QString dataset = root.filePath(QStringLiteral("Dataset008_Three"));
        for (int n = 0; n < 3; ++n) {
            core::Volume image(16, 12, 5);
            image.setGeometry(makeVolume()->geometry());
            for (std::size_t v = 0; v < image.voxelCount(); ++v)
                image.data()[v] = float((v * (n + 3)) % 300);
            const QString name = QStringLiteral("three_%1").arg(n);
            core::NiftiIo::writeImage(
                QDir(dataset)
                    .filePath(QStringLiteral("imagesTr/%1_0000.nii.gz").arg(name))
                    .toStdString(),
                image);
            std::vector<std::uint16_t> labels(16 * 12 * 5, 0);
            std::fill(labels.begin() + 200, labels.begin() + 600, 1); // slices 1..3
            core::NiftiIo::writeLabelVolume(
                QDir(dataset)
                    .filePath(QStringLiteral("labelsTr/%1.nii.gz").arg(name))
                    .toStdString(),
                labels.data(), 16, 12, 5, image.geometry());
        }
        QFile json(QDir(dataset).filePath(QStringLiteral("dataset.json")));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(R"({"channel_names": {"0": "MR"}, "labels": {"background": 0, "organ": 1},
                      "numTraining": 3, "file_ending": ".nii.gz"})");
        json.close();
        QFuture<QString> future =
            Document::importDataset(dataset, dir.filePath(QStringLiteral("three")));
        future.waitForFinished();
        Document document;
        document.setAutosaveInterval(0);
        QSignalSpy indexed(document.dicomBrowser(), &ui::DicomBrowserController::idle);
        QString error;
        QVERIFY2(document.openProject(future.result(), &error), qPrintable(error));
        QVERIFY(indexed.wait(20000));
        QSignalSpy loaded(document.series(), &ui::SeriesSession::loadingFinished);
        document.series()->loadSeries(document.dicomBrowser()
                                          ->model()
                                          ->indexes()
                                          .front()
                                          .patients.front()
                                          .studies.front()
                                          .series.front());
        QVERIFY(loaded.wait(20000));
        paint(document, 1, {2, 2, 4}, {10, 2, 4}); // slice 4 becomes labeled too (unsaved)

        document.training()->setValidationFraction(0.2); // one of three patients validates
        QVERIFY2(document.training()->useProjectLabels(),
                 qPrintable(document.training()->errorString()));
        // The volumes are read on a worker thread; the window stays responsive meanwhile.
        QTRY_VERIFY_WITH_TIMEOUT(!document.training()->isLoadingData(), 30000);
        QCoreApplication::processEvents();
        const auto data = document.training()->trainingData();
        QCOMPARE(int(data->train.size() + data->val.size()), 3 + 3 + 4);
        std::set<std::string> trainCases, valCases;
        for (const auto &sample : data->train)
            trainCases.insert(sample.name.substr(0, sample.name.find("-slice-")));
        for (const auto &sample : data->val)
            valCases.insert(sample.name.substr(0, sample.name.find("-slice-")));
        QCOMPARE(int(valCases.size()), 1);
        QCOMPARE(int(trainCases.size()), 2);
        for (const std::string &c : valCases)
            QVERIFY(!trainCases.count(c));
        QCOMPARE(data->classes.at(1).name, std::string("organ"));

        // Half the patients validate: two of three cases (at least one trains).
        document.training()->setValidationFraction(0.5);
        QVERIFY(document.training()->useProjectLabels());
        QTRY_VERIFY_WITH_TIMEOUT(!document.training()->isLoadingData(), 30000);
        QCoreApplication::processEvents();
        std::set<std::string> halfVal;
        for (const auto &sample : document.training()->trainingData()->val)
            halfVal.insert(sample.name.substr(0, sample.name.find("-slice-")));
        QCOMPARE(int(halfVal.size()), 2);
        document.training()->setValidationFraction(0.2);
    }

    void imageModalityIsTheUsersWordAndIsKept()
    {
        // nibabel's big-endian MR judged as MR; the user says CT: the series shows again as CT
        // (window presets), keeps its labels, and the project remembers the choice.
        const QString image =
            QStringLiteral("/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii");
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("modality.medseg"));
        std::vector<std::uint16_t> painted;
        {
            Document document;
            document.setAutosaveInterval(0);
            QString error; // untitled until the end: the choice must survive Save As
            QSignalSpy indexed(document.dicomBrowser(), &ui::DicomBrowserController::idle);
            QVERIFY(document.openSource(image));
            QVERIFY(indexed.wait(20000));
            QSignalSpy loaded(document.series(), &ui::SeriesSession::loadingFinished);
            document.loadSeries(document.dicomBrowser()
                                    ->model()
                                    ->indexes()
                                    .front()
                                    .patients.front()
                                    .studies.front()
                                    .series.front());
            QVERIFY(loaded.wait(20000));
            QCOMPARE(document.series()->layout().modality, std::string("MR"));
            QVERIFY(document.showsImageFile());
            paint(document, 1, {5, 5, 12}, {20, 20, 12});
            painted = document.labels()->labelMap()->toDense();
            QVERIFY(document.setImageModality(QStringLiteral("CT"), &error));
            QVERIFY(loaded.wait(20000));
            QCOMPARE(document.series()->layout().modality, std::string("CT"));
            QCOMPARE(document.imageModality(), QStringLiteral("CT"));
            QVERIFY(document.series()->availableWindows().size() > 5); // the CT presets
            QVERIFY(document.labels()->labelMap()->toDense() == painted);
            QVERIFY(document.isModified());
            QVERIFY2(document.saveProjectAs(project, &error), qPrintable(error));
        }
        Document reopened;
        reopened.setAutosaveInterval(0);
        QString error;
        QSignalSpy indexed(reopened.dicomBrowser(), &ui::DicomBrowserController::idle);
        QVERIFY2(reopened.openProject(project, &error), qPrintable(error));
        QVERIFY(indexed.wait(20000));
        QSignalSpy loaded(reopened.series(), &ui::SeriesSession::loadingFinished);
        reopened.loadSeries(reopened.dicomBrowser()
                                ->model()
                                ->indexes()
                                .front()
                                .patients.front()
                                .studies.front()
                                .series.front());
        QVERIFY(loaded.wait(20000));
        QCOMPARE(reopened.series()->layout().modality, std::string("CT"));
        QVERIFY(reopened.labels()->labelMap()->toDense() == painted);
        // Back to judging from the values.
        QVERIFY(reopened.setImageModality(QString(), &error));
        QVERIFY(loaded.wait(20000));
        QCOMPARE(reopened.series()->layout().modality, std::string("MR"));
    }

    void labelDescriptionsRoundTripThroughItkSnapFiles()
    {
        QTemporaryDir dir;
        Document document;
        document.setAutosaveInterval(0);
        document.labels()->renameLabel(2, QStringLiteral("Left kidney"));
        document.labels()->setLabelColour(2, {10, 20, 30});
        const QString path = dir.filePath(QStringLiteral("labels.txt"));
        QString error;
        QVERIFY2(document.exportLabelDescriptions(path, &error), qPrintable(error));
        const core::LabelDescriptions exported = document.labels()->table();

        Document other;
        other.setAutosaveInterval(0);
        QVERIFY2(other.importLabelDescriptions(path, &error), qPrintable(error));
        QVERIFY(other.labels()->table() == exported);
        QCOMPARE(other.undoStack()->count(), 1);
    }
};

QTEST_MAIN(tst_DocumentProject)
#include "tst_DocumentProject.moc"
