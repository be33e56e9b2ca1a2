// Confusion matrix, per-class Dice/IoU (NaN for absent classes), foreground means and pixel
// accuracy against values counted by hand.

#include "core/train/Metrics.h"

#include <ATen/ATen.h>

#include <QtTest>

#include <cmath>

using namespace medseg::core;

namespace {

at::Tensor grid(std::vector<std::int64_t> values, std::int64_t rows, std::int64_t columns)
{
    return at::tensor(values, at::TensorOptions().dtype(at::kLong)).view({1, rows, columns});
}

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-9;
}

} // namespace

class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void confusionCountsPairsAndSkipsIgnored();
    void perClassScoresMatchHandCounts();
    void absentClassIsNaNAndLeftOutOfMeans();
    void predictedAbsentClassIsCountedApartNotAsDiceZero();
    void addAccumulatesAndResetClears();
    void emptyMetricsAreNaN();
};

namespace {

// Valid (truth, prediction) pairs: (0,0) (1,1) (1,0) (2,2) (2,1); the 255 pixel is ignored.
SegmentationMetrics example(int classes = 4)
{
    SegmentationMetrics metrics(classes);
    metrics.add(grid({0, 1, 0, 2, 1, 1}, 2, 3), grid({0, 1, 1, 2, 2, 255}, 2, 3));
    return metrics;
}

} // namespace

void tst_Metrics::confusionCountsPairsAndSkipsIgnored()
{
    const SegmentationMetrics metrics = example();
    const std::vector<std::int64_t> expected{1, 0, 0, 0, //
                                             1, 1, 0, 0, //
                                             0, 1, 1, 0, //
                                             0, 0, 0, 0};
    QCOMPARE(metrics.confusion(), expected);
    QCOMPARE(metrics.pixelCount(), std::int64_t(5));
    QVERIFY(near(metrics.pixelAccuracy(), 3.0 / 5.0));
}

void tst_Metrics::perClassScoresMatchHandCounts()
{
    const SegmentationMetrics metrics = example();
    const std::vector<double> dice = metrics.dice();
    const std::vector<double> iou = metrics.iou();
    QVERIFY(near(dice[0], 2.0 / 3.0)); // tp 1, truth 1, predicted 2
    QVERIFY(near(dice[1], 0.5));       // tp 1, truth 2, predicted 2
    QVERIFY(near(dice[2], 2.0 / 3.0)); // tp 1, truth 2, predicted 1
    QVERIFY(near(iou[0], 0.5));
    QVERIFY(near(iou[1], 1.0 / 3.0));
    QVERIFY(near(iou[2], 0.5));
}

void tst_Metrics::absentClassIsNaNAndLeftOutOfMeans()
{
    const SegmentationMetrics metrics = example();
    QVERIFY(std::isnan(metrics.dice()[3]));
    QVERIFY(std::isnan(metrics.iou()[3]));
    QVERIFY(near(metrics.meanForegroundDice(), (0.5 + 2.0 / 3.0) / 2.0));
    QVERIFY(near(metrics.meanForegroundIou(), (1.0 / 3.0 + 0.5) / 2.0));
}

// Issue 22: a class the validation truth does not contain used to count as Dice 0 as soon as
// the model predicted a pixel of it (0.365 where the classes present gave 0.456). It is left
// out of the means, and its pixels are reported apart.
void tst_Metrics::predictedAbsentClassIsCountedApartNotAsDiceZero()
{
    SegmentationMetrics metrics(4);
    // Truth has classes 0, 1 and 2; the model predicts two pixels of class 3.
    metrics.add(grid({0, 1, 3, 2, 3, 1}, 2, 3), grid({0, 1, 1, 2, 2, 1}, 2, 3));
    const std::vector<double> dice = metrics.dice();
    QVERIFY(std::isnan(dice[3]));
    QVERIFY(std::isnan(metrics.iou()[3]));
    QVERIFY(near(dice[1], 2.0 * 2 / (3 + 2))); // tp 2, truth 3, predicted 2
    QVERIFY(near(dice[2], 2.0 * 1 / (2 + 1))); // tp 1, truth 2, predicted 1
    QVERIFY(near(metrics.meanForegroundDice(), (0.8 + 2.0 / 3.0) / 2.0));
    QCOMPARE(metrics.absentClassPixels(), (std::vector<std::int64_t>{0, 0, 0, 2}));
}

void tst_Metrics::addAccumulatesAndResetClears()
{
    SegmentationMetrics metrics = example();
    // [H, W] input is accepted as one slice.
    metrics.add(grid({0, 1, 0, 2, 1, 1}, 2, 3).squeeze(0), grid({0, 1, 1, 2, 2, 255}, 2, 3)[0]);
    QCOMPARE(metrics.confusion()[1 * 4 + 0], std::int64_t(2));
    QCOMPARE(metrics.pixelCount(), std::int64_t(10));
    QVERIFY(near(metrics.dice()[1], 0.5));
    SegmentationMetrics other = example();
    metrics.merge(other);
    QCOMPARE(metrics.pixelCount(), std::int64_t(15));
    metrics.reset();
    QCOMPARE(metrics.pixelCount(), std::int64_t(0));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, metrics.merge(SegmentationMetrics(3)));
}

void tst_Metrics::emptyMetricsAreNaN()
{
    const SegmentationMetrics metrics(3);
    QVERIFY(std::isnan(metrics.pixelAccuracy()));
    QVERIFY(std::isnan(metrics.meanForegroundDice()));
    QVERIFY(std::isnan(metrics.dice()[0]));
}

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_Metrics.moc"
