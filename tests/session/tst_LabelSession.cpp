#include "core/labels/LabelMap.h"
#include "ui/session/Document.h"
#include "ui/session/LabelEditCommand.h"
#include "ui/session/LabelOverlay.h"
#include "ui/session/LabelSession.h"
#include "ui/session/SeriesSession.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QUndoStack>
#include <QtTest>

using namespace medseg;
using ui::LabelSession;
using ui::LabelTool;
using ui::SliceOrientation;

namespace {

// 64 x 48 x 10 voxels; intensity = i (so a threshold selects columns).
std::shared_ptr<core::Volume> makeVolume()
{
    auto volume = std::make_shared<core::Volume>(64, 48, 10);
    for (int k = 0; k < 10; ++k)
        for (int j = 0; j < 48; ++j)
            for (int i = 0; i < 64; ++i)
                volume->value(i, j, k) = float(i);
    return volume;
}

std::vector<core::LabelValue> dense(const LabelSession &labels)
{
    return labels.labelMap()->toDense();
}

} // namespace

class tst_LabelSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("medseg-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("%1").arg(metaObject()->className()));
    }
    void init()
    {
        m_document = std::make_unique<ui::Document>();
        m_document->setAutosaveInterval(0);
        m_document->series()->setVolume(makeVolume(), core::SeriesLayout{});
        m_labels = m_document->labels();
        QVERIFY(m_labels->hasLabels());
        ui::LabelToolSettings tools = m_labels->toolSettings();
        tools.tool = LabelTool::Brush;
        tools.radius = 2.0;
        m_labels->setToolSettings(tools);
    }
    void cleanup() { m_document.reset(); }

    void mapFollowsTheVolumeGrid()
    {
        QCOMPARE(m_labels->labelMap()->width(), 64);
        QCOMPARE(m_labels->labelMap()->height(), 48);
        QCOMPARE(m_labels->labelMap()->depth(), 10);
        QCOMPARE(m_labels->table().size(), core::LabelDescriptions::defaults().size());
    }

    void strokeIsOneUndoCommand()
    {
        QSignalSpy changed(m_labels, &LabelSession::labelsChanged);
        QVERIFY(m_labels->beginStroke(SliceOrientation::Axial, {10, 10, 5}));
        m_labels->continueStroke({20, 10, 5});
        m_labels->continueStroke({40, 30, 5});
        m_labels->endStroke();
        QCOMPARE(m_document->undoStack()->count(), 1);
        QVERIFY(changed.count() >= 3);
        QVERIFY(m_document->isModified());
        // The straight segment between two far mouse positions is painted (no gaps).
        for (int i = 10; i <= 20; ++i)
            QCOMPARE(int(m_labels->labelMap()->value(i, 10, 5)), 1);
        for (int t = 0; t <= 20; ++t)
            QCOMPARE(int(m_labels->labelMap()->value(20 + t, 10 + t, 5)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(10, 10, 4)), 0); // 2D brush
    }

    void undoAndRedoRestoreEveryVoxel()
    {
        const auto empty = dense(*m_labels);
        m_labels->beginStroke(SliceOrientation::Axial, {5, 5, 2});
        m_labels->continueStroke({50, 40, 2});
        m_labels->endStroke();
        const auto first = dense(*m_labels);
        m_labels->setActiveLabel(2);
        m_labels->setToolSettings([&] {
            auto t = m_labels->toolSettings();
            t.threeD = true;
            t.radius = 3;
            return t;
        }());
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 2});
        m_labels->continueStroke({30, 20, 3});
        m_labels->endStroke();
        const auto second = dense(*m_labels);
        QVERIFY(first != empty);
        QVERIFY(second != first);
        QCOMPARE(m_document->undoStack()->count(), 2);

        m_document->undoStack()->undo();
        QVERIFY(dense(*m_labels) == first);
        m_document->undoStack()->undo();
        QVERIFY(dense(*m_labels) == empty);
        QCOMPARE(m_labels->labelMap()->allocatedTileCount(), std::size_t(0));
        m_document->undoStack()->redo();
        QVERIFY(dense(*m_labels) == first);
        m_document->undoStack()->redo();
        QVERIFY(dense(*m_labels) == second);
    }

    void undoDuringAStrokeCancelsTheStrokeFirst()
    {
        m_labels->beginStroke(SliceOrientation::Axial, {10, 10, 1});
        m_labels->endStroke();
        const auto empty = std::vector<core::LabelValue>(64 * 48 * 10, 0);
        m_labels->setActiveLabel(2);
        m_labels->beginStroke(SliceOrientation::Axial, {11, 10, 1});
        m_labels->continueStroke({30, 10, 1});
        m_document->undoStack()->undo(); // Ctrl+Z with the mouse still down
        QVERIFY(!m_labels->isStroking());
        m_labels->continueStroke({40, 10, 1});
        m_labels->endStroke();
        QCOMPARE(m_document->undoStack()->count(), 1);
        QVERIFY(dense(*m_labels) == empty);
        m_document->undoStack()->redo();
        QCOMPARE(int(m_labels->labelMap()->value(10, 10, 1)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(30, 10, 1)), 0);
    }

    void eraserClearsOnlyWhatItTouches()
    {
        m_labels->beginStroke(SliceOrientation::Axial, {10, 10, 0});
        m_labels->continueStroke({30, 10, 0});
        m_labels->endStroke();
        m_labels->setTool(LabelTool::Eraser);
        m_labels->beginStroke(SliceOrientation::Axial, {20, 10, 0});
        m_labels->endStroke();
        QCOMPARE(int(m_labels->labelMap()->value(20, 10, 0)), 0);
        QCOMPARE(int(m_labels->labelMap()->value(10, 10, 0)), 1);
        QCOMPARE(m_document->undoStack()->count(), 2);
    }

    void lockedLabelNeverChanges()
    {
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 1});
        m_labels->endStroke();
        m_labels->setLabelLocked(1, true);
        m_labels->setActiveLabel(3);
        m_labels->setBrushRadius(6);
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 1});
        m_labels->endStroke();
        QCOMPARE(int(m_labels->labelMap()->value(20, 20, 1)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(25, 20, 1)), 3);
        m_labels->setTool(LabelTool::Eraser);
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 1});
        m_labels->endStroke();
        QCOMPARE(int(m_labels->labelMap()->value(20, 20, 1)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(25, 20, 1)), 0);
    }

    void thresholdLimitsPaintingToTheIntensityRange()
    {
        auto tools = m_labels->toolSettings();
        tools.thresholdEnabled = true;
        tools.thresholdLow = 18;
        tools.thresholdHigh = 22;
        tools.radius = 8;
        m_labels->setToolSettings(tools);
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 3});
        m_labels->endStroke();
        for (int i = 10; i <= 30; ++i)
            QCOMPARE(int(m_labels->labelMap()->value(i, 20, 3)), (i >= 18 && i <= 22) ? 1 : 0);
    }

    void paintOverBackgroundOnlyKeepsOtherLabels()
    {
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 1});
        m_labels->endStroke();
        auto tools = m_labels->toolSettings();
        tools.overMode = core::PaintOverMode::BackgroundOnly;
        tools.radius = 5;
        m_labels->setToolSettings(tools);
        m_labels->setActiveLabel(2);
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 1});
        m_labels->endStroke();
        QCOMPARE(int(m_labels->labelMap()->value(20, 20, 1)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(24, 20, 1)), 2);
    }

    void polygonFloodAndIslandCommands()
    {
        // A 10 x 10 square on slice 4 by polygon (continuous voxel coordinates).
        const std::size_t filled =
            m_labels->fillPolygon(SliceOrientation::Axial, 4,
                                  {{9.5, 9.5, 4}, {19.5, 9.5, 4}, {19.5, 19.5, 4}, {9.5, 19.5, 4}});
        QCOMPARE(filled, std::size_t(100));
        QCOMPARE(m_document->undoStack()->count(), 1);
        QCOMPARE(int(m_labels->labelMap()->value(10, 10, 4)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(20, 20, 4)), 0);
        // Flood fill of the background around it with label 2: the square stays 1.
        m_labels->setActiveLabel(2);
        const std::size_t flooded = m_labels->floodFill(SliceOrientation::Axial, {0, 0, 4});
        QCOMPARE(flooded, std::size_t(64 * 48 - 100));
        QCOMPARE(int(m_labels->labelMap()->value(15, 15, 4)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(40, 40, 4)), 2);
        QCOMPARE(m_document->undoStack()->count(), 2);
        m_document->undoStack()->undo();
        QCOMPARE(int(m_labels->labelMap()->value(40, 40, 4)), 0);

        // A one-voxel island of label 1 is removed; the square stays.
        m_labels->setActiveLabel(1);
        m_labels->setBrushRadius(0);
        m_labels->beginStroke(SliceOrientation::Axial, {40, 40, 4});
        m_labels->endStroke();
        QCOMPARE(m_labels->removeIslands(10), std::size_t(1));
        QCOMPARE(int(m_labels->labelMap()->value(40, 40, 4)), 0);
        QCOMPARE(int(m_labels->labelMap()->value(15, 15, 4)), 1);
        m_labels->beginStroke(SliceOrientation::Axial, {40, 40, 4});
        m_labels->endStroke();
        QCOMPARE(m_labels->keepLargestComponent(), std::size_t(1));
        QCOMPARE(int(m_labels->labelMap()->value(40, 40, 4)), 0);
    }

    void polygonOnACoronalPlaneFillsThatPlane()
    {
        // Coronal fixes j; vertices in voxel coordinates (i, j, k).
        const std::size_t filled =
            m_labels->fillPolygon(SliceOrientation::Coronal, 12,
                                  {{4.5, 12, 1.5}, {9.5, 12, 1.5}, {9.5, 12, 6.5}, {4.5, 12, 6.5}});
        QCOMPARE(filled, std::size_t(5 * 5));
        QCOMPARE(int(m_labels->labelMap()->value(7, 12, 4)), 1);
        QCOMPARE(int(m_labels->labelMap()->value(7, 11, 4)), 0);
        QCOMPARE(int(m_labels->labelMap()->value(7, 12, 7)), 0);
        // The overlay of that plane shows it (row = depth-1-k).
        ui::LabelOverlaySettings overlay;
        overlay.opacity = 1.0;
        m_labels->setOverlaySettings(overlay);
        const QImage coronal = m_labels->renderOverlay(SliceOrientation::Coronal, 12);
        QCOMPARE(coronal.size(), QSize(64, 10));
        QCOMPARE(qAlpha(coronal.pixel(7, 10 - 1 - 4)), 255);
        QCOMPARE(qAlpha(coronal.pixel(7, 10 - 1 - 8)), 0);
    }

    void fillBetweenSlicesIsOneCommand()
    {
        m_labels->setBrushRadius(4);
        m_labels->beginStroke(SliceOrientation::Axial, {30, 20, 1});
        m_labels->endStroke();
        m_labels->beginStroke(SliceOrientation::Axial, {30, 20, 7});
        m_labels->endStroke();
        const int before = m_document->undoStack()->count();
        QVERIFY(m_labels->interpolateSlices(SliceOrientation::Axial) > 0);
        QCOMPARE(m_document->undoStack()->count(), before + 1);
        for (int k = 1; k <= 7; ++k)
            QCOMPARE(int(m_labels->labelMap()->value(30, 20, k)), 1);
    }

    void tableEditsAreUndoable()
    {
        QSignalSpy changed(m_labels, &LabelSession::tableChanged);
        m_labels->renameLabel(1, QStringLiteral("Liver"));
        m_labels->setLabelColour(1, {1, 2, 3});
        m_labels->setLabelOpacity(1, 0.25);
        m_labels->setLabelVisible(1, false);
        const int added = m_labels->addLabel();
        QCOMPARE(added, 7);
        QCOMPARE(m_labels->activeLabel(), 7);
        QVERIFY(m_labels->removeLabel(2));
        QCOMPARE(m_document->undoStack()->count(), 6);
        const core::LabelDescription *liver = m_labels->table().find(1);
        QCOMPARE(QString::fromStdString(liver->name), QStringLiteral("Liver"));
        QCOMPARE(liver->opacity, 0.25);
        QVERIFY(!liver->visible);
        QVERIFY(!m_labels->table().find(2));
        while (m_document->undoStack()->canUndo())
            m_document->undoStack()->undo();
        QVERIFY(m_labels->table() == core::LabelDescriptions::defaults());
        QVERIFY(changed.count() >= 12);
    }

    void cyclingLabelsWrapsAround()
    {
        QCOMPARE(m_labels->activeLabel(), 1);
        m_labels->cycleActiveLabel(-1);
        QCOMPARE(m_labels->activeLabel(), 6);
        m_labels->cycleActiveLabel(1);
        QCOMPARE(m_labels->activeLabel(), 1);
    }

    void undoMemoryIsCappedByExpiringTheOldestCommands()
    {
        m_labels->setBrushRadius(5);
        for (int s = 0; s < 6; ++s) {
            m_labels->beginStroke(SliceOrientation::Axial, {5, 5, double(s)});
            m_labels->continueStroke({60, 40, double(s)});
            m_labels->endStroke();
        }
        ui::UndoMemoryLedger &ledger = m_labels->undoMemory();
        QCOMPARE(ledger.liveCommandCount(), 6);
        const std::size_t perStroke = ledger.totalBytes() / 6;
        QVERIFY(perStroke > 0);
        ledger.setLimitBytes(perStroke * 3);
        QVERIFY(ledger.totalBytes() <= perStroke * 3 + perStroke / 2);
        QVERIFY(ledger.liveCommandCount() < 6);
        // Undoing everything puts back what the live commands changed; the expired ones are
        // no-ops, so the oldest strokes stay, and nothing is left half-undone.
        const int live = ledger.liveCommandCount();
        while (m_document->undoStack()->canUndo())
            m_document->undoStack()->undo();
        for (int s = 0; s < 6; ++s)
            QCOMPARE(int(m_labels->labelMap()->value(30, 22, s)), s < 6 - live ? 1 : 0);
        // Commands deleted by the stack leave the ledger.
        m_document->undoStack()->clear();
        QCOMPARE(ledger.liveCommandCount(), 0);
        QCOMPARE(ledger.totalBytes(), std::size_t(0));
    }

    void overlayUsesTheTableColours()
    {
        m_labels->setBrushRadius(0);
        m_labels->beginStroke(SliceOrientation::Axial, {3, 4, 2});
        m_labels->endStroke();
        ui::LabelOverlaySettings overlay;
        overlay.opacity = 1.0;
        m_labels->setOverlaySettings(overlay);
        const QImage axial = m_labels->renderOverlay(SliceOrientation::Axial, 2);
        QCOMPARE(axial.size(), QSize(64, 48));
        QCOMPARE(axial.pixel(3, 4), qRgba(255, 0, 0, 255)); // ITK-SNAP's label 1 is red
        QCOMPARE(qAlpha(axial.pixel(4, 4)), 0);
        // Sagittal: x = j, y = k flipped (k = 2 of 10 is row 7).
        const QImage sagittal = m_labels->renderOverlay(SliceOrientation::Sagittal, 3);
        QCOMPARE(sagittal.size(), QSize(48, 10));
        QCOMPARE(sagittal.pixel(4, 7), qRgba(255, 0, 0, 255));
        // Hidden labels are not drawn; outline keeps only the boundary.
        m_labels->setLabelVisible(1, false);
        QCOMPARE(qAlpha(m_labels->renderOverlay(SliceOrientation::Axial, 2).pixel(3, 4)), 0);
        m_labels->setLabelVisible(1, true);
        m_labels->setBrushRadius(3);
        m_labels->setToolSettings([&] {
            auto t = m_labels->toolSettings();
            t.shape = core::BrushShape::Square;
            return t;
        }());
        m_labels->beginStroke(SliceOrientation::Axial, {20, 20, 2});
        m_labels->endStroke();
        overlay.style = ui::OverlayStyle::Outline;
        m_labels->setOverlaySettings(overlay);
        const QImage outline = m_labels->renderOverlay(SliceOrientation::Axial, 2);
        QCOMPARE(qAlpha(outline.pixel(17, 20)), 255);
        QCOMPARE(qAlpha(outline.pixel(20, 20)), 0);

        // Re-rendering only what a dab changed gives the same image as a full render.
        for (auto orientation : {SliceOrientation::Axial, SliceOrientation::Sagittal}) {
            const int index = orientation == SliceOrientation::Axial ? 2 : 30;
            QImage partial = m_labels->renderOverlay(orientation, index);
            m_labels->beginStroke(SliceOrientation::Axial, {30, 22, 2});
            m_labels->endStroke();
            const QRect changed = orientation == SliceOrientation::Axial
                                      ? QRect(QPoint(26, 18), QPoint(34, 26))
                                      : QRect(QPoint(18, 10 - 1 - 3), QPoint(26, 10 - 1 - 1));
            ui::renderLabelOverlayRect(*m_labels->labelMap(), orientation, index,
                                       m_labels->colourLut(), ui::OverlayStyle::Outline, partial,
                                       changed);
            QCOMPARE(partial, m_labels->renderOverlay(orientation, index));
            m_document->undoStack()->undo();
        }
    }

private:
    std::unique_ptr<ui::Document> m_document;
    LabelSession *m_labels = nullptr;
};

QTEST_MAIN(tst_LabelSession)
#include "tst_LabelSession.moc"
