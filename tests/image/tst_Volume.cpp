// Volume: layout (slice, row, column, component), ranges and invalid sizes.

#include "core/image/Volume.h"

#include <QtTest>

#include <stdexcept>

using namespace medseg::core;

class tst_Volume : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storesSliceByRowByColumnWithInterleavedComponents()
    {
        Volume volume(4, 3, 2, 3);
        QCOMPARE(volume.voxelCount(), std::size_t(24));
        QCOMPARE(volume.sliceSize(), std::size_t(36));
        volume.value(1, 2, 1, 2) = 7.5f;
        const std::size_t offset = ((1 * 3 + 2) * 4 + 1) * 3 + 2;
        QCOMPARE(volume.data()[offset], 7.5f);
        QCOMPARE(volume.slice(1)[(2 * 4 + 1) * 3 + 2], 7.5f);
        QVERIFY(volume.contains(3, 2, 1));
        QVERIFY(!volume.contains(4, 0, 0));
        QVERIFY(!volume.contains(0, -1, 0));
    }

    void startsAtZero()
    {
        const Volume volume(5, 5, 5);
        for (std::size_t n = 0; n < volume.voxelCount(); ++n)
            QCOMPARE(volume.data()[n], 0.0f);
    }

    void largeVolumesStartAtZeroToo()
    {
        // Large blocks take the huge-page path of the allocator; they must read as zero as well.
        const Volume volume(256, 256, 40);
        const float *data = volume.data();
        for (std::size_t n = 0; n < volume.voxelCount(); n += 997)
            QCOMPARE(data[n], 0.0f);
        QCOMPARE(data[volume.voxelCount() - 1], 0.0f);
    }

    void copiesAreIndependent()
    {
        Volume original(3, 2, 2);
        original.value(2, 1, 1) = 4.25f;
        Volume copy = original;
        QCOMPARE(copy.value(2, 1, 1), 4.25f);
        copy.value(2, 1, 1) = -1.0f;
        QCOMPARE(original.value(2, 1, 1), 4.25f);
        Volume moved = std::move(copy);
        QCOMPARE(moved.value(2, 1, 1), -1.0f);
    }

    void rangeLooksAtFirstComponentOnly()
    {
        Volume volume(2, 1, 1, 3);
        volume.value(0, 0, 0, 0) = -5;
        volume.value(1, 0, 0, 0) = 9;
        volume.value(1, 0, 0, 1) = 1000;
        const auto [lo, hi] = volume.range();
        QCOMPARE(lo, -5.0f);
        QCOMPARE(hi, 9.0f);
        QCOMPARE(Volume().range(), std::make_pair(0.0f, 0.0f));
        QVERIFY(Volume().isEmpty());
    }

    void rejectsEmptyDimensions_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("components");
        QTest::newRow("width 0") << 0 << 1 << 1 << 1;
        QTest::newRow("negative depth") << 1 << 1 << -2 << 1;
        QTest::newRow("no components") << 1 << 1 << 1 << 0;
    }
    void rejectsEmptyDimensions()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, depth);
        QFETCH(int, components);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Volume(width, height, depth, components));
    }

    void keepsItsGeometry()
    {
        Volume volume(2, 2, 2);
        ImageGeometry geometry;
        geometry.origin = {1, 2, 3};
        geometry.spacing = {0.5, 0.5, 2};
        volume.setGeometry(geometry);
        QVERIFY(volume.geometry() == geometry);
    }
};

QTEST_GUILESS_MAIN(tst_Volume)
#include "tst_Volume.moc"
