#include "ui/session/SeriesSession.h"
#include "ui/widgets/SliceView.h"
#include "ui/widgets/WindowLevelBar.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QtTest>

using namespace medseg;
using ui::SeriesSession;
using ui::SliceOrientation;
using ui::SliceView;

namespace {

std::shared_ptr<core::Volume> makeVolume()
{
    // 40 x 20 x 10 voxels of 1 x 2 x 3 mm: non-square pixels on every plane.
    auto volume = std::make_shared<core::Volume>(40, 20, 10);
    for (int k = 0; k < 10; ++k)
        for (int j = 0; j < 20; ++j)
            for (int i = 0; i < 40; ++i)
                volume->value(i, j, k) = float(i + 40 * j + 800 * k);
    core::ImageGeometry geometry;
    geometry.spacing = {1.0, 2.0, 3.0};
    volume->setGeometry(geometry);
    return volume;
}

core::SeriesLayout ctLayout()
{
    core::SeriesLayout layout;
    layout.modality = "CT";
    layout.windows = {core::Window{400.0, 800.0, "FILE"}};
    return layout;
}

} // namespace

// Drives the slice view with real mouse and key events and checks the session's state.
class tst_SliceView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_session = std::make_unique<SeriesSession>();
        m_session->setVolume(makeVolume(), ctLayout());
        m_view = std::make_unique<SliceView>(m_session.get(), SliceOrientation::Axial);
        m_view->resize(400, 400);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }
    void cleanup()
    {
        m_view.reset();
        m_session.reset();
    }

    void clickMovesTheCrosshairToTheVoxelUnderTheMouse()
    {
        const std::array<int, 3> target{31, 4, m_session->sliceIndex(SliceOrientation::Axial)};
        const QPoint at = m_view->widgetPositionOf(target).toPoint();
        QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, at);
        QCOMPARE(m_session->cursor(), target);
        QCOMPARE(m_view->voxelAt(at).value(), target);
    }

    void drawsWithThePhysicalAspectRatio()
    {
        // 40 mm wide, 40 mm tall (20 rows of 2 mm): square on screen although 40 x 20 pixels.
        const QPointF left = m_view->widgetPositionOf({0, 10, 0});
        const QPointF right = m_view->widgetPositionOf({39, 10, 0});
        const QPointF top = m_view->widgetPositionOf({20, 0, 0});
        const QPointF bottom = m_view->widgetPositionOf({20, 19, 0});
        const double width = (right.x() - left.x()) / 39.0 * 40.0;
        const double height = (bottom.y() - top.y()) / 19.0 * 20.0;
        QVERIFY2(qAbs(width - height) < 1.5,
                 qPrintable(QStringLiteral("%1 vs %2").arg(width).arg(height)));
    }

    void wheelAndKeysMoveTheSlice()
    {
        const int start = m_session->sliceIndex(SliceOrientation::Axial);
        QWheelEvent up(QPointF(200, 200), m_view->mapToGlobal(QPointF(200, 200)), QPoint(),
                       QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(m_view.get(), &up);
        QCOMPARE(m_session->sliceIndex(SliceOrientation::Axial), start + 1);
        QTest::keyClick(m_view.get(), Qt::Key_PageDown);
        QTest::keyClick(m_view.get(), Qt::Key_PageDown);
        QCOMPARE(m_session->sliceIndex(SliceOrientation::Axial), start - 1);
        QTest::keyClick(m_view.get(), Qt::Key_End);
        QCOMPARE(m_session->sliceIndex(SliceOrientation::Axial), 9);
    }

    void controlWheelZoomsAboutTheMouse()
    {
        const QPoint at(120, 150);
        const auto before = m_view->voxelAt(at);
        QWheelEvent zoom(QPointF(at), m_view->mapToGlobal(QPointF(at)), QPoint(), QPoint(0, 240),
                         Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(m_view.get(), &zoom);
        QCOMPARE(m_view->zoom(), 1.5625);
        QCOMPARE(m_view->voxelAt(at), before);
        QTest::keyClick(m_view.get(), Qt::Key_0);
        QCOMPARE(m_view->zoom(), 1.0);
    }

    void rightDragChangesWindowAndLevel()
    {
        ui::WindowLevelBar bar(m_session.get());
        const core::Window before = m_session->window();
        QTest::mousePress(m_view.get(), Qt::RightButton, {}, QPoint(200, 200));
        QMouseEvent move(QEvent::MouseMove, QPointF(250, 180),
                         m_view->mapToGlobal(QPointF(250, 180)), Qt::NoButton, Qt::RightButton,
                         Qt::NoModifier);
        QApplication::sendEvent(m_view.get(), &move);
        QTest::mouseRelease(m_view.get(), Qt::RightButton, {}, QPoint(250, 180));
        const core::Window after = m_session->window();
        QCOMPARE(after.width, before.width + 50 * before.width / 200.0);
        QCOMPARE(after.center, before.center + 20 * before.width / 200.0);
        // The toolbar follows.
        QCOMPARE(bar.findChild<QDoubleSpinBox *>(QStringLiteral("windowWidth"))->value(),
                 after.width);
    }

    void toolbarPresetSetsTheWindow()
    {
        ui::WindowLevelBar bar(m_session.get());
        auto *presets = bar.findChild<QComboBox *>(QStringLiteral("windowPresetCombo"));
        QVERIFY(presets);
        int lung = -1;
        for (int i = 0; i < presets->count(); ++i) {
            if (presets->itemText(i).contains(QStringLiteral("-600/1500")))
                lung = i;
        }
        QVERIFY(lung >= 0);
        presets->setCurrentIndex(lung);
        Q_EMIT presets->activated(lung);
        QCOMPARE(m_session->window().center, -600.0);
        QCOMPARE(m_session->window().width, 1500.0);
        auto *center = bar.findChild<QDoubleSpinBox *>(QStringLiteral("windowCenter"));
        center->setValue(35.0);
        QCOMPARE(m_session->window().center, 35.0);
    }

    void hoverReportsTheVoxelValue()
    {
        QSignalSpy hover(m_view.get(), &SliceView::hoverTextChanged);
        const std::array<int, 3> voxel{10, 5, m_session->sliceIndex(SliceOrientation::Axial)};
        QTest::mouseMove(m_view.get(), m_view->widgetPositionOf(voxel).toPoint());
        QTRY_VERIFY(!hover.isEmpty());
        const int value = 10 + 40 * 5 + 800 * voxel[2];
        QVERIFY2(hover.last().first().toString().endsWith(QStringLiteral("%1 HU").arg(value)),
                 qPrintable(hover.last().first().toString()));
    }

private:
    std::unique_ptr<SeriesSession> m_session;
    std::unique_ptr<SliceView> m_view;
};

QTEST_MAIN(tst_SliceView)
#include "tst_SliceView.moc"
