#include "core/dataset/NiftiIo.h"
#include "core/imageio/ImageFile.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>

using namespace medseg::core;

namespace {

const QString NibabelData = QStringLiteral("/usr/lib/python3/dist-packages/nibabel/tests/data/");
const QString ItkData = QStringLiteral("/usr/share/doc/insighttoolkit5-examples/examples/Data/");

// nibabel's view of a file: the voxel-to-world affine (RAS) of the image, its shape and the sum
// of each volume's values (scaling applied), computed by nibabel itself in this run.
struct NibabelReference
{
    std::array<double, 16> affine{};
    std::vector<int> shape;
    std::vector<double> volumeSums;
};

NibabelReference nibabelReference(const QString &path)
{
    const QString script = QStringLiteral(R"(
import json, sys, nibabel, numpy
image = nibabel.load(sys.argv[1])
data = numpy.asanyarray(image.dataobj).astype(numpy.float64)
if data.ndim == 3: data = data[..., None]
print(json.dumps({'affine': image.affine.flatten().tolist(), 'shape': list(image.shape),
                  'sums': [float(data[..., t].sum()) for t in range(data.shape[3])]}))
)");
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, path});
    if (!python.waitForFinished(60000) || python.exitCode() != 0)
        qFatal("nibabel could not read %s: %s", qPrintable(path),
               python.readAllStandardError().constData());
    const QJsonObject json = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
    NibabelReference reference;
    const QJsonArray affine = json[QStringLiteral("affine")].toArray();
    for (int n = 0; n < 16; ++n)
        reference.affine[std::size_t(n)] = affine[n].toDouble();
    for (const QJsonValue &v : json[QStringLiteral("shape")].toArray())
        reference.shape.push_back(v.toInt());
    for (const QJsonValue &v : json[QStringLiteral("sums")].toArray())
        reference.volumeSums.push_back(v.toDouble());
    return reference;
}

// The RAS affine our geometry stands for (LPS flipped in x and y), to compare with nibabel's.
std::array<double, 16> rasAffineOf(const ImageGeometry &g)
{
    std::array<double, 16> m = g.voxelToPatientMatrix();
    for (int c = 0; c < 4; ++c) {
        m[std::size_t(c)] = -m[std::size_t(c)];
        m[std::size_t(4 + c)] = -m[std::size_t(4 + c)];
    }
    return m;
}

double volumeSum(const Volume &volume)
{
    double sum = 0.0;
    const std::size_t count = volume.voxelCount() * std::size_t(volume.components());
    for (std::size_t n = 0; n < count; ++n)
        sum += double(volume.data()[n]);
    return sum;
}

void compareWithNibabel(const QString &path)
{
    const NibabelReference reference = nibabelReference(path);
    const ImageHeader header = readImageHeader(path.toStdString());
    QCOMPARE(header.width, reference.shape[0]);
    QCOMPARE(header.height, reference.shape[1]);
    QCOMPARE(header.depth, reference.shape.size() > 2 ? reference.shape[2] : 1);
    QCOMPARE(header.volumes, int(reference.volumeSums.size()));
    const std::array<double, 16> ours = rasAffineOf(header.geometry);
    for (std::size_t n = 0; n < 16; ++n)
        QVERIFY2(std::abs(ours[n] - reference.affine[n]) < 1e-4,
                 qPrintable(QStringLiteral("%1: affine[%2] is %3, nibabel says %4")
                                .arg(path)
                                .arg(n)
                                .arg(ours[n])
                                .arg(reference.affine[n])));
    for (int t = 0; t < header.volumes; ++t) {
        const Volume volume = readImageFile(path.toStdString(), t);
        const double expected = reference.volumeSums[std::size_t(t)];
        QVERIFY2(std::abs(volumeSum(volume) - expected) <= 1e-6 * std::max(1.0, std::abs(expected)),
                 qPrintable(QStringLiteral("%1 volume %2: sum %3, nibabel %4")
                                .arg(path)
                                .arg(t)
                                .arg(volumeSum(volume), 0, 'f')
                                .arg(expected, 0, 'f')));
        QVERIFY(volume.geometry() == header.geometry);
    }
}

void writeFile(const QString &path, const std::string &text)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
}

void writeBytes(const QString &path, const void *data, std::size_t size)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write(static_cast<const char *>(data), std::streamsize(size));
}

// 3 x 2 x 2 int16 voxels 0..11 in the byte order asked for.
std::vector<unsigned char> int16Ramp(bool bigEndian)
{
    std::vector<unsigned char> bytes;
    for (int v = 0; v < 12; ++v) {
        const auto value = std::uint16_t(std::int16_t(v * 100 - 300));
        const unsigned char hi = value >> 8, lo = value & 0xff;
        bytes.push_back(bigEndian ? hi : lo);
        bytes.push_back(bigEndian ? lo : hi);
    }
    return bytes;
}

QString expectError(const std::function<void()> &action)
{
    try {
        action();
    } catch (const std::exception &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void compareVec(const Vec3 &found, const Vec3 &expected)
{
    for (std::size_t i = 0; i < 3; ++i)
        QVERIFY2(std::abs(found[i] - expected[i]) < 1e-6,
                 qPrintable(QStringLiteral("(%1, %2, %3) != (%4, %5, %6)")
                                .arg(found[0])
                                .arg(found[1])
                                .arg(found[2])
                                .arg(expected[0])
                                .arg(expected[1])
                                .arg(expected[2])));
}

} // namespace

class tst_ImageFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void niftiGeometryAndValuesAgreeWithNibabel_data();
    void niftiGeometryAndValuesAgreeWithNibabel();
    void niftiHeadersTellWhatTheyHold();
    void nrrdInRasSpaceIsReadInPatientSpace();
    void detachedNrrdAndBigEndianMetaImage();
    void fourDimensionalFilesOpenOneVolume();
    void modalityIsJudgedFromTheValues();
    void foldersListImagesAsSeries();
    void brokenFilesAreRefusedWithTheirName();
    void seriesReaderReadsImagesAndDicomAlike();
};

void tst_ImageFiles::niftiGeometryAndValuesAgreeWithNibabel_data()
{
    QTest::addColumn<QString>("path");
    // Big-endian int16; big-endian float; sform only, anisotropic; oblique 4D; NIfTI-2 4D;
    // ITK's T1 head (qform and sform, permuted axes, 2 x 3 x 2 mm) and its label map.
    for (const char *name : {"anatomical.nii", "reoriented_anat_moved.nii", "standard.nii.gz",
                             "example4d.nii.gz", "example_nifti2.nii.gz"})
        QTest::newRow(name) << NibabelData + QLatin1String(name);
    for (const char *name :
         {"KmeansTest_T1UCharRaw.nii.gz", "KmeansTest_T1KmeansPrelimSegmentation.nii.gz"})
        QTest::newRow(name) << ItkData + QLatin1String(name);
}

void tst_ImageFiles::niftiGeometryAndValuesAgreeWithNibabel()
{
    QFETCH(QString, path);
    QVERIFY2(QFileInfo::exists(path),
             qPrintable(path + QStringLiteral(" is missing: scripts/test.sh installs it")));
    compareWithNibabel(path);
}

void tst_ImageFiles::niftiHeadersTellWhatTheyHold()
{
    const ImageHeader big = readImageHeader((NibabelData + "anatomical.nii").toStdString());
    QCOMPARE(big.format, std::string("NIfTI-1"));
    QVERIFY(big.bigEndian);
    QCOMPARE(big.dataType, std::string("int16"));
    QCOMPARE(big.geometrySource, std::string("sform"));
    const ImageHeader two = readImageHeader((NibabelData + "example_nifti2.nii.gz").toStdString());
    QCOMPARE(two.format, std::string("NIfTI-2"));
    QCOMPARE(two.volumes, 2);
    QVERIFY(!two.bigEndian);
    const ImageHeader sformOnly = readImageHeader((NibabelData + "standard.nii.gz").toStdString());
    QCOMPARE(sformOnly.geometrySource, std::string("sform"));
    QCOMPARE(sformOnly.dataType, std::string("uint8"));
}

void tst_ImageFiles::nrrdInRasSpaceIsReadInPatientSpace()
{
    // An oblique, anisotropic grid written in RAS: ITK's NRRD reader gives it in LPS.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oblique.nrrd"));
    const double c = std::cos(0.3), s = std::sin(0.3);
    char header[1024];
    std::snprintf(header, sizeof header,
                  "NRRD0004\ntype: int16\ndimension: 3\nspace: right-anterior-superior\n"
                  "sizes: 3 2 2\nspace directions: (%.17g,%.17g,0) (%.17g,%.17g,0) (0,0,2.5)\n"
                  "kinds: domain domain domain\nendian: little\nencoding: raw\n"
                  "space origin: (10,-20,30)\n\n",
                  0.5 * c, 0.5 * s, -0.75 * s, 0.75 * c);
    std::string text = header;
    const std::vector<unsigned char> data = int16Ramp(false);
    text.append(reinterpret_cast<const char *>(data.data()), data.size());
    writeFile(path, text);

    ImageHeader found;
    const Volume volume = readImageFile(path.toStdString(), 0, &found);
    QCOMPARE(found.format, std::string("NRRD"));
    QCOMPARE(volume.width(), 3);
    QCOMPARE(volume.height(), 2);
    QCOMPARE(volume.depth(), 2);
    const ImageGeometry &g = volume.geometry();
    compareVec(g.spacing, {0.5, 0.75, 2.5});
    compareVec(g.origin, {-10.0, 20.0, 30.0}); // RAS (10, -20, 30) in LPS
    compareVec(g.rowDirection, {-c, -s, 0.0});
    compareVec(g.columnDirection, {s, -c, 0.0});
    compareVec(g.normal, {0.0, 0.0, 1.0});
    QCOMPARE(volume.value(0, 0, 0), -300.0f);
    QCOMPARE(volume.value(2, 1, 1), 800.0f);
    // Voxel (2, 1, 1) in the world, as the header puts it: origin + 2 d0 + 1 d1 + 1 d2 (RAS).
    const Vec3 world = g.voxelToPatient({2.0, 1.0, 1.0});
    compareVec(world, {-(10 + 2 * 0.5 * c - 0.75 * s), -(-20 + 2 * 0.5 * s + 0.75 * c), 32.5});
}

void tst_ImageFiles::detachedNrrdAndBigEndianMetaImage()
{
    QTemporaryDir dir;
    // NRRD with a detached, big-endian data file in LPS.
    const std::vector<unsigned char> big = int16Ramp(true);
    writeBytes(dir.filePath(QStringLiteral("data.raw")), big.data(), big.size());
    writeFile(dir.filePath(QStringLiteral("detached.nhdr")),
              "NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\n"
              "sizes: 3 2 2\nspace directions: (1,0,0) (0,1,0) (0,0,3)\n"
              "endian: big\nencoding: raw\nspace origin: (1,2,3)\ndata file: data.raw\n");
    const Volume nrrd = readImageFile(dir.filePath(QStringLiteral("detached.nhdr")).toStdString());
    compareVec(nrrd.geometry().origin, {1.0, 2.0, 3.0});
    compareVec(nrrd.geometry().spacing, {1.0, 1.0, 3.0});
    QCOMPARE(nrrd.value(1, 0, 0), -200.0f);
    QCOMPARE(nrrd.value(2, 1, 1), 800.0f);

    // MetaImage with an oblique TransformMatrix (rows: the axes' directions), big-endian data.
    const double c = std::cos(0.5), s = std::sin(0.5);
    char header[1024];
    std::snprintf(header, sizeof header,
                  "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = "
                  "True\nCompressedData = False\nTransformMatrix = %.17g %.17g 0 %.17g %.17g 0 "
                  "0 0 1\nOffset = -5 6 7.5\nElementSpacing = 0.8 0.9 4\nDimSize = 3 2 2\n"
                  "Modality = MET_MOD_CT\nElementType = MET_SHORT\nElementDataFile = LOCAL\n",
                  c, s, -s, c);
    std::string text = header;
    text.append(reinterpret_cast<const char *>(big.data()), big.size());
    writeFile(dir.filePath(QStringLiteral("oblique.mha")), text);
    ImageHeader found;
    const Volume mha =
        readImageFile(dir.filePath(QStringLiteral("oblique.mha")).toStdString(), 0, &found);
    QCOMPARE(found.format, std::string("MetaImage"));
    QVERIFY(found.bigEndian);
    QCOMPARE(found.modality, std::string("CT"));
    compareVec(mha.geometry().origin, {-5.0, 6.0, 7.5});
    compareVec(mha.geometry().spacing, {0.8, 0.9, 4.0});
    compareVec(mha.geometry().rowDirection, {c, s, 0.0});
    compareVec(mha.geometry().columnDirection, {-s, c, 0.0});
    QCOMPARE(mha.value(0, 1, 0), 0.0f);
    QCOMPARE(mha.value(2, 1, 1), 800.0f);
}

void tst_ImageFiles::fourDimensionalFilesOpenOneVolume()
{
    const std::string path = (NibabelData + "example4d.nii.gz").toStdString();
    const std::vector<DicomSeries> series = imageFileSeries(path);
    QCOMPARE(int(series.size()), 2);
    QCOMPARE(series[1].volumeIndex, 1);
    QCOMPARE(series[1].volumeCount, 2);
    QVERIFY(series[0].seriesInstanceUid != series[1].seriesInstanceUid);
    QCOMPARE(series[0].imageCount(), 24);
    SeriesLayout layout;
    const auto second = SeriesReader::load(series[1], &layout);
    QCOMPARE(volumeSum(*second), volumeSum(readImageFile(path, 1)));
    QVERIFY(volumeSum(*second) != volumeSum(readImageFile(path, 0)));
    QCOMPARE(layout.slices.front().frame, 24); // volume 1, slice 0
    const QString message = expectError([&] { readImageFile(path, 2); });
    QVERIFY2(message.contains(QStringLiteral("no volume 3")), qPrintable(message));
}

void tst_ImageFiles::modalityIsJudgedFromTheValues()
{
    Volume ct(8, 8, 4);
    for (std::size_t n = 0; n < ct.voxelCount(); ++n)
        ct.data()[n] = n % 3 == 0 ? -1000.0f : n % 3 == 1 ? 40.0f : 700.0f;
    QCOMPARE(guessModality(ct, {}), std::string("CT"));
    // Outside the field of view: one padding value far below air.
    for (std::size_t n = 0; n < ct.voxelCount(); n += 4)
        ct.data()[n] = -3024.0f;
    QCOMPARE(guessModality(ct, {}), std::string("CT"));
    Volume mr(8, 8, 4);
    for (std::size_t n = 0; n < mr.voxelCount(); ++n)
        mr.data()[n] = float(n % 900);
    QCOMPARE(guessModality(mr, {}), std::string("MR"));
    // A phase map spreads over -4096..4095: not CT although it passes through -1000.
    Volume phase(32, 32, 4);
    for (std::size_t n = 0; n < phase.voxelCount(); ++n)
        phase.data()[n] = float(int(n * 37 % 8192) - 4096);
    QCOMPARE(guessModality(phase, {}), std::string("MR"));
    ImageHeader says;
    says.modality = "CT";
    QCOMPARE(guessModality(mr, says), std::string("CT"));
    // The real MR head of ITK's examples.
    ImageHeader header;
    const Volume head =
        readImageFile((ItkData + "KmeansTest_T1UCharRaw.nii.gz").toStdString(), 0, &header);
    QCOMPARE(guessModality(head, header), std::string("MR"));
}

void tst_ImageFiles::foldersListImagesAsSeries()
{
    // An nnU-Net raw dataset: two channels per case, labels beside, and a MedSeg label file.
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("Dataset001_Test/imagesTr")));
    QVERIFY(root.mkpath(QStringLiteral("Dataset001_Test/labelsTr")));
    const QString t1 = NibabelData + "standard.nii.gz";
    for (const char *name : {"imagesTr/case_001_0000.nii.gz", "imagesTr/case_001_0001.nii.gz",
                             "imagesTr/case_002_0000.nii.gz", "labelsTr/case_001.nii.gz",
                             "imagesTr/case_002_seg.nii.gz"})
        QVERIFY(QFile::copy(t1, root.filePath(QStringLiteral("Dataset001_Test/") + name)));
    writeFile(root.filePath(QStringLiteral("Dataset001_Test/imagesTr/broken.nrrd")),
              "NRRD0004\ntype: float\n");
    DicomIndex index;
    addImageFiles(index, root.filePath(QStringLiteral("Dataset001_Test")).toStdString());
    QCOMPARE(int(index.patients.size()), 2);
    QCOMPARE(index.patients[0].patientId, std::string("case_001"));
    QCOMPARE(int(index.patients[0].studies.front().series.size()), 2); // two channels
    QCOMPARE(index.patients[1].patientId, std::string("case_002"));
    QCOMPARE(int(index.patients[1].studies.front().series.size()), 1);
    const DicomSeries &first = index.patients[0].studies.front().series.front();
    QCOMPARE(first.imageFormat, std::string("NIfTI-1"));
    QCOMPARE(first.columns(), 4);
    QCOMPARE(first.rows(), 5);
    QCOMPARE(first.imageCount(), 7);
    QCOMPARE(int(index.problems.size()), 1);
    QVERIFY(QString::fromStdString(index.problems.front().path).endsWith("broken.nrrd"));
    // Same file, same UID: labels find their image again after the folder moves.
    DicomIndex again;
    addImageFiles(again, root.filePath(QStringLiteral("Dataset001_Test")).toStdString());
    QCOMPARE(again.patients[0].studies.front().series.front().seriesInstanceUid,
             first.seriesInstanceUid);
    QVERIFY(first.seriesInstanceUid.rfind("2.25.", 0) == 0);

    // MedSeg's own label volumes (intent "label") are never listed as images.
    NiftiIo::writeLabelVolume(root.filePath(QStringLiteral("ours.nii.gz")).toStdString(),
                              std::vector<std::uint16_t>(8, 1).data(), 2, 2, 2, {});
    DicomIndex labelsOnly;
    addImageFiles(labelsOnly, root.filePath(QStringLiteral("ours.nii.gz")).toStdString());
    QVERIFY(labelsOnly.patients.empty());
}

void tst_ImageFiles::brokenFilesAreRefusedWithTheirName()
{
    QTemporaryDir dir;
    // A gz cut in the middle of the voxels.
    QFile whole(ItkData + "KmeansTest_T1UCharRaw.nii.gz");
    QVERIFY(whole.open(QIODevice::ReadOnly));
    const QByteArray bytes = whole.readAll();
    const QString cut = dir.filePath(QStringLiteral("cut.nii.gz"));
    writeBytes(cut, bytes.constData(), std::size_t(bytes.size() / 2));
    QString message = expectError([&] { readImageFile(cut.toStdString()); });
    QVERIFY2(message.startsWith(cut) && message.contains(QStringLiteral("cut short")),
             qPrintable(message));
    // A header that is not NIfTI.
    const QString junk = dir.filePath(QStringLiteral("junk.nii"));
    writeFile(junk, std::string(400, 'x'));
    message = expectError([&] { readImageHeader(junk.toStdString()); });
    QVERIFY2(message.startsWith(junk) && message.contains(QStringLiteral("not a readable NIfTI")),
             qPrintable(message));
    // An NRRD whose data file is missing.
    const QString detached = dir.filePath(QStringLiteral("lost.nhdr"));
    writeFile(detached, "NRRD0004\ntype: short\ndimension: 3\nsizes: 3 2 2\nendian: little\n"
                        "encoding: raw\ndata file: gone.raw\n");
    message = expectError([&] { readImageFile(detached.toStdString()); });
    QVERIFY2(message.startsWith(detached), qPrintable(message));
    // A MetaImage header claiming an impossible size.
    const QString huge = dir.filePath(QStringLiteral("huge.mhd"));
    writeFile(huge, "ObjectType = Image\nNDims = 3\nDimSize = 65535 65535 65535\n"
                    "ElementType = MET_SHORT\nElementDataFile = huge.raw\n");
    message = expectError([&] { readImageFile(huge.toStdString()); });
    QVERIFY2(message.startsWith(huge) && message.contains(QStringLiteral("too large")),
             qPrintable(message));
    // Not an image file name at all.
    message = expectError([&] { readImageFile(dir.filePath("x.txt").toStdString()); });
    QVERIFY2(message.contains(QStringLiteral("not a NIfTI, NRRD or MetaImage")),
             qPrintable(message));
}

void tst_ImageFiles::seriesReaderReadsImagesAndDicomAlike()
{
    const std::string path = (ItkData + "KmeansTest_T1UCharRaw.nii.gz").toStdString();
    SeriesReader reader = SeriesReader::forFile(path);
    reader.prepare();
    QCOMPARE(reader.volume()->width(), 128);
    QCOMPARE(reader.volume()->depth(), 62);
    QCOMPARE(reader.layout().modality, std::string("MR"));
    QCOMPARE(int(reader.layout().slices.size()), 62);
    int decoded = 0;
    reader.decode(nullptr, [&](int) { ++decoded; });
    QCOMPARE(decoded, 62);
    QCOMPARE(volumeSum(*reader.volume()), volumeSum(readImageFile(path)));
}

QTEST_GUILESS_MAIN(tst_ImageFiles)
#include "tst_ImageFiles.moc"
