// PSPNet on each backbone: output size, training at batch size 1, the auxiliary head, the
// pyramid pooling module's configuration, and pooling and resizing as GEMMs (what CUDA runs)
// against PyTorch's operators.

#include "models/Complexity.h"
#include "models/PSPNet.h"
#include "models/PyramidConv.h"
#include "models/Registry.h"
#include "models/SpatialMaps.h"

#include <QTest>

#include <cmath>

using namespace medseg::models;

namespace {

QList<qint64> shapeOf(const torch::Tensor &t)
{
    QList<qint64> shape;
    for (auto s : t.sizes())
        shape.append(s);
    return shape;
}

void addBackboneRows()
{
    QTest::addColumn<QString>("name");
    for (const auto &name : availableBackbones())
        QTest::newRow(name.c_str()) << QString::fromStdString(name);
}

double maxDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class TestPSPNet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(2);
        torch::manual_seed(0);
    }

    // Issue 22, point 7: `medseg models` reports parameters and operations. The backbone's
    // parameters are torchvision's (ResNet18 without its classifier: 11,176,512), and the
    // operations, counted on a trace of the forward pass, grow with the pixels.
    void complexityCountsParametersAndTracedOperations()
    {
        ModelConfig config;
        config.backbone = "resnet18";
        config.output_stride = 32;
        const ModelComplexity small = measureComplexity(config, 256, 256);
        QCOMPARE(small.backboneParameters, std::int64_t(11176512));
        QVERIFY(small.parameters > small.backboneParameters);
        QCOMPARE(small.parameters, parameterCount(*createModel(config)));
        const ModelComplexity large = measureComplexity(config, 512, 512);
        const double ratio = double(large.multiplyAccumulates) / double(small.multiplyAccumulates);
        QVERIFY2(ratio > 3.9 && ratio < 4.1, qPrintable(QString::number(ratio)));
        // ResNet18 alone is 1.82 G multiply-adds at 224 x 224; the PSPNet head adds to it.
        const ModelComplexity at224 = measureComplexity(config, 224, 224);
        QVERIFY2(at224.multiplyAccumulates > 1.81e9 && at224.multiplyAccumulates < 2.5e9,
                 qPrintable(QString::number(at224.multiplyAccumulates)));
        config.output_stride = 8; // dilated: the same weights, more positions
        QVERIFY(measureComplexity(config, 256, 256).multiplyAccumulates >
                3 * small.multiplyAccumulates);
    }

    void outputHasTheInputSizeForOddSizes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("outputStride");
        for (const auto &name : availableBackbones())
            for (int stride : {8, 32})
                QTest::addRow("%s os%d", name.c_str(), stride)
                    << QString::fromStdString(name) << stride;
    }
    void outputHasTheInputSizeForOddSizes()
    {
        QFETCH(QString, name);
        QFETCH(int, outputStride);
        ModelConfig config;
        config.backbone = name.toStdString();
        config.num_classes = 3;
        config.output_stride = outputStride;
        auto model = createModel(config);
        model->eval();
        torch::NoGradGuard no_grad;
        const auto output = model->forward(torch::randn({1, 3, 65, 97}));
        QCOMPARE(shapeOf(output.logits), (QList<qint64>{1, 3, 65, 97}));
        QVERIFY(torch::isfinite(output.logits).all().item<bool>());
        QVERIFY(!output.aux_logits.defined());
    }

    // BatchNorm after the 1x1 pyramid bin cannot train at batch size 1; the model must.
    void learnsAtBatchSizeOne_data() { addBackboneRows(); }
    void learnsAtBatchSizeOne()
    {
        QFETCH(QString, name);
        torch::manual_seed(1);
        ModelConfig config;
        config.backbone = name.toStdString();
        config.aux = true;
        auto model = createModel(config);
        model->train();
        torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));

        const auto image = torch::randn({1, 3, 48, 48});
        // A target the network can fit quickly: the sign of a smoothed first channel.
        const auto target =
            (torch::avg_pool2d(image.narrow(1, 0, 1), 9, 1, 4) > 0).squeeze(1).to(torch::kLong);
        std::vector<double> losses;
        for (int step = 0; step < 3; ++step) {
            optimizer.zero_grad();
            const auto output = model->forward(image);
            QVERIFY(output.aux_logits.defined());
            const auto loss =
                torch::nn::functional::cross_entropy(output.logits, target) +
                config.aux_weight * torch::nn::functional::cross_entropy(output.aux_logits, target);
            loss.backward();
            if (step == 0) {
                for (const auto &p : model->named_parameters())
                    QVERIFY2(p.value().grad().defined(), p.key().c_str());
            }
            optimizer.step();
            losses.push_back(loss.item<double>());
            QVERIFY(std::isfinite(losses.back()));
        }
        qInfo("%s: loss %.4f -> %.4f", qPrintable(name), losses.front(), losses.back());
        QVERIFY(losses.back() < losses.front());
    }

    void auxLogitsOnlyInTrainingWhenEnabled_data() { addBackboneRows(); }
    void auxLogitsOnlyInTrainingWhenEnabled()
    {
        QFETCH(QString, name);
        ModelConfig config;
        config.backbone = name.toStdString();
        config.num_classes = 4;
        config.output_stride = 16;
        config.aux = true;
        auto model = createModel(config);
        const auto x = torch::randn({2, 3, 33, 35});
        torch::NoGradGuard no_grad;
        model->train();
        auto output = model->forward(x);
        QCOMPARE(shapeOf(output.logits), (QList<qint64>{2, 4, 33, 35}));
        QCOMPARE(shapeOf(output.aux_logits), (QList<qint64>{2, 4, 33, 35}));
        model->eval();
        QVERIFY(!model->forward(x).aux_logits.defined());

        config.aux = false;
        auto plain = createModel(config);
        plain->train();
        QVERIFY(!plain->forward(x).aux_logits.defined());
        QVERIFY(!plain->aux_head);
        QCOMPARE(parameterCount(*model) - parameterCount(*plain),
                 (model->backbone->stage3Channels() * 9 * 256 + 2 * 256 + 256 * 4 + 4));
    }

    void parameterCountsAreExact_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("parameters");
        // Backbone + pyramid pooling (C/4 channels per bin; the 1-bin conv has a bias instead of
        // BatchNorm) + 3x3 conv to 512 + BN + 1x1 conv to 2 classes.
        QTest::newRow("resnet18") << "resnet18" << qint64(16160194);
        QTest::newRow("mobilenet_v3_large") << "mobilenet_v3_large" << qint64(12744642);
        QTest::newRow("efficientnet_b0") << "efficientnet_b0" << qint64(17446718);
        QTest::newRow("convnext_tiny") << "convnext_tiny" << qint64(35489698);
    }
    void parameterCountsAreExact()
    {
        QFETCH(QString, name);
        QFETCH(qint64, parameters);
        ModelConfig config;
        config.backbone = name.toStdString();
        auto model = createModel(config);
        const int64_t c = model->backbone->outChannels();
        const int64_t branch = c / 4;
        const int64_t head = (c * branch + branch) + 3 * (c * branch + 2 * branch) +
                             2 * c * 512 * 9 + 2 * 512 + 512 * 2 + 2;
        QCOMPARE(parameterCount(*model), parameterCount(*model->backbone) + head);
        QCOMPARE(qint64(parameterCount(*model)), parameters);
    }

    void globalPoolingBinHasNoBatchNorm()
    {
        // Why: BatchNorm on a map with one value per channel throws in training.
        torch::nn::BatchNorm2d bn(8);
        bn->train();
        QVERIFY_THROWS_EXCEPTION(c10::Error, bn->forward(torch::randn({1, 8, 1, 1})));

        PyramidPooling ppm(64, std::vector<int>{1, 2, 3, 6});
        QCOMPARE(ppm->outChannels(), int64_t(64 + 4 * 16));
        for (size_t i = 0; i < ppm->bins.size(); ++i) {
            bool hasNorm = false;
            for (const auto &child : ppm->stages[i]->children())
                hasNorm = hasNorm || child->as<torch::nn::BatchNorm2d>() != nullptr;
            QCOMPARE(hasNorm, ppm->bins[i] != 1);
        }
        ppm->train();
        const auto x = torch::randn({1, 64, 5, 7});
        const auto y = ppm->forward(x);
        QCOMPARE(shapeOf(y), (QList<qint64>{1, 128, 5, 7}));
        QVERIFY(torch::equal(y.narrow(1, 0, 64), x)); // the input comes first, unchanged
        y.sum().backward();
        for (const auto &p : ppm->parameters())
            QVERIFY(p.grad().defined());
    }

    void binsAndBottleneckAreConfigurable()
    {
        ModelConfig config;
        config.backbone = "resnet18";
        config.bins = {2, 4};
        config.bottleneck_kernel = 1;
        config.bottleneck_channels = 64;
        config.output_stride = 32;
        config.num_classes = 5;
        auto model = createModel(config);
        QCOMPARE(model->ppm->bins, (std::vector<int>{2, 4}));
        const auto weight = model->bottleneck[0]->as<torch::nn::Conv2d>()->weight;
        QCOMPARE(shapeOf(weight), (QList<qint64>{64, 512 + 2 * 256, 1, 1}));
        model->eval();
        torch::NoGradGuard no_grad;
        QCOMPARE(shapeOf(model->forward(torch::randn({1, 3, 33, 47})).logits),
                 (QList<qint64>{1, 5, 33, 47}));
    }

    void acceptsGrayImagesAndSliceStacks_data()
    {
        QTest::addColumn<int>("channels");
        QTest::newRow("gray") << 1;
        QTest::newRow("5 slices") << 5;
    }
    void acceptsGrayImagesAndSliceStacks()
    {
        QFETCH(int, channels);
        ModelConfig config;
        config.backbone = "mobilenet_v3_large";
        config.in_channels = channels;
        auto model = createModel(config);
        model->eval();
        torch::NoGradGuard no_grad;
        QCOMPARE(shapeOf(model->forward(torch::randn({1, channels, 48, 40})).logits),
                 (QList<qint64>{1, 2, 48, 40}));
    }

    // channels_last must hold through the whole network: a tensor that drops to NCHW (the
    // bin-1 branch's [N, C, 1, 1] after an out-of-place ReLU) makes the upsampling and the
    // concatenation run strided copies on CUDA. CPU convolutions keep the format the same way.
    void channelsLastHoldsThroughPyramidPooling_data()
    {
        QTest::addColumn<bool>("training");
        QTest::newRow("eval") << false;
        QTest::newRow("train") << true;
    }
    void channelsLastHoldsThroughPyramidPooling()
    {
        QFETCH(bool, training);
        ModelConfig config;
        config.backbone = "resnet18";
        config.num_classes = 2;
        config.output_stride = 8;
        torch::manual_seed(3);
        auto model = createModel(config);
        torch::manual_seed(3);
        auto reference = createModel(config);
        toChannelsLast(*model);
        model->train(training);
        reference->train(training);

        // Every 4-D weight is NHWC-strided, 1x1 kernels included.
        for (const auto &item : model->named_parameters()) {
            const auto &p = item.value();
            if (p.dim() == 4)
                QVERIFY2(p.stride(1) == 1 && p.stride(3) == p.size(1) &&
                             p.stride(2) == p.size(1) * p.size(3),
                         item.key().c_str());
        }

        const auto input = torch::randn({2, 3, 64, 64}).contiguous(at::MemoryFormat::ChannelsLast);
        torch::NoGradGuard noGrad;
        const auto features = model->backbone->forwardFeatures(input);
        QVERIFY(features.out.is_contiguous(at::MemoryFormat::ChannelsLast));
        const auto pooled = model->ppm->forward(features.out);
        QCOMPARE(pooled.size(1), 1024);
        QVERIFY(pooled.is_contiguous(at::MemoryFormat::ChannelsLast));
        QVERIFY(!pooled.is_contiguous());

        // The same function as the NCHW network (training mode: dropout draws aside).
        if (!training) {
            const auto a = model->forward(input).logits;
            const auto b = reference->forward(input.contiguous()).logits;
            QVERIFY2(torch::allclose(a, b, 1e-4, 1e-4),
                     qPrintable(QString::number((a - b).abs().max().item<double>())));
        }
    }

    // The spatial maps reproduce PyTorch's operators for sizes that divide, that do not, and
    // (adaptive pooling) for more outputs than inputs, where the windows overlap.
    void spatialMapsMatchPyTorchOperators_data()
    {
        QTest::addColumn<int>("inH");
        QTest::addColumn<int>("inW");
        QTest::addColumn<int>("outH");
        QTest::addColumn<int>("outW");
        QTest::newRow("64x64 -> 1x1") << 64 << 64 << 1 << 1;
        QTest::newRow("64x64 -> 3x3") << 64 << 64 << 3 << 3;
        QTest::newRow("9x13 -> 5x7") << 9 << 13 << 5 << 7;
        QTest::newRow("4x3 -> 7x6") << 4 << 3 << 7 << 6;
        QTest::newRow("1x1 -> 5x3") << 1 << 1 << 5 << 3;
    }
    void spatialMapsMatchPyTorchOperators()
    {
        QFETCH(int, inH);
        QFETCH(int, inW);
        QFETCH(int, outH);
        QFETCH(int, outW);
        torch::manual_seed(5);
        const auto x = torch::randn({2, 3, inH, inW}, torch::kFloat64);
        const auto rows = toPixelRows(x);
        QCOMPARE(shapeOf(rows), (QList<qint64>{2, inH * inW, 3}));

        const auto pooled = fromPixelRows(
            applySpatialMap(adaptivePoolMatrix(inH, inW, outH, outW), rows), outH, outW);
        const auto poolReference = torch::adaptive_avg_pool2d(x, {outH, outW});
        QCOMPARE(shapeOf(pooled), shapeOf(poolReference));
        QVERIFY2(maxDifference(pooled, poolReference) < 1e-12,
                 qPrintable(QString::number(maxDifference(pooled, poolReference))));
        // Every row of a pooling map is an average: non-negative weights summing to one.
        const auto weights = adaptivePoolWeights(inH, outH);
        QVERIFY(weights.min().item<double>() >= 0.0);
        QVERIFY(torch::allclose(weights.sum(1), torch::ones({outH}, torch::kFloat64)));

        const auto upsampled =
            fromPixelRows(applySpatialMap(bilinearMatrix(inH, inW, outH, outW), rows), outH, outW);
        const auto upReference = interpolateBilinear(x, outH, outW);
        QVERIFY2(maxDifference(upsampled, upReference) < 1e-6,
                 qPrintable(QString::number(maxDifference(upsampled, upReference))));
        SpatialMapCache cache;
        const auto resized = resizeBilinear(x, outH, outW, cache);
        QVERIFY(resized.is_contiguous());
        QVERIFY2(maxDifference(resized, upReference) < 1e-6,
                 qPrintable(QString::number(maxDifference(resized, upReference))));
    }

    // Hand-computed: 4 -> 2 averages pairs; 2 -> 4 (scale 1/2) samples at -0.25 (clamped to 0),
    // 0.25, 0.75 and 1.25 (clamped between the last pixel and itself).
    void spatialMapWeightsByHand()
    {
        const auto pool = adaptivePoolWeights(4, 2);
        QVERIFY(torch::equal(
            pool,
            torch::tensor({0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5}, torch::kFloat64).view({2, 4})));
        const auto overlapping = adaptivePoolWeights(3, 2); // windows [0, 2) and [1, 3)
        QVERIFY(torch::equal(
            overlapping,
            torch::tensor({0.5, 0.5, 0.0, 0.0, 0.5, 0.5}, torch::kFloat64).view({2, 3})));
        const auto up = bilinearWeights(2, 4);
        QVERIFY(torch::equal(
            up, torch::tensor({1.0, 0.0, 0.75, 0.25, 0.25, 0.75, 0.0, 1.0}, torch::kFloat64)
                    .view({4, 2})));
    }

    // The pyramid pooling and the whole network compute the same values and gradients either way,
    // in training (BatchNorm on batch statistics) and from NCHW or channels_last input.
    void gemmResamplingMatchesOperators_data()
    {
        QTest::addColumn<bool>("channelsLast");
        QTest::newRow("NCHW") << false;
        QTest::newRow("channels_last") << true;
    }
    void gemmResamplingMatchesOperators()
    {
        QFETCH(bool, channelsLast);
        const auto format =
            channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
        torch::manual_seed(7);
        PyramidPooling ppm(32, std::vector<int>{1, 2, 3, 6});
        ppm->train();
        const auto x = torch::randn({3, 32, 9, 13}).contiguous(format).requires_grad_(true);
        const auto weight = torch::randn({3, 64, 9, 13});

        const auto run = [&](Resampling mode) {
            ppm->resampling = mode;
            ppm->zero_grad();
            x.mutable_grad() = torch::Tensor();
            const auto y = ppm->forward(x);
            (y * weight).sum().backward();
            std::vector<torch::Tensor> results{y.detach().clone(), x.grad().clone()};
            for (const auto &p : ppm->parameters())
                results.push_back(p.grad().clone());
            return results;
        };
        const auto operators = run(Resampling::Operators);
        const auto gemms = run(Resampling::Gemms);
        QCOMPARE(gemms.size(), operators.size());
        QCOMPARE(shapeOf(gemms[0]), (QList<qint64>{3, 64, 9, 13}));
        QVERIFY(gemms[0].is_contiguous(at::MemoryFormat::ChannelsLast));
        QVERIFY(torch::equal(gemms[0].narrow(1, 0, 32), x.detach()));
        for (size_t i = 0; i < gemms.size(); ++i) {
            const double scale = operators[i].abs().max().item<double>();
            QVERIFY2(maxDifference(gemms[i], operators[i]) <= 1e-5 * std::max(1.0, scale),
                     qPrintable(QString("result %1: %2 of %3")
                                    .arg(i)
                                    .arg(maxDifference(gemms[i], operators[i]))
                                    .arg(scale)));
        }
        // Not a tautology: the two ways differ in their kernels, so their rounding differs.
        QVERIFY(!torch::equal(gemms[1], operators[1]));

        ModelConfig config;
        config.backbone = "resnet18";
        config.output_stride = 8;
        auto model = createModel(config);
        model->eval();
        torch::NoGradGuard noGrad;
        const auto input = torch::randn({1, 3, 40, 56});
        model->setResampling(Resampling::Operators);
        const auto a = model->forward(input).logits;
        model->setResampling(Resampling::Gemms);
        const auto b = model->forward(input).logits;
        QCOMPARE(shapeOf(b), (QList<qint64>{1, 2, 40, 56}));
        QVERIFY2(torch::allclose(a, b, 1e-4, 1e-5),
                 qPrintable(QString::number(maxDifference(a, b))));
    }

    void shiftedTapsByHand()
    {
        const auto map =
            torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, torch::kFloat64).view({3, 2});
        const auto taps = shiftedTaps(map, 3);
        QVERIFY(torch::equal(taps, torch::tensor({0.0, 0.0, 1.0, 2.0, 3.0, 4.0, //
                                                  1.0, 2.0, 3.0, 4.0, 5.0, 6.0, //
                                                  3.0, 4.0, 5.0, 6.0, 0.0, 0.0},
                                                 torch::kFloat64)
                                       .view({3, 6})));
        QVERIFY(torch::equal(shiftedTaps(map, 1), map));
    }

    // The factored bottleneck convolution against conv2d over the concatenated upsampled branches,
    // values and gradients, in float64 so that any difference beyond rounding shows: 1x1 and 3x3
    // kernels, NCHW and channels_last features, square and oblong grids, grids with fewer cells
    // than the features and one with more rows.
    void pyramidConvMatchesTheConvolutionOfUpsampledBranches_data()
    {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<bool>("channelsLast");
        QTest::addColumn<bool>("convolutions");
        QTest::newRow("3x3 NCHW, GEMMs") << 3 << false << false;
        QTest::newRow("3x3 channels_last, GEMMs") << 3 << true << false;
        QTest::newRow("1x1 NCHW, GEMMs") << 1 << false << false;
        QTest::newRow("3x3 NCHW, convolutions") << 3 << false << true;
        QTest::newRow("3x3 channels_last, convolutions") << 3 << true << true;
    }
    void pyramidConvMatchesTheConvolutionOfUpsampledBranches()
    {
        QFETCH(int, kernel);
        QFETCH(bool, channelsLast);
        QFETCH(bool, convolutions);
        const auto format =
            channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
        torch::manual_seed(11);
        const auto options = torch::TensorOptions().dtype(torch::kFloat64);
        const auto x = torch::randn({2, 6, 9, 13}, options).contiguous(format).requires_grad_(true);
        std::vector<torch::Tensor> grids;
        for (const auto &size :
             std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 3}, {2, 7}, {11, 5}})
            grids.push_back(
                torch::randn({2, 4, size.first, size.second}, options).requires_grad_(true));
        const auto weight =
            torch::randn({5, 6 + 4 * 4, kernel, kernel}, options).requires_grad_(true);
        const auto upstream = torch::randn({2, 5, 9, 13}, options);

        std::vector<torch::Tensor> inputs{x, weight};
        inputs.insert(inputs.end(), grids.begin(), grids.end());
        const auto run = [&](const torch::Tensor &y) {
            for (auto &t : inputs)
                t.mutable_grad() = torch::Tensor();
            (y * upstream).sum().backward();
            std::vector<torch::Tensor> results{y.detach()};
            for (const auto &t : inputs)
                results.push_back(t.grad().clone());
            return results;
        };
        std::vector<torch::Tensor> concatenated{x};
        for (const auto &grid : grids)
            concatenated.push_back(interpolateBilinear(grid, 9, 13));
        const auto reference =
            run(torch::conv2d(torch::cat(concatenated, 1), weight, {}, 1, kernel / 2));
        SpatialMapCache cache;
        const auto y = pyramidConv(x, grids, weight, cache, convolutions);
        QCOMPARE(shapeOf(y), (QList<qint64>{2, 5, 9, 13}));
        QVERIFY(y.is_contiguous(format));
        const auto factored = run(y);
        for (size_t i = 0; i < reference.size(); ++i) {
            const double scale = reference[i].abs().max().item<double>();
            QVERIFY(scale > 0.1);
            QVERIFY2(maxDifference(factored[i], reference[i]) <= 1e-12 * scale,
                     qPrintable(QString("result %1: %2 of %3")
                                    .arg(i)
                                    .arg(maxDifference(factored[i], reference[i]))
                                    .arg(scale)));
        }
        // The cached maps serve the next call of the same sizes.
        QVERIFY(torch::equal(pyramidConv(x, grids, weight, cache, convolutions), y));
    }

    // The whole network: the factored head is the CPU's default and computes the upsampled head's
    // logits and every parameter's gradient, in training (BatchNorm on batch statistics).
    void factoredHeadMatchesTheUpsampledHead_data()
    {
        QTest::addColumn<int>("kernel");
        QTest::newRow("3x3") << 3;
        QTest::newRow("1x1") << 1;
    }
    void factoredHeadMatchesTheUpsampledHead()
    {
        QFETCH(int, kernel);
        ModelConfig config;
        config.backbone = "resnet18";
        config.output_stride = 8;
        config.dropout = 0.0;
        config.bottleneck_kernel = kernel;
        torch::manual_seed(5);
        auto model = createModel(config);
        model->train();
        QCOMPARE(model->pyramidHead(), PyramidHead::Automatic);
        const auto input = torch::randn({2, 3, 72, 40});
        const auto target = torch::randn({2, 2, 72, 40});
        const auto run = [&](PyramidHead mode) {
            model->setPyramidHead(mode);
            model->zero_grad();
            const auto logits = model->forward(input).logits;
            (logits * target).sum().backward();
            std::vector<torch::Tensor> results{logits.detach()};
            for (const auto &p : model->parameters())
                results.push_back(p.grad().clone());
            return results;
        };
        const auto upsampled = run(PyramidHead::Upsampled);
        const auto factored = run(PyramidHead::Factored);
        const auto automatic = run(PyramidHead::Automatic);
        QCOMPARE(factored.size(), upsampled.size());
        for (size_t i = 0; i < upsampled.size(); ++i) {
            const double scale = upsampled[i].abs().max().item<double>();
            QVERIFY2(maxDifference(factored[i], upsampled[i]) <= 1e-4 * std::max(1e-3, scale),
                     qPrintable(QString("result %1: %2 of %3")
                                    .arg(i)
                                    .arg(maxDifference(factored[i], upsampled[i]))
                                    .arg(scale)));
            QVERIFY(torch::equal(automatic[i], factored[i]));
        }
        QVERIFY(!torch::equal(factored[0], upsampled[0]));
    }

    void invalidConfigurationsAreRejected()
    {
        const auto rejects = [](auto change) {
            ModelConfig config;
            change(config);
            try {
                createModel(config);
            } catch (const std::invalid_argument &) {
                return true;
            }
            return false;
        };
        QVERIFY(rejects([](ModelConfig &c) { c.backbone = "vgg16"; }));
        QVERIFY(rejects([](ModelConfig &c) { c.num_classes = 0; }));
        QVERIFY(rejects([](ModelConfig &c) { c.output_stride = 4; }));
        QVERIFY(rejects([](ModelConfig &c) { c.in_channels = 0; }));
        QVERIFY(rejects([](ModelConfig &c) { c.bins = {}; }));
        QVERIFY(rejects([](ModelConfig &c) { c.bins = {1, 0}; }));
        QVERIFY(rejects([](ModelConfig &c) { c.bottleneck_kernel = 5; }));
        QVERIFY(!rejects([](ModelConfig &) {}));
    }
};

QTEST_APPLESS_MAIN(TestPSPNet)
#include "tst_PSPNet.moc"
