#include "core/dataset/NiftiIo.h"
#include "core/train/VolumeTrainingData.h"
#include "support/CliRunner.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

using namespace medseg::core;
using medseg::testing::runCli;

namespace {

// A 20 x 16 x 6 volume whose slices 1..4 hold label 1 (and label 2 on slice 2 only).
LabeledVolume volumeOf(const std::string &caseName, const std::string &patient,
                       const std::string &modality)
{
    auto volume = std::make_shared<Volume>(20, 16, 6);
    for (std::size_t n = 0; n < volume->voxelCount(); ++n)
        volume->data()[n] = float(int(n % 400) - (modality == "CT" ? 1000 : 0));
    LabeledVolume v;
    v.caseName = caseName;
    v.patient = patient;
    v.layout.modality = modality;
    v.labels.assign(volume->voxelCount(), 0);
    for (int k = 1; k <= 4; ++k)
        for (int i = 0; i < 30; ++i)
            v.labels[std::size_t(k) * 320 + 40 + std::size_t(i)] = 1;
    v.labels[2 * 320 + 100] = 2;
    v.volume = volume;
    return v;
}

std::string caseOfSample(const TrainingSample &sample)
{
    return sample.name.substr(0, sample.name.find("-slice-"));
}

} // namespace

// Issue 21, point 5: a project's labeled volumes, split by patient, rare classes oversampled.
class tst_VolumeTrainingData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachPatientIsOnOneSideOnly();
    void rareClassesAreOversampled();
    void onePatientFallsBackToSlicesAndSaysSo();
    void trainOnAnNnUnetDatasetFromTheCommandLine();
};

void tst_VolumeTrainingData::eachPatientIsOnOneSideOnly()
{
    // Three patients; patient A has two series. With a third of the patients validating, one
    // patient's slices (all its series) are validation and the others' training.
    const std::vector<LabeledVolume> volumes{volumeOf("a-t1", "A", "MR"),
                                             volumeOf("a-t2", "A", "MR"), volumeOf("b", "B", "MR"),
                                             volumeOf("c", "C", "MR")};
    for (const std::uint64_t seed : {1u, 2u, 3u, 4u}) {
        VolumeDataOptions options;
        options.validationFraction = 0.34;
        options.seed = seed;
        options.foregroundFraction = 0.0;
        VolumeDataReport report;
        const TrainingData data =
            trainingDataFromVolumes(volumes, LabelDescriptions::defaults(), options, &report);
        std::set<std::string> train, val;
        for (const TrainingSample &s : data.train)
            train.insert(caseOfSample(s));
        for (const TrainingSample &s : data.val)
            val.insert(caseOfSample(s));
        const auto patientOf = [](const std::string &c) {
            return c.substr(0, 1);
        };
        std::set<std::string> trainPatients, valPatients;
        for (const std::string &c : train)
            trainPatients.insert(patientOf(c));
        for (const std::string &c : val)
            valPatients.insert(patientOf(c));
        QCOMPARE(int(valPatients.size()), 1);
        QCOMPARE(int(trainPatients.size()), 2);
        for (const std::string &p : valPatients)
            QVERIFY2(!trainPatients.count(p), p.c_str());
        QCOMPARE(report.labeledSlices, 16);
        QCOMPARE(report.volumes, 4);
        QCOMPARE(int(data.train.size() + data.val.size()), 16);
        // The same seed gives the same split.
        const TrainingData again =
            trainingDataFromVolumes(volumes, LabelDescriptions::defaults(), options);
        QCOMPARE(caseOfSample(again.val.front()), caseOfSample(data.val.front()));
    }
}

void tst_VolumeTrainingData::rareClassesAreOversampled()
{
    const std::vector<LabeledVolume> volumes{volumeOf("a", "A", "CT"), volumeOf("b", "B", "CT"),
                                             volumeOf("c", "C", "CT"), volumeOf("d", "D", "CT"),
                                             volumeOf("e", "E", "CT")};
    VolumeDataOptions options;
    options.validationFraction = 0.2;
    VolumeDataReport report;
    const TrainingData data =
        trainingDataFromVolumes(volumes, LabelDescriptions::defaults(), options, &report);
    // 4 training volumes x 4 slices; label 2 is on one slice of each: 4 of 16 slices, above
    // its share of the default third (1/3 split between 2 classes = 1/6): nothing repeats.
    QCOMPARE(int(data.train.size()), 16);
    // With the share raised, label 2's slices repeat until they are a third of the samples.
    options.foregroundFraction = 1.0;
    const TrainingData more =
        trainingDataFromVolumes(volumes, LabelDescriptions::defaults(), options, &report);
    int withTwo = 0;
    for (const TrainingSample &s : more.train)
        withTwo += (s.mask == 2).any().item<bool>();
    QCOMPARE(withTwo, 8); // 4 slices used twice: 8 >= 16 / 2
    QCOMPARE(int(more.train.size()), 20);
    bool noted = false;
    for (const std::string &note : report.notes)
        noted = noted || note.find("used 2 times") != std::string::npos;
    QVERIFY(noted);
    // CT: the abdomen window is recorded for prediction.
    QVERIFY(data.preprocessing.hasWindow);
    QCOMPARE(data.preprocessing.windowCenter, 40.0);
    QCOMPARE(data.preprocessing.windowWidth, 400.0);
}

void tst_VolumeTrainingData::onePatientFallsBackToSlicesAndSaysSo()
{
    VolumeDataReport report;
    const TrainingData data = trainingDataFromVolumes({volumeOf("only", "P", "MR")},
                                                      LabelDescriptions::defaults(), {}, &report);
    QCOMPARE(int(data.val.size()), 1);
    QCOMPARE(int(data.train.size()), 3);
    QVERIFY(!report.notes.empty() &&
            report.notes.front().find("one patient only") != std::string::npos);
    QVERIFY(!data.preprocessing.hasWindow); // MR: windowed per volume, as predict does
    // Nothing labeled: a message, not an empty model.
    LabeledVolume empty = volumeOf("empty", "P", "MR");
    std::fill(empty.labels.begin(), empty.labels.end(), 0);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             trainingDataFromVolumes({empty}, LabelDescriptions::defaults()));
}

void tst_VolumeTrainingData::trainOnAnNnUnetDatasetFromTheCommandLine()
{
    // Four cases of one channel; `medseg train DATASET` imports, splits by case and trains.
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("Dataset004_Four/imagesTr")));
    QVERIFY(root.mkpath(QStringLiteral("Dataset004_Four/labelsTr")));
    root.cd(QStringLiteral("Dataset004_Four"));
    for (int n = 0; n < 4; ++n) {
        const LabeledVolume v = volumeOf("x", "x", "MR");
        const std::string name = "four_" + std::to_string(n);
        NiftiIo::writeImage(
            root.filePath(QString::fromStdString("imagesTr/" + name + "_0000.nii.gz"))
                .toStdString(),
            *v.volume);
        NiftiIo::writeLabelVolume(
            root.filePath(QString::fromStdString("labelsTr/" + name + ".nii.gz")).toStdString(),
            v.labels.data(), 20, 16, 6, v.volume->geometry());
    }
    std::ofstream(root.filePath(QStringLiteral("dataset.json")).toStdString())
        << R"({"channel_names": {"0": "MR"}, "labels": {"background": 0, "organ": 1,
               "lesion": 2}, "numTraining": 4, "file_ending": ".nii.gz"})";
    const QString runDir = dir.filePath(QStringLiteral("run"));
    const auto result = runCli({QStringLiteral("train"),           root.path(),
                                QStringLiteral("--epochs"),        QStringLiteral("1"),
                                QStringLiteral("--run-dir"),       runDir,
                                QStringLiteral("--val-fraction"),  QStringLiteral("0.25"),
                                QStringLiteral("--backbone"),      QStringLiteral("resnet18"),
                                QStringLiteral("--input-size"),    QStringLiteral("32"),
                                QStringLiteral("--batch"),         QStringLiteral("2"),
                                QStringLiteral("--output-stride"), QStringLiteral("16"),
                                QStringLiteral("--threads"),       QStringLiteral("2"),
                                QStringLiteral("--device"),        QStringLiteral("cpu")},
                               600000);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err + result.out));
    const QRegularExpressionMatch found =
        QRegularExpression(QStringLiteral("Found 16 labeled slices in 4 volumes\\. Training "
                                          "cases: (four_\\d, four_\\d, four_\\d)\\. Validation "
                                          "cases: (four_\\d)\\."))
            .match(result.out);
    QVERIFY2(found.hasMatch(), qPrintable(result.out));
    QVERIFY(!found.captured(1).contains(found.captured(2)));
    QVERIFY(QFileInfo::exists(QDir(runDir).filePath(QStringLiteral("best.pt"))));
    QVERIFY2(result.out.contains(QStringLiteral("organ")), qPrintable(result.out));
}

QTEST_GUILESS_MAIN(tst_VolumeTrainingData)
#include "tst_VolumeTrainingData.moc"
