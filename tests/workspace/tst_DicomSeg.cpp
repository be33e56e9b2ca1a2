// DICOM SEG export of a label map on a synthetic oblique series: DCMTK reads it back into the
// same label map (values, names, colours), pydicom (Debian's python3-pydicom) sees the
// segments, the frames, their pixels and the references to the source series, and wrong input
// is refused with messages that name the file.

#include "../dicom/SyntheticDicom.h"

#include "core/dicom/DicomIndexer.h"
#include "core/dicom/DicomSegReader.h"
#include "core/dicom/DicomSegWriter.h"
#include "core/dicom/SeriesLoader.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>

using namespace medseg::core;

namespace {

const std::string seriesUid = "1.2.826.0.1.3680043.9.7433.1.1.77";

QString message(const std::function<void()> &call)
{
    try {
        call();
    } catch (const std::runtime_error &error) {
        return QString::fromUtf8(error.what());
    }
    return QStringLiteral("<no exception>");
}

} // namespace

class tst_DicomSeg : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTripGivesSameLabelMap();
    void pydicomReadsSegmentsFramesAndReferences();
    void wrongInputIsRefused();

private:
    QTemporaryDir m_dir;
    SeriesLayout m_layout;
    ImageGeometry m_geometry;
    int m_width = 0, m_height = 0, m_depth = 0;
    std::vector<std::uint16_t> m_labels;
    std::vector<std::string> m_sopUids; // per slice of the volume
    std::vector<DicomSegSegment> m_segments;
    QString m_segPath;
};

void tst_DicomSeg::initTestCase()
{
    // Five oblique slices (rotated about z, then tilted), written in reverse InstanceNumber
    // order so that the volume's slice order is not the files' order.
    const double a = 0.4, b = 0.25;
    const std::array<double, 3> row{std::cos(a), std::sin(a), 0.0};
    const std::array<double, 3> column{-std::sin(a) * std::cos(b), std::cos(a) * std::cos(b),
                                       std::sin(b)};
    const std::array<double, 3> normal{row[1] * column[2] - row[2] * column[1],
                                       row[2] * column[0] - row[0] * column[2],
                                       row[0] * column[1] - row[1] * column[0]};
    std::vector<medseg::test::SliceSpec> specs = medseg::test::axialSeries(5, seriesUid);
    QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("ct"))));
    for (int k = 0; k < 5; ++k) {
        medseg::test::SliceSpec &spec = specs[std::size_t(k)];
        spec.orientation =
            std::array<double, 6>{row[0], row[1], row[2], column[0], column[1], column[2]};
        spec.position = std::array<double, 3>{
            12.5 + 2.5 * k * normal[0], -40.0 + 2.5 * k * normal[1], 80.0 + 2.5 * k * normal[2]};
        spec.instanceNumber = 5 - k;
        spec.sopUid = medseg::test::makeUid();
        QVERIFY(medseg::test::writeSlice(
            m_dir.filePath(QStringLiteral("ct/slice%1.dcm").arg(k)).toStdString(), spec));
    }
    const DicomIndex index =
        DicomIndexer::index(m_dir.filePath(QStringLiteral("ct")).toStdString());
    const DicomSeries *series = index.findSeries(seriesUid);
    QVERIFY(series);
    SeriesLoader loader(*series);
    loader.prepare();
    m_layout = loader.layout();
    m_geometry = loader.volume()->geometry();
    m_width = loader.volume()->width();
    m_height = loader.volume()->height();
    m_depth = loader.volume()->depth();
    QCOMPARE(m_width, 6);
    QCOMPARE(m_height, 8);
    QCOMPARE(m_depth, 5);
    for (const SeriesLayout::SliceSource &slice : m_layout.slices)
        for (const DicomInstance &instance : series->instances)
            if (instance.path == slice.path)
                m_sopUids.push_back(instance.sopInstanceUid);
    QCOMPARE(int(m_sopUids.size()), m_depth);

    // Label 1 on slices 0-1, label 3 on slices 1 and 3, label 300 (not in the table) on slice
    // 4; slice 2 is empty.
    m_labels.assign(std::size_t(m_width) * m_height * m_depth, 0);
    const auto at = [&](int i, int j, int k) -> std::uint16_t & {
        return m_labels[(std::size_t(k) * m_height + j) * m_width + i];
    };
    for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 3; ++i) {
            at(i, j, 0) = 1;
            at(i + 1, j + 2, 1) = 1;
        }
    at(5, 7, 1) = 3;
    at(0, 7, 1) = 3;
    for (int i = 0; i < 6; ++i)
        at(i, 5, 3) = 3;
    at(2, 2, 4) = 300;
    m_segments = {
        {3, "Tumour", {0, 255, 0}}, {1, "Liver", {221, 130, 101}}, {7, "Unused", {0, 0, 255}}};
    m_segPath = m_dir.filePath(QStringLiteral("labels-seg.dcm"));
    try {
        DicomSegWriter::write(m_segPath.toStdString(), m_layout.slices, m_labels.data(), m_width,
                              m_height, m_depth, m_geometry, m_segments);
    } catch (const std::exception &error) {
        QFAIL(error.what());
    }
}

void tst_DicomSeg::roundTripGivesSameLabelMap()
{
    const DicomSegContent content =
        DicomSegReader::read(m_segPath.toStdString(), m_width, m_height, m_depth, m_geometry);
    QCOMPARE(content.width, m_width);
    QCOMPARE(content.depth, m_depth);
    QVERIFY(content.labels == m_labels);
    QCOMPARE(content.referencedSeriesInstanceUid, seriesUid);
    QVERIFY(!content.seriesInstanceUid.empty() && content.seriesInstanceUid != seriesUid);
    // (segment, slice) pairs with voxels: label 1 on 0, 1; label 3 on 1, 3; label 300 on 4.
    QCOMPARE(content.frames, 5);
    QCOMPARE(content.segments.size(), std::size_t(3)); // "Unused" has no voxel: not exported
    const std::map<int, std::pair<std::string, std::array<std::uint8_t, 3>>> expected{
        {1, {"Liver", {221, 130, 101}}},
        {3, {"Tumour", {0, 255, 0}}},
        {300, {"Label 300", {255, 0, 0}}}};
    for (const DicomSegSegment &segment : content.segments) {
        QVERIFY(expected.count(segment.label));
        QCOMPARE(segment.name, expected.at(segment.label).first);
        for (int c = 0; c < 3; ++c) // sRGB -> CIELab -> sRGB through 16-bit DICOM values
            QVERIFY2(std::abs(int(segment.colour[std::size_t(c)]) -
                              int(expected.at(segment.label).second[std::size_t(c)])) <= 2,
                     qPrintable(QString::fromStdString(segment.name)));
    }
}

void tst_DicomSeg::pydicomReadsSegmentsFramesAndReferences()
{
    const QString python = QStringLiteral("/usr/bin/python3");
    QProcess probe;
    probe.start(python, {QStringLiteral("-c"), QStringLiteral("import pydicom, numpy")});
    if (!probe.waitForFinished(60000) || probe.exitCode() != 0)
        QSKIP("python3-pydicom is not installed (scripts/common.sh installs it)");
    // Per frame: segment label, source SOP instance, number of set pixels; the test compares
    // them with what the label map holds.
    const QString script = QStringLiteral(
        "import sys, pydicom, numpy\n"
        "ds = pydicom.dcmread(sys.argv[1])\n"
        "print('modality', ds.Modality)\n"
        "print('sopclass', ds.SOPClassUID)\n"
        "print('type', ds.SegmentationType, ds.BitsAllocated)\n"
        "print('segments', len(ds.SegmentSequence))\n"
        "print('frames', int(ds.NumberOfFrames))\n"
        "print('refseries', ds.ReferencedSeriesSequence[0].SeriesInstanceUID,"
        " len(ds.ReferencedSeriesSequence[0].ReferencedInstanceSequence))\n"
        "for s in ds.SegmentSequence:\n"
        "    print('segment', s.SegmentNumber, s.SegmentLabel.replace(' ', '_'),"
        " s.SegmentAlgorithmType)\n"
        "pixels = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)\n"
        "for n, f in enumerate(ds.PerFrameFunctionalGroupsSequence):\n"
        "    number = f.SegmentIdentificationSequence[0].ReferencedSegmentNumber\n"
        "    source = "
        "f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID\n"
        "    print('frame', ds.SegmentSequence[number - 1].SegmentLabel.replace(' ', '_'),"
        " source, int(pixels[n].sum()))\n");
    QProcess process;
    process.start(python, {QStringLiteral("-c"), script, m_segPath});
    QVERIFY(process.waitForFinished(120000));
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(process.exitCode() == 0,
             qPrintable(output + QString::fromUtf8(process.readAllStandardError())));
    const QStringList lines = output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.contains(QStringLiteral("modality SEG")), qPrintable(output));
    QVERIFY2(lines.contains(QStringLiteral("sopclass 1.2.840.10008.5.1.4.1.1.66.4")),
             qPrintable(output));
    QVERIFY2(lines.contains(QStringLiteral("type BINARY 1")), qPrintable(output));
    QVERIFY2(lines.contains(QStringLiteral("segments 3")), qPrintable(output));
    QVERIFY2(lines.contains(QStringLiteral("frames 5")), qPrintable(output));
    // Every source slice that has a frame is referenced: slices 0, 1, 3, 4.
    QVERIFY2(
        lines.contains(QStringLiteral("refseries %1 4").arg(QString::fromStdString(seriesUid))),
        qPrintable(output));
    QVERIFY2(lines.contains(QStringLiteral("segment 1 Liver MANUAL")), qPrintable(output));
    QVERIFY2(lines.contains(QStringLiteral("segment 2 Tumour MANUAL")), qPrintable(output));
    QVERIFY2(lines.contains(QStringLiteral("segment 3 Label_300 MANUAL")), qPrintable(output));

    // Expected frames from the label map: (name, source SOP of the slice, voxel count).
    const std::map<int, QString> names{{1, QStringLiteral("Liver")},
                                       {3, QStringLiteral("Tumour")},
                                       {300, QStringLiteral("Label_300")}};
    QStringList expected;
    for (const auto &[label, name] : names)
        for (int k = 0; k < m_depth; ++k) {
            int count = 0;
            for (int n = 0; n < m_width * m_height; ++n)
                count += m_labels[std::size_t(k) * m_width * m_height + n] == label;
            if (count)
                expected << QStringLiteral("frame %1 %2 %3")
                                .arg(name, QString::fromStdString(m_sopUids[std::size_t(k)]))
                                .arg(count);
        }
    QStringList frames;
    for (const QString &line : lines)
        if (line.startsWith(QStringLiteral("frame ")))
            frames << line;
    QCOMPARE(frames, expected);
}

void tst_DicomSeg::wrongInputIsRefused()
{
    const std::string path = m_dir.filePath(QStringLiteral("bad.dcm")).toStdString();
    const std::vector<std::uint16_t> empty(m_labels.size(), 0);
    QString error = message([&] {
        DicomSegWriter::write(path, m_layout.slices, empty.data(), m_width, m_height, m_depth,
                              m_geometry, m_segments);
    });
    QVERIFY2(error.startsWith(QString::fromStdString(path)) &&
                 error.contains(QStringLiteral("no labeled voxels")),
             qPrintable(error));
    const std::vector<std::uint16_t> wide(std::size_t(7) * m_height * m_depth, 1);
    error = message([&] {
        DicomSegWriter::write(path, m_layout.slices, wide.data(), 7, m_height, m_depth, m_geometry,
                              m_segments);
    });
    QVERIFY2(error.contains(QStringLiteral("does not match the image size 6x8")),
             qPrintable(error));
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
    // Reading on another grid: frames off the series' slices.
    ImageGeometry shifted = m_geometry;
    shifted.origin[2] += 40.0;
    error = message([&] {
        DicomSegReader::read(m_segPath.toStdString(), m_width, m_height, m_depth, shifted);
    });
    QVERIFY2(error.contains(QStringLiteral("lies off the series' slices")), qPrintable(error));
    error = message([&] {
        DicomSegReader::read(m_layout.slices[0].path, m_width, m_height, m_depth, m_geometry);
    });
    QVERIFY2(error.startsWith(QString::fromStdString(m_layout.slices[0].path)), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_DicomSeg)
#include "tst_DicomSeg.moc"
