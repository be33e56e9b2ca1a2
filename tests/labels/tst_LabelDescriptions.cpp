// LabelDescriptions: ITK-SNAP's label description file (writing, reading back, parsing a file
// as ITK-SNAP writes it, errors) and the JSON that keeps the lock.

#include "core/labels/LabelDescriptions.h"

#include <QTemporaryDir>
#include <QtTest>

#include <stdexcept>

using namespace medseg::core;

namespace {

void writeText(const QString &path, const QString &text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text.toUtf8());
}

// As ITK-SNAP 3.8 / 4.0 writes it (Segmentation > Export Label Descriptions), with a few
// hand edits a user might make: tabs, an unquoted name, a blank line, a comment in between.
const char *const itkSnapSample = R"snap(################################################
# ITK-SnAP Label Description File
# File format: 
# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL
# Fields: 
#    IDX:   Zero-based index 
#    -R-:   Red color component (0..255)
#    -G-:   Green color component (0..255)
#    -B-:   Blue color component (0..255)
#    -A-:   Label transparency (0.00 .. 1.00)
#    VIS:   Label visibility (0 or 1)
#    IDX:   Label mesh visibility (0 or 1)
#  LABEL:   Label description 
################################################
    0     0    0    0        0  0  0    "Clear Label"
    1   255    0    0        1  1  1    "Liver left lobe"
    2     0  255    0      0.5  1  0    "Portal vein (main)"

  # tumours below
   17	 10   20   30     0.25  0  1    "Tumour #1"
  300   128  128  255        1  1  1    Kidney  
)snap";

} // namespace

class tst_LabelDescriptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreItkSnapsTable()
    {
        const LabelDescriptions table = LabelDescriptions::defaults();
        QCOMPARE(table.size(), 7);
        QCOMPARE(QString::fromStdString(table.find(0)->name), QString("Clear Label"));
        QVERIFY(!table.find(0)->visible);
        QCOMPARE(table.find(3)->colour, (std::array<std::uint8_t, 3>{0, 0, 255}));
        QCOMPARE(table.find(6)->colour, (std::array<std::uint8_t, 3>{255, 0, 255}));
        QCOMPARE(table.maxIndex(), 6);
    }

    void parsesAFileAsItkSnapWritesIt()
    {
        const LabelDescriptions table = LabelDescriptions::fromItkSnap(itkSnapSample, "sample.txt");
        QCOMPARE(table.size(), 5);
        const LabelDescription *liver = table.find(1);
        QVERIFY(liver);
        QCOMPARE(QString::fromStdString(liver->name), QString("Liver left lobe"));
        QCOMPARE(liver->colour, (std::array<std::uint8_t, 3>{255, 0, 0}));
        QCOMPARE(liver->opacity, 1.0);
        const LabelDescription *vein = table.find(2);
        QCOMPARE(QString::fromStdString(vein->name), QString("Portal vein (main)"));
        QCOMPARE(vein->opacity, 0.5);
        QVERIFY(vein->visible);
        QVERIFY(!vein->showInMesh);
        const LabelDescription *tumour = table.find(17);
        QCOMPARE(QString::fromStdString(tumour->name), QString("Tumour #1"));
        QCOMPARE(tumour->colour, (std::array<std::uint8_t, 3>{10, 20, 30}));
        QCOMPARE(tumour->opacity, 0.25);
        QVERIFY(!tumour->visible);
        QCOMPARE(QString::fromStdString(table.find(300)->name), QString("Kidney"));
        QVERIFY(!table.find(0)->visible);
        QVERIFY(!table.find(1)->locked);
        QCOMPARE(table.maxIndex(), 300);
    }

    void itkSnapRoundTripKeepsEveryColumn()
    {
        LabelDescriptions table = LabelDescriptions::fromItkSnap(itkSnapSample);
        table.set({42, "name with \"quotes\" and  spaces", {1, 2, 3}, 0.125, true, false, false});
        const std::string text = table.toItkSnap();
        QVERIFY(text.find("# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL") != std::string::npos);
        LabelDescriptions back = LabelDescriptions::fromItkSnap(text);
        QCOMPARE(QString::fromStdString(back.find(42)->name),
                 QString("name with 'quotes' and  spaces"));
        back.find(42)->name = table.find(42)->name;
        QVERIFY(back == table);

        QTemporaryDir dir;
        const std::string path = dir.filePath("labels.txt").toStdString();
        table.saveItkSnap(path);
        LabelDescriptions loaded = LabelDescriptions::loadItkSnap(path);
        loaded.find(42)->name = table.find(42)->name;
        QVERIFY(loaded == table);
    }

    void malformedRowsNameTheFileAndLine_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("missing columns") << "# c\n  1 255 0 0 1 1\n";
        QTest::newRow("colour out of range") << "1 256 0 0 1 1 1 \"x\"\n";
        QTest::newRow("opacity out of range") << "1 255 0 0 1.5 1 1 \"x\"\n";
        QTest::newRow("index out of range") << "70000 255 0 0 1 1 1 \"x\"\n";
        QTest::newRow("unterminated name") << "1 255 0 0 1 1 1 \"x\n";
    }
    void malformedRowsNameTheFileAndLine()
    {
        QFETCH(QString, text);
        try {
            LabelDescriptions::fromItkSnap(text.toStdString(), "bad.txt");
            QFAIL("no exception");
        } catch (const std::runtime_error &error) {
            const QString message = error.what();
            QVERIFY2(message.startsWith("bad.txt:"), qPrintable(message));
        }
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 LabelDescriptions::loadItkSnap("/nonexistent/labels.txt"));
    }

    void jsonKeepsTheLock()
    {
        LabelDescriptions table = LabelDescriptions::defaults();
        table.find(2)->locked = true;
        table.find(5)->locked = true;
        table.set({1000, "Ünïcode name", {9, 8, 7}, 0.3, false, true, true});
        const LabelDescriptions back = LabelDescriptions::fromJson(table.toJson());
        QVERIFY(back == table);
        const LabelSet locked = back.lockedLabels();
        QCOMPARE(locked.count(), std::size_t(3));
        QVERIFY(locked.test(2) && locked.test(5) && locked.test(1000));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 LabelDescriptions::fromJson("{\"labels\": 3}", "w.json"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, LabelDescriptions::fromJson("not json"));
    }

    // Every label table the program writes imports: ITK-SNAP's file, the JSON with locks, and a
    // dataset's labels.json (organ names, no opacity or visibility), which was refused with
    // "expected IDX R G B A VIS MSH LABEL".
    void loadReadsEveryFormatTheProgramWrites()
    {
        QTemporaryDir dir;
        LabelDescriptions table = LabelDescriptions::defaults();
        LabelDescription liver = *table.find(1);
        liver.name = "liver";
        liver.locked = true;
        table.set(liver);
        const std::string itk = dir.filePath(QStringLiteral("labels.txt")).toStdString();
        table.saveItkSnap(itk);
        QCOMPARE(LabelDescriptions::load(itk).find(1)->name, std::string("liver"));

        const QString json = dir.filePath(QStringLiteral("table.json"));
        writeText(json, QString::fromStdString(table.toJson()));
        QVERIFY(LabelDescriptions::load(json.toStdString()) == table);

        const QString dataset = dir.filePath(QStringLiteral("labels.json"));
        writeText(dataset,
                  QStringLiteral("  {\"labels\": [{\"index\": 0, \"name\": \"background\", "
                                 "\"color\": [0, 0, 0]}, {\"index\": 3, \"name\": \"spleen\", "
                                 "\"color\": [157, 108, 162]}]}\n"));
        const LabelDescriptions fromDataset = LabelDescriptions::load(dataset.toStdString());
        QCOMPARE(fromDataset.size(), 2);
        QCOMPARE(fromDataset.find(3)->name, std::string("spleen"));
        QCOMPARE(int(fromDataset.find(3)->colour[1]), 108);
        QCOMPARE(fromDataset.find(3)->opacity, 1.0);
        QVERIFY(fromDataset.find(3)->visible);

        try {
            LabelDescriptions::load(dir.filePath(QStringLiteral("missing.txt")).toStdString());
            QFAIL("a missing file loaded");
        } catch (const std::runtime_error &error) {
            QVERIFY(QString::fromUtf8(error.what()).contains(QStringLiteral("missing.txt")));
        }
    }

    void editingKeepsRowsSortedAndUnique()
    {
        LabelDescriptions table;
        table.set({5, "five", {}, 1.0, true, true, false});
        table.set({2, "two", {}, 1.0, true, true, false});
        table.set({5, "FIVE", {}, 1.0, true, true, false});
        QCOMPARE(table.size(), 2);
        QCOMPARE(table.labels()[0].index, 2);
        QCOMPARE(QString::fromStdString(table.labels()[1].name), QString("FIVE"));
        QVERIFY(table.remove(2));
        QVERIFY(!table.remove(2));
        QVERIFY(!table.find(2));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 table.set({-1, "", {}, 1.0, true, true, false}));
    }
};

QTEST_APPLESS_MAIN(tst_LabelDescriptions)
#include "tst_LabelDescriptions.moc"
