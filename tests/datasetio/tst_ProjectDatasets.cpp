#include "core/dataset/NiftiIo.h"
#include "core/datasetio/NnUnetDataset.h"
#include "core/datasetio/ProjectDatasets.h"
#include "core/imageio/ImageFile.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/labels/LabelDescriptions.h"
#include "core/workspace/Workspace.h"
#include "support/CliRunner.h"

#include <nlohmann/json.hpp>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <functional>

using namespace medseg::core;
using medseg::testing::runCli;

namespace {

ImageGeometry obliqueGeometry(double shift)
{
    ImageGeometry g;
    const double c = std::cos(0.2), s = std::sin(0.2);
    g.rowDirection = {c, s, 0.0};
    g.columnDirection = {-s, c, 0.0};
    g.normal = {0.0, 0.0, 1.0};
    g.spacing = {0.7, 0.9, 3.0};
    g.origin = {-40.0 + shift, 12.5, -7.0};
    return g;
}

// Case n: a 24 x 20 x 6 grid; channel c a ramp; labels 1 and 2 in two boxes moved by n.
void writeCase(const QDir &root, const QString &imagesFolder, const QString &name, int n,
               int channels, bool withLabels)
{
    const ImageGeometry g = obliqueGeometry(n);
    for (int c = 0; c < channels; ++c) {
        Volume image(24, 20, 6);
        image.setGeometry(g);
        for (std::size_t v = 0; v < image.voxelCount(); ++v)
            image.data()[v] = float(int(v % 997) * (c + 1) - 200);
        NiftiIo::writeImage(root.filePath(QStringLiteral("%1/%2_%3.nii.gz")
                                              .arg(imagesFolder, name)
                                              .arg(c, 4, 10, QLatin1Char('0')))
                                .toStdString(),
                            image);
    }
    if (!withLabels)
        return;
    NiftiIo::LabelVolume labels;
    labels.width = 24;
    labels.height = 20;
    labels.depth = 6;
    labels.geometry = g;
    labels.labels.assign(24 * 20 * 6, 0);
    for (int k = 1; k < 4; ++k)
        for (int j = 2 + n; j < 9 + n; ++j)
            for (int i = 3; i < 10; ++i) {
                labels.labels[(std::size_t(k) * 20 + j) * 24 + i] = 1;
                labels.labels[(std::size_t(k) * 20 + j) * 24 + i + 10] = 2;
            }
    NiftiIo::writeLabelVolume(
        root.filePath(QStringLiteral("labelsTr/%1.nii.gz").arg(name)).toStdString(), labels);
}

void writeText(const QString &path, const std::string &text)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
}

// Dataset001_Synthetic: 3 training cases of 2 channels, 1 test case.
QString makeNnUnetDataset(const QString &parent)
{
    QDir root(parent);
    root.mkpath(QStringLiteral("Dataset001_Synthetic/imagesTr"));
    root.mkpath(QStringLiteral("Dataset001_Synthetic/labelsTr"));
    root.mkpath(QStringLiteral("Dataset001_Synthetic/imagesTs"));
    root.cd(QStringLiteral("Dataset001_Synthetic"));
    for (int n = 0; n < 3; ++n)
        writeCase(root, QStringLiteral("imagesTr"), QStringLiteral("syn_%1").arg(n), n, 2, true);
    writeCase(root, QStringLiteral("imagesTs"), QStringLiteral("syn_9"), 9, 2, false);
    writeText(root.filePath(QStringLiteral("dataset.json")),
              R"({"channel_names": {"0": "T1", "1": "T2"},
                  "labels": {"background": 0, "liver": 1, "spleen": 2},
                  "numTraining": 3, "file_ending": ".nii.gz"})");
    return root.path();
}

QByteArray sha(const QString &path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

// The labels of every case of a project, by case name.
std::map<std::string, std::vector<std::uint16_t>> labelsByCase(const QString &project)
{
    const Workspace workspace = Workspace::open(project.toStdString());
    std::map<std::string, std::vector<std::uint16_t>> result;
    for (const WorkspaceSeries &entry : workspace.series()) {
        const NiftiIo::LabelVolume volume =
            NiftiIo::readLabelVolume(workspace.labelPath(entry.uid));
        result[entry.state.value("case", std::string())] = volume.labels;
    }
    return result;
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

} // namespace

class tst_ProjectDatasets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nnUnetDatasetBecomesAProjectAndComesBack();
    void decathlonFourDimensionalImagesAreChannels();
    void badDatasetsAreRefusedAndLeaveNothing();
    void exportRenumbersLabelsWithGaps();
};

void tst_ProjectDatasets::nnUnetDatasetBecomesAProjectAndComesBack()
{
    QTemporaryDir dir;
    const QString dataset = makeNnUnetDataset(dir.path());
    const QString project = dir.filePath(QStringLiteral("synthetic.medseg"));
    auto result = runCli({QStringLiteral("convert"), dataset, project});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QStringLiteral("3 training cases")) &&
                 result.out.contains(QStringLiteral("test cases: 1")),
             qPrintable(result.out));

    // The project: both image folders as sources, the labels table, one label volume per case
    // on its first channel's series, the channels recorded.
    {
        const Workspace workspace = Workspace::open(project.toStdString());
        QCOMPARE(int(workspace.sources().size()), 2);
        const LabelDescriptions table =
            LabelDescriptions::fromJson(nlohmann::json{{"labels", workspace.labelTable()}}.dump());
        QCOMPARE(table.find(1)->name, std::string("liver"));
        QCOMPARE(table.find(2)->name, std::string("spleen"));
        QCOMPARE(int(workspace.series().size()), 3);
        const std::string channel0 =
            QDir(dataset).filePath(QStringLiteral("imagesTr/syn_1_0000.nii.gz")).toStdString();
        const std::string uid = imageFileSeries(channel0).front().seriesInstanceUid;
        const WorkspaceSeries *entry = workspace.findSeries(uid);
        QVERIFY(entry);
        QCOMPARE(entry->state.value("case", std::string()), std::string("syn_1"));
        QCOMPARE(int(entry->state.at("channelSeries").size()), 2);
        const auto saved = workspace.loadLabels(uid, 24, 20, 6, obliqueGeometry(1));
        QVERIFY(saved.has_value());
        const NiftiIo::LabelVolume original = NiftiIo::readLabelVolume(
            QDir(dataset).filePath(QStringLiteral("labelsTr/syn_1.nii.gz")).toStdString());
        QVERIFY(saved->labels == original.labels);
    }

    // Back to nnU-Net: images copied byte for byte, labels voxel-identical, dataset.json whole.
    const QString back = dir.filePath(QStringLiteral("Dataset002_Back"));
    result = runCli({QStringLiteral("convert"), project, back});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    for (int n = 0; n < 3; ++n)
        for (int c = 0; c < 2; ++c) {
            const QString name = QStringLiteral("imagesTr/syn_%1_000%2.nii.gz").arg(n).arg(c);
            QCOMPARE(sha(QDir(back).filePath(name)), sha(QDir(dataset).filePath(name)));
        }
    const NnUnetDataset exported = readNnUnetDataset(back.toStdString());
    QCOMPARE(int(exported.training.size()), 3);
    QCOMPARE(exported.channelNames, (std::vector<std::string>{"T1", "T2"}));
    QCOMPARE(exported.labels.at(2).name, std::string("spleen"));
    // Names and colours for viewers as well: ITK-SNAP's label description file.
    const LabelDescriptions described = LabelDescriptions::loadItkSnap(
        QDir(back).filePath(QStringLiteral("labels.txt")).toStdString());
    QVERIFY(described.find(2) && described.find(2)->name == "spleen");
    {
        Workspace projectWorkspace = Workspace::open(project.toStdString());
        const LabelDescriptions table = LabelDescriptions::fromJson(
            nlohmann::json{{"labels", projectWorkspace.labelTable()}}.dump());
        QVERIFY(described.find(2)->colour == table.find(2)->colour);
    }
    for (int n = 0; n < 3; ++n) {
        const QString name = QStringLiteral("labelsTr/syn_%1.nii.gz").arg(n);
        QVERIFY(NiftiIo::readLabelVolume(QDir(back).filePath(name).toStdString()).labels ==
                NiftiIo::readLabelVolume(QDir(dataset).filePath(name).toStdString()).labels);
    }

    // And into a project again: the same labels, names and colours.
    const QString again = dir.filePath(QStringLiteral("again.medseg"));
    result = runCli({QStringLiteral("convert"), back, again});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(labelsByCase(again) == labelsByCase(project));
    const auto tableOf = [](const QString &folder) {
        return LabelDescriptions::fromJson(
            nlohmann::json{{"labels", Workspace::open(folder.toStdString()).labelTable()}}.dump());
    };
    QVERIFY(tableOf(again) == tableOf(project));

    // As a Decathlon dataset: one 4D image of both channels per case, and back again.
    const QString task = dir.filePath(QStringLiteral("Task05_Syn"));
    result = runCli({QStringLiteral("convert"), project, task});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const NnUnetDataset decathlon = readNnUnetDataset(task.toStdString());
    QCOMPARE(decathlon.format, std::string("Medical Segmentation Decathlon"));
    QCOMPARE(decathlon.channelNames, (std::vector<std::string>{"T1", "T2"}));
    QCOMPARE(int(decathlon.training.size()), 3);
    QCOMPARE(readImageHeader(decathlon.training.front().channelFiles.front()).volumes, 2);
    const QString fromTask = dir.filePath(QStringLiteral("from-task.medseg"));
    result = runCli({QStringLiteral("convert"), task, fromTask});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(labelsByCase(fromTask) == labelsByCase(project));
    QVERIFY(tableOf(fromTask) == tableOf(project));
    // Each channel of the 4D image is the channel that went in, voxel for voxel.
    for (int c = 0; c < 2; ++c) {
        const QString name = QStringLiteral("imagesTr/syn_0_000%1.nii.gz").arg(c);
        const Volume in = NiftiIo::read(QDir(dataset).filePath(name).toStdString());
        const Volume out = NiftiIo::readImage(
            QDir(task).filePath(QStringLiteral("imagesTr/syn_0.nii.gz")).toStdString(), c);
        QVERIFY(std::equal(in.data(), in.data() + in.voxelCount(), out.data()));
    }
}

void tst_ProjectDatasets::decathlonFourDimensionalImagesAreChannels()
{
    // nibabel's 4D image as a two-modality Decathlon case, labels on its grid.
    QTemporaryDir dir;
    QDir root(dir.path());
    root.mkpath(QStringLiteral("Task01_Test/imagesTr"));
    root.mkpath(QStringLiteral("Task01_Test/labelsTr"));
    root.cd(QStringLiteral("Task01_Test"));
    const QString image = root.filePath(QStringLiteral("imagesTr/case_001.nii.gz"));
    QVERIFY(QFile::copy(
        QStringLiteral("/usr/lib/python3/dist-packages/nibabel/tests/data/example4d.nii.gz"),
        image));
    const ImageHeader header = readImageHeader(image.toStdString());
    NiftiIo::LabelVolume labels;
    labels.width = header.width;
    labels.height = header.height;
    labels.depth = header.depth;
    labels.geometry = header.geometry;
    labels.labels.assign(std::size_t(header.width) * header.height * header.depth, 0);
    std::fill(labels.labels.begin() + 5000, labels.labels.begin() + 9000, 1);
    NiftiIo::writeLabelVolumeLike(
        root.filePath(QStringLiteral("labelsTr/case_001.nii.gz")).toStdString(), labels,
        image.toStdString());
    writeText(root.filePath(QStringLiteral("dataset.json")),
              R"({"name": "Test", "modality": {"0": "FLAIR", "1": "T1w"},
                  "labels": {"0": "background", "1": "tumour"},
                  "training": [{"image": "./imagesTr/case_001.nii.gz",
                                "label": "./labelsTr/case_001.nii.gz"}], "test": []})");
    const QString project = dir.filePath(QStringLiteral("msd.medseg"));
    const DatasetImportReport report =
        importDataset(root.path().toStdString(), project.toStdString());
    QCOMPARE(report.format, std::string("Medical Segmentation Decathlon"));
    const Workspace workspace = Workspace::open(project.toStdString());
    const std::vector<DicomSeries> volumes = imageFileSeries(image.toStdString());
    const WorkspaceSeries *entry = workspace.findSeries(volumes[0].seriesInstanceUid);
    QVERIFY(entry);
    QCOMPARE(entry->state.at("channelSeries").size(), std::size_t(2));
    QCOMPARE(entry->state.at("channelSeries")[1].get<std::string>(), volumes[1].seriesInstanceUid);
    QCOMPARE(workspace.settings()["dataset"]["channelNames"][0].get<std::string>(),
             std::string("FLAIR"));
}

void tst_ProjectDatasets::badDatasetsAreRefusedAndLeaveNothing()
{
    QTemporaryDir dir;
    const QString dataset = makeNnUnetDataset(dir.path());
    const QString project = dir.filePath(QStringLiteral("bad.medseg"));
    const auto importError = [&] {
        const QString message =
            expectError([&] { importDataset(dataset.toStdString(), project.toStdString()); });
        // Never half-written: neither the project nor its staging folder is left.
        if (QFileInfo::exists(project) ||
            QFileInfo::exists(dir.filePath(QStringLiteral("bad.importing.medseg"))))
            return QStringLiteral("left files behind: ") + message;
        return message;
    };
    const QString json = QDir(dataset).filePath(QStringLiteral("dataset.json"));

    writeText(json, R"({"channel_names": {"0": "T1", "1": "T2"}, "labels": {"background": 0,
                        "liver": 1, "spleen": 2}, "numTraining": 5, "file_ending": ".nii.gz"})");
    QString message = importError();
    QVERIFY2(message.contains(QStringLiteral("numTraining 5")) &&
                 message.contains(QStringLiteral("3 label files")),
             qPrintable(message));

    writeText(json, R"({"channel_names": {"0": "T1", "1": "T2"}, "labels": {"background": 0,
                        "whole tumour": [1, 2]}, "file_ending": ".nii.gz"})");
    message = importError();
    QVERIFY2(message.contains(QStringLiteral("region")), qPrintable(message));

    // A label file not on its image's grid.
    writeText(json, R"({"channel_names": {"0": "T1", "1": "T2"}, "labels": {"background": 0,
                        "liver": 1, "spleen": 2}, "numTraining": 3, "file_ending": ".nii.gz"})");
    const QString label2 = QDir(dataset).filePath(QStringLiteral("labelsTr/syn_2.nii.gz"));
    NiftiIo::LabelVolume moved = NiftiIo::readLabelVolume(label2.toStdString());
    moved.geometry.origin[2] += 0.5;
    NiftiIo::writeLabelVolume(label2.toStdString(), moved);
    message = importError();
    QVERIFY2(message.contains(QStringLiteral("syn_2.nii.gz")) &&
                 message.contains(QStringLiteral("shifted")),
             qPrintable(message));

    // A label the table does not name.
    moved.geometry.origin[2] -= 0.5;
    moved.labels[100] = 7;
    NiftiIo::writeLabelVolume(label2.toStdString(), moved);
    message = importError();
    QVERIFY2(message.contains(QStringLiteral("syn_2.nii.gz")) &&
                 message.contains(QStringLiteral("label 7")),
             qPrintable(message));

    // A channel file missing.
    QFile::remove(QDir(dataset).filePath(QStringLiteral("imagesTr/syn_0_0001.nii.gz")));
    message = importError();
    QVERIFY2(message.contains(QStringLiteral("syn_0_0001.nii.gz")) &&
                 message.contains(QStringLiteral("missing")),
             qPrintable(message));

    // The CLI says the same with exit code 3.
    const auto result = runCli({QStringLiteral("convert"), dataset, project});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(QStringLiteral("syn_0_0001.nii.gz")), qPrintable(result.err));
}

void tst_ProjectDatasets::exportRenumbersLabelsWithGaps()
{
    QTemporaryDir dir;
    const QString dataset = makeNnUnetDataset(dir.path());
    const QString project = dir.filePath(QStringLiteral("gaps.medseg"));
    importDataset(dataset.toStdString(), project.toStdString());
    {
        // Spleen becomes label 5 in the project.
        Workspace workspace = Workspace::open(project.toStdString());
        nlohmann::json table = workspace.labelTable();
        for (auto &row : table)
            if (row["index"] == 2)
                row["index"] = 5;
        workspace.setLabelTable(table);
        for (const WorkspaceSeries &entry : std::vector<WorkspaceSeries>(workspace.series())) {
            NiftiIo::LabelVolume volume = NiftiIo::readLabelVolume(workspace.labelPath(entry.uid));
            for (std::uint16_t &value : volume.labels)
                if (value == 2)
                    value = 5;
            workspace.saveLabels(entry.uid, volume.labels.data(), volume.width, volume.height,
                                 volume.depth, volume.geometry);
        }
        workspace.save();
    }
    const QString out = dir.filePath(QStringLiteral("Dataset003_Gaps"));
    const DatasetExportReport report =
        exportNnUnetDataset(project.toStdString(), out.toStdString());
    QCOMPARE(int(report.notes.size()), 1);
    QVERIFY2(QString::fromStdString(report.notes[0]).contains(QStringLiteral("label 5 is 2")),
             report.notes[0].c_str());
    const NnUnetDataset exported = readNnUnetDataset(out.toStdString());
    QCOMPARE(exported.labels.at(2).value, 2);
    QCOMPARE(exported.labels.at(2).name, std::string("spleen"));
    const NiftiIo::LabelVolume labels = NiftiIo::readLabelVolume(
        QDir(out).filePath(QStringLiteral("labelsTr/syn_0.nii.gz")).toStdString());
    QVERIFY(std::count(labels.labels.begin(), labels.labels.end(), 2) > 0);
    QCOMPARE(std::count(labels.labels.begin(), labels.labels.end(), 5), 0L);
    // A folder nnU-Net would not accept is refused before anything is written.
    const QString message = expectError([&] {
        exportNnUnetDataset(project.toStdString(),
                            dir.filePath(QStringLiteral("liver")).toStdString());
    });
    QVERIFY2(message.contains(QStringLiteral("DatasetNNN_Name")), qPrintable(message));
}

QTEST_GUILESS_MAIN(tst_ProjectDatasets)
#include "tst_ProjectDatasets.moc"
