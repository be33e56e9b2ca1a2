// VOC export: export then import gives the same arrays, splits keep patients apart, no patient
// name or ID is written anywhere, images follow the DICOM window formula, bad masks are refused
// with the file named.

#include "core/dataset/VocReader.h"
#include "core/dataset/VocWriter.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

using namespace medseg::core;

namespace {

LabelTable table()
{
    return LabelTable({{0, "background", {0, 0, 0}},
                       {1, "liver", {200, 100, 100}},
                       {2, "kidney", {100, 200, 100}}});
}

// A small volume whose values sweep -1100..1100 HU, and labels 0..2 with some ignore pixels.
void makeSeries(int seed, Volume *image, Volume *labels)
{
    *image = Volume(12, 10, 3);
    *labels = Volume(12, 10, 3);
    for (int k = 0; k < 3; ++k)
        for (int j = 0; j < 10; ++j)
            for (int i = 0; i < 12; ++i) {
                image->value(i, j, k) =
                    float(-1100 + ((i * 37 + j * 53 + k * 11 + seed) % 221) * 10);
                labels->value(i, j, k) = float((i + j + k + seed) % 4 == 3 ? 255 : (i + seed) % 3);
            }
}

// PS3.3 C.11.2.1.2.1, written out independently.
int formula(double x, double c, double w)
{
    if (x <= c - 0.5 - (w - 1) / 2)
        return 0;
    if (x > c - 0.5 + (w - 1) / 2)
        return 255;
    return int(std::floor(((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0));
}

QString readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

} // namespace

class tst_VocWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exportThenImportGivesSameArrays_data();
    void exportThenImportGivesSameArrays();
    void splitKeepsPatientsApart_data();
    void splitKeepsPatientsApart();
    void noPatientNameOrIdWritten();
    void windowIsRecorded();
    void badMasksNameTheFile_data();
    void badMasksNameTheFile();
};

void tst_VocWriter::exportThenImportGivesSameArrays_data()
{
    QTest::addColumn<double>("center");
    QTest::addColumn<double>("width");
    QTest::newRow("abdomen") << 40.0 << 400.0;
    QTest::newRow("lung") << -600.0 << 1500.0;
}

void tst_VocWriter::exportThenImportGivesSameArrays()
{
    QFETCH(double, center);
    QFETCH(double, width);
    QTemporaryDir dir;
    Volume image, labels;
    makeSeries(1, &image, &labels);
    VocWriter writer(dir.path().toStdString(), table());
    VocSeries series;
    series.image = &image;
    series.labels = &labels;
    series.window = {center, width, "test"};
    series.seriesUid = "1.2.3.4";
    series.patientKey = "P1";
    writer.addSeries(series);
    QCOMPARE(writer.finish(), 3);

    const VocDataset dataset = VocReader::open(dir.path().toStdString());
    QCOMPARE(int(dataset.layout), int(VocLayout::MedSeg));
    QCOMPARE(dataset.classes.size(), 3);
    QCOMPARE(dataset.classes.find(1)->name, std::string("liver"));
    QCOMPARE(int(dataset.samples.size()), 3);
    for (int k = 0; k < 3; ++k) {
        const std::string name = VocWriter::sliceName("1.2.3.4", k);
        const auto sample = std::find_if(dataset.samples.begin(), dataset.samples.end(),
                                         [&](const VocSample &s) { return s.name == name; });
        QVERIFY(sample != dataset.samples.end());
        QCOMPARE(sample->split, std::string("train"));
        const VocMask mask = VocReader::readMask(dataset, *sample);
        QCOMPARE(mask.width, 12);
        QCOMPARE(mask.height, 10);
        for (int n = 0; n < 120; ++n)
            QCOMPARE(int(mask.indexes[std::size_t(n)]), int(labels.slice(k)[n]));
        int w = 0, h = 0, channels = 0;
        const std::vector<std::uint8_t> pixels =
            VocReader::readImage(sample->imagePath, &w, &h, &channels);
        QCOMPARE(channels, 3);
        QCOMPARE(w, 12);
        for (int n = 0; n < 120; ++n) {
            const int expected = formula(image.slice(k)[n], center, width);
            for (int c = 0; c < 3; ++c)
                QCOMPARE(int(pixels[std::size_t(n * 3 + c)]), expected);
        }
    }
    // The manifest maps every file back to its series and slice.
    const QString manifest = readAll(dir.filePath(QStringLiteral("manifest.csv")));
    QVERIFY(manifest.startsWith(QStringLiteral("image,mask,series_uid,slice,split\n")));
    QVERIFY(manifest.contains(QString::fromStdString(VocWriter::sliceName("1.2.3.4", 2)) +
                              QStringLiteral(".png,1.2.3.4,2,train")));
    QCOMPARE(readAll(dir.filePath(QStringLiteral("class_names.txt"))),
             QStringLiteral("background\nliver\nkidney\n"));
}

void tst_VocWriter::splitKeepsPatientsApart_data()
{
    QTest::addColumn<int>("patients");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<int>("valPatients");
    QTest::newRow("5 patients, 0.4") << 5 << 0.4 << 2;
    QTest::newRow("2 patients, 0.1") << 2 << 0.1 << 1;
    QTest::newRow("3 patients, 0") << 3 << 0.0 << 0;
}

void tst_VocWriter::splitKeepsPatientsApart()
{
    QFETCH(int, patients);
    QFETCH(double, fraction);
    QFETCH(int, valPatients);
    QTemporaryDir dir;
    VocWriter::Options options;
    options.valFraction = fraction;
    options.seed = 3;
    VocWriter writer(dir.path().toStdString(), table(), options);
    std::map<std::string, std::string> patientOf; // slice name -> patient
    for (int p = 0; p < patients; ++p) {
        // Two series per patient: both must land on the same side.
        for (int s = 0; s < 2; ++s) {
            Volume image, labels;
            makeSeries(p, &image, &labels);
            VocSeries series;
            series.image = &image;
            series.labels = &labels;
            series.window = {40, 400, ""};
            series.seriesUid = "1.2." + std::to_string(p) + "." + std::to_string(s);
            series.patientKey = "patient" + std::to_string(p);
            writer.addSeries(series);
            for (int k = 0; k < 3; ++k)
                patientOf[VocWriter::sliceName(series.seriesUid, k)] = series.patientKey;
        }
    }
    writer.finish();
    const VocDataset dataset = VocReader::open(dir.path().toStdString());
    std::set<std::string> trainPatients, valSet;
    for (const VocSample &sample : dataset.samples) {
        QVERIFY(sample.split == "train" || sample.split == "val");
        (sample.split == "train" ? trainPatients : valSet).insert(patientOf.at(sample.name));
    }
    for (const std::string &p : valSet)
        QVERIFY(!trainPatients.count(p));
    QCOMPARE(int(valSet.size()), valPatients);
    QCOMPARE(int(trainPatients.size() + valSet.size()), patients);
    // Deterministic for a seed.
    std::vector<std::string> keys;
    for (int p = 0; p < patients; ++p)
        keys.push_back("patient" + std::to_string(p));
    QCOMPARE(VocWriter::validationPatients(keys, fraction, 3),
             std::vector<std::string>(valSet.begin(), valSet.end()));
}

void tst_VocWriter::noPatientNameOrIdWritten()
{
    QTemporaryDir dir;
    VocWriter writer(dir.path().toStdString(), table());
    Volume image, labels;
    makeSeries(0, &image, &labels);
    VocSeries series;
    series.image = &image;
    series.labels = &labels;
    series.window = {40, 400, ""};
    series.seriesUid = "1.2.840.99";
    series.patientKey = "SMITH^JOHN|PID-4711";
    writer.addSeries(series);
    writer.finish();
    QDirIterator it(dir.path(), QDir::Files, QDirIterator::Subdirectories);
    int files = 0;
    while (it.hasNext()) {
        const QString path = it.next();
        ++files;
        for (const QString &secret :
             {QStringLiteral("SMITH"), QStringLiteral("JOHN"), QStringLiteral("4711")}) {
            QVERIFY2(!path.contains(secret), qPrintable(path));
            if (path.endsWith(QStringLiteral(".txt")) || path.endsWith(QStringLiteral(".csv")) ||
                path.endsWith(QStringLiteral(".json")))
                QVERIFY2(!readAll(path).contains(secret), qPrintable(path));
        }
    }
    QCOMPARE(files, 3 * 2 + 3 + 4); // slices, split lists, class tables + manifest + window
}

void tst_VocWriter::windowIsRecorded()
{
    for (const bool mixed : {false, true}) {
        QTemporaryDir dir;
        VocWriter writer(dir.path().toStdString(), table());
        for (int p = 0; p < 2; ++p) {
            Volume image, labels;
            makeSeries(p, &image, &labels);
            VocSeries series;
            series.image = &image;
            series.labels = &labels;
            series.window = {60, mixed && p == 1 ? 1500.0 : 350.0, ""};
            series.seriesUid = "1.2." + std::to_string(p);
            series.patientKey = "patient" + std::to_string(p);
            writer.addSeries(series);
        }
        writer.finish();
        QFile file(dir.filePath(QStringLiteral("preprocessing.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(file.readAll()).object();
        if (mixed) {
            QVERIFY(!j.contains(QStringLiteral("window_center")));
            QCOMPARE(j[QStringLiteral("windows")].toArray().size(), 2);
        } else {
            QCOMPARE(j[QStringLiteral("window_center")].toDouble(), 60.0);
            QCOMPARE(j[QStringLiteral("window_width")].toDouble(), 350.0);
            QCOMPARE(j[QStringLiteral("invert")].toBool(), false);
        }
    }
}

void tst_VocWriter::badMasksNameTheFile_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<float>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrong size") << 11 << 0.0f << "does not match";
    QTest::newRow("index beyond table") << 12 << 7.0f << "not in the class table";
    QTest::newRow("negative") << 12 << -1.0f << "not in the class table";
}

void tst_VocWriter::badMasksNameTheFile()
{
    QFETCH(int, width);
    QFETCH(float, value);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    VocWriter writer(dir.path().toStdString(), table());
    Volume image, labels;
    makeSeries(0, &image, &labels);
    Volume bad(width, 10, 3);
    bad.value(1, 1, 1) = value;
    VocSeries series;
    series.image = &image;
    series.labels = &bad;
    series.window = {40, 400, ""};
    series.seriesUid = "1.2.3";
    series.patientKey = "P";
    series.labelSource = "/data/labels/1.2.3.nii.gz";
    try {
        writer.addSeries(series);
        QFAIL("no exception");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains(QStringLiteral("/data/labels/1.2.3.nii.gz")),
                 qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }
}

QTEST_GUILESS_MAIN(tst_VocWriter)
#include "tst_VocWriter.moc"
