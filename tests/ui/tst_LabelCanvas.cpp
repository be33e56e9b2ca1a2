#include "app/common/BuildInfo.h"
#include "core/labels/LabelMap.h"
#include "ui/session/Document.h"
#include "ui/session/LabelSession.h"
#include "ui/session/LabelTableModel.h"
#include "ui/session/RecentFiles.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TranslationManager.h"
#include "ui/widgets/LabelPanel.h"
#include "ui/widgets/MainWindow.h"
#include "ui/widgets/ShortcutsDialog.h"
#include "ui/widgets/SliceView.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <memory>

using namespace medseg;
using ui::LabelTool;
using ui::SliceOrientation;
using ui::SliceView;

namespace {

// 64 x 64 x 8 voxels; intensity = i, so a threshold selects columns.
std::shared_ptr<core::Volume> makeVolume()
{
    auto volume = std::make_shared<core::Volume>(64, 64, 8);
    for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 64; ++j)
            for (int i = 0; i < 64; ++i)
                volume->value(i, j, k) = float(i);
    return volume;
}

} // namespace

// Paints on the slice view with real mouse events and checks the label map on the document;
// drives undo/redo and the label shortcuts through the main window.
class tst_LabelCanvas : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("MedSegTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_LabelCanvas"));
        m_recent = std::make_unique<ui::RecentFiles>();
        m_translations = std::make_unique<ui::TranslationManager>(
            ui::TranslationManager::defaultTranslationsDir());
        QVERIFY(m_translations->setLanguage(QStringLiteral("en")));
    }

    void init()
    {
        m_document = std::make_unique<ui::Document>();
        m_document->setAutosaveInterval(0);
        m_document->series()->setVolume(makeVolume(), core::SeriesLayout{});
        m_labels = m_document->labels();
        m_view = std::make_unique<SliceView>(m_document->series(), SliceOrientation::Axial);
        m_view->setLabelSession(m_labels);
        m_view->resize(420, 420);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_labels->setTool(LabelTool::Brush);
        m_labels->setBrushRadius(1);
    }
    void cleanup()
    {
        m_view.reset();
        m_document.reset();
    }

    void fastDragPaintsWithoutGapsAsOneCommand()
    {
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        drag({{5, 10, k}, {40, 10, k}, {40, 50, k}, {10, 55, k}});
        QCOMPARE(m_document->undoStack()->count(), 1);
        const core::LabelMap &map = *m_labels->labelMap();
        for (int i = 5; i <= 40; ++i)
            QCOMPARE(int(map.value(i, 10, k)), 1);
        for (int j = 10; j <= 50; ++j)
            QCOMPARE(int(map.value(40, j, k)), 1);
        QCOMPARE(int(map.value(40, 10, k + 1)), 0);
        QCOMPARE(int(map.value(20, 30, k)), 0);
        QVERIFY(m_document->isModified());
    }

    void undoAndRedoRestoreEveryVoxel()
    {
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        const auto empty = m_labels->labelMap()->toDense();
        drag({{5, 5, k}, {60, 60, k}});
        const auto first = m_labels->labelMap()->toDense();
        m_labels->setActiveLabel(2);
        m_labels->setBrushRadius(4);
        drag({{60, 5, k}, {5, 60, k}});
        const auto second = m_labels->labelMap()->toDense();
        QCOMPARE(m_document->undoStack()->count(), 2);
        m_document->undoStack()->undo();
        QVERIFY(m_labels->labelMap()->toDense() == first);
        m_document->undoStack()->undo();
        QVERIFY(m_labels->labelMap()->toDense() == empty);
        m_document->undoStack()->redo();
        m_document->undoStack()->redo();
        QVERIFY(m_labels->labelMap()->toDense() == second);
    }

    void lockedLabelsAndThresholdHoldThroughTheView()
    {
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        drag({{10, 20, k}, {50, 20, k}});
        m_labels->setLabelLocked(1, true);
        m_labels->setActiveLabel(2);
        auto tools = m_labels->toolSettings();
        tools.radius = 3;
        tools.thresholdEnabled = true;
        tools.thresholdLow = 20;
        tools.thresholdHigh = 40;
        m_labels->setToolSettings(tools);
        drag({{5, 21, k}, {60, 21, k}});
        const core::LabelMap &map = *m_labels->labelMap();
        for (int i = 10; i <= 50; ++i)
            QCOMPARE(int(map.value(i, 20, k)), 1); // locked
        for (int i = 5; i <= 60; ++i)
            QCOMPARE(int(map.value(i, 23, k)), (i >= 20 && i <= 40) ? 2 : 0); // threshold
    }

    void polygonFillsFromClicks()
    {
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        m_labels->setTool(LabelTool::Polygon);
        m_labels->setActiveLabel(3);
        for (const std::array<int, 3> &v : {std::array<int, 3>{10, 10, k},
                                            {30, 10, k},
                                            {30, 30, k},
                                            std::array<int, 3>{10, 30, k}})
            QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, at(v));
        QCOMPARE(m_view->pendingPolygon().size(), std::size_t(4));
        QCOMPARE(m_document->undoStack()->count(), 0);
        QTest::keyClick(m_view.get(), Qt::Key_Return);
        QVERIFY(m_view->pendingPolygon().empty());
        QCOMPARE(m_document->undoStack()->count(), 1);
        const core::LabelMap &map = *m_labels->labelMap();
        QCOMPARE(int(map.value(20, 20, k)), 3);
        QCOMPARE(int(map.value(11, 11, k)), 3);
        QCOMPARE(int(map.value(35, 20, k)), 0);

        // Double-click closes too.
        m_labels->setActiveLabel(4);
        QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, at({40, 40, k}));
        QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, at({55, 40, k}));
        QTest::mouseDClick(m_view.get(), Qt::LeftButton, {}, at({55, 55, k}));
        QCOMPARE(m_document->undoStack()->count(), 2);
        QCOMPARE(int(map.value(52, 45, k)), 4);
    }

    void floodFillAndLassoFromTheMouse()
    {
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        m_labels->setTool(LabelTool::Lasso);
        drag({{10, 10, k}, {40, 10, k}, {40, 40, k}, {10, 40, k}});
        QCOMPARE(m_document->undoStack()->count(), 1);
        QCOMPARE(int(m_labels->labelMap()->value(25, 25, k)), 1);
        m_labels->setTool(LabelTool::FloodFill);
        m_labels->setActiveLabel(2);
        QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, at({60, 60, k}));
        QCOMPARE(m_document->undoStack()->count(), 2);
        QCOMPARE(int(m_labels->labelMap()->value(60, 0, k)), 2);
        QCOMPARE(int(m_labels->labelMap()->value(25, 25, k)), 1);
    }

    void shiftClickMovesTheCrosshairInsteadOfPainting()
    {
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        QTest::mouseClick(m_view.get(), Qt::LeftButton, Qt::ShiftModifier, at({12, 34, k}));
        QCOMPARE(m_document->series()->cursor(), (std::array<int, 3>{12, 34, k}));
        QCOMPARE(m_document->undoStack()->count(), 0);
    }

    void shiftWheelChangesTheBrushSize()
    {
        const double before = m_labels->toolSettings().radius;
        QWheelEvent wheel(QPointF(200, 200), m_view->mapToGlobal(QPointF(200, 200)), QPoint(),
                          QPoint(0, 120), Qt::NoButton, Qt::ShiftModifier, Qt::NoScrollPhase,
                          false);
        QApplication::sendEvent(m_view.get(), &wheel);
        QCOMPARE(m_labels->toolSettings().radius, before + 1.0);
    }

    void overlayIsDrawnOnTheView()
    {
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        m_labels->setBrushRadius(5);
        drag({{20, 44, k}}); // away from the crosshair through the centre
        ui::LabelOverlaySettings overlay = m_labels->overlaySettings();
        overlay.opacity = 1.0;
        m_labels->setOverlaySettings(overlay);
        m_labels->setTool(LabelTool::Navigate);
        const QImage shot = m_view->grab().toImage();
        const QColor painted = shot.pixelColor(at({21, 45, k}));
        QCOMPARE(painted.red(), 255);
        QCOMPARE(painted.green(), 0);
        m_labels->setOverlayVisible(false);
        const QColor hidden = m_view->grab().toImage().pixelColor(at({21, 45, k}));
        QCOMPARE(hidden.red(), hidden.green()); // grey image only
    }

    void labelPanelDrivesTheSession()
    {
        ui::LabelPanel panel(m_labels);
        panel.show();
        auto *radius = panel.findChild<QDoubleSpinBox *>(QStringLiteral("brushRadius"));
        QVERIFY(radius);
        radius->setValue(7.0);
        QCOMPARE(m_labels->toolSettings().radius, 7.0);
        m_labels->setBrushRadius(4.0); // and back: the panel mirrors the session
        QCOMPARE(radius->value(), 4.0);

        panel.findChild<QCheckBox *>(QStringLiteral("thresholdEnabled"))->setChecked(true);
        panel.findChild<QDoubleSpinBox *>(QStringLiteral("thresholdLow"))->setValue(-50.0);
        QVERIFY(m_labels->toolSettings().thresholdEnabled);
        QCOMPARE(m_labels->toolSettings().thresholdLow, -50.0);

        auto *over = panel.findChild<QComboBox *>(QStringLiteral("paintOver"));
        over->setCurrentIndex(over->findData(3));
        QCOMPARE(m_labels->toolSettings().overMode, core::PaintOverMode::SingleLabel);
        QCOMPARE(m_labels->toolSettings().overLabel, 3);

        panel.findChild<QSlider *>(QStringLiteral("overlayOpacity"))->setValue(30);
        QCOMPARE(m_labels->overlaySettings().opacity, 0.3);
        panel.findChild<QComboBox *>(QStringLiteral("overlayStyle"))->setCurrentIndex(1);
        QCOMPARE(m_labels->overlaySettings().style, ui::OverlayStyle::Outline);

        // A row of the table makes its label the active one.
        auto *table = panel.findChild<QTableView *>(QStringLiteral("labelTable"));
        table->setCurrentIndex(table->model()->index(4, 1));
        QCOMPARE(m_labels->activeLabel(), 4);

        QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("addLabelButton")),
                          Qt::LeftButton);
        QCOMPARE(m_labels->activeLabel(), 7);
        QCOMPARE(table->model()->rowCount(), 8);
        QCOMPARE(m_document->undoStack()->count(), 1);
    }

    void mainWindowUndoRedoShortcutsAndLabelKeys()
    {
        QTemporaryDir settings;
        ui::RecentFiles recent;
        ui::TranslationManager translations(ui::TranslationManager::defaultTranslationsDir());
        translations.setLanguage(QStringLiteral("en"));
        m_view.reset();
        ui::MainWindow window(m_document.get(), &recent, &translations, app::componentVersions);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.findChild<ui::LabelPanel *>(QStringLiteral("labelPanel")));

        auto *view = window.findChild<SliceView *>(QStringLiteral("sliceViewAxial"));
        QVERIFY(view);
        QCOMPARE(view->labelSession(), m_labels);
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        m_labels->setTool(LabelTool::Navigate);
        // The keys are the view's under the mouse.
        QTest::mouseMove(view, view->rect().center());
        QCOMPARE(QApplication::focusWidget(), view);
        // B selects the brush (ITK-SNAP / Slicer style keys), ] grows it, . cycles the label.
        QTest::keyClick(&window, Qt::Key_B);
        QCOMPARE(m_labels->toolSettings().tool, LabelTool::Brush);
        const double radius = m_labels->toolSettings().radius;
        QTest::keyClick(&window, Qt::Key_BracketRight);
        QCOMPARE(m_labels->toolSettings().radius, radius + 1.0);
        QTest::keyClick(&window, Qt::Key_BracketLeft);
        QCOMPARE(m_labels->toolSettings().radius, radius);
        QTest::keyClick(&window, Qt::Key_Period);
        QCOMPARE(m_labels->activeLabel(), 2);
        QTest::keyClick(&window, Qt::Key_Comma);
        QCOMPARE(m_labels->activeLabel(), 1);
        QTest::keyClick(&window, Qt::Key_O);
        QVERIFY(!m_labels->overlaySettings().visible);
        QTest::keyClick(&window, Qt::Key_O);
        QVERIFY(m_labels->overlaySettings().visible);

        QPoint from = view->widgetPositionOf(std::array<int, 3>{10, 10, k}).toPoint();
        QPoint to = view->widgetPositionOf(std::array<int, 3>{30, 10, k}).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, from);
        QTest::mouseMove(view, to);
        QTest::mouseRelease(view, Qt::LeftButton, {}, to);
        QCOMPARE(int(m_labels->labelMap()->value(20, 10, k)), 1);
        QVERIFY(window.isWindowModified());

        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(int(m_labels->labelMap()->value(20, 10, k)), 0);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(int(m_labels->labelMap()->value(20, 10, k)), 1);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(int(m_labels->labelMap()->value(20, 10, k)), 0);
        QTest::keyClick(&window, Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(int(m_labels->labelMap()->value(20, 10, k)), 1);

        // Help > Keyboard Shortcuts lists them.
        auto *help = window.findChild<QAction *>(QStringLiteral("actionKeyboardShortcuts"));
        QVERIFY(help);
        help->trigger();
        auto *dialog = window.findChild<ui::ShortcutsDialog *>(QStringLiteral("shortcutsDialog"));
        QVERIFY(dialog);
        QStringList keys;
        for (int row = 0; row < dialog->table()->rowCount(); ++row)
            keys << dialog->table()->item(row, 1)->text();
        const QString all = keys.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QStringLiteral("Ctrl+Y")), qPrintable(all));
        QVERIFY(all.contains(QStringLiteral("Ctrl+Shift+Z")));
        QVERIFY(all.contains(QStringLiteral("B")));
        QVERIFY(all.contains(QStringLiteral("]")));
        dialog->close();
        m_document->markSaved(); // no "save changes?" question when the window goes
    }

    // Issue 20, defect 1: renaming a label (double-click, type, Return) or changing its opacity
    // kept the table's selection, so the active label jumped to 0 and the brush erased.
    void renameOrOpacityEditThenPaintKeepsTheLabel()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("commitData|closeEditor")));
        auto window = openMainWindow();
        auto *table = window->findChild<QTableView *>(QStringLiteral("labelTable"));
        auto *view = window->findChild<SliceView *>(QStringLiteral("sliceViewAxial"));
        QVERIFY(table && view);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cellCentre(table, 3, 1));
        QCOMPARE(m_labels->activeLabel(), 3);

        editCell(table, 3, ui::LabelTableModel::NameColumn, QStringLiteral("Liver"));
        QCOMPARE(QString::fromStdString(m_labels->table().find(3)->name), QStringLiteral("Liver"));
        QCOMPARE(m_labels->activeLabel(), 3);
        QCOMPARE(table->currentIndex().row(), 3);
        editCell(table, 3, ui::LabelTableModel::OpacityColumn, QStringLiteral("40"));
        QCOMPARE(m_labels->table().find(3)->opacity, 0.4);
        QCOMPARE(m_labels->activeLabel(), 3);

        m_labels->setTool(LabelTool::Brush);
        const int k = m_document->series()->sliceIndex(SliceOrientation::Axial);
        const QPoint from = view->widgetPositionOf(std::array<int, 3>{10, 40, k}).toPoint();
        const QPoint to = view->widgetPositionOf(std::array<int, 3>{30, 40, k}).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, from);
        QTest::mouseMove(view, to);
        QTest::mouseRelease(view, Qt::LeftButton, {}, to);
        QCOMPARE(int(m_labels->labelMap()->value(20, 40, k)), 3);
        QCOMPARE(m_document->undoStack()->undoText(), QStringLiteral("Paint Liver"));

        // Adding and removing rows keeps the user's choice too.
        QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("addLabelButton")),
                          Qt::LeftButton);
        QCOMPARE(m_labels->activeLabel(), 7);
        m_document->undoStack()->undo();
        QVERIFY(m_labels->activeLabel() > 0);
        QCOMPARE(table->currentIndex().row(),
                 m_labels->activeLabel()); // rows are 0..6, label = row
        m_document->markSaved();
    }

    // Defect 2: single-key tool shortcuts act on the views only; typing in the label table (with
    // or without an open editor) never switches tools or hides the overlay.
    void typingOutsideTheViewsNeverSwitchesTools()
    {
        auto window = openMainWindow();
        auto *table = window->findChild<QTableView *>(QStringLiteral("labelTable"));
        auto *view = window->findChild<SliceView *>(QStringLiteral("sliceViewAxial"));
        m_labels->setTool(LabelTool::Brush);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cellCentre(table, 2, 1));
        QCOMPARE(QApplication::focusWidget(), table);
        QTest::keyClicks(table, QStringLiteral("eoplf"));
        QCOMPARE(m_labels->toolSettings().tool, LabelTool::Brush);
        QVERIFY(m_labels->overlaySettings().visible);

        doubleClick(table->viewport(), cellCentre(table, 2, ui::LabelTableModel::NameColumn));
        QWidget *editor = QApplication::focusWidget();
        QVERIFY(qobject_cast<QLineEdit *>(editor));
        // The mouse crossing a view while the user types leaves the keyboard with the editor.
        QTest::mouseMove(view, view->rect().center());
        QCOMPARE(QApplication::focusWidget(), editor);
        QTest::keyClicks(editor, QStringLiteral("bone"));
        QCOMPARE(m_labels->toolSettings().tool, LabelTool::Brush);
        QVERIFY(m_labels->overlaySettings().visible);
        QTest::keyClick(editor, Qt::Key_Return);

        // Over a view, the keys are the view's.
        QTest::mouseMove(view, view->rect().center() + QPoint(5, 5));
        QCOMPARE(QApplication::focusWidget(), view);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_E);
        QCOMPARE(m_labels->toolSettings().tool, LabelTool::Eraser);
        m_document->markSaved();
    }

    // Defect 3: after a window preset was chosen, Page Down over a view moved the preset, not
    // the slice. Keys over a view act on the view under the mouse, as in ITK-SNAP.
    void pageDownOverAViewMovesTheSliceAfterAPreset()
    {
        auto window = openMainWindow();
        auto *presets = window->findChild<QComboBox *>(QStringLiteral("windowPresetCombo"));
        auto *view = window->findChild<SliceView *>(QStringLiteral("sliceViewAxial"));
        QVERIFY(presets && view);
        QVERIFY2(presets->count() > 2, qPrintable(QString::number(presets->count())));
        presets->setFocus(Qt::MouseFocusReason);
        presets->setCurrentIndex(1);
        Q_EMIT presets->activated(1);
        QCOMPARE(QApplication::focusWidget(), presets);
        const int preset = presets->currentIndex();
        const int slice = m_document->series()->sliceIndex(SliceOrientation::Axial);

        QTest::mouseMove(view, view->rect().center());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_PageDown);
        QCOMPARE(m_document->series()->sliceIndex(SliceOrientation::Axial), slice - 1);
        QCOMPARE(presets->currentIndex(), preset);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_PageUp);
        QCOMPARE(m_document->series()->sliceIndex(SliceOrientation::Axial), slice);
    }

private:
    std::unique_ptr<ui::MainWindow> openMainWindow()
    {
        m_view.reset();
        core::SeriesLayout layout;
        layout.modality = "CT";
        m_document->series()->setVolume(makeVolume(), layout);
        auto window = std::make_unique<ui::MainWindow>(
            m_document.get(), m_recent.get(), m_translations.get(), app::componentVersions);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            qWarning("window not exposed");
        window->activateWindow();
        if (!QTest::qWaitForWindowActive(window.get()))
            qWarning("window not active");
        return window;
    }
    static QPoint cellCentre(QTableView *table, int row, int column)
    {
        return table->visualRect(table->model()->index(row, column)).center();
    }
    // A real double click: press, release, the second press (a double-click event), release.
    static void doubleClick(QWidget *widget, const QPoint &position)
    {
        QTest::mouseClick(widget, Qt::LeftButton, {}, position);
        QTest::mouseDClick(widget, Qt::LeftButton, {}, position);
        QTest::mouseRelease(widget, Qt::LeftButton, {}, position);
    }
    // Double-clicks a cell, types `text` into its editor and presses Return, as a user does.
    static void editCell(QTableView *table, int row, int column, const QString &text)
    {
        doubleClick(table->viewport(), cellCentre(table, row, column));
        QWidget *editor = QApplication::focusWidget();
        QVERIFY2(editor && editor != table, "no editor opened");
        if (auto *line = qobject_cast<QLineEdit *>(editor))
            line->selectAll();
        else if (auto *spin = qobject_cast<QAbstractSpinBox *>(editor))
            spin->selectAll();
        QTest::keyClicks(editor, text);
        QTest::keyClick(editor, Qt::Key_Return);
        QTRY_VERIFY(QApplication::focusWidget() != editor); // the delegate commits queued
    }

    QPoint at(const std::array<int, 3> &voxel) const
    {
        return m_view->widgetPositionOf(voxel).toPoint();
    }
    // Press at the first voxel, jump to each next one (a fast drag), release at the last.
    void drag(const std::vector<std::array<int, 3>> &voxels)
    {
        QTest::mousePress(m_view.get(), Qt::LeftButton, {}, at(voxels.front()));
        for (std::size_t n = 1; n < voxels.size(); ++n)
            QTest::mouseMove(m_view.get(), at(voxels[n]));
        QTest::mouseRelease(m_view.get(), Qt::LeftButton, {}, at(voxels.back()));
    }

    QTemporaryDir m_settingsDir;
    std::unique_ptr<ui::RecentFiles> m_recent;
    std::unique_ptr<ui::TranslationManager> m_translations;
    std::unique_ptr<ui::Document> m_document;
    ui::LabelSession *m_labels = nullptr;
    std::unique_ptr<SliceView> m_view;
};

QTEST_MAIN(tst_LabelCanvas)
#include "tst_LabelCanvas.moc"
