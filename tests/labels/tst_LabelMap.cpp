// LabelMap: sparse tiles, voxel access, slice extraction on the three planes, dense copies,
// widening to 16 bits, voxel counts and memory that follows what is painted.

#include "core/labels/LabelMap.h"

#include <QtTest>

#include <random>
#include <stdexcept>

using namespace medseg::core;

namespace {

// A reference dense volume next to the map, written with the same random values.
struct Pair
{
    LabelMap map;
    std::vector<LabelValue> dense;
};

Pair randomPair(int w, int h, int d, unsigned seed, int maxLabel, int writes)
{
    Pair pair{LabelMap(w, h, d), std::vector<LabelValue>(std::size_t(w) * h * d, 0)};
    std::mt19937 rng(seed);
    for (int n = 0; n < writes; ++n) {
        const int i = int(rng() % w), j = int(rng() % h), k = int(rng() % d);
        const LabelValue v = LabelValue(rng() % (maxLabel + 1));
        pair.map.setValue(i, j, k, v);
        pair.dense[(std::size_t(k) * h + j) * w + i] = v;
    }
    return pair;
}

} // namespace

class tst_LabelMap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsBackWhatWasWrittenOnAnOddSizedGrid()
    {
        const Pair pair = randomPair(70, 65, 3, 1, 9, 5000);
        QCOMPARE(pair.map.dims(), (std::array<int, 3>{70, 65, 3}));
        for (int k = 0; k < 3; ++k)
            for (int j = 0; j < 65; ++j)
                for (int i = 0; i < 70; ++i)
                    QCOMPARE(pair.map.value(i, j, k),
                             pair.dense[(std::size_t(k) * 65 + j) * 70 + i]);
        QVERIFY(pair.map.toDense() == pair.dense);
    }

    void extractsEverySliceOfEveryPlane_data()
    {
        QTest::addColumn<int>("axis");
        QTest::addColumn<bool>("flip");
        QTest::newRow("axial") << int(SliceAxis::Axial) << false;
        QTest::newRow("axial flipped") << int(SliceAxis::Axial) << true;
        QTest::newRow("sagittal") << int(SliceAxis::Sagittal) << false;
        QTest::newRow("coronal") << int(SliceAxis::Coronal) << false;
        QTest::newRow("coronal flipped") << int(SliceAxis::Coronal) << true;
    }
    void extractsEverySliceOfEveryPlane()
    {
        QFETCH(int, axis);
        QFETCH(bool, flip);
        const SliceAxis plane = SliceAxis(axis);
        const int w = 131, h = 70, d = 5;
        const Pair pair = randomPair(w, h, d, 2, 300, 20000);
        const LabelMap &map = pair.map;
        QVERIFY(map.isWide());
        const int sw = map.sliceWidth(plane), sh = map.sliceHeight(plane);
        std::vector<std::uint16_t> wide(std::size_t(sw) * sh);
        std::vector<std::uint8_t> narrow(std::size_t(sw) * sh);
        for (int s = 0; s < map.sliceCount(plane); ++s) {
            map.extractSlice(plane, s, wide.data(), flip);
            map.extractSlice(plane, s, narrow.data(), flip);
            for (int v = 0; v < sh; ++v)
                for (int u = 0; u < sw; ++u) {
                    const auto ijk = sliceToVoxel(plane, u, v, s);
                    const LabelValue expected =
                        pair.dense[(std::size_t(ijk[2]) * h + ijk[1]) * w + ijk[0]];
                    const std::size_t at = std::size_t(flip ? sh - 1 - v : v) * sw + u;
                    QCOMPARE(wide[at], expected);
                    QCOMPARE(int(narrow[at]), std::min(255, int(expected)));
                }
        }
    }

    void planesFixTheAxesOfTheViewer()
    {
        QCOMPARE(fixedAxis(SliceAxis::Axial), 2);
        QCOMPARE(fixedAxis(SliceAxis::Sagittal), 0);
        QCOMPARE(fixedAxis(SliceAxis::Coronal), 1);
        QCOMPARE(sliceToVoxel(SliceAxis::Sagittal, 4, 5, 6), (std::array<int, 3>{6, 4, 5}));
        QCOMPARE(sliceToVoxel(SliceAxis::Coronal, 4, 5, 6), (std::array<int, 3>{4, 6, 5}));
        const LabelMap map(10, 20, 30);
        QCOMPARE(map.sliceWidth(SliceAxis::Sagittal), 20);
        QCOMPARE(map.sliceHeight(SliceAxis::Sagittal), 30);
        QCOMPARE(map.sliceCount(SliceAxis::Coronal), 20);
    }

    void widensToSixteenBitsKeepingEveryValue()
    {
        LabelMap map(100, 100, 2);
        map.setValue(3, 4, 0, 200);
        map.setValue(99, 99, 1, 7);
        QVERIFY(!map.isWide());
        map.setValue(50, 50, 1, 1000);
        QVERIFY(map.isWide());
        QCOMPARE(map.value(3, 4, 0), LabelValue(200));
        QCOMPARE(map.value(99, 99, 1), LabelValue(7));
        QCOMPARE(map.value(50, 50, 1), LabelValue(1000));
    }

    void denseCopiesRoundTrip()
    {
        const Pair pair = randomPair(40, 30, 4, 3, 20, 2000);
        std::vector<std::uint8_t> bytes(pair.map.voxelCount());
        pair.map.toDense(bytes.data());
        LabelMap copy(40, 30, 4);
        copy.assignDense(bytes.data());
        QVERIFY(copy.toDense() == pair.dense);
        const LabelMap fromWide = LabelMap::fromDense(pair.dense, 40, 30, 4);
        QVERIFY(fromWide.toDense() == pair.dense);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LabelMap::fromDense(pair.dense, 40, 30, 5));
        LabelMap assigned = pair.map;
        assigned.assignDense(std::vector<std::uint16_t>(assigned.voxelCount(), 0).data());
        QCOMPARE(assigned.allocatedTileCount(), std::size_t(0));
    }

    void volumeRoundTripKeepsGeometryAndRejectsNonLabels()
    {
        ImageGeometry geometry;
        geometry.spacing = {0.7, 0.7, 2.5};
        geometry.origin = {-100, 20, 5};
        Pair pair = randomPair(20, 10, 3, 4, 400, 300);
        pair.map.setGeometry(geometry);
        const Volume volume = pair.map.toVolume();
        QCOMPARE(volume.geometry(), geometry);
        QCOMPARE(volume.value(5, 5, 1), float(pair.map.value(5, 5, 1)));
        const LabelMap back = LabelMap::fromVolume(volume);
        QVERIFY(back.toDense() == pair.dense);
        QCOMPARE(back.geometry(), geometry);
        Volume bad(2, 2, 1);
        bad.value(1, 1, 0) = -1.0f;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, LabelMap::fromVolume(bad));
    }

    void countsVoxelsPerLabel()
    {
        LabelMap map(100, 80, 3);
        for (int i = 0; i < 10; ++i)
            map.setValue(i, 0, 0, 2);
        map.setValue(99, 79, 2, 5);
        const std::vector<std::size_t> counts = map.countVoxels();
        QCOMPARE(counts.size(), std::size_t(6));
        QCOMPARE(counts[0], map.voxelCount() - 11);
        QCOMPARE(counts[1], std::size_t(0));
        QCOMPARE(counts[2], std::size_t(10));
        QCOMPARE(counts[5], std::size_t(1));
    }

    void untouchedTilesTakeNoMemory()
    {
        LabelMap map(512, 512, 400);
        const std::size_t empty = map.memoryBytes();
        QCOMPARE(map.allocatedTileCount(), std::size_t(0));
        QVERIFY(empty < 300 * 1024); // the tile table only
        for (int j = 100; j < 110; ++j)
            for (int i = 100; i < 110; ++i)
                map.setValue(i, j, 200, 1);
        QCOMPARE(map.allocatedTileCount(), std::size_t(1));
        QCOMPARE(map.memoryBytes(), empty + std::size_t(LabelMap::TileVoxels));
        // Writing background into an absent tile allocates nothing.
        map.setValue(0, 0, 0, 0);
        QCOMPARE(map.allocatedTileCount(), std::size_t(1));
        QVERIFY(map.sliceHasLabels(SliceAxis::Axial, 200));
        QVERIFY(!map.sliceHasLabels(SliceAxis::Axial, 199));
        QVERIFY(map.sliceHasLabels(SliceAxis::Coronal, 105));
        for (int j = 100; j < 110; ++j)
            for (int i = 100; i < 110; ++i)
                map.setValue(i, j, 200, 0);
        map.releaseEmptyTiles();
        QCOMPARE(map.allocatedTileCount(), std::size_t(0));
    }

    void copiesAreDeep()
    {
        LabelMap map(70, 70, 1);
        map.setValue(1, 1, 0, 3);
        LabelMap copy = map;
        copy.setValue(1, 1, 0, 4);
        QCOMPARE(map.value(1, 1, 0), LabelValue(3));
        QCOMPARE(copy.value(1, 1, 0), LabelValue(4));
    }
};

QTEST_APPLESS_MAIN(tst_LabelMap)
#include "tst_LabelMap.moc"
