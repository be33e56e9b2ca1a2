// PaintBrush: footprints (round/square, 2D in each plane, 3D), radius in millimetres on an
// anisotropic grid, gap-free stroke interpolation, the eraser, and sparse memory.

#include "core/labels/PaintBrush.h"

#include <QtTest>

#include <cmath>

using namespace medseg::core;

namespace {

std::size_t countLabel(const LabelMap &map, LabelValue value)
{
    const std::vector<std::size_t> counts = map.countVoxels();
    return value < counts.size() ? counts[value] : 0;
}

} // namespace

class tst_PaintBrush : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void footprintsHaveTheExpectedVoxelCounts_data()
    {
        QTest::addColumn<int>("shape");
        QTest::addColumn<double>("radius");
        QTest::addColumn<bool>("threeD");
        QTest::addColumn<int>("expected");
        QTest::newRow("disc r0") << int(BrushShape::Round) << 0.0 << false << 1;
        QTest::newRow("disc r1") << int(BrushShape::Round) << 1.0 << false << 5;
        QTest::newRow("disc r3") << int(BrushShape::Round) << 3.0 << false << 29;
        QTest::newRow("disc r10") << int(BrushShape::Round) << 10.0 << false << 317;
        QTest::newRow("square r2") << int(BrushShape::Square) << 2.0 << false << 25;
        QTest::newRow("ball r1") << int(BrushShape::Round) << 1.0 << true << 7;
        QTest::newRow("ball r2") << int(BrushShape::Round) << 2.0 << true << 33;
        QTest::newRow("cube r1") << int(BrushShape::Square) << 1.0 << true << 27;
    }
    void footprintsHaveTheExpectedVoxelCounts()
    {
        QFETCH(int, shape);
        QFETCH(double, radius);
        QFETCH(bool, threeD);
        QFETCH(int, expected);
        BrushSettings settings;
        settings.shape = BrushShape(shape);
        settings.radius = radius;
        settings.threeD = threeD;
        const PaintBrush brush(settings, ImageGeometry{});
        QCOMPARE(int(brush.footprint().size()), expected);
        LabelMap map(40, 40, 40);
        LabelEdit edit(map, LabelPolicy{});
        QCOMPARE(int(brush.dab(edit, {20.2, 19.8, 20.4})), expected);
        QCOMPARE(map.value(20, 20, 20), LabelValue(1));
    }

    void twoDimensionalBrushStaysInItsPlane_data()
    {
        QTest::addColumn<int>("axis");
        QTest::newRow("axial") << int(SliceAxis::Axial);
        QTest::newRow("sagittal") << int(SliceAxis::Sagittal);
        QTest::newRow("coronal") << int(SliceAxis::Coronal);
    }
    void twoDimensionalBrushStaysInItsPlane()
    {
        QFETCH(int, axis);
        const SliceAxis plane = SliceAxis(axis);
        LabelMap map(30, 30, 30);
        LabelEdit edit(map, LabelPolicy{});
        const PaintBrush brush({BrushShape::Round, 4.0, false, false, plane}, {});
        QCOMPARE(brush.dab(edit, {15, 15, 15}), std::size_t(49));
        const int fixed = fixedAxis(plane);
        for (int s = 0; s < 30; ++s) {
            std::size_t count = 0;
            for (LabelValue v : map.slice(plane, s))
                count += v;
            QCOMPARE(count, s == 15 ? std::size_t(49) : std::size_t(0));
        }
        std::array<int, 3> away{15, 15, 15};
        away[fixed] = 16;
        QCOMPARE(map.value(away[0], away[1], away[2]), LabelValue(0));
    }

    void radiusInMillimetresFollowsAnisotropicSpacing()
    {
        ImageGeometry geometry;
        geometry.spacing = {0.5, 1.0, 2.5};
        // 2D axial: 2 mm = 4 columns, 2 rows.
        {
            LabelMap map(40, 40, 10, geometry);
            LabelEdit edit(map, LabelPolicy{});
            const PaintBrush brush({BrushShape::Round, 2.0, true, false, SliceAxis::Axial},
                                   geometry);
            brush.dab(edit, {20, 20, 5});
            QCOMPARE(map.value(24, 20, 5), LabelValue(1));
            QCOMPARE(map.value(25, 20, 5), LabelValue(0));
            QCOMPARE(map.value(16, 20, 5), LabelValue(1));
            QCOMPARE(map.value(20, 22, 5), LabelValue(1));
            QCOMPARE(map.value(20, 23, 5), LabelValue(0));
            QCOMPARE(map.value(23, 21, 5), LabelValue(1)); // (1.5 mm, 1 mm): 1.80 mm
            QCOMPARE(map.value(24, 21, 5), LabelValue(0)); // (2 mm, 1 mm): 2.24 mm
            QCOMPARE(map.value(20, 20, 4), LabelValue(0));
        }
        // 3D ball of 2.5 mm: 5 columns, 2 rows, 1 slice each way.
        {
            LabelMap map(40, 40, 10, geometry);
            LabelEdit edit(map, LabelPolicy{});
            const PaintBrush brush({BrushShape::Round, 2.5, true, true, SliceAxis::Axial},
                                   geometry);
            brush.dab(edit, {20, 20, 5});
            QCOMPARE(map.value(25, 20, 5), LabelValue(1));
            QCOMPARE(map.value(26, 20, 5), LabelValue(0));
            QCOMPARE(map.value(20, 22, 5), LabelValue(1));
            QCOMPARE(map.value(20, 23, 5), LabelValue(0));
            QCOMPARE(map.value(20, 20, 6), LabelValue(1));
            QCOMPARE(map.value(21, 20, 6), LabelValue(0));
            QCOMPARE(map.value(20, 20, 7), LabelValue(0));
            // Every painted voxel lies within 2.5 mm, and every voxel within 2.5 mm is painted.
            for (int k = 0; k < 10; ++k)
                for (int j = 0; j < 40; ++j)
                    for (int i = 0; i < 40; ++i) {
                        const double x = (i - 20) * 0.5, y = (j - 20) * 1.0, z = (k - 5) * 2.5;
                        const bool inside = x * x + y * y + z * z <= 2.5 * 2.5 + 1e-9;
                        QCOMPARE(map.value(i, j, k), LabelValue(inside ? 1 : 0));
                    }
        }
    }

    void fastDiagonalDragLeavesNoGaps_data()
    {
        QTest::addColumn<double>("radius");
        QTest::newRow("single voxel") << 0.0;
        QTest::newRow("radius 1") << 1.0;
        QTest::newRow("radius 3") << 3.0;
    }
    void fastDiagonalDragLeavesNoGaps()
    {
        QFETCH(double, radius);
        LabelMap map(512, 512, 1);
        LabelEdit edit(map, LabelPolicy{});
        const PaintBrush brush({BrushShape::Round, radius, false, false, SliceAxis::Axial}, {});
        // Two mouse events 400 voxels apart, as a fast drag delivers.
        const Vec3 from{20.3, 30.6, 0}, to{470.1, 301.4, 0};
        brush.stroke(edit, from, to);
        // With a footprint wider than one voxel, every point of the segment is covered.
        if (radius >= 1.0) {
            for (int n = 0; n <= 10000; ++n) {
                const double t = n / 10000.0;
                const double x = from[0] + (to[0] - from[0]) * t;
                const double y = from[1] + (to[1] - from[1]) * t;
                QVERIFY2(map.value(int(std::lround(x)), int(std::lround(y)), 0) == 1,
                         qPrintable(QString("gap at %1, %2").arg(x).arg(y)));
            }
        }
        // Each column crossed holds one run of painted voxels, and the runs of neighbouring
        // columns touch (at least diagonally): the line is 8-connected, without holes.
        int previousFirst = -1, previousLast = -1;
        for (int i = 20; i <= 470; ++i) {
            int runs = 0, first = -1, last = -1;
            bool inside = false;
            for (int j = 0; j < 512; ++j) {
                const bool on = map.value(i, j, 0) == 1;
                runs += on && !inside;
                inside = on;
                if (on) {
                    first = first < 0 ? j : first;
                    last = j;
                }
            }
            QCOMPARE(runs, 1);
            if (previousFirst >= 0)
                QVERIFY2(first <= previousLast + 1 && last >= previousFirst - 1,
                         qPrintable(QString("column %1 detached").arg(i)));
            previousFirst = first;
            previousLast = last;
        }
    }

    void eraserPaintsBackground()
    {
        LabelMap map(64, 64, 1);
        LabelPolicy policy;
        policy.drawLabel = 2;
        LabelEdit edit(map, policy);
        const PaintBrush big({BrushShape::Square, 10.0, false, false, SliceAxis::Axial}, {});
        big.dab(edit, {32, 32, 0});
        policy.drawLabel = 0;
        edit.setPolicy(policy);
        const PaintBrush small({BrushShape::Round, 2.0, false, false, SliceAxis::Axial}, {});
        QCOMPARE(small.stroke(edit, {28, 32, 0}, {36, 32, 0}), std::size_t(13 + 8 * 5));
        QCOMPARE(map.value(32, 32, 0), LabelValue(0));
        QCOMPARE(map.value(32, 35, 0), LabelValue(2));
        QCOMPARE(countLabel(map, 2), std::size_t(21 * 21 - 13 - 8 * 5));
    }

    void oneDabOnALargeVolumeAllocatesOnlyAFewTiles()
    {
        LabelMap map(512, 512, 400);
        LabelEdit edit(map, LabelPolicy{});
        const PaintBrush brush({BrushShape::Round, 10.0, false, false, SliceAxis::Axial}, {});
        brush.dab(edit, {256, 256, 200}); // on the corner of four tiles
        QCOMPARE(map.allocatedTileCount(), std::size_t(4));
        QVERIFY(map.memoryBytes() < 300 * 1024);
        const LabelDelta delta = edit.finish();
        QVERIFY(delta.memoryBytes() < 16 * 1024);
        QCOMPARE(countLabel(map, 1), std::size_t(317));
    }
};

QTEST_APPLESS_MAIN(tst_PaintBrush)
#include "tst_PaintBrush.moc"
