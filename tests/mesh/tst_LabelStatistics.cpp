// core/mesh's LabelStatistics: voxel counts times the voxel volume exactly, mean and standard
// deviation of the image inside, boxes in voxels and mm, surface areas from the meshes, and
// the CSV form.

#include "MeshTestData.h"

#include "core/mesh/LabelStatistics.h"

#include <QtTest>

#include <cmath>

using namespace medseg::core;

namespace {

// 10x8x6 grid, spacing 0.7 x 0.9 x 2.5 mm: label 1 a 3x2x2 block at (1,2,1), label 4 two
// voxels; the image holds i + 10 j + 100 k.
struct Fixture
{
    Volume labels{10, 8, 6};
    Volume image{10, 8, 6};
    Fixture()
    {
        ImageGeometry geometry;
        geometry.spacing = {0.7, 0.9, 2.5};
        geometry.origin = {-10.0, 5.0, 100.0};
        labels.setGeometry(geometry);
        image.setGeometry(geometry);
        for (int k = 0; k < 6; ++k)
            for (int j = 0; j < 8; ++j)
                for (int i = 0; i < 10; ++i)
                    image.value(i, j, k) = float(i + 10 * j + 100 * k);
        for (int k = 1; k <= 2; ++k)
            for (int j = 2; j <= 3; ++j)
                for (int i = 1; i <= 3; ++i)
                    labels.value(i, j, k) = 1.0f;
        labels.value(9, 7, 5) = 4.0f;
        labels.value(0, 0, 0) = 4.0f;
    }
};

} // namespace

class TestLabelStatistics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void volumesAreVoxelCountsTimesVoxelVolume()
    {
        const Fixture f;
        const std::vector<LabelMeasurement> rows = LabelStatistics::compute(LabelGrid(f.labels));
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].label, 1);
        QCOMPARE(rows[0].voxelCount, std::int64_t(12));
        QCOMPARE(rows[0].volumeMm3, 12 * 0.7 * 0.9 * 2.5);
        QCOMPARE(rows[0].volumeMl, 12 * 0.7 * 0.9 * 2.5 / 1000.0);
        QCOMPARE(rows[1].label, 4);
        QCOMPARE(rows[1].voxelCount, std::int64_t(2));
        QVERIFY(!rows[0].hasImage);
        QVERIFY(rows[0].surfaceAreaMm2 < 0.0);
    }

    void ballVolumeIsExactForItsVoxels()
    {
        const Volume ball = medseg::test::ball({0.8, 0.8, 2.0}, 15.0, 2);
        std::int64_t count = 0;
        for (std::size_t i = 0; i < ball.voxelCount(); ++i)
            count += ball.data()[i] == 2.0f;
        std::vector<std::uint16_t> words(ball.data(), ball.data() + ball.voxelCount());
        const std::vector<LabelMeasurement> rows = LabelStatistics::compute(
            LabelGrid(words.data(), ball.width(), ball.height(), ball.depth(), ball.geometry()));
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].voxelCount, count);
        QCOMPARE(rows[0].volumeMm3, double(count) * 0.8 * 0.8 * 2.0);
    }

    void meanAndStandardDeviationOfTheImageInside()
    {
        const Fixture f;
        const std::vector<LabelMeasurement> rows =
            LabelStatistics::compute(LabelGrid(f.labels), &f.image);
        // Label 1: i in 1..3, j in 2..3, k in 1..2.
        double sum = 0.0, sum2 = 0.0;
        for (int k = 1; k <= 2; ++k)
            for (int j = 2; j <= 3; ++j)
                for (int i = 1; i <= 3; ++i) {
                    const double v = i + 10 * j + 100 * k;
                    sum += v;
                    sum2 += v * v;
                }
        const double mean = sum / 12.0;
        QVERIFY(rows[0].hasImage);
        QVERIFY(std::abs(rows[0].mean - mean) < 1e-9);
        QVERIFY(std::abs(rows[0].standardDeviation - std::sqrt(sum2 / 12.0 - mean * mean)) < 1e-9);
        // Label 4: values 0 and 9 + 70 + 500.
        QVERIFY(std::abs(rows[1].mean - 289.5) < 1e-9);
        QVERIFY(std::abs(rows[1].standardDeviation - 289.5) < 1e-9);
        Volume wrongSize(3, 3, 3);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 LabelStatistics::compute(LabelGrid(f.labels), &wrongSize));
    }

    void boxesInVoxelsAndMillimetres()
    {
        const Fixture f;
        const LabelMeasurement m = LabelStatistics::compute(LabelGrid(f.labels))[0];
        QCOMPARE(m.voxelMin, (std::array<int, 3>{1, 2, 1}));
        QCOMPARE(m.voxelMax, (std::array<int, 3>{3, 3, 2}));
        // Whole voxels: centres of 1..3 grown by half a voxel.
        QVERIFY(std::abs(m.patientMin[0] - (-10.0 + 0.5 * 0.7)) < 1e-9);
        QVERIFY(std::abs(m.patientMax[0] - (-10.0 + 3.5 * 0.7)) < 1e-9);
        QVERIFY(std::abs(m.patientMin[1] - (5.0 + 1.5 * 0.9)) < 1e-9);
        QVERIFY(std::abs(m.patientMax[1] - (5.0 + 3.5 * 0.9)) < 1e-9);
        QVERIFY(std::abs(m.patientMin[2] - (100.0 + 0.5 * 2.5)) < 1e-9);
        QVERIFY(std::abs(m.patientMax[2] - (100.0 + 2.5 * 2.5)) < 1e-9);
    }

    void surfaceAreasComeFromTheMeshes()
    {
        const Fixture f;
        const std::vector<LabelSurface> surfaces =
            SurfaceExtractor::extractAll(LabelGrid(f.labels));
        const std::vector<LabelMeasurement> rows =
            LabelStatistics::compute(LabelGrid(f.labels), nullptr, &surfaces);
        QCOMPARE(rows[0].surfaceAreaMm2, surfaces[0].mesh.area());
        QVERIFY(rows[0].surfaceAreaMm2 > 0.0);
    }

    void csvHasAHeaderAndOneRowPerLabel()
    {
        const Fixture f;
        const std::vector<LabelMeasurement> rows =
            LabelStatistics::compute(LabelGrid(f.labels), &f.image);
        const QString csv = QString::fromStdString(
            LabelStatistics::toCsv(rows, {{1, "liver"}, {4, "tumour, left"}}));
        const QStringList lines = csv.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0],
                 QStringLiteral("label,name,voxels,volume_mm3,volume_ml,surface_mm2,i_min,j_min,"
                                "k_min,i_max,j_max,k_max,x_min_mm,y_min_mm,z_min_mm,x_max_mm,"
                                "y_max_mm,z_max_mm,mean,std"));
        QVERIFY2(lines[1].startsWith(QStringLiteral("1,liver,12,18.9,0.0189,,1,2,1,3,3,2,")),
                 qPrintable(lines[1]));
        QVERIFY2(lines[2].startsWith(QStringLiteral("4,\"tumour, left\",2,")),
                 qPrintable(lines[2]));
        QVERIFY(lines[2].endsWith(QStringLiteral(",289.5,289.5")));

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stats.csv"));
        LabelStatistics::writeCsv(path.toStdString(), rows);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().startsWith("label,name,voxels"));
        QVERIFY_THROWS_EXCEPTION(
            std::runtime_error,
            LabelStatistics::writeCsv(dir.filePath(QStringLiteral("no/such.csv")).toStdString(),
                                      rows));
    }
};

QTEST_GUILESS_MAIN(TestLabelStatistics)
#include "tst_LabelStatistics.moc"
