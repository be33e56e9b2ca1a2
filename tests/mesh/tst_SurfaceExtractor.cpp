// core/mesh's SurfaceExtractor: a voxelised ball gives a closed, outward surface whose volume
// and area match the analytic sphere (isotropic and anisotropic grids), in patient coordinates
// (oblique and left-handed grids too), the same from float, uint8 and uint16 labels.

#include "MeshTestData.h"

#include "core/common/Progress.h"
#include "core/mesh/SurfaceExtractor.h"

#include <QtTest>

#include <cmath>
#include <map>
#include <vector>

using namespace medseg::core;
using medseg::test::ball;

namespace {

constexpr double pi = 3.14159265358979323846;

Vec3 centroid(const TriangleMesh &mesh)
{
    Vec3 sum{0, 0, 0};
    for (std::size_t p = 0; p < mesh.vertexCount(); ++p)
        for (int c = 0; c < 3; ++c)
            sum[std::size_t(c)] += mesh.points[p * 3 + std::size_t(c)];
    for (double &s : sum)
        s /= double(mesh.vertexCount());
    return sum;
}

} // namespace

class TestSurfaceExtractor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sphereVolumeAndAreaMatchAnalytic_data()
    {
        QTest::addColumn<double>("sx");
        QTest::addColumn<double>("sy");
        QTest::addColumn<double>("sz");
        QTest::addColumn<double>("radius");
        QTest::newRow("isotropic r=10 voxels") << 1.0 << 1.0 << 1.0 << 10.0;
        QTest::newRow("isotropic r=15 voxels") << 1.0 << 1.0 << 1.0 << 15.0;
        QTest::newRow("0.5 mm r=6 mm (12 voxels)") << 0.5 << 0.5 << 0.5 << 6.0;
        QTest::newRow("0.8x0.8x2.0 mm r=20 mm") << 0.8 << 0.8 << 2.0 << 20.0;
        QTest::newRow("0.8x0.8x2.0 mm r=30 mm") << 0.8 << 0.8 << 2.0 << 30.0;
    }
    void sphereVolumeAndAreaMatchAnalytic()
    {
        QFETCH(double, sx);
        QFETCH(double, sy);
        QFETCH(double, sz);
        QFETCH(double, radius);
        const Volume labels = ball({sx, sy, sz}, radius);
        const TriangleMesh mesh = SurfaceExtractor::extract(LabelGrid(labels), 1);
        QVERIFY(!mesh.isEmpty());
        const double volume = 4.0 / 3.0 * pi * radius * radius * radius;
        const double area = 4.0 * pi * radius * radius;
        const double volumeError = mesh.signedVolume() / volume - 1.0;
        const double areaError = mesh.area() / area - 1.0;
        qInfo("%s: volume error %+.2f %%, area error %+.2f %%, %zu triangles",
              QTest::currentDataTag(), 100 * volumeError, 100 * areaError, mesh.triangleCount());
        QVERIFY2(std::abs(volumeError) < 0.02, qPrintable(QString::number(volumeError)));
        QVERIFY2(std::abs(areaError) < 0.03, qPrintable(QString::number(areaError)));
    }

    void unsmoothedSurfaceIsAStaircase()
    {
        // Why smoothing is on by default: the discrete surface's area is far off.
        const double radius = 12.0;
        SurfaceOptions raw;
        raw.smoothingIterations = 0;
        const TriangleMesh mesh =
            SurfaceExtractor::extract(LabelGrid(ball({1, 1, 1}, radius)), 1, raw);
        const double areaError = mesh.area() / (4.0 * pi * radius * radius) - 1.0;
        qInfo("unsmoothed area error %+.2f %%", 100 * areaError);
        QVERIFY(areaError > 0.03);
    }

    void surfaceIsClosedAndOutward()
    {
        const TriangleMesh mesh = SurfaceExtractor::extract(LabelGrid(ball({1, 1, 1}, 8.0)), 1);
        // Closed: every edge is shared by exactly two triangles, once in each direction.
        std::map<std::pair<std::uint32_t, std::uint32_t>, int> edges;
        for (std::size_t t = 0; t < mesh.triangleCount(); ++t)
            for (int e = 0; e < 3; ++e)
                ++edges[{mesh.triangles[t * 3 + std::size_t(e)],
                         mesh.triangles[t * 3 + std::size_t((e + 1) % 3)]}];
        for (const auto &[edge, count] : edges) {
            QCOMPARE(count, 1);
            QVERIFY(edges.count({edge.second, edge.first}) == 1);
        }
        QVERIFY(mesh.signedVolume() > 0.0);
        // Normals point away from the centre.
        const Vec3 c = centroid(mesh);
        QCOMPARE(mesh.normals.size(), mesh.points.size());
        for (std::size_t p = 0; p < mesh.vertexCount(); ++p) {
            double d = 0.0;
            for (std::size_t a = 0; a < 3; ++a)
                d += (mesh.points[p * 3 + a] - c[a]) * mesh.normals[p * 3 + a];
            QVERIFY(d > 0.0);
        }
    }

    void meshIsInPatientCoordinates_data()
    {
        QTest::addColumn<bool>("leftHanded");
        QTest::newRow("right-handed oblique") << false;
        QTest::newRow("left-handed oblique") << true;
    }
    void meshIsInPatientCoordinates()
    {
        QFETCH(bool, leftHanded);
        ImageGeometry oblique;
        oblique.origin = {-120.0, 35.5, 410.0};
        const double a = 30.0 * pi / 180.0;
        oblique.rowDirection = {std::cos(a), std::sin(a), 0.0};
        oblique.columnDirection = {-std::sin(a) * std::cos(0.2), std::cos(a) * std::cos(0.2),
                                   std::sin(0.2)};
        oblique.normal = normalized(cross(oblique.rowDirection, oblique.columnDirection));
        if (leftHanded)
            oblique.normal = {-oblique.normal[0], -oblique.normal[1], -oblique.normal[2]};
        const double radius = 12.0;
        const Volume labels = ball({0.9, 0.9, 1.5}, radius, 1, &oblique);
        const TriangleMesh mesh = SurfaceExtractor::extract(LabelGrid(labels), 1);
        const Vec3 expected = labels.geometry().voxelToPatient(
            {(labels.width() - 1) / 2.0, (labels.height() - 1) / 2.0, (labels.depth() - 1) / 2.0});
        const Vec3 c = centroid(mesh);
        for (std::size_t i = 0; i < 3; ++i)
            QVERIFY2(std::abs(c[i] - expected[i]) < 0.3,
                     qPrintable(QStringLiteral("%1 vs %2").arg(c[i]).arg(expected[i])));
        // Every vertex is about one radius from the centre: the rotation kept the shape.
        for (std::size_t p = 0; p < mesh.vertexCount(); ++p) {
            double d2 = 0.0;
            for (std::size_t i = 0; i < 3; ++i)
                d2 +=
                    (mesh.points[p * 3 + i] - expected[i]) * (mesh.points[p * 3 + i] - expected[i]);
            QVERIFY(std::abs(std::sqrt(d2) - radius) < 1.0);
        }
        const double volume = 4.0 / 3.0 * pi * radius * radius * radius;
        QVERIFY(mesh.signedVolume() > 0.0);
        QVERIFY(std::abs(mesh.signedVolume() / volume - 1.0) < 0.02);
    }

    void uint8Uint16AndFloatLabelsGiveTheSameSurface()
    {
        const Volume labels = ball({1.0, 1.0, 1.2}, 7.0, 3);
        std::vector<std::uint8_t> bytes(labels.voxelCount());
        std::vector<std::uint16_t> words(labels.voxelCount());
        for (std::size_t i = 0; i < labels.voxelCount(); ++i) {
            bytes[i] = std::uint8_t(labels.data()[i]);
            words[i] = std::uint16_t(labels.data()[i]);
        }
        const TriangleMesh fromFloat = SurfaceExtractor::extract(LabelGrid(labels), 3);
        const TriangleMesh fromBytes =
            SurfaceExtractor::extract(LabelGrid(bytes.data(), labels.width(), labels.height(),
                                                labels.depth(), labels.geometry()),
                                      3);
        const TriangleMesh fromWords =
            SurfaceExtractor::extract(LabelGrid(words.data(), labels.width(), labels.height(),
                                                labels.depth(), labels.geometry()),
                                      3);
        QVERIFY(!fromFloat.isEmpty());
        QCOMPARE(fromBytes.points, fromFloat.points);
        QCOMPARE(fromBytes.triangles, fromFloat.triangles);
        QCOMPARE(fromWords.points, fromFloat.points);
        QCOMPARE(fromWords.triangles, fromFloat.triangles);
    }

    void labelTouchingTheVolumeEdgeIsClosed()
    {
        // A block filling the whole grid: the one-voxel margin closes it.
        Volume labels(6, 5, 4);
        std::fill(labels.data(), labels.data() + labels.voxelCount(), 2.0f);
        SurfaceOptions raw;
        raw.smoothingIterations = 0;
        const TriangleMesh mesh = SurfaceExtractor::extract(LabelGrid(labels), 2, raw);
        // Flying edges cuts the box's corners at the voxel mid-points: 6x5x4 minus the
        // chamfers; the mesh lies between the voxel centres' box and the voxels' box.
        QVERIFY(mesh.signedVolume() > 5.0 * 4.0 * 3.0);
        QVERIFY(mesh.signedVolume() < 6.0 * 5.0 * 4.0);
    }

    void decimationRemovesTrianglesAndKeepsTheShape()
    {
        const double radius = 12.0;
        const Volume labels = ball({1, 1, 1}, radius);
        SurfaceOptions options;
        const TriangleMesh full = SurfaceExtractor::extract(LabelGrid(labels), 1, options);
        options.decimation = 0.75;
        const TriangleMesh decimated = SurfaceExtractor::extract(LabelGrid(labels), 1, options);
        QVERIFY(decimated.triangleCount() < full.triangleCount() / 3);
        const double volume = 4.0 / 3.0 * pi * radius * radius * radius;
        qInfo("decimated 75%%: %zu -> %zu triangles, volume error %+.2f %%", full.triangleCount(),
              decimated.triangleCount(), 100 * (decimated.signedVolume() / volume - 1.0));
        QVERIFY(std::abs(decimated.signedVolume() / volume - 1.0) < 0.03);
    }

    void extractAllFindsEveryLabelInOrder()
    {
        Volume labels = ball({1, 1, 1}, 5.0, 7);
        // A second label, a block in a corner, and a third one that is absent.
        for (int k = 0; k < 3; ++k)
            for (int j = 0; j < 3; ++j)
                for (int i = 0; i < 3; ++i)
                    labels.value(i, j, k) = 2.0f;
        const std::vector<LabelSurface> all = SurfaceExtractor::extractAll(LabelGrid(labels));
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(all[0].label, 2);
        QCOMPARE(all[1].label, 7);
        QVERIFY(!all[0].mesh.isEmpty() && !all[1].mesh.isEmpty());
        const std::vector<LabelSurface> some =
            SurfaceExtractor::extractAll(LabelGrid(labels), {}, {7, 9, 0});
        QCOMPARE(some.size(), std::size_t(1));
        QCOMPARE(some[0].label, 7);
        QVERIFY(SurfaceExtractor::extract(LabelGrid(labels), 9).isEmpty());
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 SurfaceExtractor::extract(LabelGrid(labels), 0));
    }

    void cancelStopsExtraction()
    {
        const Volume labels = ball({1, 1, 1}, 5.0);
        CancelToken token;
        token.cancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError,
                                 SurfaceExtractor::extractAll(LabelGrid(labels), {}, {}, &token));
    }
};

QTEST_GUILESS_MAIN(TestSurfaceExtractor)
#include "tst_SurfaceExtractor.moc"
