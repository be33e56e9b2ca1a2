#include "ui/session/DicomBrowserModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using medseg::core::DicomIndex;
using medseg::core::DicomInstance;
using medseg::core::DicomPatient;
using medseg::core::DicomSeries;
using medseg::core::DicomStudy;
using medseg::ui::DicomBrowserModel;

namespace {

DicomSeries makeSeries(const std::string &uid, int number, const std::string &modality,
                       int instances, int framesEach = 1)
{
    DicomSeries series;
    series.seriesInstanceUid = uid;
    series.seriesNumber = number;
    series.modality = modality;
    series.description = "Series " + uid;
    for (int i = 0; i < instances; ++i) {
        DicomInstance instance;
        instance.path = "/data/" + uid + "/" + std::to_string(i) + ".dcm";
        instance.frames = framesEach;
        instance.rows = 256;
        instance.columns = 320;
        series.instances.push_back(instance);
    }
    return series;
}

DicomIndex makeIndex(const std::string &patientId, const std::string &name,
                     std::vector<DicomSeries> series, const std::string &studyUid = "1.2.3")
{
    DicomStudy study;
    study.studyInstanceUid = studyUid;
    study.date = "20240131";
    study.description = "CT ABDOMEN";
    study.series = std::move(series);
    DicomPatient patient;
    patient.patientId = patientId;
    patient.name = name;
    patient.studies.push_back(std::move(study));
    DicomIndex index;
    index.patients.push_back(std::move(patient));
    return index;
}

} // namespace

class tst_DicomBrowserModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesTheItemModelTester()
    {
        DicomBrowserModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::vector<DicomIndex> indexes;
        indexes.push_back(makeIndex(
            "P1", "DOE^JANE", {makeSeries("1.1", 1, "CT", 40), makeSeries("1.2", 2, "CT", 3)}));
        indexes.push_back(
            makeIndex("P2", "ROE^RICHARD^A", {makeSeries("2.1", 5, "MR", 1, 16)}, "9.9"));
        model.setIndexes(indexes);
        model.setThumbnail(QStringLiteral("1.1"), QImage(8, 8, QImage::Format_Grayscale8));
        model.setIndexes({});
        model.setIndexes(indexes);
        QCOMPARE(model.seriesCount(), 3);
    }

    void showsPatientStudySeriesWithCounts()
    {
        DicomBrowserModel model;
        model.setIndexes(
            {makeIndex("P1", "DOE^JANE",
                       {makeSeries("1.1", 1, "CT", 40), makeSeries("1.2", 2, "SEG", 1, 3)})});
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex patient = model.index(0, 0);
        QCOMPARE(patient.data().toString(), QStringLiteral("DOE, JANE (P1)"));
        QCOMPARE(model.index(0, DicomBrowserModel::ImagesColumn).data().toInt(), 43);
        QCOMPARE(model.index(0, DicomBrowserModel::ModalityColumn).data().toString(),
                 QStringLiteral("CT/SEG"));

        const QModelIndex study = model.index(0, 0, patient);
        QCOMPARE(study.data().toString(), QStringLiteral("2024-01-31  CT ABDOMEN"));
        QCOMPARE(model.rowCount(study), 2);

        const QModelIndex series = model.index(0, 0, study);
        QCOMPARE(series.data().toString(), QStringLiteral("1: Series 1.1"));
        QCOMPARE(series.data(DicomBrowserModel::SeriesUidRole).toString(), QStringLiteral("1.1"));
        QCOMPARE(series.siblingAtColumn(DicomBrowserModel::SizeColumn).data().toString(),
                 QStringLiteral("320×256"));
        QCOMPARE(series.siblingAtColumn(DicomBrowserModel::ImagesColumn).data().toInt(), 40);
        QCOMPARE(series.data(DicomBrowserModel::ThumbnailPathRole).toString(),
                 QStringLiteral("/data/1.1/20.dcm"));
        QVERIFY(model.series(series));
        QCOMPARE(model.series(series)->seriesInstanceUid, std::string("1.1"));
        QVERIFY(!model.series(study));
    }

    void samePatientFromTwoSourcesIsShownOnce()
    {
        DicomBrowserModel model;
        model.setIndexes({makeIndex("P1", "DOE^JANE", {makeSeries("1.1", 1, "CT", 2)}, "1.2.3"),
                          makeIndex("P1", "DOE^JANE", {makeSeries("1.9", 2, "CT", 2)}, "1.2.3"),
                          makeIndex("P1", "DOE^JANE", {makeSeries("7.1", 1, "MR", 2)}, "7.7")});
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex patient = model.index(0, 0);
        QCOMPARE(model.rowCount(patient), 2); // the shared study merged, the other apart
        QCOMPARE(model.rowCount(model.index(0, 0, patient)), 2);
        QCOMPARE(model.indexOfSeries(QStringLiteral("1.9")).parent(), model.index(0, 0, patient));
    }

    void thumbnailUpdatesItsRow()
    {
        DicomBrowserModel model;
        model.setIndexes({makeIndex("P1", "DOE^JANE", {makeSeries("1.1", 1, "CT", 2)})});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QImage thumbnail(16, 12, QImage::Format_Grayscale8);
        thumbnail.fill(128);
        model.setThumbnail(QStringLiteral("1.1"), thumbnail);
        QCOMPARE(changed.count(), 1);
        const QModelIndex series = model.indexOfSeries(QStringLiteral("1.1"));
        QCOMPARE(changed.first().at(0).toModelIndex(), series);
        QCOMPARE(series.data(Qt::DecorationRole).value<QImage>().size(), QSize(16, 12));
    }
};

QTEST_GUILESS_MAIN(tst_DicomBrowserModel)
#include "tst_DicomBrowserModel.moc"
