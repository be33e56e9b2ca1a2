// `medseg make-demo`, `medseg convert` and `medseg stats`, run as a script would: the demo
// converts into a VOC dataset split by patient with no patient name or ID in any file, stats
// agree with the masks, and broken or mismatched label files are refused naming the file.

#include "../dicom/SyntheticDicom.h"

#include "core/dataset/ClassStatistics.h"
#include "core/dataset/LabelTable.h"
#include "core/dataset/NiftiIo.h"
#include "core/dataset/VocReader.h"
#include "core/dicom/SeriesLoader.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/workspace/Workspace.h"
#include "support/CliRunner.h"

#include <nlohmann/json.hpp>

#include <cstring>

#include <map>
#include <set>

using namespace medseg::core;

namespace {

using Result = medseg::testing::CliResult;

Result run(const QStringList &arguments)
{
    return medseg::testing::runCli(arguments, 60000);
}

QString readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Copies a folder tree (small demo studies).
bool copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = QDir(to).filePath(QDir(from).relativeFilePath(file));
        if (!QDir().mkpath(QFileInfo(target).path()) || !QFile::copy(file, target))
            return false;
    }
    return true;
}

QString firstLabelFile(const QString &demo)
{
    const QDir labels(QDir(demo).filePath(QStringLiteral("labels")));
    return labels.absoluteFilePath(
        labels.entryList({QStringLiteral("*.nii.gz")}, QDir::Files).value(0));
}

Result makeDemo(const QString &dir, int patients, int slices, int size)
{
    return run({QStringLiteral("make-demo"), dir, QStringLiteral("--patients"),
                QString::number(patients), QStringLiteral("--slices"), QString::number(slices),
                QStringLiteral("--size"), QString::number(size)});
}

} // namespace

class tst_DatasetCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void demoConvertsSplitByPatientWithoutIdentity_data();
    void demoConvertsSplitByPatientWithoutIdentity();
    void convertReadsAWorkspace();
    void statsMatchTheMasks();
    void multiFrameExportsFrameByFrame();
    void badLabelFilesAreNamed_data();
    void badLabelFilesAreNamed();
    void badArgumentsAreUsageErrors_data();
    void badArgumentsAreUsageErrors();

private:
    QTemporaryDir m_dir;
    QString m_demo;
    QString m_small;     // one patient, 3 slices of 32x32
    QString m_otherSize; // the same at 40x40
};

void tst_DatasetCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_demo = m_dir.filePath(QStringLiteral("demo"));
    QCOMPARE(makeDemo(m_demo, 4, 4, 48).exitCode, 0);
    QVERIFY(QFileInfo::exists(m_demo + QStringLiteral("/labels/labels.json")));
    QCOMPARE(QDir(m_demo + QStringLiteral("/labels"))
                 .entryList({QStringLiteral("*.nii.gz")}, QDir::Files)
                 .size(),
             4);
    m_small = m_dir.filePath(QStringLiteral("small"));
    m_otherSize = m_dir.filePath(QStringLiteral("other"));
    QCOMPARE(makeDemo(m_small, 1, 3, 32).exitCode, 0);
    QCOMPARE(makeDemo(m_otherSize, 1, 3, 40).exitCode, 0);
}

void tst_DatasetCli::demoConvertsSplitByPatientWithoutIdentity_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("extension");
    QTest::newRow("png, preset") << QStringList{QStringLiteral("--preset"),
                                                QStringLiteral("abdomen")}
                                 << ".png";
    QTest::newRow("jpg, window, half val")
        << QStringList{QStringLiteral("--format"),       QStringLiteral("jpg"),
                       QStringLiteral("--window"),       QStringLiteral("50,350"),
                       QStringLiteral("--val-fraction"), QStringLiteral("0.5")}
        << ".jpg";
}

void tst_DatasetCli::demoConvertsSplitByPatientWithoutIdentity()
{
    QFETCH(QStringList, options);
    QFETCH(QString, extension);
    QTemporaryDir out;
    const Result result = run(QStringList{QStringLiteral("convert"), m_demo, out.path()} + options);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(result.out.contains(QStringLiteral("16 slices of 4 series")));

    const VocDataset dataset = VocReader::open(out.path().toStdString());
    QCOMPARE(int(dataset.samples.size()), 16);
    QCOMPARE(dataset.classes.find(1)->name, std::string("liver"));
    // manifest: series of each sample; the split never cuts a series (one per patient here).
    std::map<QString, QString> seriesOf;
    const QStringList rows = readAll(out.filePath(QStringLiteral("manifest.csv")))
                                 .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 17);
    for (const QString &row : rows.mid(1)) {
        const QStringList fields = row.split(QLatin1Char(','));
        QVERIFY(fields[0].endsWith(extension));
        seriesOf[QFileInfo(fields[1]).completeBaseName()] = fields[2];
    }
    std::set<QString> trainSeries, valSeries;
    for (const VocSample &sample : dataset.samples) {
        QVERIFY(!sample.imagePath.empty());
        const QString series = seriesOf.at(QString::fromStdString(sample.name));
        (sample.split == "train" ? trainSeries : valSeries).insert(series);
    }
    for (const QString &series : valSeries)
        QVERIFY(!trainSeries.count(series));
    QVERIFY(!valSeries.empty());
    QVERIFY(!trainSeries.empty());

    QDirIterator it(out.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        for (const QString &secret :
             {QStringLiteral("DEMO^"), QStringLiteral("PATIENT0"), QStringLiteral("DEMO-000")}) {
            QVERIFY2(!path.contains(secret), qPrintable(path));
            if (!path.endsWith(QStringLiteral(".png")) && !path.endsWith(QStringLiteral(".jpg")))
                QVERIFY2(!readAll(path).contains(secret), qPrintable(path));
        }
    }
}

// A project folder as SOURCE: its DICOM sources, its label volumes (hashed file names) and its
// label table; a series the project has no labels for is skipped.
void tst_DatasetCli::convertReadsAWorkspace()
{
    const QString folder = m_dir.filePath(QStringLiteral("project"));
    {
        Workspace workspace = Workspace::create(folder.toStdString());
        workspace.setSources({m_demo.toStdString()});
        const QDir labels(QDir(m_demo).filePath(QStringLiteral("labels")));
        const QStringList files = labels.entryList({QStringLiteral("*.nii.gz")}, QDir::Files);
        QCOMPARE(files.size(), 4);
        for (const QString &file : files.mid(0, 3)) {
            const std::string uid = file.chopped(int(strlen(".nii.gz"))).toStdString();
            const NiftiIo::LabelVolume volume =
                NiftiIo::readLabelVolume(labels.filePath(file).toStdString());
            workspace.saveLabels(uid, volume.labels.data(), volume.width, volume.height,
                                 volume.depth, volume.geometry);
        }
        const LabelTable table =
            LabelTable::load(labels.filePath(QStringLiteral("labels.json")).toStdString());
        workspace.setLabelTable(nlohmann::json::parse(table.toJson()).at("labels"));
        workspace.save();
    }
    QTemporaryDir out;
    const Result result =
        run({QStringLiteral("convert"), folder + QStringLiteral(".medseg"), out.path()});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QStringLiteral("12 slices of 3 series")), qPrintable(result.out));
    QVERIFY(result.err.contains(QStringLiteral("no labels for series")));
    const VocDataset dataset = VocReader::open(out.path().toStdString());
    QCOMPARE(int(dataset.samples.size()), 12);
    QCOMPARE(dataset.classes.find(1)->name, std::string("liver"));
}

void tst_DatasetCli::statsMatchTheMasks()
{
    QTemporaryDir out;
    QCOMPARE(run({QStringLiteral("convert"), m_demo, out.path()}).exitCode, 0);
    const Result result = run({QStringLiteral("stats"), out.path(), QStringLiteral("--json")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QJsonObject root = QJsonDocument::fromJson(result.out.toUtf8()).object();
    QCOMPARE(root.value(QStringLiteral("images")).toInt(), 16);
    QCOMPARE(root.value(QStringLiteral("pixels")).toInteger(), qint64(16 * 48 * 48));

    const VocDataset dataset = VocReader::open(out.path().toStdString());
    ClassStatistics expected(5);
    for (const VocSample &sample : dataset.samples) {
        const VocMask mask = VocReader::readMask(dataset, sample);
        expected.add(mask.indexes.data(), mask.indexes.size(), false);
    }
    const QJsonArray classes = root.value(QStringLiteral("classes")).toArray();
    QCOMPARE(classes.size(), 5);
    double sum = 0;
    for (int c = 0; c < 5; ++c) {
        const QJsonObject entry = classes[c].toObject();
        QCOMPARE(entry.value(QStringLiteral("pixels")).toInteger(),
                 qint64(expected.counts()[std::size_t(c)]));
        sum += entry.value(QStringLiteral("weight")).toDouble();
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-9);
}

void tst_DatasetCli::multiFrameExportsFrameByFrame()
{
    // One enhanced multi-frame CT instance of 4 frames; labels: class k % 3 on frame k.
    QTemporaryDir source;
    QVERIFY(QDir(source.path()).mkpath(QStringLiteral("labels")));
    medseg::test::SliceSpec spec;
    spec.seriesUid = medseg::test::makeUid();
    spec.framePositions = {{0, 0, 0}, {0, 0, 2.5}, {0, 0, 5}, {0, 0, 7.5}};
    spec.pixel = [](int x, int, int frame) {
        return long(1024 + 10 * frame + x);
    };
    const std::string file = source.filePath(QStringLiteral("mf.dcm")).toStdString();
    QVERIFY(medseg::test::writeSlice(file, spec));
    SeriesLoader loader = SeriesLoader::forFile(file);
    loader.prepare();
    QCOMPARE(loader.volume()->depth(), 4);
    Volume labels(spec.columns, spec.rows, 4);
    labels.setGeometry(loader.volume()->geometry());
    for (int k = 0; k < 4; ++k)
        std::fill(labels.slice(k), labels.slice(k) + labels.sliceSize(), float(k % 3));
    NiftiIo::writeLabels(
        source
            .filePath(
                QStringLiteral("labels/%1.nii.gz").arg(QString::fromStdString(spec.seriesUid)))
            .toStdString(),
        labels);
    LabelTable({{0, "background", {0, 0, 0}}, {1, "a", {1, 1, 1}}, {2, "b", {2, 2, 2}}})
        .save(source.filePath(QStringLiteral("labels/labels.json")).toStdString());

    QTemporaryDir out;
    const Result result =
        run({QStringLiteral("convert"), source.path(), out.path(), QStringLiteral("--window"),
             QStringLiteral("20,41"), QStringLiteral("--val-fraction"), QStringLiteral("0")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QStringList rows = readAll(out.filePath(QStringLiteral("manifest.csv")))
                                 .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 5);
    const VocDataset dataset = VocReader::open(out.path().toStdString());
    for (int k = 0; k < 4; ++k) {
        const QStringList fields = rows[k + 1].split(QLatin1Char(','));
        QCOMPARE(fields[2], QString::fromStdString(spec.seriesUid));
        QCOMPARE(fields[3].toInt(), k);
        const std::string name = QFileInfo(fields[1]).completeBaseName().toStdString();
        const auto sample = std::find_if(dataset.samples.begin(), dataset.samples.end(),
                                         [&](const VocSample &s) { return s.name == name; });
        QVERIFY(sample != dataset.samples.end());
        const VocMask mask = VocReader::readMask(dataset, *sample);
        QVERIFY(std::all_of(mask.indexes.begin(), mask.indexes.end(),
                            [k](std::uint8_t v) { return v == k % 3; }));
        // HU of pixel (0, 0) of frame k is 10 k; the DICOM linear VOI formula for window 20/41.
        int w = 0, h = 0, channels = 0;
        const auto pixels = VocReader::readImage(sample->imagePath, &w, &h, &channels);
        QCOMPARE(w, spec.columns);
        QCOMPARE(int(pixels[0]), int(std::floor(((10.0 * k - 19.5) / 40 + 0.5) * 255)));
    }
}

void tst_DatasetCli::badLabelFilesAreNamed_data()
{
    QTest::addColumn<QString>("problem");
    QTest::addColumn<QString>("expected");
    QTest::newRow("corrupt") << "corrupt"
                             << "not a readable NIfTI file";
    QTest::newRow("wrong size") << "size"
                                << "does not match";
    QTest::newRow("class beyond table") << "class"
                                        << "not in the class table";
}

void tst_DatasetCli::badLabelFilesAreNamed()
{
    QFETCH(QString, problem);
    QFETCH(QString, expected);
    // A copy of the small demo with a broken label file.
    QTemporaryDir source;
    QVERIFY(copyTree(m_small, source.path()));
    const QString file = firstLabelFile(source.path());
    if (problem == QLatin1String("corrupt")) {
        QFile broken(file);
        QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
        broken.write("garbage");
    } else if (problem == QLatin1String("size")) {
        QVERIFY(QFile::remove(file));
        QVERIFY(QFile::copy(firstLabelFile(m_otherSize), file));
    } else {
        // A class table that lacks the classes in use.
        QFile table(QDir(source.path()).filePath(QStringLiteral("labels/labels.json")));
        QVERIFY(table.open(QIODevice::WriteOnly | QIODevice::Truncate));
        table.write(R"({"labels": [{"index": 0, "name": "background", "color": [0, 0, 0]}]})");
    }
    QTemporaryDir out;
    const Result result = run({QStringLiteral("convert"), source.path(), out.path()});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(file) && result.err.contains(expected), qPrintable(result.err));
}

void tst_DatasetCli::badArgumentsAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("make-demo size") << QStringList{QStringLiteral("make-demo"), QStringLiteral("x"),
                                                   QStringLiteral("--size"), QStringLiteral("8")};
    QTest::newRow("convert format")
        << QStringList{QStringLiteral("convert"), QStringLiteral("a"), QStringLiteral("b"),
                       QStringLiteral("--format"), QStringLiteral("gif")};
}

void tst_DatasetCli::badArgumentsAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    QCOMPARE(run(arguments).exitCode, 2);
}

QTEST_GUILESS_MAIN(tst_DatasetCli)
#include "tst_DatasetCli.moc"
