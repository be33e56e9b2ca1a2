// Writes the models bench/onnx_latency.js compares: a PSPNet (ResNet18 unless --backbone says
// otherwise) at the default configuration (output stride 8, bins 1 3 5 7, 512-channel
// bottleneck), briefly fitted on a synthetic pattern so that its argmax means something,
// exported as fp32 and as the int8 CPU profile (pspnet_NAME_fp32.onnx, pspnet_NAME_int8_cpu.onnx)
// with the export validation (export-report.json) at 512x512 beside them, and the same pair with
// the upsampled pyramid head (..._upsampled.onnx), the form exported before the factored one.
// Usage: medseg-bench-export OUT_DIR [--steps N] [--size N] [--backbone NAME]

#include "core/export/ExportValidator.h"
#include "core/export/OnnxExporter.h"
#include "models/Registry.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

using namespace medseg;

namespace {

std::pair<at::Tensor, at::Tensor> synthetic(int64_t n, int64_t size)
{
    at::Tensor images = at::randn({n, 3, size, size}) * 0.3;
    at::Tensor labels = at::zeros({n, size, size}, at::kLong);
    const auto ys = at::arange(size).view({size, 1}).expand({size, size});
    const auto xs = at::arange(size).view({1, size}).expand({size, size});
    for (int64_t i = 0; i < n; ++i) {
        const int64_t cy = at::randint(size / 4, 3 * size / 4, {1}).item<int64_t>();
        const int64_t cx = at::randint(size / 4, 3 * size / 4, {1}).item<int64_t>();
        const int64_t r = size / 5;
        const auto disk = (ys - cy).pow(2) + (xs - cx).pow(2) < r * r;
        labels[i].masked_fill_(disk, 1);
        images[i].add_(disk.to(at::kFloat) * 1.5);
    }
    return {images, labels};
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR [--steps N] [--size N] [--backbone NAME]\n",
                     argv[0]);
        return 2;
    }
    const std::string out = argv[1];
    int steps = 30;
    int64_t size = 512;
    models::ModelConfig config; // resnet18, os 8, bins 1 3 5 7, bottleneck 512
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--steps"))
            steps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--size"))
            size = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--backbone"))
            config.backbone = argv[i + 1];
    }
    std::filesystem::create_directories(out);
    at::set_num_threads(2);
    torch::manual_seed(1);
    config.num_classes = 2;
    auto model = models::createModel(config);
    model->train();
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    for (int s = 0; s < steps; ++s) {
        auto [x, y] = synthetic(2, 64);
        optimizer.zero_grad();
        const auto loss = torch::nn::functional::cross_entropy(model->forward(x).logits, y);
        loss.backward();
        optimizer.step();
        std::printf("step %d loss %.4f\n", s, loss.item<double>());
    }
    model->eval();
    core::OnnxExportOptions options;
    options.opset = 13;
    const auto fp32 = core::buildOnnxModel(model, options);
    for (int i = 0; i < 8; ++i)
        options.calibrationBatches.push_back(synthetic(1, 256).first);
    options.int8 = core::QuantProfile::Cpu;
    const auto int8 = core::buildOnnxModel(model, options);
    const std::string stem = out + "/pspnet_" + config.backbone;
    const std::string fp32Path = stem + "_fp32.onnx";
    const std::string int8Path = stem + "_int8_cpu.onnx";
    core::saveOnnxModel(fp32, fp32Path);
    core::saveOnnxModel(int8, int8Path);
    options.factorPyramidHead = false; // validated by tst_OnnxExporter
    core::saveOnnxModel(core::buildOnnxModel(model, options), stem + "_int8_cpu_upsampled.onnx");
    options.int8.reset();
    core::saveOnnxModel(core::buildOnnxModel(model, options), stem + "_fp32_upsampled.onnx");
    core::ExportValidationSettings settings;
    settings.sizes = {{size, size}, {97, 71}, {255, 257}};
    settings.threads = 2;
    for (int i = 0; i < 4; ++i) {
        auto [x, y] = synthetic(1, size);
        settings.validationInputs.push_back(x);
        settings.validationLabels.push_back(y);
    }
    const auto report = core::ExportValidator(settings, core::OnnxRuntimeNode())
                            .validate(model, fp32, fp32Path, &int8, int8Path);
    core::writeTextFile(out + "/export-report.json", report.toJson());
    std::printf("%s", report.toJson().c_str());
    return report.passed() ? 0 : 1;
}
