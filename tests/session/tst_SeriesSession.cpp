#include "ui/session/SeriesSession.h"

#include <QSignalSpy>
#include <QtTest>

using namespace medseg;
using ui::SeriesSession;
using ui::SliceOrientation;

namespace {

// value(i, j, k) = i + 10 j + 100 k on a 6 x 4 x 5 grid, 0.5 x 0.8 x 2.5 mm, axial LPS.
std::shared_ptr<core::Volume> makeVolume()
{
    auto volume = std::make_shared<core::Volume>(6, 4, 5);
    for (int k = 0; k < 5; ++k)
        for (int j = 0; j < 4; ++j)
            for (int i = 0; i < 6; ++i)
                volume->value(i, j, k) = float(i + 10 * j + 100 * k);
    core::ImageGeometry geometry;
    geometry.origin = {-10.0, 20.0, 30.0};
    geometry.spacing = {0.5, 0.8, 2.5};
    volume->setGeometry(geometry);
    return volume;
}

core::SeriesLayout ctLayout()
{
    core::SeriesLayout layout;
    layout.modality = "CT";
    layout.photometric = "MONOCHROME2";
    layout.rescaleType = "HU";
    layout.windows = {core::Window{200.0, 400.0, "FILE"}};
    return layout;
}

} // namespace

class tst_SeriesSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensCenteredWithTheFilesWindow()
    {
        SeriesSession session;
        QSignalSpy volumeChanged(&session, &SeriesSession::volumeChanged);
        QSignalSpy finished(&session, &SeriesSession::loadingFinished);
        session.setVolume(makeVolume(), ctLayout());
        QCOMPARE(volumeChanged.count(), 1);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(session.cursor(), (std::array<int, 3>{3, 2, 2}));
        QCOMPARE(session.window().center, 200.0);
        QCOMPARE(session.window().width, 400.0);
        QVERIFY(session.isVolumetric());
        QCOMPARE(session.decodedSliceCount(), 5);
        QCOMPARE(session.sliceCount(SliceOrientation::Axial), 5);
        QCOMPARE(session.sliceCount(SliceOrientation::Sagittal), 6);
        QCOMPARE(session.sliceCount(SliceOrientation::Coronal), 4);
    }

    void cursorIsClampedAndSharedByAllPlanes()
    {
        SeriesSession session;
        session.setVolume(makeVolume(), ctLayout());
        QSignalSpy moved(&session, &SeriesSession::cursorChanged);
        session.moveSlice(SliceOrientation::Axial, 10);
        QCOMPARE(session.sliceIndex(SliceOrientation::Axial), 4);
        session.setSliceIndex(SliceOrientation::Sagittal, -3);
        QCOMPARE(session.cursor(), (std::array<int, 3>{0, 2, 4}));
        session.setSliceIndex(SliceOrientation::Sagittal, 0); // no change, no signal
        QCOMPARE(moved.count(), 2);
    }

    void axialPlaneIsTheWindowedSlice()
    {
        SeriesSession session;
        session.setVolume(makeVolume(), ctLayout());
        session.setWindow(core::Window{250.0, 200.0, {}}); // 150..350 maps to 0..255
        session.setSliceIndex(SliceOrientation::Axial, 2);
        const QImage image = session.renderSlice(SliceOrientation::Axial);
        QCOMPARE(image.size(), QSize(6, 4));
        QCOMPARE(image.format(), QImage::Format_Grayscale8);
        for (int y = 0; y < 4; ++y) {
            for (int x = 0; x < 6; ++x) {
                const double value = x + 10 * y + 200;
                QCOMPARE(int(image.pixelColor(x, y).red()),
                         int(core::applyLinearVoi(value, session.window())));
            }
        }
    }

    void sagittalAndCoronalPutSuperiorAtTheTop()
    {
        SeriesSession session;
        session.setVolume(makeVolume(), ctLayout());
        session.setWindow(core::Window{250.0, 500.0, {}});
        session.setCursor({1, 3, 0});
        const QImage sagittal = session.renderSlice(SliceOrientation::Sagittal);
        QCOMPARE(sagittal.size(), QSize(4, 5)); // rows j across, slices k up
        // Top row is the last slice (k = 4), bottom row the first.
        QCOMPARE(int(sagittal.pixelColor(2, 0).red()),
                 int(core::applyLinearVoi(1 + 20 + 400, session.window())));
        QCOMPARE(int(sagittal.pixelColor(2, 4).red()),
                 int(core::applyLinearVoi(1 + 20 + 0, session.window())));
        const QImage coronal = session.renderSlice(SliceOrientation::Coronal);
        QCOMPARE(coronal.size(), QSize(6, 5));
        QCOMPARE(int(coronal.pixelColor(5, 1).red()),
                 int(core::applyLinearVoi(5 + 30 + 300, session.window())));
    }

    void planeLayoutKnowsAspectAndOrientation_data()
    {
        QTest::addColumn<int>("orientation");
        QTest::addColumn<QSizeF>("spacing");
        QTest::addColumn<QString>("letters"); // left, right, top, bottom
        QTest::newRow("axial") << int(SliceOrientation::Axial) << QSizeF(0.5, 0.8) << "RLAP";
        QTest::newRow("sagittal") << int(SliceOrientation::Sagittal) << QSizeF(0.8, 2.5) << "APSI";
        QTest::newRow("coronal") << int(SliceOrientation::Coronal) << QSizeF(0.5, 2.5) << "RLSI";
    }
    void planeLayoutKnowsAspectAndOrientation()
    {
        QFETCH(int, orientation);
        QFETCH(QSizeF, spacing);
        QFETCH(QString, letters);
        const ui::PlaneLayout layout =
            ui::planeLayout(*makeVolume(), SliceOrientation(orientation));
        QCOMPARE(layout.pixelSpacing, spacing);
        QString actual;
        for (char c : layout.edgeLetters)
            actual += QLatin1Char(c);
        QCOMPARE(actual, letters);
    }

    void describesTheVoxelInMillimetresAndHounsfield()
    {
        SeriesSession session;
        session.setVolume(makeVolume(), ctLayout());
        QCOMPARE(session.describeVoxel({2, 1, 3}),
                 QStringLiteral("Voxel (3, 2, 4)   -9.0, 20.8, 37.5 mm   312 HU")); // from 1
        QVERIFY(session.describeVoxel({6, 0, 0}).isEmpty());
    }

    void offersFileWindowsThenPresets()
    {
        SeriesSession session;
        session.setVolume(makeVolume(), ctLayout());
        const QList<core::Window> windows = session.availableWindows();
        QVERIFY(windows.size() >= 1 + 8);
        QCOMPARE(windows.first().name, std::string("FILE"));
        bool lung = false;
        for (const core::Window &window : windows)
            lung = lung || (window.center == -600.0 && window.width == 1500.0);
        QVERIFY(lung);
    }

    void windowChangesAreSignalledOnce()
    {
        SeriesSession session;
        session.setVolume(makeVolume(), ctLayout());
        QSignalSpy changed(&session, &SeriesSession::windowChanged);
        session.setWindow(core::Window{40.0, 80.0, "brain"});
        session.setWindow(core::Window{40.0, 80.0, "brain"});
        session.setWindow(core::Window{40.0, 0.0, {}}); // invalid width: ignored
        QCOMPARE(changed.count(), 1);
        QCOMPARE(session.window().width, 80.0);
    }

    void voiLutReplacesTheWindowUntilAWindowIsChosen()
    {
        SeriesSession session;
        core::SeriesLayout layout = ctLayout();
        core::VoiLut lut;
        lut.firstMapped = 100;
        lut.bitsPerEntry = 8;
        for (int n = 0; n < 256; ++n)
            lut.entries.push_back(std::uint16_t(255 - n)); // an inverting LUT over 100..355
        layout.voiLut = lut;
        session.setVolume(makeVolume(), layout);
        QVERIFY(session.hasVoiLut());
        QVERIFY(!session.isVoiLutActive());
        QSignalSpy changed(&session, &SeriesSession::windowChanged);
        session.setVoiLutActive(true);
        QCOMPARE(changed.count(), 1);
        session.setSliceIndex(SliceOrientation::Axial, 1);
        const core::WindowLut expected(lut, -32768, 65535);
        const QImage image = session.renderSlice(SliceOrientation::Axial);
        QCOMPARE(int(image.pixelColor(3, 2).red()), int(expected.map(3 + 20 + 100)));
        QVERIFY(image.pixelColor(3, 2).red() > 200); // near the start of an inverting LUT

        session.setWindow(core::Window{40.0, 400.0, {}});
        QVERIFY(!session.isVoiLutActive());
        QCOMPARE(int(session.renderSlice(SliceOrientation::Axial).pixelColor(3, 2).red()),
                 int(core::applyLinearVoi(123, core::Window{40.0, 400.0, {}})));
    }

    void frameStacksAreNotVolumes()
    {
        SeriesSession session;
        core::SeriesLayout layout;
        layout.modality = "US";
        session.setVolume(std::make_shared<core::Volume>(8, 8, 10), layout);
        QVERIFY(!session.isVolumetric());
        session.setVolume(std::make_shared<core::Volume>(8, 8, 1), ctLayout());
        QVERIFY(!session.isVolumetric());
    }
};

QTEST_GUILESS_MAIN(tst_SeriesSession)
#include "tst_SeriesSession.moc"
