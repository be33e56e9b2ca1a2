#include "core/dataset/NiftiIo.h"
#include "core/train/ModelBundle.h"
#include "core/train/NetworkInput.h"
#include "core/train/Predictor.h"
#include "core/train/ProjectPrediction.h"
#include "core/train/Trainer.h"
#include "core/train/VolumeTrainingData.h"
#include "support/CliRunner.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
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

// 2.5D: odd slices are blank and labeled with the square that the slice before shows; the
// slice after shows another square (a decoy), so only the previous neighbour, in the right
// place among the channels, carries the answer. Even slices hold the squares, unlabeled.
LabeledVolume neighbourCase(const std::string &name, unsigned seed,
                            std::vector<std::uint16_t> *decoys)
{
    constexpr int n = 48, depth = 12, side = 14;
    auto volume = std::make_shared<Volume>(n, n, depth);
    LabeledVolume v;
    v.caseName = name;
    v.patient = name;
    v.layout.modality = "MR";
    v.labels.assign(volume->voxelCount(), 0);
    decoys->assign(volume->voxelCount(), 0);
    std::mt19937 random(seed);
    for (std::size_t i = 0; i < volume->voxelCount(); ++i)
        volume->data()[i] = 200.0f + float(random() % 50); // tissue: z-scores of every voxel
    std::vector<std::pair<int, int>> corners;
    for (int k = 0; k < depth; k += 2)
        corners.emplace_back(int(random() % (n - side)), int(random() % (n - side)));
    const auto square = [&](int k, std::pair<int, int> corner, float *image,
                            std::uint16_t *labels) {
        for (int y = corner.second; y < corner.second + side; ++y)
            for (int x = corner.first; x < corner.first + side; ++x) {
                const std::size_t at = std::size_t(k) * n * n + std::size_t(y) * n + std::size_t(x);
                if (image)
                    image[at] = 1000.0f;
                if (labels)
                    labels[at] = 1;
            }
    };
    for (int k = 0; k < depth; ++k) {
        if (k % 2 == 0) {
            square(k, corners[std::size_t(k / 2)], volume->data(), nullptr);
        } else {
            square(k, corners[std::size_t(k / 2)], nullptr, v.labels.data());
            if (k + 1 < depth)
                square(k, corners[std::size_t(k / 2 + 1)], nullptr, decoys->data());
        }
    }
    v.volume = volume;
    return v;
}

double diceOfOddSlices(const std::vector<std::uint8_t> &predicted,
                       const std::vector<std::uint16_t> &truth, std::size_t sliceSize)
{
    double both = 0, sum = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) {
        if ((i / sliceSize) % 2 == 0)
            continue;
        both += double(predicted[i] == 1 && truth[i] == 1);
        sum += double(predicted[i] == 1) + double(truth[i] == 1);
    }
    return sum > 0 ? 2.0 * both / sum : 1.0;
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
    void ctWindowChoiceStoresTheVocExportsGreys();
    void channelsOfACaseAreStackedWithTheirOwnRules();
    void trainOnAnNnUnetDatasetFromTheCommandLine();
    void adjacentSlicesAreStackedInOneOrder();
    void aModelOfAdjacentSlicesReadsTheNeighbours();
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
    // CT, by default nnU-Net's rule: clipped to the training foreground's percentiles and
    // z-scored with its statistics, recorded for prediction; the samples are those values.
    QCOMPARE(data.preprocessing.intensity.size(), std::size_t(1));
    const ChannelIntensity &rule = data.preprocessing.intensity.front();
    QVERIFY(rule.scheme == IntensityScheme::CtPercentiles);
    QCOMPARE(rule.channel, std::string("CT"));
    // Foreground voxels n = k * 320 + 40..69 (and k * 320 + 100 on slice 2): n % 400 - 1000.
    QVERIFY(rule.clipLow >= -1000.0 + 40 && rule.clipHigh <= -1000.0 + 399);
    QCOMPARE(data.preprocessing.mean, std::vector<float>{0.0f});
    QCOMPARE(data.preprocessing.std, std::vector<float>{1.0f});
    const TrainingSample &sample = data.train.front();
    QVERIFY(sample.image.scalar_type() == torch::kFloat);
    const int k = std::stoi(sample.name.substr(sample.name.find("-slice-") + 7)) - 1;
    const float raw = float(int((std::size_t(k) * 320 + 50) % 400) - 1000);
    const double expected =
        (std::clamp(double(raw), rule.clipLow, rule.clipHigh) - rule.mean) / rule.std;
    QVERIFY(std::abs(sample.image[0][50 / 20][50 % 20].item<double>() - expected) < 1e-5);
}

// "window": CT through a fixed window, stored as the 8-bit greys the VOC export and the
// screen's LUT give (core/dicom's WindowLut), with ImageNet's mean/std after.
void tst_VolumeTrainingData::ctWindowChoiceStoresTheVocExportsGreys()
{
    const LabeledVolume v = volumeOf("a", "A", "CT");
    VolumeDataOptions options;
    options.intensity = "window";
    options.ctWindow = Window{40, 400, {}};
    const TrainingData data = trainingDataFromVolumes({v}, LabelDescriptions::defaults(), options);
    QVERIFY(data.preprocessing.intensity.front().scheme == IntensityScheme::Window);
    QCOMPARE(data.preprocessing.intensity.front().windowWidth, 400.0);
    QCOMPARE(data.preprocessing.mean.size(), std::size_t(3));
    const TrainingSample &sample = data.train.front();
    QVERIFY(sample.image.scalar_type() == torch::kUInt8);
    QCOMPARE(sample.name, std::string("a-slice-2"));
    const WindowLut lut(Window{40, 400, {}}, -1024, 3071, false);
    const std::uint8_t *pixels = sample.image.data_ptr<std::uint8_t>();
    for (int n = 0; n < 320; ++n)
        QCOMPARE(pixels[n], lut.map(v.volume->slice(1)[n]));
}

// Co-registered channels of a case (T1 and T2) are one [2, H, W] sample, each channel through
// its own rule (z-score for MR channels); a case with another channel count is left out.
void tst_VolumeTrainingData::channelsOfACaseAreStackedWithTheirOwnRules()
{
    std::vector<LabeledVolume> volumes;
    for (const char *name : {"a", "b", "c"}) {
        LabeledVolume v = volumeOf(name, name, "MR");
        auto t2 = std::make_shared<Volume>(20, 16, 6);
        for (std::size_t n = 0; n < t2->voxelCount(); ++n)
            t2->data()[n] = float(n % 7) * 10.0f + 5.0f;
        v.moreChannels = {t2};
        v.channelNames = {"T1", "T2"};
        volumes.push_back(std::move(v));
    }
    volumes.push_back(volumeOf("single", "d", "MR"));
    VolumeDataReport report;
    const TrainingData data =
        trainingDataFromVolumes(volumes, LabelDescriptions::defaults(), {}, &report);
    QCOMPARE(data.imageChannels(), 2);
    QCOMPARE(data.preprocessing.intensity[0].channel, std::string("T1"));
    QCOMPARE(data.preprocessing.intensity[1].channel, std::string("T2"));
    QVERIFY(data.preprocessing.intensity[1].scheme == IntensityScheme::ZScore);
    QCOMPARE(report.channels.size(), std::size_t(2));
    QCOMPARE(report.volumes, 3);
    bool leftOut = false;
    for (const std::string &note : report.notes)
        leftOut = leftOut || note.find("single: 1 channel(s)") != std::string::npos;
    QVERIFY(leftOut);
    const TrainingSample &sample = data.train.front();
    QCOMPARE(sample.image.sizes(), (at::IntArrayRef{2, 16, 20}));
    // T2's z-score over its own volume: values 5..65 in steps of 10, each of 7 about as often.
    const Volume &t2 = *volumes.front().moreChannels.front();
    double mean = 0, squares = 0;
    for (std::size_t n = 0; n < t2.voxelCount(); ++n)
        mean += t2.data()[n];
    mean /= double(t2.voxelCount());
    for (std::size_t n = 0; n < t2.voxelCount(); ++n)
        squares += (t2.data()[n] - mean) * (t2.data()[n] - mean);
    const double sd = std::sqrt(squares / double(t2.voxelCount()));
    const int k = std::stoi(sample.name.substr(sample.name.find("-slice-") + 7)) - 1;
    const double raw = t2.slice(k)[7];
    QVERIFY(std::abs(sample.image[1][0][7].item<double>() - (raw - mean) / sd) < 1e-4);
    QVERIFY(data.summary.find("2 channels") != std::string::npos);
}

// Issue 22, point 4: slice z of channel c is input channel c * k + (offset + (k - 1) / 2), the
// volume's end slices repeated; training samples are built by the same rule.
void tst_VolumeTrainingData::adjacentSlicesAreStackedInOneOrder()
{
    constexpr int w = 4, h = 3, depth = 5;
    std::vector<float> a(w * h * depth), b(w * h * depth);
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = float(i / (w * h)) * 10.0f; // slice z holds 10 z
        b[i] = 100.0f + float(i / (w * h));
    }
    const std::vector<VolumeIntensity> rules{
        volumeIntensity(ChannelIntensity::window(20, 40), a.data(), a.size(), false),
        volumeIntensity(ChannelIntensity::window(102, 4), b.data(), b.size(), false)};
    const at::Tensor five = caseSlices(rules, {a.data(), b.data()}, depth, 0, depth, h, w, 3);
    QCOMPARE(five.sizes(), (at::IntArrayRef{depth, 6, h, w}));
    for (int z = 0; z < depth; ++z)
        for (int c = 0; c < 2; ++c)
            for (int offset = -1; offset <= 1; ++offset) {
                const int from = std::clamp(z + offset, 0, depth - 1);
                const at::Tensor single =
                    caseSlices(rules, {a.data(), b.data()}, depth, from, 1, h, w, 1)[0][c];
                QVERIFY2(
                    at::equal(five[z][c * 3 + offset + 1], single),
                    qPrintable(
                        QStringLiteral("slice %1 channel %2 offset %3").arg(z).arg(c).arg(offset)));
            }
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             caseSlices(rules, {a.data(), b.data()}, depth, 0, 1, h, w, 2));

    // Training samples: the same stack, and the channel count recorded for the model.
    std::vector<LabeledVolume> volumes;
    for (const char *name : {"a", "b", "c"})
        volumes.push_back(volumeOf(name, name, "MR"));
    VolumeDataOptions options;
    options.adjacentSlices = 5;
    const TrainingData data =
        trainingDataFromVolumes(volumes, LabelDescriptions::defaults(), options);
    QCOMPARE(data.preprocessing.adjacentSlices, 5);
    QCOMPARE(data.networkChannels(), 5);
    QCOMPARE(data.preprocessing.mean.size(), std::size_t(5));
    medseg::models::ModelConfig model;
    fitModelToData(model, data);
    QCOMPARE(model.in_channels, 5);
    const TrainingSample &sample = data.train.front();
    QCOMPARE(sample.image.size(0), std::int64_t(5));
    const LabeledVolume &v = *std::find_if(volumes.begin(), volumes.end(), [&](const auto &c) {
        return c.caseName == caseOfSample(sample);
    });
    const int k = std::stoi(sample.name.substr(sample.name.find("-slice-") + 7)) - 1;
    const std::vector<VolumeIntensity> resolved{volumeIntensity(
        data.preprocessing.intensity[0], v.volume->data(), v.volume->voxelCount(), false)};
    QVERIFY(at::allclose(sample.image,
                         caseSlices(resolved, {v.volume->data()}, 6, k, 1, 16, 20, 5)[0]));
    QVERIFY(data.summary.find("5 adjacent slices") != std::string::npos);
}

// Issue 22, point 4: a 2.5D model trained where only the previous slice shows the answer
// predicts it on a validation case (so prediction feeds the neighbours in training's order),
// and the channel count reaches the model, its card and the ONNX input.
void tst_VolumeTrainingData::aModelOfAdjacentSlicesReadsTheNeighbours()
{
    std::vector<LabeledVolume> volumes;
    std::vector<std::vector<std::uint16_t>> decoys(6);
    for (unsigned p = 0; p < 6; ++p)
        volumes.push_back(neighbourCase("case" + std::to_string(p), 11 + p, &decoys[p]));
    VolumeDataOptions options;
    options.adjacentSlices = 3;
    options.validationFraction = 0.17; // one case of six
    const TrainingData data =
        trainingDataFromVolumes(volumes, LabelDescriptions::defaults(), options);
    QCOMPARE(data.validationCases.size(), std::size_t(1));

    TrainingConfig config;
    config.adjacentSlices = 3;
    config.model.backbone = "resnet18";
    config.model.output_stride = 8;
    config.threads = 2;
    config.device = "cpu";
    config.seed = 5;
    fitModelToData(config.model, data);
    config.stages[0].epochs = 25;
    config.stages[0].batchSize = 6;
    config.stages[0].inputSize = 48;
    config.stages[0].warmupSteps = 10;
    QTemporaryDir run;
    const TrainingResult result = Trainer(config, run.path().toStdString()).fit(data);
    QVERIFY2(result.status == TrainingResult::Status::Finished, result.message.c_str());

    Predictor predictor = Predictor::load(result.bestModelPath);
    QCOMPARE(predictor.bundle().preprocessing.adjacentSlices, 3);
    QCOMPARE(predictor.bundle().config.in_channels, 3);
    const auto validation = std::find_if(volumes.begin(), volumes.end(), [&](const auto &v) {
        return v.caseName == data.validationCases.front();
    });
    const LabeledVolume &v = *validation;
    const std::vector<std::uint8_t> labels =
        predictor.predictCase({v.volume->data()}, 48, 48, 12, false, 0, 12);
    const double dice = diceOfOddSlices(labels, v.labels, 48 * 48);
    const double decoyDice =
        diceOfOddSlices(labels, decoys[std::size_t(validation - volumes.begin())], 48 * 48);
    qInfo("2.5D validation case: Dice %.3f against the labels, %.3f against the decoys", dice,
          decoyDice);
    QVERIFY2(dice >= 0.8,
             qPrintable(QStringLiteral("Dice %1 (decoy %2)").arg(dice).arg(decoyDice)));
    QVERIFY2(decoyDice < 0.2, qPrintable(QStringLiteral("decoy Dice %1").arg(decoyDice)));
    // A single 8-bit image has no neighbours: refused, not guessed.
    const std::vector<std::uint8_t> grey(48 * 48, 0);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, predictor.predictImage(grey.data(), 48, 48, 1));

    // The model's card and the ONNX file read 3 channels, and say why.
    const QString onnx = QDir(run.path()).filePath(QStringLiteral("model.onnx"));
    const auto exported =
        runCli({QStringLiteral("export"), QString::fromStdString(result.bestModelPath),
                QStringLiteral("-o"), onnx});
    QVERIFY2(exported.exitCode == 0 || exported.exitCode == 1, qPrintable(exported.err));
    QFile card(QDir(run.path()).filePath(QStringLiteral("model.modelcard.json")));
    QVERIFY2(card.open(QIODevice::ReadOnly), qPrintable(exported.out + exported.err));
    const QJsonObject preprocessing = QJsonDocument::fromJson(card.readAll())
                                          .object()[QStringLiteral("preprocessing")]
                                          .toObject();
    QCOMPARE(preprocessing[QStringLiteral("adjacent_slices")].toInt(), 3);
    QCOMPARE(preprocessing[QStringLiteral("input_channels")].toInt(), 3);
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
    // MR: z-scored over the volume (nnU-Net's default for everything but CT).
    QVERIFY(data.preprocessing.intensity.front().scheme == IntensityScheme::ZScore);
    QVERIFY(!data.preprocessing.intensity.front().nonzeroMask); // few zero voxels
    // Nothing labeled: a message, not an empty model.
    LabeledVolume empty = volumeOf("empty", "P", "MR");
    std::fill(empty.labels.begin(), empty.labels.end(), 0);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             trainingDataFromVolumes({empty}, LabelDescriptions::defaults()));
}

// Issue 21, points 3-6 chained: a two-channel nnU-Net dataset (T1, T2) is imported and trained
// on from the command line, the model reads both channels with their recorded rules, predicts
// imagesTs onto each input's grid, and evaluate scores the predictions.
void tst_VolumeTrainingData::trainOnAnNnUnetDatasetFromTheCommandLine()
{
    QTemporaryDir dir;
    QDir root(dir.path());
    for (const char *folder : {"imagesTr", "labelsTr", "imagesTs", "labelsTs"})
        QVERIFY(root.mkpath(QStringLiteral("Dataset004_Four/") + QLatin1String(folder)));
    root.cd(QStringLiteral("Dataset004_Four"));
    const auto path = [&](const std::string &name) {
        return root.filePath(QString::fromStdString(name)).toStdString();
    };
    for (int n = 0; n < 6; ++n) {
        const LabeledVolume v = volumeOf("x", "x", "MR");
        Volume t2(20, 16, 6);
        t2.setGeometry(v.volume->geometry());
        for (std::size_t i = 0; i < t2.voxelCount(); ++i)
            t2.data()[i] = v.labels[i] ? 300.0f : float(i % 13);
        const bool test = n >= 4;
        const std::string name = "four_" + std::to_string(n);
        const std::string images = test ? "imagesTs/" : "imagesTr/";
        NiftiIo::writeImage(path(images + name + "_0000.nii.gz"), *v.volume);
        NiftiIo::writeImage(path(images + name + "_0001.nii.gz"), t2);
        NiftiIo::writeLabelVolume(path((test ? "labelsTs/" : "labelsTr/") + name + ".nii.gz"),
                                  v.labels.data(), 20, 16, 6, v.volume->geometry());
    }
    std::ofstream(path("dataset.json"))
        << R"({"channel_names": {"0": "T1", "1": "T2"}, "labels": {"background": 0, "organ": 1,
               "lesion": 2}, "numTraining": 4, "file_ending": ".nii.gz"})";
    // The dataset becomes a project, which is trained on.
    const QString project = dir.filePath(QStringLiteral("four.medseg"));
    auto result = runCli({QStringLiteral("convert"), root.path(), project});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err + result.out));
    const QString runDir = dir.filePath(QStringLiteral("run"));
    result = runCli({QStringLiteral("train"),           project,
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
    QVERIFY2(result.out.contains(QStringLiteral("organ")), qPrintable(result.out));
    QVERIFY2(result.out.contains(QStringLiteral("T2: z-score")), qPrintable(result.out));

    // The model reads both channels, in the dataset's order, each with its rule.
    const QString model = QDir(runDir).filePath(QStringLiteral("best.pt"));
    const ModelBundle bundle = readModelBundleInfo(model.toStdString());
    QCOMPARE(bundle.config.in_channels, 2);
    QCOMPARE(bundle.preprocessing.imageChannels(), 2);
    QCOMPARE(bundle.preprocessing.intensity[0].channel, std::string("T1"));
    QCOMPARE(bundle.preprocessing.intensity[1].channel, std::string("T2"));
    QVERIFY(bundle.preprocessing.intensity[1].scheme == IntensityScheme::ZScore);

    // imagesTs: both channels of each case in, one label file per case on its grid out.
    const QString predictions = dir.filePath(QStringLiteral("predictions"));
    result = runCli({QStringLiteral("predict"), model, root.filePath(QStringLiteral("imagesTs")),
                     QStringLiteral("-o"), predictions, QStringLiteral("--device"),
                     QStringLiteral("cpu")},
                    300000);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err + result.out));
    for (const char *name : {"four_4", "four_5"}) {
        const std::string file = QDir(predictions)
                                     .filePath(QLatin1String(name) + QStringLiteral(".nii.gz"))
                                     .toStdString();
        const NiftiIo::LabelVolume labels = NiftiIo::readLabelVolume(file);
        QCOMPARE(labels.width, 20);
        QCOMPARE(labels.height, 16);
        QCOMPARE(labels.depth, 6);
        QVERIFY(std::all_of(labels.labels.begin(), labels.labels.end(),
                            [](std::uint16_t l) { return l <= 2; }));
    }
    // A case missing its second channel is refused, naming what the model reads.
    QVERIFY(QFile::remove(root.filePath(QStringLiteral("imagesTs/four_5_0001.nii.gz"))));
    result = runCli({QStringLiteral("predict"), model,
                     root.filePath(QStringLiteral("imagesTs/four_5_0000.nii.gz")),
                     QStringLiteral("-o"), dir.filePath(QStringLiteral("one.nii.gz"))});
    QVERIFY(result.exitCode != 0);
    QVERIFY2(result.err.contains(QStringLiteral("2 image channels (T1, T2)")),
             qPrintable(result.err));

    const QString summary = dir.filePath(QStringLiteral("summary.json"));
    result = runCli({QStringLiteral("evaluate"), predictions,
                     root.filePath(QStringLiteral("labelsTs")), QStringLiteral("--json"), summary});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err + result.out));
    std::ifstream file(summary.toStdString());
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    QVERIFY(text.find("\"metric_per_case\"") != std::string::npos);
    QVERIFY(text.find("four_4") != std::string::npos);
}

QTEST_GUILESS_MAIN(tst_VolumeTrainingData)
#include "tst_VolumeTrainingData.moc"
