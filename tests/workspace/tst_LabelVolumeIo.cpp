// NIfTI label volumes as the workspace saves them: values and geometry survive, the type is
// uint8 or uint16 as needed, Debian's nibabel reads the affine of the DICOM geometry (LPS
// flipped to RAS) and the same voxels, and a volume from another grid is refused with a
// message that says how it differs.

#include "core/dataset/NiftiIo.h"
#include "core/dicom/SeriesLoader.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nifti2_io.h>

#include <cmath>

using namespace medseg::core;

namespace {

// An oblique grid (rotated about two axes), anisotropic, off-centre.
ImageGeometry obliqueGeometry()
{
    ImageGeometry g;
    const double a = 0.3, b = 0.2;
    g.rowDirection = normalized({std::cos(a), std::sin(a), 0.0});
    const Vec3 column0{-std::sin(a), std::cos(a), 0.0};
    g.columnDirection =
        normalized({column0[0] * std::cos(b), column0[1] * std::cos(b), std::sin(b)});
    g.normal = cross(g.rowDirection, g.columnDirection);
    g.spacing = {0.7, 0.8, 2.5};
    g.origin = {-123.25, 47.5, -301.125};
    return g;
}

std::vector<std::uint16_t> pattern(int w, int h, int d, int modulo)
{
    std::vector<std::uint16_t> labels(std::size_t(w) * h * d);
    for (int k = 0; k < d; ++k)
        for (int j = 0; j < h; ++j)
            for (int i = 0; i < w; ++i)
                labels[(std::size_t(k) * h + j) * w + i] =
                    std::uint16_t((i * 7 + j * 3 + k * 11) * 37 % modulo);
    return labels;
}

int niftiDatatype(const std::string &path)
{
    nifti_image *image = nifti_image_read(path.c_str(), 0);
    if (!image)
        return -1;
    const int type = image->datatype;
    nifti_image_free(image);
    return type;
}

QString expectError(const std::function<void()> &call)
{
    try {
        call();
    } catch (const std::runtime_error &error) {
        return QString::fromUtf8(error.what());
    }
    return QStringLiteral("<no exception>");
}

} // namespace

class tst_LabelVolumeIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsValuesAndGeometry_data();
    void roundTripKeepsValuesAndGeometry();
    void nibabelReadsDicomGeometryAsRasAffine_data();
    void nibabelReadsDicomGeometryAsRasAffine();
    void mismatchedGridIsRefusedWithClearMessage();
    void foreignLabelVolumeIsImported();
    void nonLabelValuesAreRefused();
};

void tst_LabelVolumeIo::roundTripKeepsValuesAndGeometry_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("modulo");
    QTest::addColumn<int>("datatype");
    QTest::newRow("uint8 .nii.gz") << "a.nii.gz" << 256 << int(NIFTI_TYPE_UINT8);
    QTest::newRow("uint16 .nii.gz") << "b.nii.gz" << 1000 << int(NIFTI_TYPE_UINT16);
    QTest::newRow("uint16 .nii") << "c.nii" << 65535 << int(NIFTI_TYPE_UINT16);
}

void tst_LabelVolumeIo::roundTripKeepsValuesAndGeometry()
{
    QFETCH(QString, name);
    QFETCH(int, modulo);
    QFETCH(int, datatype);
    QTemporaryDir dir;
    const std::string path = dir.filePath(name).toStdString();
    const std::vector<std::uint16_t> labels = pattern(9, 7, 5, modulo);
    const ImageGeometry g = obliqueGeometry();
    NiftiIo::writeLabelVolume(path, labels.data(), 9, 7, 5, g);
    QCOMPARE(niftiDatatype(path), datatype);
    const NiftiIo::LabelVolume back = NiftiIo::readLabelVolume(path, 9, 7, 5, g);
    QCOMPARE(back.width, 9);
    QCOMPARE(back.height, 7);
    QCOMPARE(back.depth, 5);
    QVERIFY(back.labels == labels);
    QVERIFY(back.geometry.isClose(g, 1e-4));
    // uint8 input goes the same way.
    if (modulo <= 256) {
        std::vector<std::uint8_t> bytes(labels.begin(), labels.end());
        NiftiIo::writeLabelVolume(path, bytes.data(), 9, 7, 5, g);
        QVERIFY(NiftiIo::readLabelVolume(path).labels == labels);
    }
}

void tst_LabelVolumeIo::nibabelReadsDicomGeometryAsRasAffine_data()
{
    QTest::addColumn<bool>("realSeries");
    QTest::newRow("oblique grid") << false;
    QTest::newRow("pydicom CT_small") << true;
}

void tst_LabelVolumeIo::nibabelReadsDicomGeometryAsRasAffine()
{
    QFETCH(bool, realSeries);
    const QString python = QStringLiteral("/usr/bin/python3");
    QProcess probe;
    probe.start(python, {QStringLiteral("-c"), QStringLiteral("import nibabel, numpy")});
    QVERIFY2(probe.waitForFinished(60000) && probe.exitCode() == 0,
             "python3-nibabel is not installed (scripts/test.sh installs it)");

    int w = 11, h = 6, d = 4;
    ImageGeometry g = obliqueGeometry();
    if (realSeries) {
        const QString file =
            QStringLiteral(MEDSEG_SHARED_DATA_DIR "/dicom/ct_pydicom_CT_small.dcm");
        QVERIFY2(QFile::exists(file),
                 "DICOM test data missing: scripts/test.sh assembles it (scripts/test_data.sh)");
        SeriesLoader loader = SeriesLoader::forFile(file.toStdString());
        loader.prepare();
        w = loader.volume()->width();
        h = loader.volume()->height();
        d = loader.volume()->depth();
        g = loader.volume()->geometry();
        // The sample's geometry is not the identity: the test would prove little otherwise.
        QVERIFY(g.origin != (Vec3{0.0, 0.0, 0.0}));
    }
    const std::vector<std::uint16_t> labels = pattern(w, h, d, 300);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("labels.nii.gz"));
    NiftiIo::writeLabelVolume(path.toStdString(), labels.data(), w, h, d, g);

    // nibabel's affine maps (i, j, k) to RAS; the DICOM geometry maps it to LPS.
    const std::array<double, 16> lps = g.voxelToPatientMatrix();
    QString expected;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            expected +=
                QString::number((r < 2 ? -1.0 : 1.0) * lps[std::size_t(r * 4 + c)], 'g', 17) +
                QLatin1Char(',');
    // Voxel (i, j, k) is array[i, j, k] in nibabel; ours is stored k-major, i fastest.
    const QString script = QStringLiteral(
        "import sys, numpy, nibabel\n"
        "img = nibabel.load(sys.argv[1])\n"
        "expected = numpy.array([float(v) for v in sys.argv[2].split(',') if v]).reshape(4, 4)\n"
        "for name, affine in (('sform', img.get_sform()), ('qform', img.get_qform()), ('affine', "
        "img.affine)):\n"
        "    err = numpy.abs(affine - expected).max()\n"
        "    if err > 1e-4: sys.exit('%s differs by %g:\\n%s\\n%s' % (name, err, affine, "
        "expected))\n"
        "data = numpy.asanyarray(img.dataobj)\n"
        "w, h, d = data.shape\n"
        "i, j, k = numpy.meshgrid(numpy.arange(w), numpy.arange(h), numpy.arange(d), "
        "indexing='ij')\n"
        "want = (i * 7 + j * 3 + k * 11) * 37 % 300\n"
        "if not (data == want).all(): sys.exit('voxel values differ')\n"
        "print('ok', data.dtype, data.shape, int(data.sum()))\n");
    QProcess process;
    process.start(python, {QStringLiteral("-c"), script, path, expected});
    QVERIFY(process.waitForFinished(120000));
    const QString output =
        QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
    QVERIFY2(process.exitCode() == 0, qPrintable(output));
    QVERIFY2(output.startsWith(QStringLiteral("ok uint16 (%1, %2, %3)").arg(w).arg(h).arg(d)),
             qPrintable(output));
}

void tst_LabelVolumeIo::mismatchedGridIsRefusedWithClearMessage()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("labels.nii.gz")).toStdString();
    ImageGeometry g;
    g.spacing = {0.7, 0.7, 2.5};
    g.origin = {-180.0, -200.0, 40.0};
    const std::vector<std::uint16_t> labels(std::size_t(8) * 8 * 6, 1);
    NiftiIo::writeLabelVolume(path, labels.data(), 8, 8, 6, g);

    QString message = expectError([&] { NiftiIo::readLabelVolume(path, 8, 8, 5, g); });
    QCOMPARE(message, QString::fromStdString(path) +
                          QStringLiteral(": 8x8x6 voxels of 0.7x0.7x2.5 mm do not match the "
                                         "series' 8x8x5 voxels of 0.7x0.7x2.5 mm"));
    ImageGeometry coarser = g;
    coarser.spacing[2] = 3.0;
    message = expectError([&] { NiftiIo::readLabelVolume(path, 8, 8, 6, coarser); });
    QVERIFY2(message.endsWith(QStringLiteral("8x8x6 voxels of 0.7x0.7x2.5 mm do not match the "
                                             "series' 8x8x6 voxels of 0.7x0.7x3 mm")),
             qPrintable(message));
    ImageGeometry flipped = g;
    flipped.normal = {0.0, 0.0, -1.0};
    message = expectError([&] { NiftiIo::readLabelVolume(path, 8, 8, 6, flipped); });
    QVERIFY2(message.contains(QStringLiteral("oriented differently")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("(LPS against LPI)")), qPrintable(message));
    ImageGeometry shifted = g;
    shifted.origin[2] += 5.0;
    message = expectError([&] { NiftiIo::readLabelVolume(path, 8, 8, 6, shifted); });
    QVERIFY2(message.contains(QStringLiteral("shifted by 5 mm")), qPrintable(message));
    // Within tolerance (float storage) it loads.
    ImageGeometry close = g;
    close.origin[0] += 0.001;
    QCOMPARE(NiftiIo::readLabelVolume(path, 8, 8, 6, close).labels.size(), labels.size());
}

void tst_LabelVolumeIo::foreignLabelVolumeIsImported()
{
    // A label volume as another tool writes it: int16, qform only, scaling 1.
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("slicer.nii.gz")).toStdString();
    const int64_t dims[8] = {3, 4, 3, 2, 1, 1, 1, 1};
    nifti_image *image = nifti_make_new_nim(dims, NIFTI_TYPE_INT16, 1);
    auto *data = static_cast<std::int16_t *>(image->data);
    for (int n = 0; n < 24; ++n)
        data[n] = std::int16_t(n % 4);
    // RAS: x and y negated against LPS; spacing 1.5 x 1.5 x 3, origin LPS (10, 20, 30).
    image->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    image->sform_code = 0;
    image->quatern_b = 0.0f;
    image->quatern_c = 0.0f;
    image->quatern_d = 1.0f; // 180 degrees about z
    image->qfac = 1.0f;
    image->qoffset_x = -10.0f;
    image->qoffset_y = -20.0f;
    image->qoffset_z = 30.0f;
    image->dx = image->pixdim[1] = 1.5f;
    image->dy = image->pixdim[2] = 1.5f;
    image->dz = image->pixdim[3] = 3.0f;
    nifti_set_filenames(image, path.c_str(), 0, 1);
    nifti_image_write(image);
    nifti_image_free(image);

    ImageGeometry series;
    series.origin = {10.0, 20.0, 30.0};
    series.spacing = {1.5, 1.5, 3.0};
    const NiftiIo::LabelVolume volume = NiftiIo::readLabelVolume(path, 4, 3, 2, series);
    QCOMPARE(volume.labels.size(), std::size_t(24));
    for (int n = 0; n < 24; ++n)
        QCOMPARE(int(volume.labels[std::size_t(n)]), n % 4);
}

void tst_LabelVolumeIo::nonLabelValuesAreRefused()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("prob.nii")).toStdString();
    const int64_t dims[8] = {3, 2, 2, 1, 1, 1, 1, 1};
    nifti_image *image = nifti_make_new_nim(dims, NIFTI_TYPE_FLOAT32, 1);
    static_cast<float *>(image->data)[3] = 0.5f;
    nifti_set_filenames(image, path.c_str(), 0, 1);
    nifti_image_write(image);
    nifti_image_free(image);
    const QString message = expectError([&] { NiftiIo::readLabelVolume(path); });
    QVERIFY2(message.startsWith(QString::fromStdString(path)), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("voxel (1, 1, 0) holds 0.5")), qPrintable(message));
}

QTEST_GUILESS_MAIN(tst_LabelVolumeIo)
#include "tst_LabelVolumeIo.moc"
