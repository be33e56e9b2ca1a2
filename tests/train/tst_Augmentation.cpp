// The medical augmentation pipeline on batched tensors: identity at level none, exact flips,
// masks that keep their classes (or the ignore index) and stay aligned with the image, and
// reproducibility from a seed and from a saved generator state.

#include "core/train/Augmentation.h"

#include <ATen/ATen.h>

#include <QtTest>

using namespace medseg::core;

namespace {

constexpr std::int64_t kSize = 40;

// Class per quadrant (0..3) with a bright square of class 4 in the middle.
at::Tensor quadrantMasks(std::int64_t n)
{
    const auto longs = at::TensorOptions().dtype(at::kLong);
    const at::Tensor y = at::arange(kSize, longs).view({kSize, 1}).expand({kSize, kSize});
    const at::Tensor x = at::arange(kSize, longs).view({1, kSize}).expand({kSize, kSize});
    at::Tensor mask = (y >= kSize / 2).to(at::kLong) * 2 + (x >= kSize / 2).to(at::kLong);
    const at::Tensor square = (y >= 14) & (y < 26) & (x >= 14) & (x < 26);
    mask = at::where(square, at::full_like(mask, 4), mask);
    return mask.unsqueeze(0).repeat({n, 1, 1}).contiguous();
}

// One channel per class: bilinear warping of it shows where each class went.
at::Tensor oneHotImages(const at::Tensor &masks, std::int64_t classes)
{
    return (masks.unsqueeze(1) == at::arange(classes, masks.options()).view({1, classes, 1, 1}))
        .to(at::kFloat);
}

AugmentationOptions only()
{
    return AugmentationOptions::forLevel(AugmentationLevel::None);
}

at::Tensor randomImages(std::int64_t n, std::int64_t channels = 1)
{
    at::manual_seed(7);
    return at::rand({n, channels, kSize, kSize});
}

} // namespace

class tst_Augmentation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void levelNoneIsIdentity();
    void flipWithProbabilityOneFlips();
    void levelsParseAndPrint();
    void masksKeepOnlyTheirClassesOrIgnore_data();
    void masksKeepOnlyTheirClassesOrIgnore();
    void imageAndMaskStayAligned_data();
    void imageAndMaskStayAligned();
    void geometricTransformsChangeTheImage();
    void brightnessContrastTouchesTheImageOnly();
    void sameSeedGivesSameOutput();
    void differentSeedGivesDifferentOutput();
    void savedStateReproducesTheSequence();
    void badStateIsRefused();
};

void tst_Augmentation::levelNoneIsIdentity()
{
    Augmenter augmenter(AugmentationOptions::forLevel(AugmentationLevel::None), 3);
    const at::Tensor images = randomImages(3, 3);
    const at::Tensor masks = quadrantMasks(3);
    const AugmentedBatch out = augmenter(images, masks);
    QVERIFY(at::equal(out.images, images));
    QVERIFY(at::equal(out.masks, masks));
}

void tst_Augmentation::flipWithProbabilityOneFlips()
{
    AugmentationOptions options = only();
    options.flipProbability = 1.0;
    Augmenter augmenter(options, 1);
    const at::Tensor images = randomImages(2, 3);
    const at::Tensor masks = quadrantMasks(2);
    const AugmentedBatch out = augmenter(images, masks);
    QVERIFY(at::equal(out.images, images.flip({3})));
    QVERIFY(at::equal(out.masks, masks.flip({2})));
}

void tst_Augmentation::levelsParseAndPrint()
{
    for (AugmentationLevel level : {AugmentationLevel::None, AugmentationLevel::Low,
                                    AugmentationLevel::Medium, AugmentationLevel::High})
        QVERIFY(augmentationLevelFromString(toString(level)) == level);
    QVERIFY(augmentationLevelFromString("HIGH") == AugmentationLevel::High);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, augmentationLevelFromString("extreme"));
    const AugmentationOptions low = AugmentationOptions::forLevel(AugmentationLevel::Low);
    const AugmentationOptions high = AugmentationOptions::forLevel(AugmentationLevel::High);
    QVERIFY(low.elasticProbability < high.elasticProbability);
    QVERIFY(low.rotateProbability < high.rotateProbability);
}

void tst_Augmentation::masksKeepOnlyTheirClassesOrIgnore_data()
{
    QTest::addColumn<QString>("transform");
    QTest::newRow("rotate") << "rotate";
    QTest::newRow("elastic") << "elastic";
    QTest::newRow("grid") << "grid";
    QTest::newRow("all") << "all";
}

namespace {

AugmentationOptions withTransform(const QString &transform)
{
    AugmentationOptions options = only();
    const bool all = transform == QLatin1String("all");
    if (all || transform == QLatin1String("rotate"))
        options.rotateProbability = 1.0;
    if (all || transform == QLatin1String("elastic")) {
        options.elasticProbability = 1.0;
        options.elasticAlpha = 200.0; // visible displacements on a 40-pixel image
    }
    if (all || transform == QLatin1String("grid"))
        options.gridProbability = 1.0;
    if (all)
        options.flipProbability = 0.5;
    return options;
}

} // namespace

void tst_Augmentation::masksKeepOnlyTheirClassesOrIgnore()
{
    QFETCH(QString, transform);
    Augmenter augmenter(withTransform(transform), 11);
    const at::Tensor masks = quadrantMasks(6);
    const AugmentedBatch out = augmenter(oneHotImages(masks, 5), masks);
    QVERIFY(out.masks.scalar_type() == at::kLong);
    QCOMPARE(out.masks.sizes().vec(), masks.sizes().vec());
    const at::Tensor allowed = ((out.masks >= 0) & (out.masks <= 4)) | (out.masks == 255);
    QVERIFY(allowed.all().item<bool>());
    QVERIFY(!at::equal(out.masks, masks));
}

void tst_Augmentation::imageAndMaskStayAligned_data()
{
    masksKeepOnlyTheirClassesOrIgnore_data();
}

void tst_Augmentation::imageAndMaskStayAligned()
{
    QFETCH(QString, transform);
    Augmenter augmenter(withTransform(transform), 5);
    const at::Tensor masks = quadrantMasks(6);
    const AugmentedBatch out = augmenter(oneHotImages(masks, 5), masks);
    const at::Tensor best = std::get<0>(out.images.max(1));
    const at::Tensor label = out.images.argmax(1);
    // Where the four bilinear neighbours agree (a one-hot value of 1), nearest picks that class.
    const at::Tensor interior = best > 0.999f;
    QVERIFY(interior.sum().item<std::int64_t>() > 6 * kSize * kSize / 2);
    QVERIFY(at::equal(out.masks.masked_select(interior), label.masked_select(interior)));
    // Ignored pixels are those whose nearest source pixel lies outside: some bilinear weight
    // went outside too, where the image is 0.
    const at::Tensor ignored = out.masks == 255;
    QVERIFY((out.images.sum(1).masked_select(ignored) < 0.9999f).all().item<bool>());
    // Everywhere else, the mask's class has weight in the image.
    const at::Tensor kept = out.masks != 255;
    const at::Tensor weightOfMaskClass =
        out.images.gather(1, out.masks.clamp(0, 4).unsqueeze(1)).squeeze(1);
    QVERIFY((weightOfMaskClass.masked_select(kept) > 0.0f).all().item<bool>());
}

void tst_Augmentation::geometricTransformsChangeTheImage()
{
    Augmenter augmenter(withTransform(QStringLiteral("rotate")), 2);
    const at::Tensor images = randomImages(2);
    const AugmentedBatch out = augmenter(images, quadrantMasks(2));
    QVERIFY(!at::allclose(out.images, images));
    QCOMPARE(out.images.sizes().vec(), images.sizes().vec());
    QVERIFY(out.images.min().item<float>() >= 0.0f);
    QVERIFY(out.images.max().item<float>() <= 1.0f);
}

void tst_Augmentation::brightnessContrastTouchesTheImageOnly()
{
    AugmentationOptions options = only();
    options.brightnessContrastProbability = 1.0;
    Augmenter augmenter(options, 4);
    const at::Tensor images = at::full({2, 1, kSize, kSize}, 0.5f);
    const at::Tensor masks = quadrantMasks(2);
    const AugmentedBatch out = augmenter(images, masks);
    QVERIFY(at::equal(out.masks, masks));
    for (std::int64_t i = 0; i < 2; ++i) {
        const at::Tensor sample = out.images[i];
        // One affine intensity change per sample: still constant, within +-0.1 +- 0.05.
        QCOMPARE(sample.max().item<float>(), sample.min().item<float>());
        QVERIFY(std::abs(sample.max().item<float>() - 0.5f) <= 0.15f + 1e-6f);
    }
    QVERIFY(!at::equal(out.images, images));
}

void tst_Augmentation::sameSeedGivesSameOutput()
{
    const AugmentationOptions options = withTransform(QStringLiteral("all"));
    const at::Tensor images = randomImages(4, 3);
    const at::Tensor masks = quadrantMasks(4);
    Augmenter a(options, 42);
    Augmenter b(options, 42);
    for (int round = 0; round < 2; ++round) {
        const AugmentedBatch x = a(images, masks);
        const AugmentedBatch y = b(images, masks);
        QVERIFY(at::equal(x.images, y.images));
        QVERIFY(at::equal(x.masks, y.masks));
    }
}

void tst_Augmentation::differentSeedGivesDifferentOutput()
{
    const AugmentationOptions options = withTransform(QStringLiteral("all"));
    const at::Tensor images = randomImages(4, 3);
    const at::Tensor masks = quadrantMasks(4);
    Augmenter a(options, 1);
    Augmenter b(options, 2);
    QVERIFY(!at::equal(a(images, masks).images, b(images, masks).images));
}

void tst_Augmentation::savedStateReproducesTheSequence()
{
    const AugmentationOptions options = AugmentationOptions::forLevel(AugmentationLevel::High);
    const at::Tensor images = randomImages(4, 3);
    const at::Tensor masks = quadrantMasks(4);
    Augmenter a(options, 9);
    a(images, masks);
    const std::string state = a.state();
    QVERIFY(!state.empty());
    const AugmentedBatch first = a(images, masks);
    const AugmentedBatch second = a(images, masks);

    Augmenter b(options, 12345);
    b.setState(state);
    QVERIFY(at::equal(b(images, masks).images, first.images));
    const AugmentedBatch again = b(images, masks);
    QVERIFY(at::equal(again.images, second.images));
    QVERIFY(at::equal(again.masks, second.masks));

    // A copy continues on its own generator.
    a.setState(state);
    Augmenter copy = a;
    QVERIFY(at::equal(copy(images, masks).images, first.images));
    QVERIFY(at::equal(a(images, masks).images, first.images));
}

void tst_Augmentation::badStateIsRefused()
{
    Augmenter augmenter;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, augmenter.setState("not a state"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             augmenter(at::zeros({1, 1, 4, 4}), at::zeros({1, 4, 5}, at::kLong)));
}

QTEST_GUILESS_MAIN(tst_Augmentation)
#include "tst_Augmentation.moc"
