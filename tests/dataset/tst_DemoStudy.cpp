// The demo study: written DICOM indexes into N patients with one series each, loads with the
// generated geometry and HU values, is deterministic per seed, and needs more than a threshold
// to tell liver from spleen.

#include "core/dataset/NiftiIo.h"
#include "core/dicom/DemoStudy.h"
#include "core/dicom/DicomIndexer.h"
#include "core/dicom/SeriesLoader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace medseg::core;

namespace {

// HU values of the voxels of class `label` at least 2 voxels inside it (away from the
// partial-volume edge).
std::vector<float> interior(const Volume &ct, const Volume &labels, int label)
{
    std::vector<float> values;
    for (int k = 0; k < ct.depth(); ++k)
        for (int j = 2; j < ct.height() - 2; ++j)
            for (int i = 2; i < ct.width() - 2; ++i) {
                bool inside = true;
                for (int d = -2; d <= 2 && inside; d += 4)
                    inside =
                        labels.value(i + d, j, k) == label && labels.value(i, j + d, k) == label;
                if (inside && labels.value(i, j, k) == label)
                    values.push_back(ct.value(i, j, k));
            }
    return values;
}

double mean(const std::vector<float> &values)
{
    double sum = 0;
    for (float v : values)
        sum += v;
    return values.empty() ? 0.0 : sum / values.size();
}

} // namespace

class tst_DemoStudy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writtenStudyIndexesAndLoads_data();
    void writtenStudyIndexesAndLoads();
    void organCentresHaveExpectedHu_data();
    void organCentresHaveExpectedHu();
    void sameSeedSameVoxelsOtherSeedOthers();
    void thresholdCannotSeparateLiverFromSpleen();
    void labelsRoundTripThroughNifti();
};

void tst_DemoStudy::writtenStudyIndexesAndLoads_data()
{
    QTest::addColumn<int>("patients");
    QTest::addColumn<int>("slices");
    QTest::addColumn<int>("size");
    QTest::newRow("default-like") << 3 << 6 << 64;
    QTest::newRow("one patient") << 1 << 4 << 48;
}

void tst_DemoStudy::writtenStudyIndexesAndLoads()
{
    QFETCH(int, patients);
    QFETCH(int, slices);
    QFETCH(int, size);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    DemoStudy::Options options;
    options.patients = patients;
    options.slices = slices;
    options.size = size;
    const std::vector<DemoPatient> written = DemoStudy::write(dir.path().toStdString(), options);
    QCOMPARE(int(written.size()), patients);

    const DicomIndex index = DicomIndexer::index(dir.path().toStdString());
    QVERIFY(index.problems.empty());
    QCOMPARE(int(index.patients.size()), patients);
    for (const DemoPatient &patient : written) {
        QVERIFY(patient.patientName.rfind("DEMO^PATIENT", 0) == 0);
        const auto found =
            std::find_if(index.patients.begin(), index.patients.end(),
                         [&](const DicomPatient &p) { return p.patientId == patient.patientId; });
        QVERIFY(found != index.patients.end());
        QCOMPARE(int(found->studies.size()), 1);
        QCOMPARE(int(found->studies.front().series.size()), 1);
        const DicomSeries &series = found->studies.front().series.front();
        QCOMPARE(series.seriesInstanceUid, patient.seriesInstanceUid);
        QCOMPARE(series.modality, std::string("CT"));
        QCOMPARE(series.imageCount(), slices);

        SeriesLayout layout;
        const std::shared_ptr<Volume> volume = SeriesLoader::load(series, &layout);
        QCOMPARE(volume->width(), size);
        QCOMPARE(volume->height(), size);
        QCOMPARE(volume->depth(), slices);
        QVERIFY(volume->geometry().isClose(patient.ct->geometry(), 1e-3));
        QCOMPARE(layout.rescaleType, std::string("HU"));
        QVERIFY(!layout.windows.empty());
        QCOMPARE(layout.windows.front().center, 40.0);
        QCOMPARE(layout.windows.front().width, 400.0);
        // Every voxel comes back exactly (integer HU through int16 and intercept -1024).
        for (std::size_t n = 0; n < volume->voxelCount(); n += 7)
            QCOMPARE(volume->data()[n], patient.ct->data()[n]);
    }
}

void tst_DemoStudy::organCentresHaveExpectedHu_data()
{
    QTest::addColumn<int>("label");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::newRow("liver") << 1 << 45.0 << 75.0;
    QTest::newRow("kidney") << 2 << 35.0 << 65.0;
    QTest::newRow("spleen") << 3 << 40.0 << 70.0;
    QTest::newRow("bone") << 4 << 300.0 << 900.0;
}

void tst_DemoStudy::organCentresHaveExpectedHu()
{
    QFETCH(int, label);
    QFETCH(double, low);
    QFETCH(double, high);
    DemoStudy::Options options;
    options.slices = 16;
    options.size = 96;
    for (int p = 0; p < 3; ++p) {
        const DemoPatient patient = DemoStudy::generate(options, p);
        const std::vector<float> values = interior(*patient.ct, *patient.labels, label);
        QVERIFY2(values.size() > 20, qPrintable(QString::number(values.size())));
        const double m = mean(values);
        QVERIFY2(m >= low && m <= high, qPrintable(QString::number(m)));
    }
    // Air outside the body, at a corner.
    const DemoPatient patient = DemoStudy::generate(options, 0);
    QVERIFY(patient.ct->value(1, 1, 0) < -900);
}

void tst_DemoStudy::sameSeedSameVoxelsOtherSeedOthers()
{
    DemoStudy::Options options;
    options.slices = 6;
    options.size = 64;
    options.seed = 7;
    const DemoPatient a = DemoStudy::generate(options, 1);
    const DemoPatient b = DemoStudy::generate(options, 1);
    QVERIFY(std::equal(a.ct->data(), a.ct->data() + a.ct->voxelCount(), b.ct->data()));
    QVERIFY(
        std::equal(a.labels->data(), a.labels->data() + a.labels->voxelCount(), b.labels->data()));
    const DemoPatient other = DemoStudy::generate(options, 2);
    QVERIFY(!std::equal(a.ct->data(), a.ct->data() + a.ct->voxelCount(), other.ct->data()));
    options.seed = 8;
    const DemoPatient c = DemoStudy::generate(options, 1);
    QVERIFY(!std::equal(a.ct->data(), a.ct->data() + a.ct->voxelCount(), c.ct->data()));
    QVERIFY(
        !std::equal(a.labels->data(), a.labels->data() + a.labels->voxelCount(), c.labels->data()));
}

void tst_DemoStudy::thresholdCannotSeparateLiverFromSpleen()
{
    DemoStudy::Options options;
    options.slices = 16;
    options.size = 96;
    for (int p = 0; p < 3; ++p) {
        const DemoPatient patient = DemoStudy::generate(options, p);
        std::vector<float> liver = interior(*patient.ct, *patient.labels, 1);
        std::vector<float> spleen = interior(*patient.ct, *patient.labels, 3);
        QVERIFY(!liver.empty() && !spleen.empty());
        // The best single threshold (either direction) still misclassifies many voxels.
        double best = 0.0;
        for (int t = -50; t <= 150; ++t) {
            const auto above = [t](const std::vector<float> &v) {
                return double(std::count_if(v.begin(), v.end(), [t](float x) { return x > t; })) /
                       v.size();
            };
            const double liverAbove = above(liver), spleenAbove = above(spleen);
            const double accuracy = 0.5 * (liverAbove + 1.0 - spleenAbove);
            best = std::max({best, accuracy, 1.0 - accuracy});
        }
        QVERIFY2(best < 0.85, qPrintable(QString::number(best)));
    }
}

void tst_DemoStudy::labelsRoundTripThroughNifti()
{
    QTemporaryDir dir;
    DemoStudy::Options options;
    options.slices = 5;
    options.size = 40;
    const DemoPatient patient = DemoStudy::generate(options, 0);
    const std::string path = dir.filePath(QStringLiteral("labels.nii.gz")).toStdString();
    NiftiIo::writeLabels(path, *patient.labels);
    const Volume back = NiftiIo::read(path);
    QCOMPARE(back.width(), patient.labels->width());
    QCOMPARE(back.height(), patient.labels->height());
    QCOMPARE(back.depth(), patient.labels->depth());
    QVERIFY(back.geometry().isClose(patient.labels->geometry(), 1e-3));
    QVERIFY(std::equal(back.data(), back.data() + back.voxelCount(), patient.labels->data()));
}

QTEST_GUILESS_MAIN(tst_DemoStudy)
#include "tst_DemoStudy.moc"
