// VOC import of other tools' layouts: labelme2voc (class_names.txt, palette PNGs in
// SegmentationClassPNG/) and CVAT's "Segmentation mask 1.1" (labelmap.txt, RGB colour masks),
// and clear errors for masks that do not fit the class table.

#include "core/dataset/VocReader.h"

#include <QDir>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace medseg::core;

namespace {

void writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

// A 4x3 mask: index (x + y) % classes, with pixel (3, 2) set to `corner`.
QImage indexedMask(int classes, int corner)
{
    QImage image(4, 3, QImage::Format_Indexed8);
    QVector<QRgb> colours;
    for (int n = 0; n < 256; ++n)
        colours << qRgb(n, 255 - n, n / 2);
    image.setColorTable(colours);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x)
            image.setPixel(x, y, uint((x + y) % classes));
    image.setPixel(3, 2, uint(corner));
    return image;
}

// PNG's CRC-32 (ISO 3309), bit by bit.
quint32 crc32(const QByteArray &bytes)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char c : bytes) {
        crc ^= quint8(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray bigEndian32(quint32 value)
{
    QByteArray out(4, '\0');
    for (int i = 0; i < 4; ++i)
        out[i] = char((value >> (24 - 8 * i)) & 0xFF);
    return out;
}

QByteArray pngChunk(const QByteArray &type, const QByteArray &data)
{
    return bigEndian32(quint32(data.size())) + type + data + bigEndian32(crc32(type + data));
}

// A small PNG file whose header claims width x height grey pixels (its data end early).
QByteArray pngClaiming(quint32 width, quint32 height)
{
    const QByteArray header =
        bigEndian32(width) + bigEndian32(height) + QByteArray("\x08\x00\x00\x00\x00", 5);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", header) +
           pngChunk("IDAT", QByteArray("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) +
           pngChunk("IEND", {});
}

} // namespace

class tst_VocReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void labelmeLayout_data();
    void labelmeLayout();
    void cvatColourMasksMapToIndexes();
    void unknownColourNamesTheFile();
    void labelMapOfNamesOnly();
    void notADatasetNamesTheFolder();
    void leftOutSamplesAreNamed();
    void hugeClaimedSizesAreRefusedBeforeDecoding();
};

void tst_VocReader::labelmeLayout_data()
{
    QTest::addColumn<int>("corner");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ignore pixel") << 255 << true;
    QTest::newRow("known class") << 2 << true;
    QTest::newRow("index beyond table") << 9 << false;
}

void tst_VocReader::labelmeLayout()
{
    QFETCH(int, corner);
    QFETCH(bool, valid);
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("JPEGImages")));
    QVERIFY(root.mkpath(QStringLiteral("SegmentationClassPNG")));
    writeText(root.filePath(QStringLiteral("class_names.txt")), "_background_\ncat\ndog\n");
    QImage photo(4, 3, QImage::Format_RGB888);
    photo.fill(qRgb(10, 20, 30));
    QVERIFY(photo.save(root.filePath(QStringLiteral("JPEGImages/img1.png"))));
    QVERIFY(indexedMask(3, corner).save(
        root.filePath(QStringLiteral("SegmentationClassPNG/img1.png"))));

    const VocDataset dataset = VocReader::open(dir.path().toStdString());
    QCOMPARE(int(dataset.layout), int(VocLayout::Labelme));
    QCOMPARE(dataset.classes.size(), 3);
    QCOMPARE(dataset.classes.find(2)->name, std::string("dog"));
    QCOMPARE(int(dataset.samples.size()), 1);
    QVERIFY(
        QString::fromStdString(dataset.samples[0].imagePath).endsWith(QStringLiteral("img1.png")));
    QCOMPARE(dataset.samples[0].split, std::string());
    if (!valid) {
        try {
            VocReader::readMask(dataset, dataset.samples[0]);
            QFAIL("no exception");
        } catch (const std::runtime_error &error) {
            QVERIFY(QString::fromStdString(error.what()).contains(QStringLiteral("img1.png")));
        }
        return;
    }
    const VocMask mask = VocReader::readMask(dataset, dataset.samples[0]);
    QCOMPARE(mask.width, 4);
    QCOMPARE(mask.height, 3);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x)
            QCOMPARE(int(mask.indexes[std::size_t(y * 4 + x)]),
                     x == 3 && y == 2 ? corner : (x + y) % 3);
    int w = 0, h = 0, channels = 0;
    const auto pixels = VocReader::readImage(dataset.samples[0].imagePath, &w, &h, &channels);
    QCOMPARE(channels, 3);
    QCOMPARE(int(pixels[0]), 10);
    QCOMPARE(int(pixels[2]), 30);
}

void tst_VocReader::cvatColourMasksMapToIndexes()
{
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("SegmentationClass")));
    QVERIFY(root.mkpath(QStringLiteral("ImageSets/Segmentation")));
    QVERIFY(root.mkpath(QStringLiteral("JPEGImages")));
    writeText(root.filePath(QStringLiteral("labelmap.txt")),
              "# label:color_rgb:parts:actions\nbackground:0,0,0::\nliver:250,50,83::\n"
              "spleen:61,61,245::\n");
    writeText(root.filePath(QStringLiteral("ImageSets/Segmentation/train.txt")), "a\n");
    writeText(root.filePath(QStringLiteral("ImageSets/Segmentation/val.txt")), "b\n");
    const QRgb colours[3] = {qRgb(0, 0, 0), qRgb(250, 50, 83), qRgb(61, 61, 245)};
    for (const char *name : {"a", "b"}) {
        QImage mask(5, 2, QImage::Format_RGB888);
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 5; ++x)
                mask.setPixel(x, y, colours[(x + y) % 3]);
        QVERIFY(mask.save(
            root.filePath(QStringLiteral("SegmentationClass/%1.png").arg(QLatin1String(name)))));
    }
    const VocDataset dataset = VocReader::open(dir.path().toStdString());
    QCOMPARE(int(dataset.layout), int(VocLayout::Cvat));
    QCOMPARE(dataset.classes.size(), 3);
    QCOMPARE(dataset.classes.find(1)->name, std::string("liver"));
    QCOMPARE(int(dataset.samples.size()), 2);
    QCOMPARE(dataset.samples[0].split, std::string("train"));
    QCOMPARE(dataset.samples[1].split, std::string("val"));
    QVERIFY(dataset.samples[0].imagePath.empty());
    const VocMask mask = VocReader::readMask(dataset, dataset.samples[1]);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 5; ++x)
            QCOMPARE(int(mask.indexes[std::size_t(y * 5 + x)]), (x + y) % 3);
}

void tst_VocReader::labelMapOfNamesOnly()
{
    // One class name per line, as several VOC converters write labelmap.txt; masks hold class
    // indexes (palette PNG).
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("SegmentationClass")));
    writeText(root.filePath(QStringLiteral("labelmap.txt")), "background\nliver\r\nspleen\n\n");
    QImage mask(3, 1, QImage::Format_Indexed8);
    mask.setColorTable({qRgb(0, 0, 0), qRgb(128, 0, 0), qRgb(0, 128, 0)});
    for (int x = 0; x < 3; ++x)
        mask.setPixel(x, 0, uint(x));
    QVERIFY(mask.save(root.filePath(QStringLiteral("SegmentationClass/a.png"))));
    const VocDataset dataset = VocReader::open(dir.path().toStdString());
    QCOMPARE(dataset.classes.size(), 3);
    QCOMPARE(dataset.classes.find(2)->name, std::string("spleen"));
    QCOMPARE(int(dataset.classes.find(1)->colour[0]), 128); // the VOC palette
    const VocMask read = VocReader::readMask(dataset, dataset.samples.at(0));
    QCOMPARE(int(read.indexes[2]), 2);
    // Half with colours, half without: refused, naming the line.
    writeText(root.filePath(QStringLiteral("labelmap.txt")), "background:0,0,0::\nliver\n");
    try {
        VocReader::open(dir.path().toStdString());
        QFAIL("no exception");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains(QStringLiteral("labelmap.txt")) &&
                     message.contains(QStringLiteral("'liver'")),
                 qPrintable(message));
    }
}

void tst_VocReader::unknownColourNamesTheFile()
{
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("SegmentationClass")));
    writeText(root.filePath(QStringLiteral("labelmap.txt")), "background:0,0,0::\n");
    QImage mask(2, 2, QImage::Format_RGB888);
    mask.fill(qRgb(1, 2, 3));
    QVERIFY(mask.save(root.filePath(QStringLiteral("SegmentationClass/odd.png"))));
    const VocDataset dataset = VocReader::open(dir.path().toStdString());
    try {
        VocReader::readMask(dataset, dataset.samples.at(0));
        QFAIL("no exception");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains(QStringLiteral("odd.png")) &&
                     message.contains(QStringLiteral("1,2,3")),
                 qPrintable(message));
    }
}

void tst_VocReader::notADatasetNamesTheFolder()
{
    QTemporaryDir dir;
    try {
        VocReader::open(dir.path().toStdString());
        QFAIL("no exception");
    } catch (const std::runtime_error &error) {
        QVERIFY(QString::fromStdString(error.what()).contains(dir.path()));
    }
}

// Issue 24: masks without an image, names a split file lists without a mask, and masks no
// split uses were left out without a word; each is now a note the CLI and the GUI show.
void tst_VocReader::leftOutSamplesAreNamed()
{
    QTemporaryDir dir;
    QDir root(dir.path());
    for (const char *folder : {"JPEGImages", "SegmentationClass", "ImageSets/Segmentation"})
        QVERIFY(root.mkpath(QLatin1String(folder)));
    writeText(root.filePath(QStringLiteral("labels.json")),
              R"({"labels": [{"index": 0, "name": "background", "color": [0, 0, 0]},
                             {"index": 1, "name": "liver", "color": [255, 0, 0]}]})");
    writeText(root.filePath(QStringLiteral("ImageSets/Segmentation/train.txt")), "a\nx\n");
    writeText(root.filePath(QStringLiteral("ImageSets/Segmentation/val.txt")), "b\n");
    for (const char *name : {"a", "b", "c", "d"})
        QVERIFY(indexedMask(2, 0).save(
            root.filePath(QStringLiteral("SegmentationClass/%1.png").arg(QLatin1String(name)))));
    QImage photo(4, 3, QImage::Format_Grayscale8);
    photo.fill(7);
    for (const char *name : {"a", "b", "d"})
        QVERIFY(photo.save(
            root.filePath(QStringLiteral("JPEGImages/%1.png").arg(QLatin1String(name)))));

    const VocDataset dataset = VocReader::open(dir.path().toStdString());
    QCOMPARE(int(dataset.samples.size()), 4);
    const std::vector<std::string> expected{
        "1 mask(s) in SegmentationClass have no image in JPEGImages and are left out: c",
        "1 name(s) in ImageSets/Segmentation have no mask in SegmentationClass and are left "
        "out: x",
        "1 labeled image(s) are in neither train.txt nor val.txt and are not used: d"};
    QCOMPARE(dataset.notes, expected);
}

// Issue 24: a 20000 x 20000 PNG in a dataset took 4-5 GB before anything refused it; what a PNG,
// JPEG or BMP header claims is checked before it is decoded.
void tst_VocReader::hugeClaimedSizesAreRefusedBeforeDecoding()
{
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("big.png"));
    writeText(png, pngClaiming(20000, 20000));
    QByteArray jpeg("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
    jpeg += QByteArray("\xff\xc0\x00\x11\x08", 5) + QByteArray("\x4e\x20\x4e\x20", 4) +
            QByteArray("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9", 12);
    const QString jpg = dir.filePath(QStringLiteral("big.jpg"));
    writeText(jpg, jpeg);

    VocDataset dataset;
    dataset.classes = LabelTable({{0, "background", {0, 0, 0}}, {1, "liver", {255, 0, 0}}});
    VocSample sample;
    sample.name = QStringLiteral("big").toStdString();
    sample.maskPath = png.toStdString();
    const auto refused = [](const std::function<void()> &read, const QString &path) {
        try {
            read();
        } catch (const std::runtime_error &error) {
            const QString message = QString::fromUtf8(error.what());
            return message.contains(path) &&
                   message.contains(QStringLiteral("20000 x 20000 pixels"));
        }
        return false;
    };
    int w = 0, h = 0, c = 0;
    QVERIFY(refused([&] { VocReader::readMask(dataset, sample); }, png));
    QVERIFY(refused([&] { VocReader::readImage(png.toStdString(), &w, &h, &c); }, png));
    QVERIFY(refused([&] { VocReader::readImage(jpg.toStdString(), &w, &h, &c); }, jpg));

    // A real slice of an ordinary size still reads.
    QImage ok(512, 384, QImage::Format_Grayscale8);
    ok.fill(9);
    const QString small = dir.filePath(QStringLiteral("ok.png"));
    QVERIFY(ok.save(small));
    const auto pixels = VocReader::readImage(small.toStdString(), &w, &h, &c);
    QCOMPARE(w, 512);
    QCOMPARE(h, 384);
    QCOMPARE(int(pixels.size()), 512 * 384);
}

QTEST_GUILESS_MAIN(tst_VocReader)
#include "tst_VocReader.moc"
