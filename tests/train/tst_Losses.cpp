// Soft Dice, focal and the medical loss against values computed by hand on tiny logits.

#include "core/train/Losses.h"

#include <ATen/ATen.h>

#include <QtTest>

#include <cmath>

using namespace medseg::core;

namespace {

// 1x2x1x2 logits: pixel 0 has p = (0.5, 0.5), pixel 1 has p = (0.75, 0.25).
at::Tensor twoPixelLogits()
{
    return at::tensor({0.0, std::log(3.0), 0.0, 0.0}, at::TensorOptions().dtype(at::kFloat))
        .view({1, 2, 1, 2});
}

at::Tensor targets(std::initializer_list<std::int64_t> values)
{
    return at::tensor(std::vector<std::int64_t>(values), at::TensorOptions().dtype(at::kLong))
        .view({1, 1, std::int64_t(values.size())});
}

double value(const at::Tensor &t)
{
    return t.item<double>();
}

} // namespace

class tst_Losses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lossScaleHalvesOnOverflowAndGrowsBack()
    {
        double scale = 65536.0;
        std::int64_t finite = 0;
        QVERIFY(!updateLossScale(false, scale, finite, 3)); // step skipped
        QCOMPARE(scale, 32768.0);
        QVERIFY(updateLossScale(true, scale, finite, 3));
        QVERIFY(updateLossScale(true, scale, finite, 3));
        QCOMPARE(scale, 32768.0);
        QCOMPARE(finite, std::int64_t(2));
        QVERIFY(updateLossScale(true, scale, finite, 3)); // third finite step in a row
        QCOMPARE(scale, 65536.0);
        QCOMPARE(finite, std::int64_t(0));
        QVERIFY(updateLossScale(true, scale, finite, 3));
        QVERIFY(!updateLossScale(false, scale, finite, 3)); // an overflow resets the count
        QCOMPARE(finite, std::int64_t(0));
        QCOMPARE(scale, 32768.0);
        scale = 1.0;
        QVERIFY(!updateLossScale(false, scale, finite, 3));
        QCOMPARE(scale, 1.0); // never below 1
    }

    void diceMatchesHandComputation();
    void diceWithoutBackgroundAveragesForegroundOnly();
    void absentUnpredictedClassAddsNoDiceLoss();
    void ignoredPixelsCountNowhere();
    void focalMatchesHandComputation();
    void focalClassWeightsScalePixels();
    void focalWithGammaZeroIsCrossEntropy();
    void medicalLossMixesDiceAndFocal();
    void lossesBackpropagate();
    void targetBeyondClassesIsRefused();
};

void tst_Losses::diceMatchesHandComputation()
{
    // class 0: (2 * 0.5 + 1) / (1.25 + 1 + 1) = 2 / 3.25; class 1: (2 * 0.25 + 1) / (0.75 + 1 + 1).
    const double expected = 1.0 - (2.0 / 3.25 + 1.5 / 2.75) / 2.0;
    QVERIFY(std::abs(value(softDiceLoss(twoPixelLogits(), targets({0, 1}))) - expected) < 1e-6);
}

void tst_Losses::diceWithoutBackgroundAveragesForegroundOnly()
{
    DiceLossOptions options;
    options.includeBackground = false;
    const double expected = 1.0 - 1.5 / 2.75;
    QVERIFY(std::abs(value(softDiceLoss(twoPixelLogits(), targets({0, 1}), options)) - expected) <
            1e-6);
}

void tst_Losses::absentUnpredictedClassAddsNoDiceLoss()
{
    // A third class with p ~ 0 everywhere and absent from the targets scores (0 + 1) / (0 + 1).
    const at::Tensor three =
        at::cat({twoPixelLogits(), at::full({1, 1, 1, 2}, -100.0f)}, 1).contiguous();
    const double expected = 1.0 - (2.0 / 3.25 + 1.5 / 2.75 + 1.0) / 3.0;
    QVERIFY(std::abs(value(softDiceLoss(three, targets({0, 1}))) - expected) < 1e-5);
}

void tst_Losses::ignoredPixelsCountNowhere()
{
    // Only pixel 0 (class 0, p = 0.5/0.5) counts.
    const double dice = 1.0 - ((2 * 0.5 + 1) / (0.5 + 1 + 1) + (0 + 1) / (0.5 + 0 + 1.0)) / 2.0;
    QVERIFY(std::abs(value(softDiceLoss(twoPixelLogits(), targets({0, 255}))) - dice) < 1e-6);
    const double focal = 0.25 * std::log(2.0);
    QVERIFY(std::abs(value(focalLoss(twoPixelLogits(), targets({0, 255}))) - focal) < 1e-6);
    // Nothing counts: no loss at all.
    QCOMPARE(value(focalLoss(twoPixelLogits(), targets({255, 255}))), 0.0);
    QVERIFY(std::abs(value(softDiceLoss(twoPixelLogits(), targets({255, 255})))) < 1e-6);
}

void tst_Losses::focalMatchesHandComputation()
{
    // pixel 0: -(1 - 0.5)^2 log 0.5; pixel 1: -(1 - 0.25)^2 log 0.25.
    const double expected = (0.25 * std::log(2.0) + 0.5625 * std::log(4.0)) / 2.0;
    QVERIFY(std::abs(value(focalLoss(twoPixelLogits(), targets({0, 1}))) - expected) < 1e-6);
}

void tst_Losses::focalClassWeightsScalePixels()
{
    FocalLossOptions options;
    options.classWeights = {1.0, 2.0};
    const double expected = (0.25 * std::log(2.0) + 2.0 * 0.5625 * std::log(4.0)) / 2.0;
    QVERIFY(std::abs(value(focalLoss(twoPixelLogits(), targets({0, 1}), options)) - expected) <
            1e-6);
    options.classWeights = {1.0, 2.0, 3.0};
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             focalLoss(twoPixelLogits(), targets({0, 1}), options));
}

void tst_Losses::focalWithGammaZeroIsCrossEntropy()
{
    FocalLossOptions options;
    options.gamma = 0.0;
    const double expected = (std::log(2.0) + std::log(4.0)) / 2.0;
    QVERIFY(std::abs(value(focalLoss(twoPixelLogits(), targets({0, 1}), options)) - expected) <
            1e-6);
}

void tst_Losses::medicalLossMixesDiceAndFocal()
{
    const double dice = 1.0 - (2.0 / 3.25 + 1.5 / 2.75) / 2.0;
    const double focal = (0.25 * std::log(2.0) + 0.5625 * std::log(4.0)) / 2.0;
    QVERIFY(std::abs(value(medicalLoss(twoPixelLogits(), targets({0, 1}))) -
                     (0.7 * dice + 0.3 * focal)) < 1e-6);
    MedicalLossOptions options;
    options.alpha = 0.25;
    QVERIFY(std::abs(value(medicalLoss(twoPixelLogits(), targets({0, 1}), options)) -
                     (0.25 * dice + 0.75 * focal)) < 1e-6);
}

void tst_Losses::lossesBackpropagate()
{
    at::manual_seed(3);
    const at::Tensor logits = at::randn({2, 3, 4, 5}).set_requires_grad(true);
    const at::Tensor labels = at::randint(0, 3, {2, 4, 5}, at::TensorOptions().dtype(at::kLong));
    labels[0][0][0] = 255;
    at::Tensor loss = medicalLoss(logits, labels);
    loss.backward();
    QVERIFY(logits.grad().defined());
    QVERIFY(at::isfinite(logits.grad()).all().item<bool>());
    QVERIFY(logits.grad().abs().sum().item<double>() > 0);
    // The ignored pixel gets no gradient.
    QCOMPARE(logits.grad().select(0, 0).select(1, 0).select(1, 0).abs().sum().item<double>(), 0.0);
}

void tst_Losses::targetBeyondClassesIsRefused()
{
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, focalLoss(twoPixelLogits(), targets({0, 2})));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, softDiceLoss(twoPixelLogits(), targets({0, 7})));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             softDiceLoss(twoPixelLogits(), at::zeros({1, 2}, at::kLong)));
}

QTEST_GUILESS_MAIN(tst_Losses)
#include "tst_Losses.moc"
