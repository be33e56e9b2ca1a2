#include "core/dataset/NiftiIo.h"
#include "core/evaluation/SegmentationEvaluation.h"
#include "support/CliRunner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace medseg::core;
using medseg::testing::runCli;

namespace {

NiftiIo::LabelVolume grid(int w, int h, int d, const Vec3 &spacing)
{
    NiftiIo::LabelVolume volume;
    volume.width = w;
    volume.height = h;
    volume.depth = d;
    volume.geometry.spacing = spacing;
    volume.geometry.origin = {-10.0, 5.0, 2.0};
    volume.labels.assign(std::size_t(w) * h * d, 0);
    return volume;
}

void fill(NiftiIo::LabelVolume &v, int label, std::array<int, 3> lo, std::array<int, 3> hi)
{
    for (int k = lo[2]; k <= hi[2]; ++k)
        for (int j = lo[1]; j <= hi[1]; ++j)
            for (int i = lo[0]; i <= hi[0]; ++i)
                v.labels[(std::size_t(k) * v.height + j) * v.width + i] = std::uint16_t(label);
}

// HD95 the slow way: every surface voxel against every surface voxel of the other mask.
double bruteForceHd95(const NiftiIo::LabelVolume &a, const NiftiIo::LabelVolume &b, int label)
{
    const auto surface = [&](const NiftiIo::LabelVolume &v) {
        std::vector<Vec3> points;
        const auto in = [&](int i, int j, int k) {
            return i >= 0 && j >= 0 && k >= 0 && i < v.width && j < v.height && k < v.depth &&
                   v.labels[(std::size_t(k) * v.height + j) * v.width + i] == label;
        };
        for (int k = 0; k < v.depth; ++k)
            for (int j = 0; j < v.height; ++j)
                for (int i = 0; i < v.width; ++i)
                    if (in(i, j, k) && (!in(i + 1, j, k) || !in(i - 1, j, k) || !in(i, j + 1, k) ||
                                        !in(i, j - 1, k) || !in(i, j, k + 1) || !in(i, j, k - 1)))
                        points.push_back({i * v.geometry.spacing[0], j * v.geometry.spacing[1],
                                          k * v.geometry.spacing[2]});
        return points;
    };
    const std::vector<Vec3> sa = surface(a), sb = surface(b);
    std::vector<double> distances;
    for (const auto &[from, to] : {std::pair{&sa, &sb}, std::pair{&sb, &sa}})
        for (const Vec3 &p : *from) {
            double best = 1e300;
            for (const Vec3 &q : *to)
                best = std::min(best, std::sqrt((p[0] - q[0]) * (p[0] - q[0]) +
                                                (p[1] - q[1]) * (p[1] - q[1]) +
                                                (p[2] - q[2]) * (p[2] - q[2])));
            distances.push_back(best);
        }
    std::sort(distances.begin(), distances.end());
    const double rank = 0.95 * double(distances.size() - 1);
    const std::size_t lo = std::size_t(rank), hi = std::min(distances.size() - 1, lo + 1);
    return distances[lo] + (rank - double(lo)) * (distances[hi] - distances[lo]);
}

} // namespace

class tst_Evaluation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shiftedCubeHasKnownScores();
    void singleVoxelsAtAKnownDistance();
    void hausdorffMatchesBruteForceOnRandomShapes();
    void emptyPredictionsAndEmptyTruth();
    void cliWritesSummaryJsonAndCsv();
    void mismatchedGridNamesTheFile();
};

void tst_Evaluation::shiftedCubeHasKnownScores()
{
    NiftiIo::LabelVolume truth = grid(20, 20, 10, {1.0, 1.0, 2.0});
    NiftiIo::LabelVolume prediction = truth;
    fill(truth, 1, {5, 5, 3}, {9, 9, 5});       // 5 x 5 x 3 = 75 voxels
    fill(prediction, 1, {6, 5, 3}, {10, 9, 5}); // one voxel along i
    const ClassScores s = evaluateLabels(prediction, truth, {1}).front();
    QCOMPARE(s.truePositives, 60);
    QCOMPARE(s.falsePositives, 15);
    QCOMPARE(s.falseNegatives, 15);
    QCOMPARE(s.dice, 0.8);
    QVERIFY(std::abs(s.iou - 60.0 / 90.0) < 1e-12);
    QVERIFY(std::abs(s.referenceMl - 75 * 2.0 / 1000.0) < 1e-12); // 2 mm^3 voxels
    QVERIFY(std::abs(s.volumeDifferenceMl) < 1e-12);
    QVERIFY(std::abs(s.hausdorff95Mm - bruteForceHd95(prediction, truth, 1)) < 1e-9);
    QCOMPARE(s.hausdorff95Mm, 1.0); // every surface voxel is 0 or 1 mm from the other surface
}

void tst_Evaluation::singleVoxelsAtAKnownDistance()
{
    NiftiIo::LabelVolume truth = grid(8, 8, 8, {0.5, 0.7, 2.0});
    NiftiIo::LabelVolume prediction = truth;
    fill(truth, 3, {4, 4, 1}, {4, 4, 1});
    fill(prediction, 3, {4, 4, 4}, {4, 4, 4}); // three slices of 2 mm away
    const ClassScores s = evaluateLabels(prediction, truth, {3}).front();
    QCOMPARE(s.dice, 0.0);
    QVERIFY(std::abs(s.hausdorff95Mm - 6.0) < 1e-12);
    // Diagonal: sqrt((3 * 0.5)^2 + (2 * 0.7)^2).
    NiftiIo::LabelVolume diagonal = truth;
    std::fill(diagonal.labels.begin(), diagonal.labels.end(), 0);
    fill(diagonal, 3, {7, 6, 1}, {7, 6, 1});
    const ClassScores d = evaluateLabels(diagonal, truth, {3}).front();
    QVERIFY(std::abs(d.hausdorff95Mm - std::sqrt(1.5 * 1.5 + 1.4 * 1.4)) < 1e-12);
}

void tst_Evaluation::hausdorffMatchesBruteForceOnRandomShapes()
{
    std::mt19937 random(7);
    for (int trial = 0; trial < 5; ++trial) {
        NiftiIo::LabelVolume truth = grid(17, 13, 9, {0.8, 1.3, 2.5});
        NiftiIo::LabelVolume prediction = truth;
        for (int blobs = 0; blobs < 3; ++blobs) {
            std::uniform_int_distribution<int> x(0, 14), y(0, 10), z(0, 7);
            const std::array<int, 3> a{x(random), y(random), z(random)};
            const std::array<int, 3> b{x(random), y(random), z(random)};
            fill(truth, 1, a, {a[0] + 2, a[1] + 2, a[2] + 1});
            fill(prediction, 1, b, {b[0] + 2, b[1] + 1, b[2] + 1});
        }
        const ClassScores s = evaluateLabels(prediction, truth, {1}).front();
        const double expected = bruteForceHd95(prediction, truth, 1);
        QVERIFY2(std::abs(s.hausdorff95Mm - expected) < 1e-9,
                 qPrintable(QStringLiteral("trial %1: %2 against %3")
                                .arg(trial)
                                .arg(s.hausdorff95Mm)
                                .arg(expected)));
    }
}

void tst_Evaluation::emptyPredictionsAndEmptyTruth()
{
    NiftiIo::LabelVolume truth = grid(6, 6, 3, {1.0, 1.0, 1.0});
    NiftiIo::LabelVolume empty = truth;
    fill(truth, 1, {1, 1, 1}, {3, 3, 1});
    const std::vector<ClassScores> s = evaluateLabels(empty, truth, {1, 2});
    QCOMPARE(s[0].dice, 0.0); // missed entirely
    QVERIFY(std::isnan(s[0].hausdorff95Mm));
    QVERIFY(std::abs(s[0].volumeDifferenceMl + 9 / 1000.0) < 1e-12);
    QVERIFY(std::isnan(s[1].dice)); // in neither: undefined, left out of means
    QVERIFY(std::isnan(s[1].iou));
    const std::vector<ClassScores> spurious = evaluateLabels(truth, empty, {1});
    QCOMPARE(spurious[0].dice, 0.0);
    QCOMPARE(spurious[0].falsePositives, 9);
    const ScoreStatistics stats = statisticsOf({0.5, std::nan(""), 0.7});
    QCOMPARE(stats.count, 2);
    QVERIFY(std::abs(stats.mean - 0.6) < 1e-12);
    QVERIFY(std::abs(stats.standardDeviation - std::sqrt(0.02)) < 1e-12);
}

void tst_Evaluation::cliWritesSummaryJsonAndCsv()
{
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("pred")));
    QVERIFY(root.mkpath(QStringLiteral("gt")));
    // case_a: Dice 0.8 (shifted cube); case_b: label 1 perfect, label 2 missed.
    NiftiIo::LabelVolume truthA = grid(20, 20, 10, {1.0, 1.0, 2.0});
    NiftiIo::LabelVolume predA = truthA;
    fill(truthA, 1, {5, 5, 3}, {9, 9, 5});
    fill(predA, 1, {6, 5, 3}, {10, 9, 5});
    NiftiIo::LabelVolume truthB = grid(20, 20, 10, {1.0, 1.0, 2.0});
    fill(truthB, 1, {2, 2, 2}, {4, 4, 4});
    NiftiIo::LabelVolume predB = truthB;
    fill(truthB, 2, {10, 10, 5}, {12, 12, 6});
    const auto path = [&](const char *folder, const char *name) {
        return root.filePath(QLatin1String(folder) + QLatin1Char('/') + QLatin1String(name))
            .toStdString();
    };
    NiftiIo::writeLabelVolume(path("gt", "case_a.nii.gz"), truthA);
    NiftiIo::writeLabelVolume(path("pred", "case_a.nii.gz"), predA);
    NiftiIo::writeLabelVolume(path("gt", "case_b.nii.gz"), truthB);
    NiftiIo::writeLabelVolume(path("pred", "case_b.nii.gz"), predB);

    const QString json = root.filePath(QStringLiteral("summary.json"));
    const QString csv = root.filePath(QStringLiteral("scores.csv"));
    const auto result = runCli({QStringLiteral("evaluate"), root.filePath(QStringLiteral("pred")),
                                root.filePath(QStringLiteral("gt")), QStringLiteral("--json"), json,
                                QStringLiteral("--csv"), csv});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QStringLiteral("Label 1: Dice 0.900 ± 0.141")),
             qPrintable(result.out));
    QVERIFY2(result.out.contains(QStringLiteral("HD95 undefined in 2 case")),
             qPrintable(result.out));
    QFile file(json);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject summary = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonArray cases = summary[QStringLiteral("metric_per_case")].toArray();
    QCOMPARE(cases.size(), 2);
    const QJsonObject a1 =
        cases[0].toObject()[QStringLiteral("metrics")].toObject()["1"].toObject();
    QCOMPARE(a1[QStringLiteral("Dice")].toDouble(), 0.8);
    QCOMPARE(a1[QStringLiteral("n_ref")].toInt(), 75);
    const QJsonObject b2 =
        cases[1].toObject()[QStringLiteral("metrics")].toObject()["2"].toObject();
    QCOMPARE(b2[QStringLiteral("Dice")].toDouble(), 0.0);
    QVERIFY(b2[QStringLiteral("HD95_mm")].isNull());
    QVERIFY(std::abs(b2[QStringLiteral("volume_difference_mL")].toDouble() + 18 * 2 / 1000.0) <
            1e-9);
    const QJsonObject mean = summary[QStringLiteral("mean")].toObject();
    QCOMPARE(mean["1"].toObject()[QStringLiteral("Dice")].toDouble(), 0.9);
    // Label 2 is defined in case_b only (it is in neither volume of case_a).
    QCOMPARE(mean["2"].toObject()[QStringLiteral("Dice")].toDouble(), 0.0);
    QCOMPARE(
        summary[QStringLiteral("foreground_mean")].toObject()[QStringLiteral("Dice")].toDouble(),
        0.45);
    QFile table(csv);
    QVERIFY(table.open(QIODevice::ReadOnly));
    const QStringList lines =
        QString::fromUtf8(table.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5); // header + 2 cases x 2 labels
    QVERIFY2(lines[1].startsWith(QStringLiteral("case_a.nii.gz,1,0.8,")), qPrintable(lines[1]));
}

void tst_Evaluation::mismatchedGridNamesTheFile()
{
    QTemporaryDir dir;
    QDir root(dir.path());
    QVERIFY(root.mkpath(QStringLiteral("pred")));
    QVERIFY(root.mkpath(QStringLiteral("gt")));
    NiftiIo::LabelVolume truth = grid(10, 10, 4, {1.0, 1.0, 2.0});
    NiftiIo::LabelVolume shifted = truth;
    shifted.geometry.origin[0] += 1.0;
    NiftiIo::writeLabelVolume(root.filePath(QStringLiteral("gt/x.nii.gz")).toStdString(), truth);
    NiftiIo::writeLabelVolume(root.filePath(QStringLiteral("pred/x.nii.gz")).toStdString(),
                              shifted);
    auto result = runCli({QStringLiteral("evaluate"), root.filePath(QStringLiteral("pred")),
                          root.filePath(QStringLiteral("gt"))});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(QStringLiteral("pred/x.nii.gz")) &&
                 result.err.contains(QStringLiteral("shifted")),
             qPrintable(result.err));
    // A prediction without ground truth.
    NiftiIo::writeLabelVolume(root.filePath(QStringLiteral("pred/y.nii.gz")).toStdString(), truth);
    QFile::remove(root.filePath(QStringLiteral("pred/x.nii.gz")));
    result = runCli({QStringLiteral("evaluate"), root.filePath(QStringLiteral("pred")),
                     root.filePath(QStringLiteral("gt"))});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.err.contains(QStringLiteral("y.nii.gz")) &&
                 result.err.contains(QStringLiteral("no ground truth")),
             qPrintable(result.err));
}

QTEST_GUILESS_MAIN(tst_Evaluation)
#include "tst_Evaluation.moc"
