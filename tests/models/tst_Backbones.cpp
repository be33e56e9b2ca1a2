// The four torchvision-compatible backbones: parameter counts, state-dict names, output stride,
// input channels and the adaptation of RGB weights to other channel counts.

#include "models/ConvNeXt.h"
#include "models/Layers.h"
#include "models/Registry.h"
#include "models/WeightImport.h"

#include <torch/csrc/autograd/autograd.h>

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>
#include <set>

using namespace medseg::models;

namespace {

std::set<std::string> stateKeys(const torch::nn::Module &module)
{
    std::set<std::string> keys;
    for (const auto &p : module.named_parameters())
        keys.insert(p.key());
    for (const auto &b : module.named_buffers())
        keys.insert(b.key());
    return keys;
}

torch::Tensor stateTensor(const torch::nn::Module &module, const std::string &key)
{
    for (const auto &p : module.named_parameters())
        if (p.key() == key)
            return p.value();
    for (const auto &b : module.named_buffers())
        if (b.key() == key)
            return b.value();
    return {};
}

QList<qint64> shapeOf(const torch::Tensor &t)
{
    QList<qint64> shape;
    for (auto s : t.sizes())
        shape.append(s);
    return shape;
}

// Building a backbone costs up to half a second (ConvNeXt initialises 28 M weights); rows that
// only read names and shapes share one per architecture.
BackbonePtr sharedBackbone(const std::string &name, bool classifier)
{
    static std::map<std::pair<std::string, bool>, BackbonePtr> cache;
    auto &backbone = cache[{name, classifier}];
    if (!backbone) {
        BackboneOptions options;
        options.classifier = classifier;
        backbone = createBackbone(name, options);
    }
    return backbone;
}

void addBackboneRows()
{
    for (const auto &name : availableBackbones())
        QTest::newRow(name.c_str()) << QString::fromStdString(name);
}

} // namespace

class TestBackbones : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(2);
        torch::manual_seed(0);
    }

    void registryListsTheFourBackbones()
    {
        const std::vector<std::string> expected{"resnet18", "mobilenet_v3_large", "efficientnet_b0",
                                                "convnext_tiny"};
        QCOMPARE(availableBackbones(), expected);
        QVERIFY(isBackboneAvailable("convnext_tiny"));
        QVERIFY(!isBackboneAvailable("resnet50"));
    }

    // CNBlock applies its layer scale to the second Linear's weight and bias (more than 4 x 8
    // rows of batch x pixels here) or to its output (fewer); both must compute torchvision's
    // layer_scale * block(x) + x, values and gradients, with non-zero biases and scales (random
    // torchvision initialisations have zero biases, which would hide a bias left unscaled), with
    // its Linear layers as GEMMs and as 1x1 convolutions (the reference, `block`, runs torch's
    // Linear modules).
    void convNextBlockAppliesTheLayerScaleExactly_data()
    {
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("kernel");
        const auto gemm = int(PointwiseKernel::Gemm);
        const auto convolution = int(PointwiseKernel::Convolution);
        QTest::newRow("folded into fc2, GEMM") << 9 << 11 << gemm;
        QTest::newRow("on the output, GEMM") << 3 << 5 << gemm;
        QTest::newRow("folded into fc2, 1x1 convolutions") << 9 << 11 << convolution;
        QTest::newRow("on the output, 1x1 convolutions") << 3 << 5 << convolution;
    }
    void convNextBlockAppliesTheLayerScaleExactly()
    {
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, kernel);
        torch::manual_seed(5);
        CNBlock block(8, 1e-6, 0.0, 2);
        block->pointwise = PointwiseKernel(kernel);
        {
            torch::NoGradGuard noGrad;
            for (auto &parameter : block->parameters())
                parameter.uniform_(-0.5, 0.5);
        }
        block->train();
        const auto x = torch::randn({2, 8, height, width}).requires_grad_(true);
        const auto fc2Weight = block->block[5]->as<torch::nn::Linear>()->weight;
        const auto fc2Bias = block->block[5]->as<torch::nn::Linear>()->bias;
        const auto folded = block->forward(x);
        const auto reference = block->layer_scale * block->block->forward(x) + x;
        QVERIFY((reference - x).abs().max().item<double>() > 0.1); // the block does contribute
        QVERIFY((folded - reference).abs().max().item<double>() <= 1e-5);

        const std::vector<torch::Tensor> inputs{x, block->layer_scale, fc2Weight, fc2Bias};
        const auto weights = torch::randn_like(reference);
        const auto foldedGrads = torch::autograd::grad({(folded * weights).sum()}, inputs);
        const auto referenceGrads = torch::autograd::grad({(reference * weights).sum()}, inputs);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const double difference =
                (foldedGrads[i] - referenceGrads[i]).abs().max().item<double>();
            const double size = referenceGrads[i].abs().max().item<double>();
            QVERIFY2(
                size > 1e-3 && difference <= 1e-5 * std::max(1.0, size),
                qPrintable(
                    QStringLiteral("gradient %1: %2 against %3").arg(i).arg(difference).arg(size)));
        }
    }

    void parameterCountsEqualTorchvision_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("backboneParameters");
        QTest::addColumn<qint64>("classifierParameters");
        QTest::newRow("resnet18") << "resnet18" << qint64(11176512) << qint64(11689512);
        QTest::newRow("mobilenet_v3_large")
            << "mobilenet_v3_large" << qint64(2971952) << qint64(5483032);
        QTest::newRow("efficientnet_b0") << "efficientnet_b0" << qint64(4007548) << qint64(5288548);
        QTest::newRow("convnext_tiny") << "convnext_tiny" << qint64(27818592) << qint64(28589128);
    }
    void parameterCountsEqualTorchvision()
    {
        QFETCH(QString, name);
        QFETCH(qint64, backboneParameters);
        QFETCH(qint64, classifierParameters);
        QCOMPARE(qint64(parameterCount(*createBackbone(name.toStdString()))), backboneParameters);
        BackboneOptions options;
        options.classifier = true;
        QCOMPARE(qint64(parameterCount(*createBackbone(name.toStdString(), options))),
                 classifierParameters);
    }

    void stateDictKeysUseTorchvisionNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QList<qint64>>("shape");
        using S = QList<qint64>;
        QTest::newRow("resnet18 bn") << "resnet18"
                                     << "layer3.1.bn2.running_var" << S{256};
        QTest::newRow("resnet18 downsample") << "resnet18"
                                             << "layer3.0.downsample.0.weight" << S{256, 128, 1, 1};
        QTest::newRow("resnet18 conv") << "resnet18"
                                       << "layer4.1.conv2.weight" << S{512, 512, 3, 3};
        QTest::newRow("resnet18 batches") << "resnet18"
                                          << "bn1.num_batches_tracked" << S{};
        QTest::newRow("resnet18 fc") << "resnet18"
                                     << "fc.weight" << S{1000, 512};
        QTest::newRow("mobilenet last conv") << "mobilenet_v3_large"
                                             << "features.16.0.weight" << S{960, 160, 1, 1};
        QTest::newRow("mobilenet se") << "mobilenet_v3_large"
                                      << "features.4.block.2.fc1.weight" << S{24, 72, 1, 1};
        QTest::newRow("mobilenet no expansion") << "mobilenet_v3_large"
                                                << "features.1.block.0.0.weight" << S{16, 1, 3, 3};
        QTest::newRow("mobilenet depthwise 5x5")
            << "mobilenet_v3_large"
            << "features.13.block.1.0.weight" << S{672, 1, 5, 5};
        QTest::newRow("mobilenet classifier") << "mobilenet_v3_large"
                                              << "classifier.3.weight" << S{1000, 1280};
        QTest::newRow("efficientnet se") << "efficientnet_b0"
                                         << "features.1.0.block.1.fc1.weight" << S{8, 32, 1, 1};
        QTest::newRow("efficientnet bn") << "efficientnet_b0"
                                         << "features.6.3.block.3.1.running_mean" << S{192};
        QTest::newRow("efficientnet head conv") << "efficientnet_b0"
                                                << "features.8.0.weight" << S{1280, 320, 1, 1};
        QTest::newRow("efficientnet classifier") << "efficientnet_b0"
                                                 << "classifier.1.weight" << S{1000, 1280};
        QTest::newRow("convnext layer scale") << "convnext_tiny"
                                              << "features.1.0.layer_scale" << S{96, 1, 1};
        QTest::newRow("convnext mlp") << "convnext_tiny"
                                      << "features.5.8.block.5.weight" << S{384, 1536};
        QTest::newRow("convnext downsample norm") << "convnext_tiny"
                                                  << "features.6.0.weight" << S{384};
        QTest::newRow("convnext downsample conv") << "convnext_tiny"
                                                  << "features.6.1.weight" << S{768, 384, 2, 2};
        QTest::newRow("convnext stem norm") << "convnext_tiny"
                                            << "features.0.1.bias" << S{96};
        QTest::newRow("convnext classifier norm") << "convnext_tiny"
                                                  << "classifier.0.weight" << S{768};
        QTest::newRow("convnext classifier") << "convnext_tiny"
                                             << "classifier.2.weight" << S{1000, 768};
    }
    void stateDictKeysUseTorchvisionNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, key);
        QFETCH(QList<qint64>, shape);
        const auto backbone = sharedBackbone(name.toStdString(), true);
        const auto tensor = stateTensor(*backbone, key.toStdString());
        QVERIFY2(tensor.defined(), qPrintable(key + " not in the state dict"));
        QCOMPARE(shapeOf(tensor), shape);
    }

    void classifierHeadIsOptional_data()
    {
        QTest::addColumn<QString>("name");
        addBackboneRows();
    }
    void classifierHeadIsOptional()
    {
        QFETCH(QString, name);
        const auto backbone = createBackbone(name.toStdString());
        for (const auto &key : stateKeys(*backbone))
            for (const auto &prefix : backbone->classifierPrefixes())
                QVERIFY2(key.rfind(prefix, 0) != 0, key.c_str());
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 backbone->forwardClassifier(torch::zeros({1, 3, 32, 32})));

        BackboneOptions options;
        options.classifier = true;
        options.classifier_classes = 7;
        const auto classifier = createBackbone(name.toStdString(), options);
        classifier->eval();
        torch::NoGradGuard no_grad;
        QCOMPARE(shapeOf(classifier->forwardClassifier(torch::randn({2, 3, 64, 64}))),
                 (QList<qint64>{2, 7}));
    }

    void outputStrideSetsFeatureSize_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("outputStride");
        for (const auto &name : availableBackbones())
            for (int stride : {8, 16, 32})
                QTest::addRow("%s os%d", name.c_str(), stride)
                    << QString::fromStdString(name) << stride;
    }
    void outputStrideSetsFeatureSize()
    {
        QFETCH(QString, name);
        QFETCH(int, outputStride);
        BackboneOptions options;
        options.output_stride = outputStride;
        const auto backbone = createBackbone(name.toStdString(), options);
        backbone->eval();
        torch::NoGradGuard no_grad;
        const auto features = backbone->forwardFeatures(torch::randn({1, 3, 64, 96}));
        QCOMPARE(shapeOf(features.out),
                 (QList<qint64>{1, backbone->outChannels(), 64 / outputStride, 96 / outputStride}));
        const int stage3Stride = std::min(outputStride, 16);
        QCOMPARE(shapeOf(features.stage3), (QList<qint64>{1, backbone->stage3Channels(),
                                                          64 / stage3Stride, 96 / stage3Stride}));
        // Dilation replaces strides without touching any weight: ImageNet weights still fit.
        const auto reference = sharedBackbone(name.toStdString(), false);
        QCOMPARE(stateKeys(*backbone), stateKeys(*reference));
        QCOMPARE(parameterCount(*backbone), parameterCount(*reference));
    }

    void unsupportedOptionsAreRejected()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, createBackbone("resnet50"));
        BackboneOptions options;
        options.output_stride = 4;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, createBackbone("resnet18", options));
        options.output_stride = 32;
        options.in_channels = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, createBackbone("resnet18", options));
    }

    void inputChannelsChangeOnlyTheFirstConv_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("channels");
        for (const auto &name : availableBackbones())
            for (int channels : {1, 5})
                QTest::addRow("%s %d", name.c_str(), channels)
                    << QString::fromStdString(name) << channels;
    }
    void inputChannelsChangeOnlyTheFirstConv()
    {
        QFETCH(QString, name);
        QFETCH(int, channels);
        BackboneOptions options;
        options.in_channels = channels;
        const auto backbone = createBackbone(name.toStdString(), options);
        const auto rgb = sharedBackbone(name.toStdString(), false);
        const auto weight = stateTensor(*backbone, backbone->firstConvKey());
        const auto rgbWeight = stateTensor(*rgb, rgb->firstConvKey());
        QCOMPARE(qint64(weight.size(1)), qint64(channels));
        QCOMPARE(weight.size(0), rgbWeight.size(0));
        const qint64 perInput = rgbWeight.numel() / 3;
        QCOMPARE(qint64(parameterCount(*backbone) - parameterCount(*rgb)),
                 perInput * (channels - 3));

        backbone->eval();
        torch::NoGradGuard no_grad;
        QCOMPARE(shapeOf(backbone->forward(torch::randn({1, channels, 64, 64}))),
                 (QList<qint64>{1, backbone->outChannels(), 2, 2}));
    }

    // Weights imported from an RGB file into a k-channel backbone: a stack of k copies of a gray
    // image must give what the RGB network gives for that image replicated into R, G and B.
    void importedRgbWeightsAreAdaptedToTheInputChannels_data()
    {
        inputChannelsChangeOnlyTheFirstConv_data();
    }
    void importedRgbWeightsAreAdaptedToTheInputChannels()
    {
        QFETCH(QString, name);
        QFETCH(int, channels);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("rgb.pth").toStdString();

        const auto rgb = createBackbone(name.toStdString());
        rgb->eval();
        StateDict state;
        for (const auto &p : rgb->named_parameters())
            state[p.key()] = p.value();
        for (const auto &b : rgb->named_buffers())
            state[b.key()] = b.value();
        writeStateDict(state, path);

        BackboneOptions options;
        options.in_channels = channels;
        const auto adapted = createBackbone(name.toStdString(), options);
        adapted->eval();
        const auto report = importBackboneWeights(*adapted, path);
        QVERIFY2(report.ok(), report.summary().c_str());
        QCOMPARE(report.adapted, std::vector<std::string>{adapted->firstConvKey()});
        QCOMPARE(report.loaded.size(), state.size());

        const auto rgbWeight = state.at(rgb->firstConvKey());
        const auto weight = stateTensor(*adapted, adapted->firstConvKey());
        const auto expected = rgbWeight.sum(1) / channels;
        for (int c = 0; c < channels; ++c)
            QVERIFY(torch::allclose(weight.select(1, c), expected, 1e-6, 1e-7));

        torch::NoGradGuard no_grad;
        const auto gray = torch::randn({1, 1, 64, 64});
        const auto fromRgb = rgb->forward(gray.expand({1, 3, 64, 64}));
        const auto fromSlices = adapted->forward(gray.expand({1, channels, 64, 64}));
        const double diff = (fromRgb - fromSlices).abs().max().item<double>();
        qInfo("%s, %d channels: max |diff| %.3g", qPrintable(name), channels, diff);
        QVERIFY(diff <= 1e-4);
    }

    void stochasticDepthDropsWholeSamplesOnlyInTraining()
    {
        StochasticDepth drop(0.5);
        const auto x = torch::ones({4000, 2, 3, 3});
        drop->train();
        const auto y = drop->forward(x);
        // Each sample is either dropped (0) or kept and rescaled by 1/(1-p) = 2, as a whole.
        const auto perSample = y.flatten(1);
        QVERIFY(torch::equal(perSample.amin(1), perSample.amax(1)));
        QVERIFY(((perSample.select(1, 0) == 0) | (perSample.select(1, 0) == 2)).all().item<bool>());
        const double kept = (perSample.select(1, 0) == 2).to(torch::kDouble).mean().item<double>();
        QVERIFY(kept > 0.45 && kept < 0.55);
        drop->eval();
        QVERIFY(torch::equal(drop->forward(x), x));
    }

    void adaptedFirstConvKeepsTheGrayResponse()
    {
        const auto rgb = torch::randn({8, 3, 3, 3});
        QVERIFY(torch::equal(adaptInputConvWeight(rgb, 3), rgb));
        QVERIFY(torch::allclose(adaptInputConvWeight(rgb, 1), rgb.sum(1, true)));
        const auto five = adaptInputConvWeight(rgb, 5);
        QCOMPARE(shapeOf(five), (QList<qint64>{8, 5, 3, 3}));
        QVERIFY(torch::allclose(five.sum(1, true), rgb.sum(1, true), 1e-5, 1e-6));
    }
};

QTEST_APPLESS_MAIN(TestBackbones)
#include "tst_Backbones.moc"
