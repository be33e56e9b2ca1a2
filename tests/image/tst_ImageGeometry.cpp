// ImageGeometry: voxel <-> patient mapping for axial, oblique and sheared (gantry-tilted)
// grids, the affine matrix, comparisons and orientation letters.

#include "core/image/ImageGeometry.h"

#include <QtTest>

#include <cmath>

using namespace medseg::core;

Q_DECLARE_METATYPE(medseg::core::Vec3)

namespace {

ImageGeometry oblique()
{
    // Rotated 30 degrees about x, anisotropic spacing, off-centre origin.
    const double c = std::cos(M_PI / 6);
    const double s = std::sin(M_PI / 6);
    ImageGeometry g;
    g.origin = {-120.5, 33.25, 7.0};
    g.spacing = {0.7, 0.8, 2.5};
    g.rowDirection = {1, 0, 0};
    g.columnDirection = {0, c, s};
    g.normal = cross(g.rowDirection, g.columnDirection);
    return g;
}

ImageGeometry tilted()
{
    // A gantry-tilted stack: the slice axis leans 15 degrees towards y.
    ImageGeometry g;
    g.spacing = {0.5, 0.5, 3.0};
    g.normal = normalized({0, std::tan(15 * M_PI / 180), 1});
    return g;
}

bool near(const Vec3 &a, const Vec3 &b, double tolerance = 1e-9)
{
    for (int i = 0; i < 3; ++i) {
        if (std::abs(a[i] - b[i]) > tolerance)
            return false;
    }
    return true;
}

} // namespace

class tst_ImageGeometry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void voxelToPatientFollowsTheAxes()
    {
        const ImageGeometry g = oblique();
        QVERIFY(near(g.voxelToPatient({0, 0, 0}), g.origin));
        const Vec3 p = g.voxelToPatient({2, 3, 4});
        const Vec3 expected{g.origin[0] + 2 * 0.7,
                            g.origin[1] + 3 * 0.8 * g.columnDirection[1] + 4 * 2.5 * g.normal[1],
                            g.origin[2] + 3 * 0.8 * g.columnDirection[2] + 4 * 2.5 * g.normal[2]};
        QVERIFY(near(p, expected));
    }

    void patientToVoxelInvertsVoxelToPatient_data()
    {
        QTest::addColumn<int>("grid");
        QTest::addColumn<Vec3>("ijk");
        for (int grid = 0; grid < 3; ++grid) {
            QTest::addRow("grid %d origin", grid) << grid << Vec3{0, 0, 0};
            QTest::addRow("grid %d inside", grid) << grid << Vec3{12.5, 3.25, 7};
            QTest::addRow("grid %d outside", grid) << grid << Vec3{-4, 600, -2.5};
        }
    }
    void patientToVoxelInvertsVoxelToPatient()
    {
        QFETCH(int, grid);
        QFETCH(Vec3, ijk);
        const ImageGeometry g = grid == 0 ? ImageGeometry() : grid == 1 ? oblique() : tilted();
        QVERIFY(near(g.patientToVoxel(g.voxelToPatient(ijk)), ijk, 1e-9));
    }

    void matrixMatchesVoxelToPatient()
    {
        const ImageGeometry g = oblique();
        const auto m = g.voxelToPatientMatrix();
        const Vec3 ijk{3, 5, 9};
        Vec3 p{};
        for (int r = 0; r < 3; ++r)
            p[r] = m[r * 4] * ijk[0] + m[r * 4 + 1] * ijk[1] + m[r * 4 + 2] * ijk[2] + m[r * 4 + 3];
        QVERIFY(near(p, g.voxelToPatient(ijk)));
        QCOMPARE(m[12], 0.0);
        QCOMPARE(m[15], 1.0);
        QVERIFY(std::abs(g.voxelVolume() - 0.7 * 0.8 * 2.5) < 1e-12);
    }

    void equalityAndCloseness()
    {
        ImageGeometry a = oblique();
        ImageGeometry b = a;
        QVERIFY(a == b);
        b.origin[2] += 1e-6;
        QVERIFY(a != b);
        QVERIFY(a.isClose(b));
        b.origin[2] += 0.1;
        QVERIFY(!a.isClose(b));
    }

    void orientationLetters_data()
    {
        QTest::addColumn<Vec3>("direction");
        QTest::addColumn<QString>("letter");
        QTest::newRow("+x") << Vec3{1, 0, 0} << "L";
        QTest::newRow("-x") << Vec3{-1, 0, 0} << "R";
        QTest::newRow("+y") << Vec3{0, 1, 0} << "P";
        QTest::newRow("-y") << Vec3{0, -1, 0} << "A";
        QTest::newRow("+z") << Vec3{0, 0, 1} << "S";
        QTest::newRow("-z oblique") << Vec3{0.3, 0.2, -0.9} << "I";
    }
    void orientationLetters()
    {
        QFETCH(Vec3, direction);
        QFETCH(QString, letter);
        QCOMPARE(QString(QLatin1Char(orientationLetter(direction))), letter);
    }

    void vectorHelpers()
    {
        QVERIFY(near(cross({1, 0, 0}, {0, 1, 0}), {0, 0, 1}));
        QCOMPARE(dot({1, 2, 3}, {4, 5, 6}), 32.0);
        QVERIFY(near(normalized({3, 0, 4}), {0.6, 0, 0.8}));
        QVERIFY(near(normalized({0, 0, 0}), {0, 0, 0}));
    }
};

QTEST_GUILESS_MAIN(tst_ImageGeometry)
#include "tst_ImageGeometry.moc"
