// ONNX export of every backbone, run in ONNX Runtime (onnxruntime-node) and OpenCV dnn against
// LibTorch, and the int8 profiles of every backbone against fp32 on a model briefly fitted to a
// synthetic pattern.

#include "ExportTestModels.h"
#include "core/export/ExportValidator.h"
#include "core/export/OnnxExporter.h"
#include "models/Registry.h"

#include <opencv2/dnn.hpp>
#include <torch/nn.h>
#include <torch/optim.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

using namespace medseg;
using testing::makeLogitsOrderOne;
using testing::tinyConfig;

namespace {

core::ExportMetadata metadata()
{
    core::ExportMetadata m;
    m.classes = {
        {0, "background", {0, 0, 0}}, {1, "liver", {255, 0, 0}}, {2, "tumour", {0, 255, 0}}};
    m.preprocessing.intensity = {core::ChannelIntensity::window(60, 350)};
    m.modelVersion = "7";
    m.datasetSummary = "40 slices from 2 patients; 3 classes";
    return m;
}

// A disk (class 1) and a square (class 2) on noise; returns image [N, C, H, W] and labels.
std::pair<at::Tensor, at::Tensor> syntheticBatch(int64_t n, int64_t channels, int64_t h, int64_t w)
{
    at::Tensor images = at::randn({n, channels, h, w}) * 0.3;
    at::Tensor labels = at::zeros({n, h, w}, at::kLong);
    const auto ys = at::arange(h).view({h, 1}).expand({h, w});
    const auto xs = at::arange(w).view({1, w}).expand({h, w});
    for (int64_t i = 0; i < n; ++i) {
        const int64_t cy = at::randint(h / 4, 3 * h / 4, {1}).item<int64_t>();
        const int64_t cx = at::randint(w / 4, 3 * w / 4, {1}).item<int64_t>();
        const int64_t r = std::max<int64_t>(4, std::min(h, w) / 5);
        const auto disk = (ys - cy).pow(2) + (xs - cx).pow(2) < r * r;
        const int64_t side = std::min(h, w) / 4;
        const int64_t sy = (cy + h / 2) % (h - side);
        const int64_t sx = (cx + w / 2) % (w - side);
        auto square = at::zeros({h, w}, at::kBool);
        square.slice(0, sy, sy + side).slice(1, sx, sx + side).fill_(true);
        labels[i].masked_fill_(disk, 1);
        labels[i].masked_fill_(square, 2);
        images[i].add_(disk.to(at::kFloat) * 1.5 - square.to(at::kFloat) * 1.5);
    }
    return {images, labels};
}

void fit(models::PSPNet &model, int steps)
{
    model->train();
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(5e-3));
    for (int s = 0; s < steps; ++s) {
        auto [x, y] = syntheticBatch(4, model->config.in_channels, 48, 48);
        optimizer.zero_grad();
        // Background weighted down: a short run otherwise stays below 0.5 on the foreground.
        const auto loss = torch::nn::functional::cross_entropy(
            model->forward(x).logits, y,
            torch::nn::functional::CrossEntropyFuncOptions().weight(
                torch::tensor({0.15f, 1.0f, 1.0f})));
        loss.backward();
        optimizer.step();
        if (s == steps - 1)
            qInfo("fit: last loss %.4f", loss.item<double>());
    }
    // A short run's BatchNorm running averages lag behind its fast-moving weights: take the
    // statistics of the final network from one larger batch instead.
    torch::NoGradGuard no_grad;
    for (const auto &m : model->modules(false))
        if (auto *bn = m->as<torch::nn::BatchNorm2d>())
            bn->options.momentum(1.0);
    model->forward(syntheticBatch(16, model->config.in_channels, 48, 48).first);
    model->eval();
    auto [x, y] = syntheticBatch(4, model->config.in_channels, 48, 48);
    const auto logits = model->forward(x).logits;
    qInfo("fit: eval loss %.4f, foreground %.3f (true %.3f)",
          torch::nn::functional::cross_entropy(logits, y).item<double>(),
          logits.argmax(1).ne(0).to(at::kFloat).mean().item<double>(),
          y.ne(0).to(at::kFloat).mean().item<double>());
}

// Who writes and who reads each tensor of a graph, for the checks of its QDQ structure.
class GraphIndex
{
public:
    explicit GraphIndex(const onnx::GraphProto &graph)
    {
        for (const auto &n : graph.node()) {
            for (const auto &o : n.output())
                m_producer[o] = &n;
            for (const auto &i : n.input())
                m_consumers[i].push_back(&n);
        }
    }

    bool producedBy(const std::string &tensor, const std::string &op) const
    {
        const auto it = m_producer.find(tensor);
        return it != m_producer.end() && it->second->op_type() == op;
    }

    // The op types that read `tensor`, space-separated, for messages and comparisons.
    std::string readers(const std::string &tensor) const
    {
        std::string ops;
        const auto it = m_consumers.find(tensor);
        if (it != m_consumers.end())
            for (const auto *n : it->second)
                ops += (ops.empty() ? "" : " ") + n->op_type();
        return ops;
    }

    // Whether `tensor` goes only to a QuantizeLinear, directly or through a ReLU that ONNX
    // Runtime folds into it: the output side of a fusable QDQ node unit.
    bool onlyQuantized(const std::string &tensor) const
    {
        const onnx::NodeProto *relu = onlyReader(tensor);
        return readers(tensor) == "QuantizeLinear" ||
               (relu && relu->op_type() == "Relu" && readers(relu->output(0)) == "QuantizeLinear");
    }

    // The one node that reads `tensor`, or null.
    const onnx::NodeProto *onlyReader(const std::string &tensor) const
    {
        const auto it = m_consumers.find(tensor);
        return it != m_consumers.end() && it->second.size() == 1 ? it->second.front() : nullptr;
    }

private:
    std::map<std::string, const onnx::NodeProto *> m_producer;
    std::map<std::string, std::vector<const onnx::NodeProto *>> m_consumers;
};

// Data rows for a test of both forms of the pyramid head (OnnxExportOptions).
void addPyramidHeadRows()
{
    QTest::addColumn<bool>("factored");
    QTest::newRow("factored head") << true;
    QTest::newRow("upsampled head") << false;
}

std::map<std::string, int> opCounts(const onnx::GraphProto &graph)
{
    std::map<std::string, int> counts;
    for (const auto &n : graph.node())
        ++counts[n.op_type()];
    return counts;
}

} // namespace

class TestOnnxExporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        at::set_num_threads(2);
        std::string why;
        QVERIFY2(core::OnnxRuntimeNode().available(&why), why.c_str()); // fail, never skip
    }

    void fp32MatchesLibTorchInOnnxRuntime_data()
    {
        QTest::addColumn<QString>("backbone");
        QTest::addColumn<int>("opset");
        QTest::addColumn<int>("inChannels");
        QTest::addColumn<bool>("factored"); // the pyramid head (OnnxExportOptions)
        QTest::addColumn<int>("kernel");    // the bottleneck's
        QTest::newRow("resnet18 opset 11") << "resnet18" << 11 << 3 << true << 3;
        QTest::newRow("resnet18 opset 13 gray") << "resnet18" << 13 << 1 << true << 3;
        QTest::newRow("resnet18 opset 17") << "resnet18" << 17 << 3 << true << 3;
        QTest::newRow("resnet18 opset 13 upsampled") << "resnet18" << 13 << 3 << false << 3;
        QTest::newRow("resnet18 opset 11 1x1 bottleneck") << "resnet18" << 11 << 3 << true << 1;
        QTest::newRow("mobilenet_v3_large opset 11")
            << "mobilenet_v3_large" << 11 << 3 << true << 3;
        QTest::newRow("mobilenet_v3_large opset 17")
            << "mobilenet_v3_large" << 17 << 3 << true << 3;
        QTest::newRow("efficientnet_b0 opset 13") << "efficientnet_b0" << 13 << 3 << true << 3;
        QTest::newRow("convnext_tiny opset 17") << "convnext_tiny" << 17 << 3 << true << 3;
    }

    void fp32MatchesLibTorchInOnnxRuntime()
    {
        QFETCH(QString, backbone);
        QFETCH(int, opset);
        QFETCH(int, inChannels);
        QFETCH(bool, factored);
        QFETCH(int, kernel);
        torch::manual_seed(3);
        auto config = tinyConfig(backbone.toStdString(), inChannels);
        config.bottleneck_kernel = kernel;
        auto model = models::createModel(config);
        makeLogitsOrderOne(model);
        core::OnnxExportOptions options;
        options.opset = opset;
        options.metadata = metadata();
        options.factorPyramidHead = factored;
        const onnx::ModelProto proto = core::buildOnnxModel(model, options);
        QVERIFY_THROWS_NO_EXCEPTION(core::checkOnnxModel(proto));
        // The upsampled head concatenates the features and the four upsampled branches.
        int pyramidConcats = 0;
        for (const auto &n : proto.graph().node())
            pyramidConcats += n.op_type() == "Concat" && n.input_size() == 5;
        QCOMPARE(pyramidConcats, factored ? 0 : 1);
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.onnx").toStdString();
        core::saveOnnxModel(proto, path);

        core::ExportValidationSettings settings; // 33x47, 64x64, 97x71
        const core::ExportReport report = core::ExportValidator(settings, core::OnnxRuntimeNode())
                                              .validate(model, proto, path, nullptr, {});
        QCOMPARE(QString::fromStdString(report.checkerFp32), QStringLiteral("passed"));
        QCOMPARE(report.fp32Sizes.size(), size_t(3));
        const double scale =
            model->forward(at::randn({1, inChannels, 64, 64})).logits.abs().max().item<double>();
        QVERIFY2(scale > 0.1, qPrintable(QString::number(scale)));
        for (const auto &s : report.fp32Sizes) {
            qInfo("%s opset %d %lldx%lld: max |onnx - libtorch| = %.3g (max |logit| %.3g)",
                  qPrintable(backbone), opset, (long long)s.height, (long long)s.width,
                  s.maxAbsDiff, scale);
            QVERIFY(s.maxAbsDiff <= 1e-4);
        }
        QCOMPARE(QString::fromStdString(report.fp32Status), QStringLiteral("passed"));
        QVERIFY(report.passed());
    }

    // OpenCV 4.6's dnn cannot evaluate the shape subgraphs of the dynamic model; the static
    // export (a fixed input size) runs in it, for every backbone.
    void fp32StaticMatchesLibTorchInOpenCvDnn_data()
    {
        QTest::addColumn<QString>("backbone");
        for (const auto &b : models::availableBackbones())
            QTest::newRow(b.c_str()) << QString::fromStdString(b);
    }

    void fp32StaticMatchesLibTorchInOpenCvDnn()
    {
        QFETCH(QString, backbone);
        torch::manual_seed(4);
        auto model = models::createModel(tinyConfig(backbone.toStdString()));
        makeLogitsOrderOne(model);
        for (const auto &size : core::ExportValidationSettings().sizes) { // 33x47, 64x64, 97x71
            core::OnnxExportOptions options;
            options.opset = 13;
            options.staticSize = size;
            const onnx::ModelProto proto = core::buildOnnxModel(model, options);
            QVERIFY_THROWS_NO_EXCEPTION(core::checkOnnxModel(proto));
            for (const auto &n : proto.graph().node())
                QVERIFY2(n.op_type() != "Shape", n.name().c_str());
            std::string bytes;
            proto.SerializeToString(&bytes);
            cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
            QVERIFY(!net.empty());

            const at::Tensor input = at::randn({1, 3, size[0], size[1]});
            const int dims[] = {1, 3, int(size[0]), int(size[1])};
            const cv::Mat blob(4, dims, CV_32F, input.data_ptr<float>());
            net.setInput(blob);
            const cv::Mat out = net.forward("logits");
            QCOMPARE(out.dims, 4);
            QCOMPARE(out.size[1], int(model->config.num_classes));
            QCOMPARE(out.size[2], int(size[0]));
            QCOMPARE(out.size[3], int(size[1]));
            const at::Tensor cvLogits = at::from_blob(const_cast<float *>(out.ptr<float>()),
                                                      {1, out.size[1], out.size[2], out.size[3]});
            torch::NoGradGuard no_grad;
            const at::Tensor reference = model->forward(input).logits;
            const double diff = (cvLogits - reference).abs().max().item<double>();
            qInfo("%s %lldx%lld in OpenCV dnn: max |opencv - libtorch| = %.3g (max |logit| "
                  "%.3g)",
                  qPrintable(backbone), (long long)size[0], (long long)size[1], diff,
                  reference.abs().max().item<double>());
            QVERIFY(diff <= 1e-4);

            // The same file in ONNX Runtime, at its one size.
            QTemporaryDir dir;
            const std::string path = dir.filePath("static.onnx").toStdString();
            core::saveOnnxModel(proto, path);
            core::ExportValidationSettings settings;
            settings.sizes = {size};
            const auto report = core::ExportValidator(settings, core::OnnxRuntimeNode())
                                    .validate(model, proto, path, nullptr, {});
            QCOMPARE(QString::fromStdString(report.fp32Status), QStringLiteral("passed"));
            QVERIFY(report.fp32Sizes.at(0).maxAbsDiff <= 1e-4);
        }
    }

    void poolingIsExactAtSizesSmallerThanTheBins_data() { addPyramidHeadRows(); }

    void poolingIsExactAtSizesSmallerThanTheBins()
    {
        // 7x7 bins on a 2x3 feature map (64x96 input at stride 32): overlapping bins, and the
        // factored head's maps from 7 cells to 1, 2 or 3 positions.
        QFETCH(bool, factored);
        torch::manual_seed(5);
        auto config = tinyConfig("resnet18");
        auto model = models::createModel(config);
        makeLogitsOrderOne(model);
        core::OnnxExportOptions options;
        options.factorPyramidHead = factored;
        const auto proto = core::buildOnnxModel(model, options);
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.onnx").toStdString();
        core::saveOnnxModel(proto, path);
        core::ExportValidationSettings settings;
        settings.sizes = {{64, 96}, {1, 1}, {40, 200}};
        const auto report = core::ExportValidator(settings, core::OnnxRuntimeNode())
                                .validate(model, proto, path, nullptr, {});
        for (const auto &s : report.fp32Sizes)
            QVERIFY2(s.maxAbsDiff <= 1e-4, qPrintable(QString::number(s.maxAbsDiff)));
    }

    void metadataAndModelCardCarryThePreprocessing()
    {
        auto model = models::createModel(tinyConfig("resnet18", 1));
        model->eval();
        core::OnnxExportOptions options;
        options.metadata = metadata();
        options.argmaxOutput = true;
        options.softmaxOutput = true;
        const auto proto = core::buildOnnxModel(model, options);
        QVERIFY_THROWS_NO_EXCEPTION(core::checkOnnxModel(proto));
        std::map<std::string, std::string> props;
        for (const auto &p : proto.metadata_props())
            props[p.key()] = p.value();
        QCOMPARE(props.at("medseg.input_channels"), std::string("1"));
        QCOMPARE(props.at("medseg.model_version"), std::string("7"));
        QCOMPARE(props.at("medseg.training_data"),
                 std::string("40 slices from 2 patients; 3 classes"));
        const auto classes = nlohmann::json::parse(props.at("medseg.classes"));
        QCOMPARE(classes.size(), size_t(3));
        QCOMPARE(classes[1]["name"].get<std::string>(), std::string("liver"));
        QCOMPARE(classes[1]["colour"][0].get<int>(), 255);
        const auto pre = nlohmann::json::parse(props.at("medseg.preprocessing"));
        QCOMPARE(pre["intensity"][0]["scheme"].get<std::string>(), std::string("window"));
        QCOMPARE(pre["intensity"][0]["window"]["center"].get<double>(), 60.0);
        QCOMPARE(pre["intensity"][0]["window"]["width"].get<double>(), 350.0);
        // What medseg reads back from the file is the rule it was given.
        const core::Preprocessing back = core::preprocessingFromJson(pre.dump());
        QCOMPARE(back.intensity.at(0).windowWidth, 350.0);
        QCOMPARE(pre["mean"].size(), size_t(3));
        const auto card = nlohmann::json::parse(core::modelCardJson(model->config, options));
        QCOMPARE(card["model"]["backbone"].get<std::string>(), std::string("resnet18"));
        QCOMPARE(card["onnx"]["outputs"].size(), size_t(3));
        QCOMPARE(card["preprocessing"]["input_channels"].get<int>(), 1);
        QCOMPARE(QString::fromStdString(core::modelCardPath("/a/b/model.onnx")),
                 QStringLiteral("/a/b/model.modelcard.json"));

        // The extra outputs: probabilities sum to 1, labels are the argmax of the logits.
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.onnx").toStdString();
        core::saveOnnxModel(proto, path);
        const auto input = at::randn({2, 1, 37, 41});
        const auto out =
            core::OnnxRuntimeNode().run(path, {input}, {"logits", "probabilities", "labels"})[0];
        QCOMPARE(out.at("labels").sizes().vec(), (std::vector<int64_t>{2, 37, 41}));
        QVERIFY(out.at("labels").equal(out.at("logits").argmax(1)));
        QVERIFY((out.at("probabilities").sum(1) - 1).abs().max().item<double>() < 1e-5);
    }

    void int8ProfilesAgreeWithFp32_data()
    {
        QTest::addColumn<QString>("backbone");
        QTest::addColumn<bool>("tensorrt");
        QTest::addColumn<bool>("percentile");
        for (const auto &b : models::availableBackbones())
            QTest::newRow((b + " cpu minmax").c_str())
                << QString::fromStdString(b) << false << false;
        QTest::newRow("resnet18 tensorrt percentile") << "resnet18" << true << true;
        QTest::newRow("efficientnet_b0 tensorrt minmax") << "efficientnet_b0" << true << false;
    }

    void int8ProfilesAgreeWithFp32()
    {
        QFETCH(QString, backbone);
        QFETCH(bool, tensorrt);
        QFETCH(bool, percentile);
        auto known = m_fitted.find(backbone.toStdString());
        if (known == m_fitted.end()) {
            torch::manual_seed(11);
            auto config = tinyConfig(backbone.toStdString());
            config.output_stride = 8;
            models::PSPNet model = models::createModel(config);
            QElapsedTimer timer;
            timer.start();
            // ConvNeXt-Tiny (28 M parameters) takes over a second a step here: half the steps.
            fit(model, backbone == QStringLiteral("convnext_tiny") ? 30 : 60);
            qInfo("%s fitted in %.1f s", qPrintable(backbone), timer.elapsed() / 1000.0);
            known = m_fitted.emplace(backbone.toStdString(), model).first;
        }
        models::PSPNet &fitted = known->second;
        torch::manual_seed(12);
        core::OnnxExportOptions options;
        options.opset = 13;
        for (int i = 0; i < 4; ++i)
            options.calibrationBatches.push_back(syntheticBatch(2, 3, 48, 48).first);
        const auto fp32 = core::buildOnnxModel(fitted, options);
        options.int8 = tensorrt ? core::QuantProfile::TensorRT : core::QuantProfile::Cpu;
        options.calibration =
            percentile ? core::CalibrationMethod::Percentile : core::CalibrationMethod::MinMax;
        const auto int8 = core::buildOnnxModel(fitted, options);
        QTemporaryDir dir;
        const std::string fp32Path = dir.filePath("fp32.onnx").toStdString();
        const std::string int8Path = dir.filePath("int8.onnx").toStdString();
        core::saveOnnxModel(fp32, fp32Path);
        core::saveOnnxModel(int8, int8Path);

        core::ExportValidationSettings settings;
        for (int i = 0; i < 4; ++i) {
            auto [x, y] = syntheticBatch(2, 3, 64, 80);
            settings.validationInputs.push_back(x);
            settings.validationLabels.push_back(y);
        }
        const auto report = core::ExportValidator(settings, core::OnnxRuntimeNode())
                                .validate(fitted, fp32, fp32Path, &int8, int8Path);
        {
            torch::NoGradGuard no_grad;
            const auto p = fitted->forward(settings.validationInputs[0]).logits.argmax(1);
            qInfo("libtorch foreground fraction %.3f, fp32 check %s",
                  p.ne(0).to(at::kFloat).mean().item<double>(), report.fp32Status.c_str());
        }
        qInfo("%s %s: agreement %.4f, dice fp32 %.4f int8 %.4f (drop %.4f), %lld / %lld bytes",
              qPrintable(backbone), tensorrt ? "tensorrt" : "cpu", report.argmaxAgreement,
              report.diceFp32, report.diceInt8, report.diceDrop, (long long)report.int8Bytes,
              (long long)report.fp32Bytes);
        QCOMPARE(QString::fromStdString(report.checkerInt8), QStringLiteral("passed"));
        QCOMPARE(QString::fromStdString(report.fp32Status), QStringLiteral("passed"));
        QVERIFY(report.diceFp32 > 0.3); // the fitted model learned the pattern
        QVERIFY(report.argmaxAgreement >= 0.99);
        QVERIFY(report.diceDrop <= 0.01);
        QCOMPARE(QString::fromStdString(report.int8Status), QStringLiteral("passed"));
        const double ratio = double(report.int8Bytes) / double(report.fp32Bytes);
        QVERIFY2(ratio > 0.2 && ratio < 0.32, qPrintable(QString::number(ratio)));
    }

    // The int8 graph in the QDQ form that ONNX Runtime fuses into int8 ops (a node whose every
    // input comes from DequantizeLinear and whose output goes only to QuantizeLinear): every
    // residual add of PSPNet-ResNet18 with its ReLU (the last one too, whose sum feeds the whole
    // pyramid, so that it has several consumers) and, in the upsampled head, the pyramid's
    // concatenation, in the factored head the sum of the bottleneck's two shares. Measured in
    // ONNX Runtime 1.20 (bench/README.md): QLinearAdd and QLinearConcat, no float Add, ReLU,
    // Concat or Transpose of the features left.
    void int8ResidualsAndPyramidAreQuantizedNodeUnits_data() { addPyramidHeadRows(); }

    void int8ResidualsAndPyramidAreQuantizedNodeUnits()
    {
        QFETCH(bool, factored);
        torch::manual_seed(13);
        auto config = tinyConfig("resnet18");
        config.output_stride = 8;
        models::PSPNet model = models::createModel(config);
        makeLogitsOrderOne(model);
        core::OnnxExportOptions options;
        options.opset = 13;
        options.int8 = core::QuantProfile::Cpu;
        options.factorPyramidHead = factored;
        for (int i = 0; i < 2; ++i)
            options.calibrationBatches.push_back(syntheticBatch(2, 3, 48, 48).first);
        const onnx::ModelProto int8 = core::buildOnnxModel(model, options);
        const onnx::GraphProto &graph = int8.graph();

        const GraphIndex index(graph);
        int adds = 0;
        int concats = 0;
        for (const auto &n : graph.node()) {
            if (n.op_type() == "Add" && index.producedBy(n.input(0), "DequantizeLinear")) {
                ++adds;
                QVERIFY2(index.producedBy(n.input(1), "DequantizeLinear"), n.name().c_str());
                const onnx::NodeProto *relu = index.onlyReader(n.output(0));
                QVERIFY2(relu && relu->op_type() == "Relu", n.name().c_str());
                QVERIFY2(index.onlyQuantized(n.output(0)), n.name().c_str());
            }
            if (n.op_type() == "Concat" && n.input_size() == 5) {
                ++concats;
                for (const auto &i : n.input())
                    QVERIFY2(index.producedBy(i, "DequantizeLinear"), i.c_str());
                QVERIFY(index.onlyQuantized(n.output(0)));
            }
            // Shapes are read from uint8 tensors, which keeps no float copy alive for them.
            if (n.op_type() == "Shape")
                QVERIFY2(n.input(0) == "input" || index.producedBy(n.input(0), "QuantizeLinear"),
                         n.input(0).c_str());
        }
        auto ops = opCounts(graph);
        if (factored) {
            QCOMPARE(adds, 8 + 1); // ResNet18's eight basic blocks and the bottleneck's shares
            QCOMPARE(concats, 0);
            QCOMPARE(ops["Resize"], 1); // the logits only
        } else {
            QCOMPARE(adds, 8);
            QCOMPARE(concats, 1);
            // The 1x1 branch is broadcast, the other three branches and the logits resized.
            QCOMPARE(ops["Expand"], 1);
            QCOMPARE(ops["Resize"], 4);
        }
    }

    // MobileNetV3's hard-swish and EfficientNet's SiLU (x times its gate) and the squeeze-
    // excitation scaling in the QDQ form of an int8 Mul, the gates quantized (QLinearSigmoid
    // for SiLU's): ONNX Runtime then runs them in int8 instead of in float between
    // DequantizeLinear and QuantizeLinear with transposes around them (bench/README.md).
    void int8GatesAreQuantizedNodeUnits_data()
    {
        QTest::addColumn<QString>("backbone");
        QTest::addColumn<QString>("activation");
        QTest::newRow("mobilenet_v3_large") << "mobilenet_v3_large"
                                            << "hardswish";
        QTest::newRow("efficientnet_b0") << "efficientnet_b0"
                                         << "silu";
    }

    void int8GatesAreQuantizedNodeUnits()
    {
        QFETCH(QString, backbone);
        QFETCH(QString, activation);
        torch::manual_seed(15);
        models::PSPNet model = models::createModel(tinyConfig(backbone.toStdString()));
        makeLogitsOrderOne(model);
        core::OnnxExportOptions options;
        options.opset = 17; // where fp32 writes one HardSwish op
        options.int8 = core::QuantProfile::Cpu;
        options.calibrationBatches = {syntheticBatch(2, 3, 48, 48).first};
        const onnx::GraphProto graph = core::buildOnnxModel(model, options).graph();
        const GraphIndex index(graph);
        int gates = 0;
        int scalings = 0;
        int adds = 0;
        for (const auto &n : graph.node()) {
            const QString out = QString::fromStdString(n.output(0));
            const bool gate = n.op_type() == "Mul" && out.startsWith(activation + QLatin1Char('_'));
            const bool scaling = n.op_type() == "Mul" && out.startsWith(QStringLiteral("mul_"));
            // The residual adds too, as ResNet's (int8ResidualsAndPyramidAreQuantizedNodeUnits).
            const bool add = n.op_type() == "Add" && out.startsWith(QStringLiteral("add_"));
            if (!gate && !scaling && !add)
                continue;
            gates += gate;
            scalings += scaling;
            adds += add;
            QVERIFY2(index.producedBy(n.input(0), "DequantizeLinear"), n.name().c_str());
            QVERIFY2(index.producedBy(n.input(1), "DequantizeLinear"), n.name().c_str());
            QVERIFY2(index.onlyQuantized(n.output(0)),
                     (n.name() + " read by " + index.readers(n.output(0))).c_str());
        }
        QVERIFY(gates > 10);
        QVERIFY(scalings > 5);
        QVERIFY(adds >= 5);
        QCOMPARE(opCounts(graph)["HardSwish"], 0);
    }

    // Point 4's file sizes at the real head (512-channel bottleneck over 1024 or 1920
    // channels), where the factored head's channel-mixing weights would weigh 9 to 18 MB in
    // float: every weight of the int8 model is stored in 8 bits.
    void int8IsAQuarterOfFp32AtFullSize_data()
    {
        QTest::addColumn<QString>("backbone");
        QTest::newRow("resnet18") << "resnet18";
        QTest::newRow("mobilenet_v3_large") << "mobilenet_v3_large";
    }

    void int8IsAQuarterOfFp32AtFullSize()
    {
        QFETCH(QString, backbone);
        torch::manual_seed(14);
        models::ModelConfig config; // output stride 8, bins 1 3 5 7, bottleneck 512
        config.backbone = backbone.toStdString();
        models::PSPNet model = models::createModel(config);
        model->eval();
        core::OnnxExportOptions options;
        options.opset = 13;
        const size_t fp32 = core::buildOnnxModel(model, options).ByteSizeLong();
        options.int8 = core::QuantProfile::Cpu;
        options.calibrationBatches = {at::randn({1, 3, 48, 48})};
        const size_t int8 = core::buildOnnxModel(model, options).ByteSizeLong();
        const double ratio = double(int8) / double(fp32);
        qInfo("%s: int8 %zu / fp32 %zu bytes = %.3f", qPrintable(backbone), int8, fp32, ratio);
        QVERIFY2(ratio > 0.22 && ratio < 0.28, qPrintable(QString::number(ratio)));
    }

    void int8NeedsOpset13AndCalibration()
    {
        auto model = models::createModel(tinyConfig("resnet18"));
        model->eval();
        core::OnnxExportOptions options;
        options.int8 = core::QuantProfile::Cpu;
        options.opset = 11;
        options.calibrationBatches = {at::randn({1, 3, 32, 32})};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, core::buildOnnxModel(model, options));
        options.opset = 13;
        options.calibrationBatches.clear();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, core::buildOnnxModel(model, options));
    }

private:
    std::map<std::string, models::PSPNet> m_fitted;
};

QTEST_GUILESS_MAIN(TestOnnxExporter)
#include "tst_OnnxExporter.moc"
