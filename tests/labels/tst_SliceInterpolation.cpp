// SliceInterpolation: signed-distance interpolation between labeled slices against expected
// discs, on two planes, with several labels, and undoable like every other edit.

#include "core/labels/SliceInterpolation.h"

#include <QtTest>

#include <cmath>

using namespace medseg::core;

namespace {

void paintDisc(LabelMap &map, SliceAxis axis, int slice, double cu, double cv, double radius,
               LabelValue value)
{
    for (int v = 0; v < map.sliceHeight(axis); ++v)
        for (int u = 0; u < map.sliceWidth(axis); ++u)
            if ((u - cu) * (u - cu) + (v - cv) * (v - cv) <= radius * radius) {
                const auto ijk = sliceToVoxel(axis, u, v, slice);
                map.setValue(ijk[0], ijk[1], ijk[2], value);
            }
}

// Pixels of `value` on the slice that differ from a disc of `radius`, and the slice's area.
std::pair<int, int> compareWithDisc(const LabelMap &map, SliceAxis axis, int slice, double cu,
                                    double cv, double radius, LabelValue value)
{
    const std::vector<LabelValue> pixels = map.slice(axis, slice);
    int mismatches = 0, area = 0;
    for (int v = 0; v < map.sliceHeight(axis); ++v)
        for (int u = 0; u < map.sliceWidth(axis); ++u) {
            const bool on = pixels[std::size_t(v) * map.sliceWidth(axis) + u] == value;
            const bool expected = (u - cu) * (u - cu) + (v - cv) * (v - cv) <= radius * radius;
            mismatches += on != expected;
            area += on;
        }
    return {mismatches, area};
}

} // namespace

class tst_SliceInterpolation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void discsOfRadiusTenAndTwentyGiveFifteenHalfway_data()
    {
        QTest::addColumn<int>("axis");
        QTest::newRow("axial") << int(SliceAxis::Axial);
        QTest::newRow("sagittal") << int(SliceAxis::Sagittal);
    }
    void discsOfRadiusTenAndTwentyGiveFifteenHalfway()
    {
        QFETCH(int, axis);
        const SliceAxis plane = SliceAxis(axis);
        LabelMap map(60, 60, 60);
        paintDisc(map, plane, 0, 30, 30, 10, 1);
        paintDisc(map, plane, 10, 30, 30, 20, 1);
        LabelPolicy policy;
        LabelEdit edit(map, policy);
        QVERIFY(SliceInterpolation::interpolate(edit, plane, 1) > 0);
        // Each slice in between is the disc of the linearly interpolated radius, up to the
        // pixels on its rim.
        for (int s = 1; s < 10; ++s) {
            const double radius = 10.0 + s;
            const auto [mismatches, area] = compareWithDisc(map, plane, s, 30, 30, radius, 1);
            QVERIFY2(mismatches <= int(2 * M_PI * radius * 0.5),
                     qPrintable(QString("slice %1: %2 pixels off").arg(s).arg(mismatches)));
            QVERIFY(std::abs(area - M_PI * radius * radius) < 2 * M_PI * radius);
        }
        const auto [mismatches, area] = compareWithDisc(map, plane, 5, 30, 30, 15, 1);
        QVERIFY2(mismatches <= 40, qPrintable(QString::number(mismatches)));
        QVERIFY(area > M_PI * 14.5 * 14.5 && area < M_PI * 16 * 16);
        // The labeled slices and the slices outside the gap are untouched.
        QCOMPARE(compareWithDisc(map, plane, 0, 30, 30, 10, 1).first, 0);
        QCOMPARE(compareWithDisc(map, plane, 10, 30, 30, 20, 1).first, 0);
        QCOMPARE(compareWithDisc(map, plane, 11, 30, 30, 0.1, 1).second, 0);
        // One undo step takes it all back.
        const LabelDelta delta = edit.finish();
        delta.undo(map);
        for (int s = 1; s < 10; ++s)
            QCOMPARE(compareWithDisc(map, plane, s, 30, 30, 0.1, 1).second, 0);
    }

    void everyLabelIsInterpolatedAndOthersAreKept()
    {
        LabelMap map(40, 40, 9);
        paintDisc(map, SliceAxis::Axial, 0, 10, 10, 5, 1);
        paintDisc(map, SliceAxis::Axial, 4, 10, 10, 5, 1);
        paintDisc(map, SliceAxis::Axial, 2, 28, 28, 6, 2);
        paintDisc(map, SliceAxis::Axial, 8, 28, 28, 6, 2);
        map.setValue(10, 10, 2, 3); // another label inside label 1's path
        LabelPolicy policy;
        policy.overMode = PaintOverMode::BackgroundOnly;
        LabelEdit edit(map, policy);
        SliceInterpolation::interpolate(edit, SliceAxis::Axial, 0);
        for (int s = 1; s < 4; ++s) {
            const auto [mismatches, area] = compareWithDisc(map, SliceAxis::Axial, s, 10, 10, 5, 1);
            QCOMPARE(mismatches, s == 2 ? 1 : 0);
            Q_UNUSED(area);
        }
        QCOMPARE(map.value(10, 10, 2), LabelValue(3));
        for (int s = 3; s < 8; ++s)
            QCOMPARE(compareWithDisc(map, SliceAxis::Axial, s, 28, 28, 6, 2).first, 0);
        QCOMPARE(compareWithDisc(map, SliceAxis::Axial, 5, 10, 10, 0.1, 1).second, 0);
    }

    void adjacentLabeledSlicesNeedNothing()
    {
        LabelMap map(20, 20, 5);
        paintDisc(map, SliceAxis::Axial, 1, 10, 10, 4, 1);
        paintDisc(map, SliceAxis::Axial, 2, 10, 10, 6, 1);
        LabelEdit edit(map, LabelPolicy{});
        QCOMPARE(SliceInterpolation::interpolate(edit, SliceAxis::Axial, 1), std::size_t(0));
    }

    void anisotropicSpacingInterpolatesInMillimetres()
    {
        // Columns 0.5 mm wide: an ellipse of 10x5 mm halfway between 5x5 and 15x5 ellipses...
        // in millimetres both are circles, so the result is a circle in mm as well.
        ImageGeometry geometry;
        geometry.spacing = {0.5, 1.0, 1.0};
        LabelMap map(80, 40, 5, geometry);
        for (int s : {0, 4})
            for (int j = 0; j < 40; ++j)
                for (int i = 0; i < 80; ++i) {
                    const double x = (i - 40) * 0.5, y = j - 20.0, r = s == 0 ? 6.0 : 14.0;
                    if (x * x + y * y <= r * r)
                        map.setValue(i, j, s, 1);
                }
        LabelEdit edit(map, LabelPolicy{});
        SliceInterpolation::interpolate(edit, SliceAxis::Axial, 1);
        int mismatches = 0;
        for (int j = 0; j < 40; ++j)
            for (int i = 0; i < 80; ++i) {
                const double x = (i - 40) * 0.5, y = j - 20.0;
                mismatches += (map.value(i, j, 2) == 1) != (x * x + y * y <= 10.0 * 10.0);
            }
        QVERIFY2(mismatches <= 40, qPrintable(QString::number(mismatches)));
    }
};

QTEST_APPLESS_MAIN(tst_SliceInterpolation)
#include "tst_SliceInterpolation.moc"
