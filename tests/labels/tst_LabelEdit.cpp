// LabelEdit and LabelDelta: undo and redo restore every voxel exactly, the policy (locks,
// paint-over modes, intensity threshold) holds for every write, and undo memory follows what
// was touched.

#include "core/labels/LabelEdit.h"
#include "core/labels/PaintBrush.h"

#include <QtTest>

#include <algorithm>
#include <random>

using namespace medseg::core;

namespace {

LabelMap randomMap(int w, int h, int d, std::mt19937 &rng, int maxLabel)
{
    LabelMap map(w, h, d);
    // Blobs rather than noise, so tiles hold runs as painted maps do, plus some noise.
    for (int blob = 0; blob < 12; ++blob) {
        const int ci = int(rng() % w), cj = int(rng() % h), ck = int(rng() % d);
        const int r = 2 + int(rng() % 12);
        const LabelValue v = LabelValue(1 + rng() % maxLabel);
        for (int k = std::max(0, ck - 2); k < std::min(d, ck + 3); ++k)
            for (int j = std::max(0, cj - r); j < std::min(h, cj + r + 1); ++j)
                for (int i = std::max(0, ci - r); i < std::min(w, ci + r + 1); ++i)
                    if ((i - ci) * (i - ci) + (j - cj) * (j - cj) <= r * r)
                        map.setValue(i, j, k, v);
    }
    for (int n = 0; n < 500; ++n)
        map.setValue(int(rng() % w), int(rng() % h), int(rng() % d),
                     LabelValue(rng() % (maxLabel + 1)));
    return map;
}

} // namespace

class tst_LabelEdit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void undoAndRedoRestoreEveryVoxelExactly_data()
    {
        QTest::addColumn<unsigned>("seed");
        QTest::addColumn<int>("maxLabel");
        for (unsigned seed = 1; seed <= 6; ++seed)
            QTest::addRow("seed %u 8-bit", seed) << seed << 6;
        QTest::newRow("seed 7 16-bit") << 7u << 700;
        QTest::newRow("seed 8 16-bit") << 8u << 2000;
    }
    void undoAndRedoRestoreEveryVoxelExactly()
    {
        QFETCH(unsigned, seed);
        QFETCH(int, maxLabel);
        std::mt19937 rng(seed);
        const int w = 150, h = 97, d = 9;
        LabelMap map = randomMap(w, h, d, rng, maxLabel);
        ImageGeometry geometry;
        geometry.spacing = {0.8, 0.8, 3.0};
        Volume image(w, h, d);
        for (std::size_t n = 0; n < image.voxelCount(); ++n)
            image.data()[n] = float(rng() % 1000);

        std::vector<std::vector<LabelValue>> states{map.toDense()};
        std::vector<LabelDelta> deltas;
        for (int strokeIndex = 0; strokeIndex < 25; ++strokeIndex) {
            LabelPolicy policy;
            policy.drawLabel = LabelValue(rng() % (maxLabel + 1)); // 0 = eraser
            policy.overMode = PaintOverMode(rng() % 3);
            policy.overLabel = LabelValue(rng() % (maxLabel + 1));
            if (rng() % 3 == 0)
                policy.lockedLabels.set(rng() % (maxLabel + 1));
            if (rng() % 3 == 0)
                policy.threshold = IntensityRange{200.0f, 700.0f};
            BrushSettings settings;
            settings.shape = rng() % 2 ? BrushShape::Round : BrushShape::Square;
            settings.radius = 1 + rng() % 9;
            settings.radiusInMillimetres = rng() % 2;
            settings.threeD = rng() % 4 == 0;
            settings.axis = SliceAxis(rng() % 3);
            const PaintBrush brush(settings, geometry);
            LabelEdit edit(map, policy, &image);
            Vec3 previous{double(rng() % w), double(rng() % h), double(rng() % d)};
            for (int dab = 0; dab < 8; ++dab) {
                Vec3 next{double(rng() % w), double(rng() % h), double(rng() % d)};
                next[fixedAxis(settings.axis)] = previous[fixedAxis(settings.axis)];
                brush.stroke(edit, previous, next);
                previous = next;
            }
            deltas.push_back(edit.finish());
            QVERIFY(!edit.hasChanges());
            states.push_back(map.toDense());
        }
        const auto changing = std::count_if(
            deltas.begin(), deltas.end(), [](const LabelDelta &delta) { return !delta.isEmpty(); });
        QVERIFY2(changing >= 10,
                 qPrintable(QString("only %1 strokes changed voxels").arg(changing)));
        for (int n = int(deltas.size()) - 1; n >= 0; --n) {
            deltas[n].undo(map);
            QVERIFY2(map.toDense() == states[n], qPrintable(QString("after undo %1").arg(n)));
        }
        for (std::size_t n = 0; n < deltas.size(); ++n) {
            deltas[n].redo(map);
            QVERIFY2(map.toDense() == states[n + 1], qPrintable(QString("after redo %1").arg(n)));
        }
    }

    void deltaCountsAndBoundsWhatChanged()
    {
        LabelMap map(200, 200, 10);
        LabelPolicy policy;
        policy.drawLabel = 3;
        LabelEdit edit(map, policy);
        QVERIFY(edit.paint(10, 20, 4));
        QVERIFY(!edit.paint(10, 20, 4)); // already 3
        QVERIFY(edit.paint(150, 70, 6));
        QVERIFY(!edit.paint(200, 0, 0)); // outside
        QCOMPARE(edit.touchedTileCount(), std::size_t(2));
        const LabelDelta delta = edit.finish();
        QCOMPARE(delta.changedVoxelCount(), std::size_t(2));
        QCOMPARE(delta.tileCount(), std::size_t(2));
        QCOMPARE(delta.changedBox().min, (std::array<int, 3>{10, 20, 4}));
        QCOMPARE(delta.changedBox().max, (std::array<int, 3>{150, 70, 6}));
        QVERIFY(LabelEdit(map, policy).finish().isEmpty());
    }

    void editThatChangesNothingGivesAnEmptyDelta()
    {
        LabelMap map(64, 64, 1);
        LabelPolicy policy;
        LabelEdit edit(map, policy);
        edit.paint(3, 3, 0);
        edit.assign(3, 3, 0, 0);
        const LabelDelta delta = edit.finish();
        QVERIFY(delta.isEmpty());
        QCOMPARE(map.allocatedTileCount(), std::size_t(0)); // emptied tile released
    }

    void undoMemoryFollowsTouchedTilesNotTheVolume()
    {
        LabelMap map(512, 512, 400);
        LabelPolicy policy;
        LabelEdit edit(map, policy);
        const PaintBrush brush({BrushShape::Round, 8.0, false, false, SliceAxis::Axial}, {});
        brush.stroke(edit, {100, 100, 200}, {300, 150, 200});
        QVERIFY(edit.touchedTileCount() <= 10);
        const LabelDelta delta = edit.finish();
        QVERIFY(delta.tileCount() <= 10);
        QVERIFY2(delta.memoryBytes() < 40 * 1024, qPrintable(QString::number(delta.memoryBytes())));
        delta.undo(map);
        QCOMPARE(map.allocatedTileCount(), std::size_t(0));
        delta.redo(map);
        QCOMPARE(map.value(200, 125, 200), LabelValue(1));
    }

    void lockedLabelsNeverChange()
    {
        LabelMap map(50, 50, 1);
        for (int i = 10; i < 20; ++i)
            map.setValue(i, 10, 0, 2);
        LabelPolicy policy;
        policy.drawLabel = 1;
        policy.lockedLabels.set(2);
        LabelEdit edit(map, policy);
        const PaintBrush brush({BrushShape::Square, 30.0, false, false, SliceAxis::Axial}, {});
        brush.dab(edit, {25, 25, 0});
        for (int i = 10; i < 20; ++i)
            QCOMPARE(map.value(i, 10, 0), LabelValue(2));
        QCOMPARE(map.value(0, 0, 0), LabelValue(1));
        policy.drawLabel = 0; // the eraser obeys locks too
        edit.setPolicy(policy);
        brush.dab(edit, {25, 25, 0});
        QCOMPARE(map.value(15, 10, 0), LabelValue(2));
        QCOMPARE(map.value(0, 0, 0), LabelValue(0));
        QVERIFY(!edit.assign(15, 10, 0, 0));
    }

    void paintOverModesChooseWhatMayBeReplaced_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("overLabel");
        QTest::addColumn<int>("expectBackground");
        QTest::addColumn<int>("expectTwo");
        QTest::addColumn<int>("expectThree");
        QTest::newRow("all labels") << int(PaintOverMode::AllLabels) << 0 << 1 << 1 << 1;
        QTest::newRow("background only") << int(PaintOverMode::BackgroundOnly) << 0 << 1 << 2 << 3;
        QTest::newRow("label 3 only") << int(PaintOverMode::SingleLabel) << 3 << 0 << 2 << 1;
        QTest::newRow("label 0 only") << int(PaintOverMode::SingleLabel) << 0 << 1 << 2 << 3;
    }
    void paintOverModesChooseWhatMayBeReplaced()
    {
        QFETCH(int, mode);
        QFETCH(int, overLabel);
        QFETCH(int, expectBackground);
        QFETCH(int, expectTwo);
        QFETCH(int, expectThree);
        LabelMap map(3, 1, 1);
        map.setValue(1, 0, 0, 2);
        map.setValue(2, 0, 0, 3);
        LabelPolicy policy;
        policy.drawLabel = 1;
        policy.overMode = PaintOverMode(mode);
        policy.overLabel = LabelValue(overLabel);
        LabelEdit edit(map, policy);
        for (int i = 0; i < 3; ++i)
            edit.paint(i, 0, 0);
        QCOMPARE(int(map.value(0, 0, 0)), expectBackground);
        QCOMPARE(int(map.value(1, 0, 0)), expectTwo);
        QCOMPARE(int(map.value(2, 0, 0)), expectThree);
    }

    void thresholdMasksPainting()
    {
        const int w = 100, h = 40;
        Volume image(w, h, 1);
        for (int j = 0; j < h; ++j)
            for (int i = 0; i < w; ++i)
                image.value(i, j, 0) = float(i * 10 - 200); // -200 .. 790
        LabelMap map(image);
        LabelPolicy policy;
        policy.drawLabel = 4;
        policy.threshold = IntensityRange{0.0f, 300.0f};
        LabelEdit edit(map, policy, &image);
        const PaintBrush brush({BrushShape::Square, 60.0, false, false, SliceAxis::Axial}, {});
        brush.dab(edit, {50, 20, 0});
        for (int j = 0; j < h; ++j)
            for (int i = 0; i < w; ++i) {
                const float v = image.value(i, j, 0);
                QCOMPARE(map.value(i, j, 0), LabelValue(v >= 0.0f && v <= 300.0f ? 4 : 0));
            }
        // The eraser is masked too.
        policy.drawLabel = 0;
        policy.threshold = IntensityRange{0.0f, 100.0f};
        edit.setPolicy(policy);
        brush.dab(edit, {50, 20, 0});
        QCOMPARE(map.value(20, 0, 0), LabelValue(0));  // 0
        QCOMPARE(map.value(30, 0, 0), LabelValue(0));  // 100
        QCOMPARE(map.value(31, 0, 0), LabelValue(4));  // 110
        QCOMPARE(map.value(50, 39, 0), LabelValue(4)); // 300
    }

    void cancelPutsTheMapBack()
    {
        std::mt19937 rng(11);
        LabelMap map = randomMap(90, 90, 3, rng, 5);
        const std::vector<LabelValue> before = map.toDense();
        LabelPolicy policy;
        policy.drawLabel = 300; // widens the map during the edit
        LabelEdit edit(map, policy);
        const PaintBrush brush({BrushShape::Round, 20.0, false, true, SliceAxis::Axial}, {});
        brush.dab(edit, {45, 45, 1});
        QVERIFY(map.toDense() != before);
        edit.cancel();
        QVERIFY(map.toDense() == before);
        QVERIFY(edit.finish().isEmpty());
    }

    void assignSliceKeepsLocksAndIsOneUndoStep()
    {
        LabelMap map(70, 8, 5);
        map.setValue(3, 2, 2, 9); // on coronal slice j = 2 at (u, v) = (3, 2)
        LabelPolicy policy;
        policy.lockedLabels.set(9);
        policy.overMode = PaintOverMode::BackgroundOnly; // ignored by assign
        map.setValue(5, 2, 1, 4);
        LabelEdit edit(map, policy);
        std::vector<LabelValue> prediction(std::size_t(70) * 5, 2);
        QCOMPARE(edit.assignSlice(SliceAxis::Coronal, 2, prediction.data()),
                 std::size_t(70 * 5 - 1));
        QCOMPARE(map.value(3, 2, 2), LabelValue(9));
        QCOMPARE(map.value(5, 2, 1), LabelValue(2));
        QCOMPARE(map.value(5, 3, 1), LabelValue(0));
        const LabelDelta delta = edit.finish();
        delta.undo(map);
        QCOMPARE(map.value(5, 2, 1), LabelValue(4));
        QCOMPARE(map.value(6, 2, 1), LabelValue(0));
    }

    void rejectsAnImageOnAnotherGrid()
    {
        LabelMap map(10, 10, 2);
        const Volume image(10, 10, 3);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, LabelEdit(map, LabelPolicy{}, &image));
    }
};

QTEST_APPLESS_MAIN(tst_LabelEdit)
#include "tst_LabelEdit.moc"
