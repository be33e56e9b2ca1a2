#include "core/export/ModelExport.h"

#include "core/export/TorchScriptExporter.h"
#include "core/train/NetworkInput.h"

#include <nlohmann/json.hpp>
#include <torch/csrc/jit/serialization/import.h>

#include <cstdio>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <unistd.h>

namespace medseg::core {
namespace fs = std::filesystem;

std::string resolveExportModel(const std::string &modelOrRun)
{
    std::error_code error;
    if (!fs::is_directory(modelOrRun, error))
        return modelOrRun;
    for (const char *name : {"best.pt", "final.pt", "model.pt"}) {
        const fs::path candidate = fs::path(modelOrRun) / name;
        if (fs::exists(candidate, error))
            return candidate.string();
    }
    throw std::runtime_error(modelOrRun + ": this run has no model yet (no best.pt or final.pt)");
}

at::Tensor exportNetworkInput(const at::Tensor &image, const ModelBundle &bundle)
{
    if (image.dim() != 3)
        throw std::invalid_argument("export slices must be [C, H, W] 8-bit images");
    // The network's input as training and prediction make it: at the trained input size, so
    // that calibration ranges and the checks see what the network saw.
    return networkInput(image.to(at::kFloat).div(255.0).unsqueeze(0), bundle.preprocessing,
                        bundle.config.in_channels);
}

namespace {

ExportMetadata metadataOf(const ModelBundle &bundle)
{
    ExportMetadata m;
    for (const ModelClass &c : bundle.classes)
        m.classes.push_back({c.index, c.name, c.colour});
    m.hasWindow = bundle.preprocessing.hasWindow;
    m.windowCenter = bundle.preprocessing.windowCenter;
    m.windowWidth = bundle.preprocessing.windowWidth;
    m.mean = bundle.preprocessing.mean;
    m.std = bundle.preprocessing.std;
    m.inputSize = bundle.preprocessing.inputSize;
    m.inputResize = toString(bundle.preprocessing.resize);
    m.modelVersion = bundle.version;
    m.datasetSummary = bundle.datasetSummary;
    m.createdAt = bundle.createdAt;
    m.trainingPlan = bundle.trainingPlan;
    return m;
}

void report(ProgressSink *progress, int done, const char *stage)
{
    if (progress && !progress->progress(done, 4, stage))
        throw CancelledError();
}

// The model card of a TorchScript archive: the ONNX card's model, classes and preprocessing,
// with the TorchScript interface instead of the ONNX one.
std::string torchScriptModelCard(const models::ModelConfig &config,
                                 const OnnxExportOptions &options)
{
    nlohmann::json card = nlohmann::json::parse(modelCardJson(config, options));
    card.erase("onnx");
    card["torchscript"] = {
        {"load", "torch::jit::load (C++) or torch.jit.load (Python); eval mode, BatchNorm folded"},
        {"inputs",
         {{{"name", "input"}, {"shape", {"batch", config.in_channels, "height", "width"}}}}},
        {"outputs",
         {{{"name", "logits"}, {"shape", {"batch", config.num_classes, "height", "width"}}}}},
        {"archive_entry", kTorchScriptModelCard}};
    return card.dump(2) + "\n";
}

// Writes the archive and its card, then loads the archive back and checks it against the
// network at the validation sizes.
ModelExportResult exportTorchScript(const ModelExportJob &job, models::PSPNet &model,
                                    const OnnxExportOptions &options,
                                    const ExportValidationSettings &settings,
                                    ModelExportResult result, ProgressSink *progress)
{
    if (options.int8 || options.staticSize || options.softmaxOutput || options.argmaxOutput)
        throw std::invalid_argument("TorchScript export is fp32 with dynamic sizes and the logits "
                                    "as its one output: int8, a static size and extra outputs "
                                    "are ONNX options");
    report(progress, 1, "writing TorchScript");
    const std::string card = torchScriptModelCard(model->config, options);
    saveTorchScriptModel(model, job.output, card);
    result.onnxPath = job.output;
    result.modelCardPath = modelCardPath(job.output);
    writeTextFile(result.modelCardPath, card);

    report(progress, 2, "validating with torch::jit::load");
    ExportReport &r = result.report;
    r.format = "torchscript";
    std::error_code ec;
    r.fp32Bytes = static_cast<int64_t>(fs::file_size(job.output, ec));
    try {
        torch::jit::Module loaded = torch::jit::load(job.output, at::kCPU);
        torch::NoGradGuard no_grad;
        at::manual_seed(static_cast<uint64_t>(settings.seed));
        bool ok = true;
        for (const auto &[h, w] : settings.sizes) {
            const at::Tensor input = at::randn({1, model->config.in_channels, h, w});
            const at::Tensor reference = model->forward(input).logits;
            const at::Tensor got = loaded.forward({input}).toTensor();
            SizeCheck check{h, w, std::numeric_limits<double>::infinity()};
            if (got.sizes() == reference.sizes())
                check.maxAbsDiff = (got - reference).abs().max().item<double>();
            ok = ok && check.maxAbsDiff <= settings.maxAbsDiff;
            r.fp32Sizes.push_back(check);
        }
        r.checkerFp32 = "passed";
        r.fp32Status = ok ? "passed" : "failed";
    } catch (const c10::Error &error) {
        r.checkerFp32 = error.what_without_backtrace();
        r.fp32Status = "failed";
    }
    result.reportPath = exportReportPath(job.output);
    writeTextFile(result.reportPath, r.toJson());
    report(progress, 4, "done");
    return result;
}

} // namespace

ModelExportResult exportModel(const ModelExportJob &job, ProgressSink *progress)
{
    if (job.output.empty())
        throw std::invalid_argument("no output file given");
    ModelExportResult result;
    result.modelPath = resolveExportModel(job.model);

    report(progress, 0, "loading the model");
    models::PSPNet model{nullptr};
    const ModelBundle bundle = loadModelBundle(result.modelPath, &model);
    model->eval();

    OnnxExportOptions options = job.options;
    options.metadata = metadataOf(bundle);
    for (const at::Tensor &image : job.calibrationImages)
        options.calibrationBatches.push_back(exportNetworkInput(image, bundle));
    if (options.int8 && options.calibrationBatches.empty())
        throw std::invalid_argument("int8 export needs calibration slices");
    ExportValidationSettings settings;
    for (const at::Tensor &image : job.validationImages)
        settings.validationInputs.push_back(exportNetworkInput(image, bundle));
    if (job.validationMasks.size() == job.validationImages.size()) {
        for (const at::Tensor &mask : job.validationMasks)
            settings.validationLabels.push_back(mask.to(at::kLong).unsqueeze(0));
    }
    if (options.staticSize) {
        // A static model takes one size: it is checked there, on slices resized to it.
        const auto [h, w] = *options.staticSize;
        settings.sizes = {{h, w}};
        for (at::Tensor &input : settings.validationInputs)
            input = at::upsample_bilinear2d(input, {h, w}, /*align_corners=*/false);
        for (at::Tensor &labels : settings.validationLabels)
            labels = at::upsample_nearest2d(labels.unsqueeze(1).to(at::kFloat), {h, w})
                         .squeeze(1)
                         .to(at::kLong);
    }

    if (job.format == ExportFormat::TorchScript)
        return exportTorchScript(job, model, options, settings, std::move(result), progress);

    report(progress, 1, "building the ONNX graph");
    result.onnxPath = job.output;
    const fs::path outputFolder = fs::absolute(job.output).parent_path();
    OnnxExportOptions fp32Options = options;
    fp32Options.int8.reset();
    const onnx::ModelProto fp32 = buildOnnxModel(model, fp32Options);
    // With int8 the fp32 model is only a reference for validation: it goes to a scratch file.
    const std::string fp32Path =
        options.int8
            ? (outputFolder / (".medseg-fp32-" + std::to_string(::getpid()) + ".onnx")).string()
            : job.output;
    saveOnnxModel(fp32, fp32Path);
    struct ScratchRemover
    {
        std::string path;
        ~ScratchRemover()
        {
            if (!path.empty())
                std::remove(path.c_str());
        }
    } scratch{options.int8 ? fp32Path : std::string()};
    onnx::ModelProto int8;
    if (options.int8) {
        int8 = buildOnnxModel(model, options);
        saveOnnxModel(int8, job.output);
    }
    result.modelCardPath = modelCardPath(job.output);
    writeTextFile(result.modelCardPath, modelCardJson(model->config, options));

    report(progress, 2, "validating with ONNX Runtime");
    result.report =
        ExportValidator(settings, OnnxRuntimeNode())
            .validate(model, fp32, fp32Path, options.int8 ? &int8 : nullptr, job.output);
    result.reportPath = exportReportPath(job.output);
    writeTextFile(result.reportPath, result.report.toJson());
    report(progress, 4, "done");
    return result;
}

} // namespace medseg::core
