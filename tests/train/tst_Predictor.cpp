// The Predictor and the one intensity rule (core/train/Intensity.h): windowing of raw values
// equals the VOC export's (core/dicom's linear VOI, floored), nnU-Net's CT and z-score rules
// equal their definitions, channels and mean/std as the bundle says, and slice/volume/case
// predictions with the right shapes that agree with each other.

#include "TinyModel.h"

#include "core/dicom/WindowLevel.h"
#include "core/train/InferenceRefinement.h"
#include "core/train/NetworkInput.h"
#include "core/train/Predictor.h"

#include <QtTest>

#include <cmath>

using namespace medseg;
using namespace medseg::core;

namespace {

class StopAfter : public ProgressSink
{
public:
    explicit StopAfter(std::int64_t slices)
        : m_slices(slices)
    {}
    bool progress(std::int64_t done, std::int64_t, const std::string &) override
    {
        calls.push_back(done);
        return done < m_slices;
    }
    bool isCancelled() const override { return false; }
    std::vector<std::int64_t> calls;

private:
    std::int64_t m_slices;
};

Predictor makePredictor(int inChannels, bool window, std::vector<float> mean,
                        std::vector<float> std, int inputSize = 0)
{
    const models::ModelConfig config = test::tinyModelConfig(inChannels);
    ModelBundle bundle = test::tinyBundle(config);
    if (!window)
        bundle.preprocessing.intensity.clear();
    bundle.preprocessing.mean = std::move(mean);
    bundle.preprocessing.std = std::move(std);
    bundle.preprocessing.inputSize = inputSize;
    return Predictor(bundle, test::tinyModel(config));
}

} // namespace

class tst_Predictor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void windowingMatchesHandComputation();
    void windowingMatchesTheVocExport();
    void withoutWindowValuesAreGreyLevels();
    void zscoreAndCtPercentilesFollowNnUnet();
    void percentilesScaleToUnit();
    void twoChannelCasesUseEachChannelsRule();
    void largestComponentKeepsOneRegionPerClass();
    void refinementsAreKeptOnlyWhenTheyHelp();
    void greyIsReplicatedAndNormalisedPerChannel();
    void slicePredictionHasTheSliceShape();
    void volumePredictionMatchesSlices();
    void inputSizeResizesAndComesBack();
    void nonSquareSlicesKeepTheirAspectRatio();
    void cancelStopsTheVolume();
};

// The rule of channel 0 of the predictor's bundle resolved on `values`, applied to them.
static std::vector<float> normalised(const Predictor &predictor, const std::vector<float> &values)
{
    const VolumeIntensity rule =
        predictor.volumeIntensities({values.data()}, values.size()).front();
    std::vector<float> out(values.size());
    normalizeIntensities(rule, values.data(), values.size(), out.data());
    return out;
}

void tst_Predictor::windowingMatchesHandComputation()
{
    // Window 40/400: values <= -160 -> 0, > 239 -> 255, else ((v - 39.5) / 399 + 0.5) * 255
    // floored, after truncation toward zero (12.7 -> 12, -159.5 -> -159).
    Predictor predictor = makePredictor(1, true, {0.5f}, {0.25f});
    const std::vector<float> values{-1000, -160, -159.5f, 0, 12.7f, 40, 239, 240, 1000};
    const std::vector<double> grey{0, 0, 0, 102, 109, 127, 255, 255, 255};
    const std::vector<float> unit = normalised(predictor, values);
    const at::Tensor input = predictor.networkInput(at::tensor(unit).view({1, 1, 1, 9}));
    QCOMPARE(input.sizes().vec(), (std::vector<std::int64_t>{1, 1, 1, 9}));
    for (int i = 0; i < 9; ++i) {
        QCOMPARE(unit[std::size_t(i)], float(grey[std::size_t(i)] / 255.0));
        const double expected = (grey[std::size_t(i)] / 255.0 - 0.5) / 0.25;
        QVERIFY2(std::abs(input.view({-1})[i].item<double>() - expected) < 1e-5,
                 qPrintable(QString::number(values[std::size_t(i)])));
    }
}

void tst_Predictor::windowingMatchesTheVocExport()
{
    Predictor predictor = makePredictor(1, true, {0.0f}, {1.0f});
    const Window window{40, 400, {}};
    std::vector<float> values;
    for (double v = -1100; v <= 1100; v += 0.37)
        values.push_back(float(v));
    const std::vector<float> unit = normalised(predictor, values);
    const WindowLut lut(window, -1100, 1100, false);
    const WindowLut inverted(window, -1100, 1100, true);
    VolumeIntensity monochrome1 =
        predictor.volumeIntensities({values.data()}, values.size(), true)[0];
    for (std::size_t i = 0; i < values.size(); ++i) {
        const int expected = applyLinearVoi(std::trunc(double(values[i])), window);
        QCOMPARE(int(std::lround(unit[i] * 255.0)), expected);
        QCOMPARE(int(std::lround(unit[i] * 255.0)), int(lut.map(values[i])));
        float flipped = 0;
        normalizeIntensities(monochrome1, &values[i], 1, &flipped);
        QCOMPARE(int(std::lround(flipped * 255.0)), int(inverted.map(values[i])));
    }
}

void tst_Predictor::withoutWindowValuesAreGreyLevels()
{
    Predictor predictor = makePredictor(1, false, {0.0f}, {1.0f});
    QVERIFY(!predictor.bundle().preprocessing.readsRawValues());
    const std::vector<float> unit = normalised(predictor, {0.0f, 51.0f, 255.0f});
    QCOMPARE(unit, (std::vector<float>{0.0f, 0.2f, 1.0f}));
}

// nnU-Net's ZScoreNormalization ((x - mean) / std of the image, over its non-zero voxels with
// the others 0 when masked) and CTNormalization (clip to the foreground's 0.5 / 99.5
// percentiles, then the clipped foreground's mean and std), computed by hand here.
void tst_Predictor::zscoreAndCtPercentilesFollowNnUnet()
{
    const std::vector<float> values{0, 0, 0, 2, 4, 4, 4, 5, 5, 7, 9};
    ChannelIntensity zscore;
    zscore.scheme = IntensityScheme::ZScore;
    double mean = 0, squares = 0;
    for (float v : values)
        mean += v;
    mean /= double(values.size());
    for (float v : values)
        squares += (v - mean) * (v - mean);
    const double sd = std::sqrt(squares / double(values.size()));
    const VolumeIntensity whole = volumeIntensity(zscore, values.data(), values.size());
    std::vector<float> out(values.size());
    normalizeIntensities(whole, values.data(), values.size(), out.data());
    for (std::size_t i = 0; i < values.size(); ++i)
        QVERIFY(std::abs(out[i] - (values[i] - mean) / sd) < 1e-5);

    zscore.nonzeroMask = true; // mean 5, std 2 over 2, 4, 4, 4, 5, 5, 7, 9
    const VolumeIntensity masked = volumeIntensity(zscore, values.data(), values.size());
    normalizeIntensities(masked, values.data(), values.size(), out.data());
    QCOMPARE(out[0], 0.0f);
    QVERIFY(std::abs(out[3] - (2.0f - 5.0f) / 2.0f) < 1e-6);
    QVERIFY(std::abs(out[10] - (9.0f - 5.0f) / 2.0f) < 1e-6);
    QVERIFY(prefersNonzeroMask(values.data(), 3 + 1)); // 1 of 4 non-zero
    QVERIFY(!prefersNonzeroMask(values.data() + 3, 8));

    // CT: 201 foreground values -100..100; numpy.percentile(x, 0.5) = -99, 99.5 -> 99.
    std::vector<float> foreground;
    for (int v = -100; v <= 100; ++v)
        foreground.push_back(float(v));
    const ChannelIntensity ct = ctPercentilesOf(foreground, "CT");
    QVERIFY(ct.scheme == IntensityScheme::CtPercentiles);
    QVERIFY(std::abs(ct.clipLow + 99.0) < 1e-9);
    QVERIFY(std::abs(ct.clipHigh - 99.0) < 1e-9);
    double clippedSquares = 0;
    for (float v : foreground) {
        const double c = std::clamp(double(v), -99.0, 99.0);
        clippedSquares += c * c;
    }
    QVERIFY(std::abs(ct.mean) < 1e-9);
    QVERIFY(std::abs(ct.std - std::sqrt(clippedSquares / 201.0)) < 1e-9);
    const std::vector<float> hu{-1000.0f, 0.0f, 50.0f, 3000.0f};
    const VolumeIntensity resolved = volumeIntensity(ct, hu.data(), hu.size());
    normalizeIntensities(resolved, hu.data(), hu.size(), out.data());
    QVERIFY(std::abs(out[0] - float(-99.0 / ct.std)) < 1e-6);
    QVERIFY(std::abs(out[2] - float(50.0 / ct.std)) < 1e-6);
    QVERIFY(std::abs(out[3] - float(99.0 / ct.std)) < 1e-6);
    QVERIFY(!ct.isUnitRange());
}

void tst_Predictor::percentilesScaleToUnit()
{
    std::vector<float> values;
    for (int v = 0; v <= 1000; ++v)
        values.push_back(float(v));
    ChannelIntensity rule;
    rule.scheme = IntensityScheme::Percentiles;
    const VolumeIntensity resolved = volumeIntensity(rule, values.data(), values.size());
    QVERIFY(std::abs(resolved.low - 5.0) < 1e-9); // numpy.percentile(range(1001), 0.5)
    QVERIFY(std::abs(resolved.high - 995.0) < 1e-9);
    std::vector<float> out(values.size());
    normalizeIntensities(resolved, values.data(), values.size(), out.data());
    QCOMPARE(out.front(), 0.0f);
    QCOMPARE(out.back(), 1.0f);
    QVERIFY(std::abs(out[500] - 0.5f) < 1e-6);
}

// A model of two channels (T1, FLAIR): each channel through its own rule with its own volume's
// statistics; a slice range predicts as the whole case does.
void tst_Predictor::twoChannelCasesUseEachChannelsRule()
{
    const models::ModelConfig config = test::tinyModelConfig(2);
    ModelBundle bundle = test::tinyBundle(config);
    ChannelIntensity t1, flair;
    t1.channel = "T1";
    t1.scheme = IntensityScheme::ZScore;
    flair.channel = "FLAIR";
    flair.scheme = IntensityScheme::Percentiles;
    bundle.preprocessing.intensity = {t1, flair};
    bundle.preprocessing.mean = {0.0f, 0.485f};
    bundle.preprocessing.std = {1.0f, 0.229f};
    Predictor predictor(bundle, test::tinyModel(config));
    predictor.setBatchSize(2);
    at::manual_seed(4);
    const int w = 40, h = 32, d = 5;
    const at::Tensor a = (at::rand({d, h, w}) * 900.0f + 100.0f).contiguous();
    const at::Tensor b = (at::rand({d, h, w}) * 3.0f).contiguous();
    const std::vector<const float *> channels{a.data_ptr<float>(), b.data_ptr<float>()};
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             predictor.volumeIntensities({channels[0]}, std::size_t(w * h * d)));
    const std::vector<VolumeIntensity> rules =
        predictor.volumeIntensities(channels, std::size_t(w * h * d));
    QVERIFY(std::abs(rules[0].offset - a.mean().item<double>()) < 1e-3);
    QVERIFY(rules[1].high <= 3.0 && rules[1].low >= 0.0);
    const std::vector<std::uint8_t> all = predictor.predictCase(channels, w, h, d, false, 0, d);
    const std::vector<std::uint8_t> third = predictor.predictCase(channels, w, h, d, false, 2, 1);
    QCOMPARE(third.size(), std::size_t(w * h));
    QVERIFY(std::equal(third.begin(), third.end(), all.begin() + 2 * w * h));
}

void tst_Predictor::greyIsReplicatedAndNormalisedPerChannel()
{
    Predictor predictor =
        makePredictor(3, false, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
    const std::vector<std::uint8_t> pixels{0, 128, 255, 64};
    const at::Tensor image = at::tensor(std::vector<std::int64_t>(pixels.begin(), pixels.end()))
                                 .to(at::kByte)
                                 .view({1, 1, 2, 2});
    const at::Tensor input = predictor.preprocessImages(image);
    QCOMPARE(input.sizes().vec(), (std::vector<std::int64_t>{1, 3, 2, 2}));
    const float mean[3] = {0.485f, 0.456f, 0.406f};
    const float sd[3] = {0.229f, 0.224f, 0.225f};
    for (int c = 0; c < 3; ++c)
        for (int p = 0; p < 4; ++p) {
            const double expected = (pixels[std::size_t(p)] / 255.0 - mean[c]) / sd[c];
            QVERIFY(std::abs(input[0][c].view({-1})[p].item<double>() - expected) < 1e-5);
        }
    // The same grey as RGB gives the same input.
    const at::Tensor rgb = image.expand({1, 3, 2, 2});
    QVERIFY(at::allclose(predictor.preprocessImages(rgb), input));
}

void tst_Predictor::slicePredictionHasTheSliceShape()
{
    Predictor predictor =
        makePredictor(3, true, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
    at::manual_seed(2);
    const at::Tensor slice = (at::rand({40, 56}) * 1000.0f - 500.0f).contiguous();
    const at::Tensor unit = at::clamp((slice + 160.0f) / 400.0f, 0.0f, 1.0f).view({1, 1, 40, 56});
    const at::Tensor logits = predictor.logits(unit);
    QCOMPARE(logits.sizes().vec(), (std::vector<std::int64_t>{1, 3, 40, 56}));
    const at::Tensor bytes0 = (unit * 255.0f).to(at::kByte).view({40, 56}).contiguous();
    const SlicePrediction result =
        predictor.predictImage(bytes0.data_ptr<std::uint8_t>(), 56, 40, 1, true);
    QCOMPARE(result.labels.sizes().vec(), (std::vector<std::int64_t>{40, 56}));
    QVERIFY(result.labels.scalar_type() == at::kByte);
    QVERIFY(result.labels.max().item<int>() < 3);
    QCOMPARE(result.probabilities.sizes().vec(), (std::vector<std::int64_t>{3, 40, 56}));
    QVERIFY(at::allclose(result.probabilities.sum(0), at::ones({40, 56}), 1e-5, 1e-5));
    QVERIFY(at::equal(result.probabilities.argmax(0).to(at::kByte), result.labels));
    // An 8-bit image of the same size.
    const at::Tensor bytes = at::randint(0, 256, {40, 56, 3}).to(at::kByte).contiguous();
    const SlicePrediction image = predictor.predictImage(bytes.data_ptr<std::uint8_t>(), 56, 40, 3);
    QCOMPARE(image.labels.sizes().vec(), (std::vector<std::int64_t>{40, 56}));
    QVERIFY(!image.probabilities.defined());
}

void tst_Predictor::volumePredictionMatchesSlices()
{
    Predictor predictor =
        makePredictor(3, true, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
    predictor.setBatchSize(2);
    at::manual_seed(3);
    const int w = 48, h = 40, depth = 5;
    const at::Tensor volume = (at::rand({depth, h, w}) * 800.0f - 400.0f).contiguous();
    const std::vector<std::uint8_t> labels =
        predictor.predictVolume(volume.data_ptr<float>(), w, h, depth);
    QCOMPARE(labels.size(), std::size_t(w * h * depth));
    const std::vector<std::uint8_t> slice3 =
        predictor.predictCase({volume.data_ptr<float>()}, w, h, depth, false, 3, 1);
    // Batched and single-slice passes may differ by float rounding in a near tie only.
    std::int64_t differ = 0;
    for (int i = 0; i < w * h; ++i)
        differ += slice3[std::size_t(i)] != labels[std::size_t(3 * w * h + i)];
    QVERIFY(differ <= 2);
    for (std::uint8_t label : labels)
        QVERIFY(label < 3);
}

void tst_Predictor::inputSizeResizesAndComesBack()
{
    Predictor predictor = makePredictor(1, true, {0.5f}, {0.25f}, 32);
    const at::Tensor input = at::zeros({1, 1, 50, 70});
    QCOMPARE(predictor.logits(input).sizes().vec(), (std::vector<std::int64_t>{1, 3, 50, 70}));
    const at::Tensor slice = at::zeros({1, 50, 70});
    QCOMPARE(predictor.predictVolume(slice.data_ptr<float>(), 70, 50, 1).size(),
             std::size_t(50 * 70));
}

// Issue 22: non-square slices were stretched to the square input (anatomy distorted by up to
// 40%). By default the longer side fits the input, the shorter one is centred and padded, and
// the logits come back from the slice's region only.
void tst_Predictor::nonSquareSlicesKeepTheirAspectRatio()
{
    const InputPlacement kept = placeSlice(40, 64, 32, InputResize::KeepAspect);
    QCOMPARE(kept.size, std::int64_t(32));
    QCOMPARE(kept.rows, std::int64_t(20));
    QCOMPARE(kept.cols, std::int64_t(32));
    QCOMPARE(kept.top, std::int64_t(6));
    QCOMPARE(kept.left, std::int64_t(0));
    const InputPlacement stretched = placeSlice(40, 64, 32, InputResize::Stretch);
    QCOMPARE(stretched.rows, std::int64_t(32));
    QCOMPARE(stretched.cols, std::int64_t(32));
    QVERIFY(placeSlice(40, 64, 0, InputResize::KeepAspect).isIdentity());
    QVERIFY(placeSlice(32, 32, 32, InputResize::KeepAspect).isIdentity());
    const InputPlacement tall = placeSlice(97, 31, 64, InputResize::KeepAspect);
    QCOMPARE(tall.rows, std::int64_t(64));
    QCOMPARE(tall.cols, std::int64_t(20)); // round(31 * 64 / 97)
    QCOMPARE(tall.left, std::int64_t(22));

    // A disc stays a disc: as wide as it is tall in the network's input.
    at::Tensor image = at::zeros({1, 1, 40, 64});
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 64; ++x)
            if ((x - 30) * (x - 30) + (y - 20) * (y - 20) <= 12 * 12)
                image[0][0][y][x] = 1.0f;
    const at::Tensor placed = placeImage(image, kept);
    QCOMPARE(placed.sizes().vec(), (std::vector<std::int64_t>{1, 1, 32, 32}));
    const at::Tensor inside = placed[0][0] > 0.5;
    const std::int64_t width = inside.any(0).sum().item<std::int64_t>();
    const std::int64_t height = inside.any(1).sum().item<std::int64_t>();
    QVERIFY2(std::abs(width - height) <= 1,
             qPrintable(QStringLiteral("%1 x %2").arg(width).arg(height)));
    // Padding is black in the image and ignored in the mask.
    QCOMPARE(placed[0][0].narrow(0, 0, 6).abs().sum().item<float>(), 0.0f);
    const at::Tensor mask = placeMask(at::ones({40, 64}, at::kByte), kept, 255);
    QCOMPARE(mask.sizes().vec(), (std::vector<std::int64_t>{32, 32}));
    QCOMPARE(mask[0][0].item<std::int64_t>(), std::int64_t(255));
    QCOMPARE(mask[31][31].item<std::int64_t>(), std::int64_t(255));
    QCOMPARE(mask[16][16].item<std::int64_t>(), std::int64_t(1));
    // Logits map back from the slice's region only: values in the padding never reach it.
    at::Tensor logits = at::full({1, 2, 32, 32}, 7.0f);
    logits.narrow(2, 6, 20).fill_(1.0f);
    const at::Tensor back = logitsToSlice(logits, kept);
    QCOMPARE(back.sizes().vec(), (std::vector<std::int64_t>{1, 2, 40, 64}));
    QVERIFY(at::allclose(back, at::ones_like(back)));

    // The Predictor fits slices the same way, and records it in the bundle.
    Predictor predictor = makePredictor(1, true, {0.5f}, {0.25f}, 32);
    QVERIFY(predictor.bundle().preprocessing.resize == InputResize::KeepAspect);
    QCOMPARE(predictor.networkInput(image).sizes().vec(),
             (std::vector<std::int64_t>{1, 1, 32, 32}));
    QVERIFY(at::allclose(predictor.networkInput(image),
                         networkInput(image, predictor.bundle().preprocessing, 1)));
}

void tst_Predictor::largestComponentKeepsOneRegionPerClass()
{
    // 6 x 4: class 1 in a 3-pixel and a 1-pixel region (diagonal neighbours connect), class 2
    // in two regions but not asked for.
    std::vector<std::uint8_t> labels{1, 1, 0, 0, 2, 0, //
                                     0, 0, 1, 0, 0, 0, //
                                     0, 0, 0, 0, 0, 1, //
                                     2, 0, 0, 0, 0, 0};
    keepLargestComponents(labels.data(), 6, 4, {1});
    const std::vector<std::uint8_t> expected{1, 1, 0, 0, 2, 0, //
                                             0, 0, 1, 0, 0, 0, //
                                             0, 0, 0, 0, 0, 0, //
                                             2, 0, 0, 0, 0, 0};
    QCOMPARE(labels, expected);
}

// Logits [1, 3, 8, 8] whose argmax is `labels` (row-major 8 x 8).
static at::Tensor logitsFor(const std::vector<int> &labels)
{
    at::Tensor logits = at::zeros({1, 3, 8, 8});
    for (int p = 0; p < 64; ++p)
        logits[0][labels[std::size_t(p)]][p / 8][p % 8] = 5.0f;
    return logits;
}

// nnU-Net's rule: a refinement is kept only when it raises the validation Dice, for each of
// the possible outcomes.
void tst_Predictor::refinementsAreKeptOnlyWhenTheyHelp()
{
    // Class 1: a 3 x 3 block (the organ) and one stray pixel far from it; class 2 a bar.
    std::vector<int> truth(64, 0);
    for (int y = 1; y < 4; ++y)
        for (int x = 1; x < 4; ++x)
            truth[std::size_t(y * 8 + x)] = 1;
    for (int x = 0; x < 8; ++x)
        truth[std::size_t(6 * 8 + x)] = 2;
    std::vector<int> stray = truth;
    stray[7] = 1;
    const at::Tensor mask = at::tensor(std::vector<std::int64_t>(truth.begin(), truth.end()))
                                .view({8, 8})
                                .to(at::kByte);
    const at::Tensor strayMask = at::tensor(std::vector<std::int64_t>(stray.begin(), stray.end()))
                                     .view({8, 8})
                                     .to(at::kByte);

    // The plain prediction has the stray pixel, the mirrored one is worse (no bar).
    std::vector<int> noBar = stray;
    for (int x = 0; x < 8; ++x)
        noBar[std::size_t(6 * 8 + x)] = 0;
    const InferenceRefinement largest =
        Predictor::chooseRefinementFromLogits({logitsFor(stray)}, {logitsFor(noBar)}, {mask});
    QVERIFY(!largest.flipTta);
    QCOMPARE(largest.largestComponentClasses, std::vector<int>{1});
    QVERIFY(largest.diceBefore < 1.0);
    QCOMPARE(largest.diceAfter, 1.0);

    // The truth has the stray pixel too: removing it would lose; nothing is kept.
    const InferenceRefinement none =
        Predictor::chooseRefinementFromLogits({logitsFor(stray)}, {logitsFor(noBar)}, {strayMask});
    QVERIFY(!none.flipTta);
    QVERIFY(none.largestComponentClasses.empty());
    QCOMPARE(none.diceBefore, 1.0);

    // The mirrored pass is right where the plain one missed the bar: flip TTA is kept.
    const InferenceRefinement flip =
        Predictor::chooseRefinementFromLogits({logitsFor(noBar)}, {logitsFor(truth)}, {mask});
    QVERIFY(flip.flipTta);
    QVERIFY(flip.largestComponentClasses.empty()); // nothing left to remove
    QCOMPARE(flip.diceAfter, 1.0);

    // What is kept travels with the model and is applied by prediction.
    Predictor predictor = makePredictor(1, false, {0.5f}, {0.25f});
    ModelBundle bundle = predictor.bundle();
    bundle.refinement = largest;
    const ModelBundle back = modelBundleFromJson(toJson(bundle));
    QCOMPARE(back.refinement.largestComponentClasses, largest.largestComponentClasses);
    QVERIFY(!back.refinement.flipTta);
    const at::Tensor labels = Predictor::labelsOf(logitsFor(stray), back.refinement);
    QVERIFY(at::equal(labels.squeeze(0), mask));
    Predictor refined(back, predictor.model());
    const at::Tensor image = at::randint(0, 256, {1, 1, 20, 24}).to(at::kByte).contiguous();
    const std::vector<std::uint8_t> predicted =
        refined.predictGreyVolume(image.data_ptr<std::uint8_t>(), 24, 20, 1);
    const at::Tensor expected =
        Predictor::labelsOf(refined.logits(unitOf(image)), largest).reshape({-1}).contiguous();
    QVERIFY(std::equal(predicted.begin(), predicted.end(), expected.data_ptr<std::uint8_t>()));
}

void tst_Predictor::cancelStopsTheVolume()
{
    Predictor predictor = makePredictor(1, true, {0.5f}, {0.25f});
    predictor.setBatchSize(1);
    const at::Tensor volume = at::zeros({4, 32, 32});
    StopAfter sink(2);
    QVERIFY_THROWS_EXCEPTION(CancelledError,
                             predictor.predictVolume(volume.data_ptr<float>(), 32, 32, 4, &sink));
    QCOMPARE(sink.calls, (std::vector<std::int64_t>{0, 1, 2}));
}

QTEST_GUILESS_MAIN(tst_Predictor)
#include "tst_Predictor.moc"
