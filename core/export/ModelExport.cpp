#include "core/export/ModelExport.h"

#include "core/export/TorchScriptExporter.h"
#include "core/train/NetworkInput.h"

#include <nlohmann/json.hpp>
#include <torch/csrc/jit/serialization/import.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
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
        throw std::invalid_argument("export slices must be [C, H, W] images");
    const Preprocessing &p = bundle.preprocessing;
    if (p.adjacentSlices > 1 && image.size(0) != p.networkChannels())
        throw std::invalid_argument("this model reads " + std::to_string(p.adjacentSlices) +
                                    " adjacent slices per image channel (2.5D, " +
                                    std::to_string(p.networkChannels()) +
                                    " channels); export slices with " +
                                    std::to_string(image.size(0)) + " do not have them");
    // The network's input as training and prediction make it: at the trained input size, so
    // that calibration ranges and the checks see what the network saw.
    return networkInput(unitOf(image), bundle.preprocessing, bundle.config.in_channels);
}

Preprocessing exportedPreprocessing(const std::string &exportedPath, ExportFormat format)
{
    if (format == ExportFormat::TorchScript) {
        const std::string card = modelCardPath(exportedPath);
        std::ifstream file(card);
        if (!file)
            throw std::runtime_error(card + ": cannot read the model card");
        try {
            return preprocessingFromJson(nlohmann::json::parse(file).at("preprocessing").dump(),
                                         card);
        } catch (const nlohmann::json::exception &error) {
            throw std::runtime_error(card + ": " + error.what());
        }
    }
    onnx::ModelProto proto;
    std::ifstream file(exportedPath, std::ios::binary);
    if (!file || !proto.ParseFromIstream(&file))
        throw std::runtime_error(exportedPath + ": cannot read the ONNX file back");
    for (const auto &prop : proto.metadata_props())
        if (prop.key() == "medseg.preprocessing")
            return preprocessingFromJson(prop.value(), exportedPath);
    throw std::runtime_error(exportedPath + ": no medseg.preprocessing metadata");
}

namespace {

// Slices of a case through `p`'s rules (resolved on the whole case) and its input geometry.
at::Tensor caseInput(const at::Tensor &raw, const Preprocessing &p, int inChannels, bool invert,
                     const std::vector<std::int64_t> &slices)
{
    const at::Tensor values = raw.to(at::kFloat).contiguous();
    const std::int64_t channels = values.size(0);
    if (channels != p.imageChannels())
        throw std::runtime_error("the check image has " + std::to_string(channels) +
                                 " channel(s); the model reads " +
                                 std::to_string(p.imageChannels()));
    std::vector<VolumeIntensity> rules;
    std::vector<const float *> starts;
    const std::size_t voxels = std::size_t(values[0].numel());
    for (std::int64_t c = 0; c < channels; ++c) {
        const float *data = values.data_ptr<float>() + std::size_t(c) * voxels;
        rules.push_back(volumeIntensity(p.channelRule(int(c)), data, voxels, c == 0 && invert));
        starts.push_back(data);
    }
    const std::int64_t h = values.size(2), w = values.size(3);
    std::vector<at::Tensor> inputs;
    for (const std::int64_t k : slices)
        inputs.push_back(
            networkInput(caseSlices(rules, starts, values.size(1), k, 1, h, w, p.adjacentSlices), p,
                         inChannels));
    return at::cat(inputs);
}

// Runs the input check on the job's case (or its validation slices): the file's preprocessing
// against the model's, on the same values.
void checkInputs(const ModelExportJob &job, const ModelBundle &bundle, const std::string &exported,
                 ExportReport &r)
{
    try {
        const Preprocessing fromFile = exportedPreprocessing(exported, job.format);
        at::Tensor expected, got;
        if (job.checkCase.defined()) {
            const std::int64_t depth = job.checkCase.size(1);
            std::vector<std::int64_t> slices;
            for (std::int64_t k : {depth / 4, depth / 2, (3 * depth) / 4})
                if (slices.empty() || slices.back() != k)
                    slices.push_back(k);
            const int in = bundle.config.in_channels;
            expected =
                caseInput(job.checkCase, bundle.preprocessing, in, job.checkCaseInverted, slices);
            got = caseInput(job.checkCase, fromFile, in, job.checkCaseInverted, slices);
            r.inputSource = job.checkCaseName;
            r.inputSlices = int(slices.size());
        } else if (!job.validationImages.empty()) {
            std::vector<at::Tensor> a, b;
            for (const at::Tensor &image : job.validationImages) {
                a.push_back(
                    networkInput(unitOf(image), bundle.preprocessing, bundle.config.in_channels));
                b.push_back(networkInput(unitOf(image), fromFile, bundle.config.in_channels));
            }
            expected = at::cat(a);
            got = at::cat(b);
            r.inputSource = "validation slices (their intensity rules already applied)";
            r.inputSlices = int(a.size());
        } else {
            r.inputStatus = "not run: no image to check on";
            return;
        }
        r.inputMaxAbsDiff = expected.sizes() == got.sizes()
                                ? (expected - got).abs().max().item<double>()
                                : std::numeric_limits<double>::infinity();
        r.inputStatus = r.inputMaxAbsDiff <= 1e-6 ? "passed"
                                                  : "failed: the exported file's "
                                                    "preprocessing gives another input";
    } catch (const std::exception &error) {
        r.inputStatus = std::string("failed: ") + error.what();
    }
}

ExportMetadata metadataOf(const ModelBundle &bundle)
{
    ExportMetadata m;
    for (const ModelClass &c : bundle.classes)
        m.classes.push_back({c.index, c.name, c.colour});
    m.preprocessing = bundle.preprocessing;
    m.modelVersion = bundle.version;
    m.datasetSummary = bundle.datasetSummary;
    m.createdAt = bundle.createdAt;
    m.trainingPlan = bundle.trainingPlan;
    m.refinement = bundle.refinement;
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
ModelExportResult exportTorchScript(const ModelExportJob &job, const ModelBundle &bundle,
                                    models::PSPNet &model, const OnnxExportOptions &options,
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
    checkInputs(job, bundle, job.output, r);
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
        return exportTorchScript(job, bundle, model, options, settings, std::move(result),
                                 progress);

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
    checkInputs(job, bundle, job.output, result.report);
    result.reportPath = exportReportPath(job.output);
    writeTextFile(result.reportPath, result.report.toJson());
    report(progress, 4, "done");
    return result;
}

} // namespace medseg::core
