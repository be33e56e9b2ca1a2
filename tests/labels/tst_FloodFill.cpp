// FloodFill: 2D (4/8) and 3D (6/18/26) connectivity, regions bounded by other labels and by
// an intensity range, and the policy on the writes.

#include "core/labels/FloodFill.h"

#include <QtTest>

#include <stdexcept>

using namespace medseg::core;

namespace {

void fillBox(LabelMap &map, int i0, int j0, int k0, int i1, int j1, int k1, LabelValue value)
{
    for (int k = k0; k <= k1; ++k)
        for (int j = j0; j <= j1; ++j)
            for (int i = i0; i <= i1; ++i)
                map.setValue(i, j, k, value);
}

} // namespace

class tst_FloodFill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void planarConnectivityDecidesDiagonalNeighbours_data()
    {
        QTest::addColumn<int>("connectivity");
        QTest::addColumn<int>("expected");
        QTest::newRow("4") << 4 << 9;
        QTest::newRow("8") << 8 << 18;
    }
    void planarConnectivityDecidesDiagonalNeighbours()
    {
        QFETCH(int, connectivity);
        QFETCH(int, expected);
        // Two 3x3 squares of label 2 touching at a corner, on slice 1 of 3.
        LabelMap map(10, 10, 3);
        fillBox(map, 1, 1, 1, 3, 3, 1, 2);
        fillBox(map, 4, 4, 1, 6, 6, 1, 2);
        fillBox(map, 1, 1, 0, 3, 3, 0, 2); // the slice below is not reached in 2D
        LabelPolicy policy;
        policy.drawLabel = 7;
        LabelEdit edit(map, policy);
        FloodFillOptions options;
        options.connectivity = connectivity;
        QCOMPARE(int(FloodFill::fill(edit, 2, 2, 1, options)), expected);
        QCOMPARE(map.value(5, 5, 1), LabelValue(expected == 18 ? 7 : 2));
        QCOMPARE(map.value(2, 2, 0), LabelValue(2));
    }

    void backgroundFillStopsAtARing()
    {
        LabelMap map(20, 20, 1);
        for (int j = 0; j < 20; ++j)
            for (int i = 0; i < 20; ++i) {
                const int d2 = (i - 10) * (i - 10) + (j - 10) * (j - 10);
                if (d2 >= 25 && d2 <= 49)
                    map.setValue(i, j, 0, 3);
            }
        const std::vector<LabelValue> before = map.toDense();
        LabelPolicy policy;
        policy.drawLabel = 1;
        LabelEdit edit(map, policy);
        FloodFill::fill(edit, 10, 10, 0, FloodFillOptions{4, SliceAxis::Axial, {}});
        for (int j = 0; j < 20; ++j)
            for (int i = 0; i < 20; ++i) {
                const int d2 = (i - 10) * (i - 10) + (j - 10) * (j - 10);
                QCOMPARE(map.value(i, j, 0), LabelValue(d2 < 25 ? 1 : before[j * 20 + i]));
            }
    }

    void fillsInSagittalAndCoronalPlanes()
    {
        LabelMap map(8, 9, 10);
        LabelEdit edit(map, LabelPolicy{});
        QCOMPARE(FloodFill::fill(edit, 3, 4, 5, {4, SliceAxis::Sagittal, {}}), std::size_t(90));
        QCOMPARE(map.value(3, 0, 0), LabelValue(1));
        QCOMPARE(map.value(2, 4, 5), LabelValue(0));
        LabelMap other(8, 9, 10);
        LabelEdit otherEdit(other, LabelPolicy{});
        QCOMPARE(FloodFill::fill(otherEdit, 3, 4, 5, {8, SliceAxis::Coronal, {}}), std::size_t(80));
        QCOMPARE(other.value(7, 4, 9), LabelValue(1));
        QCOMPARE(other.value(7, 5, 9), LabelValue(0));
    }

    void volumetricConnectivity_data()
    {
        QTest::addColumn<int>("connectivity");
        QTest::addColumn<int>("expected");
        QTest::newRow("6") << 6 << 8;
        QTest::newRow("18") << 18 << 16;
        QTest::newRow("26") << 26 << 24;
    }
    void volumetricConnectivity()
    {
        QFETCH(int, connectivity);
        QFETCH(int, expected);
        // A 2x2x2 cube, one touching it along an edge, one touching only at a corner.
        LabelMap map(12, 12, 12);
        fillBox(map, 2, 2, 2, 3, 3, 3, 4);
        fillBox(map, 4, 4, 2, 5, 5, 3, 4); // shares an edge (k)
        fillBox(map, 0, 0, 0, 1, 1, 1, 4); // corner at (1,1,1)-(2,2,2)
        LabelPolicy policy;
        policy.drawLabel = 5;
        LabelEdit edit(map, policy);
        QCOMPARE(int(FloodFill::fill(edit, 2, 2, 2, {connectivity, SliceAxis::Axial, {}})),
                 expected);
    }

    void intensityRangeBoundsTheRegion()
    {
        Volume image(20, 1, 1);
        for (int i = 0; i < 20; ++i)
            image.value(i, 0, 0) = i < 5 || i > 12 ? 1000.0f : 50.0f;
        image.value(15, 0, 0) = 50.0f; // in range but not connected
        LabelMap map(image);
        LabelEdit edit(map, LabelPolicy{}, &image);
        FloodFillOptions options;
        options.intensityRange = IntensityRange{0.0f, 100.0f};
        QCOMPARE(FloodFill::fill(edit, 8, 0, 0, options), std::size_t(8));
        for (int i = 0; i < 20; ++i)
            QCOMPARE(map.value(i, 0, 0), LabelValue(i >= 5 && i <= 12 ? 1 : 0));
        // A seed outside the range fills nothing.
        QCOMPARE(FloodFill::fill(edit, 0, 0, 0, options), std::size_t(0));
    }

    void writesObeyThePolicy()
    {
        Volume image(10, 1, 1);
        for (int i = 0; i < 10; ++i)
            image.value(i, 0, 0) = float(i);
        LabelMap map(image);
        LabelPolicy policy;
        policy.threshold = IntensityRange{3.0f, 6.0f};
        LabelEdit edit(map, policy, &image);
        QCOMPARE(FloodFill::fill(edit, 0, 0, 0), std::size_t(4));
        QCOMPARE(map.value(2, 0, 0), LabelValue(0));
        QCOMPARE(map.value(3, 0, 0), LabelValue(1));
    }

    void rejectsUnknownConnectivity()
    {
        LabelMap map(4, 4, 4);
        LabelEdit edit(map, LabelPolicy{});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 FloodFill::fill(edit, 1, 1, 1, {5, SliceAxis::Axial, {}}));
    }
};

QTEST_APPLESS_MAIN(tst_FloodFill)
#include "tst_FloodFill.moc"
