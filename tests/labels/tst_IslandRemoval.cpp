// IslandRemoval: removing components below a size and keeping the largest, per label, with
// 6/18/26 connectivity, against expected masks; locked labels stay.

#include "core/labels/IslandRemoval.h"

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

// Label 1: a 5x5x5 cube (125), a 2x2x2 cube (8) apart, and one voxel touching the big cube at
// a corner. Label 2: a 3x3x3 cube (27) and a single voxel apart. Spread over several tiles.
LabelMap scene()
{
    LabelMap map(100, 80, 12);
    fillBox(map, 60, 60, 2, 64, 64, 6, 1);
    fillBox(map, 10, 10, 8, 11, 11, 9, 1);
    map.setValue(65, 65, 7, 1);
    fillBox(map, 30, 30, 0, 32, 32, 2, 2);
    map.setValue(90, 5, 11, 2);
    return map;
}

std::size_t count(const LabelMap &map, LabelValue value)
{
    const auto counts = map.countVoxels();
    return value < counts.size() ? counts[value] : 0;
}

} // namespace

class tst_IslandRemoval : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void removesComponentsBelowTheSize_data()
    {
        QTest::addColumn<int>("connectivity");
        QTest::addColumn<int>("label");
        QTest::addColumn<int>("expectOne");
        QTest::addColumn<int>("expectTwo");
        QTest::newRow("6, all labels") << 6 << 0 << 125 << 27;
        QTest::newRow("26, all labels") << 26 << 0 << 126 << 27;
        QTest::newRow("6, label 2 only") << 6 << 2 << 134 << 27;
    }
    void removesComponentsBelowTheSize()
    {
        QFETCH(int, connectivity);
        QFETCH(int, label);
        QFETCH(int, expectOne);
        QFETCH(int, expectTwo);
        LabelMap map = scene();
        const LabelMap before = map;
        LabelEdit edit(map, LabelPolicy{});
        IslandRemoval::removeSmall(edit, LabelValue(label), 10, connectivity);
        QCOMPARE(int(count(map, 1)), expectOne);
        QCOMPARE(int(count(map, 2)), expectTwo);
        // Expected mask: the big cubes always stay, the small cube of label 1 goes unless only
        // label 2 is cleaned, the corner voxel stays only with 26-connectivity.
        QCOMPARE(map.value(62, 62, 4), LabelValue(1));
        QCOMPARE(map.value(31, 31, 1), LabelValue(2));
        QCOMPARE(map.value(10, 10, 8), LabelValue(label == 2 ? 1 : 0));
        QCOMPARE(map.value(65, 65, 7), LabelValue(connectivity == 26 || label == 2 ? 1 : 0));
        QCOMPARE(map.value(90, 5, 11), LabelValue(0));
        edit.finish().undo(map);
        QVERIFY(map.toDense() == before.toDense());
    }

    void keepsTheLargestComponentPerLabel()
    {
        LabelMap map = scene();
        LabelEdit edit(map, LabelPolicy{});
        QCOMPARE(IslandRemoval::keepLargest(edit, 0, 6), std::size_t(8 + 1 + 1));
        QCOMPARE(count(map, 1), std::size_t(125));
        QCOMPARE(count(map, 2), std::size_t(27));
        LabelMap other = scene();
        LabelEdit otherEdit(other, LabelPolicy{});
        QCOMPARE(IslandRemoval::keepLargest(otherEdit, 1, 26), std::size_t(8));
        QCOMPARE(count(other, 1), std::size_t(126));
        QCOMPARE(count(other, 2), std::size_t(28));
    }

    void lockedLabelsKeepTheirIslands()
    {
        LabelMap map = scene();
        LabelPolicy policy;
        policy.lockedLabels.set(2);
        LabelEdit edit(map, policy);
        IslandRemoval::removeSmall(edit, 0, 1000, 6);
        QCOMPARE(count(map, 1), std::size_t(0));
        QCOMPARE(count(map, 2), std::size_t(28));
    }

    void rejectsPlanarConnectivity()
    {
        LabelMap map = scene();
        LabelEdit edit(map, LabelPolicy{});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, IslandRemoval::removeSmall(edit, 0, 5, 4));
    }
};

QTEST_APPLESS_MAIN(tst_IslandRemoval)
#include "tst_IslandRemoval.moc"
