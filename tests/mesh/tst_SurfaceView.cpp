// ui/widgets' SurfaceView. Run twice by ctest: under Xvfb (MEDSEG_EXPECT_RENDERING=1) a ball
// label renders as a non-empty image in the label's colour that hides, rotates and zooms;
// on the offscreen platform the view says it needs a display and still computes statistics,
// without crashing. Both: requests are debounced and the latest labels win.

#include "MeshTestData.h"

#include "ui/widgets/SurfaceView.h"

#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

using namespace medseg;
using ui::SurfaceLabel;
using ui::SurfaceView;

namespace {

bool renderingExpected()
{
    return qEnvironmentVariable("MEDSEG_EXPECT_RENDERING") == QLatin1String("1");
}

// Pixels that are clearly the (shaded) pure red of label 1, not grey background.
int redPixels(const QImage &image)
{
    int count = 0;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width(); ++x) {
            const QRgb pixel = rgb.pixel(x, y);
            if (qRed(pixel) > 80 && qRed(pixel) > 3 * qGreen(pixel) + 20 &&
                qRed(pixel) > 3 * qBlue(pixel) + 20)
                ++count;
        }
    return count;
}

std::shared_ptr<const core::Volume> ballLabels(double radius, int label = 1)
{
    return std::make_shared<core::Volume>(test::ball({1.0, 1.0, 1.5}, radius, label));
}

} // namespace

class TestSurfaceView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knowsWhetherItCanRender()
    {
        SurfaceView view;
        QCOMPARE(view.objectName(), QStringLiteral("surfaceView"));
        QCOMPARE(view.canRender(), renderingExpected());
        auto *message = view.findChild<QLabel *>(QStringLiteral("surfaceViewMessage"));
        QCOMPARE(message != nullptr, !renderingExpected());
        if (message)
            QVERIFY(message->text().contains(QStringLiteral("display")));
    }

    void ballRendersInTheLabelColour()
    {
        if (!renderingExpected())
            QSKIP("rendering is checked under Xvfb (tst_SurfaceView_xvfb)");
        SurfaceView view;
        view.resize(320, 240);
        view.setDebounceInterval(0);
        QSignalSpy updated(&view, &SurfaceView::surfacesUpdated);
        view.setLabels(ballLabels(10.0), {{1, QStringLiteral("ball"), QColor(255, 0, 0), true}});
        QVERIFY(updated.wait(20000));
        QCOMPARE(view.surfaces().size(), std::size_t(1));

        const QImage image = view.grabImage();
        QCOMPARE(image.size(), QSize(320, 240));
        // For a look by eye: MEDSEG_TEST_SAVE_IMAGE=/tmp/ball.png.
        if (const QString path = qEnvironmentVariable("MEDSEG_TEST_SAVE_IMAGE"); !path.isEmpty())
            image.save(path);
        const int red = redPixels(image);
        qInfo("red pixels: %d of %d", red, 320 * 240);
        // The ball fills a good part of the view after the camera reset.
        QVERIFY(red > 320 * 240 / 20);
        // Rotating and panning keep it in view; zooming in makes it larger.
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(100, 100));
        QTest::mouseMove(&view, QPoint(140, 120));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(140, 120));
        QVERIFY(redPixels(view.grabImage()) > 320 * 240 / 20);
        QWheelEvent wheel(QPointF(160, 120), view.mapToGlobal(QPointF(160, 120)), QPoint(),
                          QPoint(0, 240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(&view, &wheel);
        const int zoomed = redPixels(view.grabImage());
        QVERIFY2(zoomed > red, qPrintable(QStringLiteral("%1 vs %2").arg(zoomed).arg(red)));

        // Hidden: nothing red is left.
        view.setLabelVisible(1, false);
        QVERIFY(!view.isLabelVisible(1));
        QCOMPARE(redPixels(view.grabImage()), 0);
        view.setLabelVisible(1, true);
        view.resetCamera();
        QVERIFY(redPixels(view.grabImage()) > 320 * 240 / 20);
    }

    void withoutDisplayShowsAMessageAndStillMeasures()
    {
        if (renderingExpected())
            QSKIP("the message is checked on the offscreen platform");
        SurfaceView view;
        view.resize(200, 150);
        view.show();
        view.setDebounceInterval(0);
        QSignalSpy updated(&view, &SurfaceView::surfacesUpdated);
        std::vector<std::uint16_t> words(20 * 20 * 20, 0);
        for (int k = 5; k < 10; ++k)
            for (int j = 5; j < 9; ++j)
                for (int i = 5; i < 8; ++i)
                    words[std::size_t((k * 20 + j) * 20 + i)] = 4;
        core::ImageGeometry geometry;
        geometry.spacing = {0.5, 0.5, 2.0};
        view.setLabels(std::make_shared<const std::vector<std::uint16_t>>(std::move(words)), 20, 20,
                       20, geometry);
        QVERIFY(updated.wait(20000));
        QCOMPARE(view.statistics().size(), std::size_t(1));
        QCOMPARE(view.statistics()[0].label, 4);
        QCOMPARE(view.statistics()[0].voxelCount, std::int64_t(5 * 4 * 3));
        QCOMPARE(view.statistics()[0].volumeMm3, 60 * 0.5 * 0.5 * 2.0);
        QVERIFY(view.statistics()[0].surfaceAreaMm2 > 0.0);
        const QImage image = view.grabImage();
        QVERIFY(!image.isNull());
        // Mouse input does nothing harmful.
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(10, 10));
        QTest::mouseMove(&view, QPoint(50, 30));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(50, 30));
    }

    void latestLabelsWin()
    {
        SurfaceView view;
        view.setDebounceInterval(30);
        QSignalSpy updated(&view, &SurfaceView::surfacesUpdated);
        view.setLabels(ballLabels(9.0, 1));
        view.labelsChanged();
        view.setLabels(ballLabels(5.0, 2));
        QVERIFY(updated.wait(20000));
        // Wait until nothing is pending any more.
        QTRY_VERIFY_WITH_TIMEOUT(!view.isComputing(), 20000);
        QCoreApplication::processEvents();
        QVERIFY(updated.count() >= 1);
        QCOMPARE(view.statistics().size(), std::size_t(1));
        QCOMPARE(view.statistics()[0].label, 2);
        QCOMPARE(view.surfaces().size(), std::size_t(1));
        QCOMPARE(view.surfaces()[0].label, 2);

        // While a computation runs, a new request cancels it and the new labels still win.
        view.setDebounceInterval(0);
        view.setLabels(ballLabels(25.0, 3));
        QTRY_VERIFY_WITH_TIMEOUT(view.isComputing(), 5000);
        view.setLabels(ballLabels(4.0, 5));
        QTRY_VERIFY_WITH_TIMEOUT(!view.isComputing() && view.statistics().size() == 1 &&
                                     view.statistics()[0].label == 5,
                                 30000);
    }

    void destroyingWhileComputingIsSafe()
    {
        auto *view = new SurfaceView;
        view->setDebounceInterval(0);
        view->setLabels(ballLabels(20.0));
        QTRY_VERIFY_WITH_TIMEOUT(view->isComputing(), 5000);
        delete view;
    }
};

QTEST_MAIN(TestSurfaceView)
#include "tst_SurfaceView.moc"
