#include "core/train/Trainer.h"

#include "core/common/AtomicFile.h"
#include "core/train/NetworkInput.h"
#include "core/train/Predictor.h"
#include "core/train/TrainingBudget.h"

#include "core/train/Autocast.h"
#include "core/train/BackgroundWrite.h"
#include "core/train/Checkpoint.h"
#include "core/train/FusedAdamW.h"
#include "core/train/Losses.h"
#include "core/train/Metrics.h"
#include "models/Registry.h"
#include "models/WeightImport.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <thread>

namespace medseg::core {

// ---- helpers ------------------------------------------------------------------------------------

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

enum class Part { Backbone, PyramidPooling, Classifier };

// The bottleneck conv belongs to the classifier: the stages that train "the classifier" train
// everything after the pyramid pooling concatenation.
Part partOf(const std::string &name)
{
    if (name.rfind("backbone.", 0) == 0)
        return Part::Backbone;
    if (name.rfind("ppm.", 0) == 0)
        return Part::PyramidPooling;
    return Part::Classifier;
}

bool isTrainable(TrainableParts parts, Part part)
{
    switch (parts) {
    case TrainableParts::BackboneAndClassifier:
        return part != Part::PyramidPooling;
    case TrainableParts::PyramidPoolingAndClassifier:
        return part != Part::Backbone;
    case TrainableParts::All:
        break;
    }
    return true;
}

// Frozen parts run in eval mode too, so their BatchNorm running statistics stay as they are.
void setTrainMode(models::PSPNet &model, TrainableParts parts)
{
    model->train();
    if (!isTrainable(parts, Part::Backbone))
        model->backbone->eval();
    if (!isTrainable(parts, Part::PyramidPooling))
        model->ppm->eval();
}

std::uint64_t splitMix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0)
{
    return splitMix(splitMix(splitMix(seed) ^ a) ^ b);
}

// Fisher-Yates with mt19937_64, whose sequence the standard fixes (std::shuffle's is not), so
// the data order is the same on every platform and after a resume.
std::vector<std::int64_t> permutation(std::int64_t n, std::uint64_t seed)
{
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 generator(seed);
    for (std::int64_t i = n - 1; i > 0; --i)
        std::swap(order[std::size_t(i)], order[generator() % std::uint64_t(i + 1)]);
    return order;
}

std::string nowIso()
{
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

json numberOrNull(double value)
{
    return std::isfinite(value) ? json(value) : json(nullptr);
}

// Clipped inverse-frequency weights (core/dataset/ClassStatistics.h's formula), rescaled to mean
// 1 rather than sum 1, so the weighted focal term keeps the magnitude of the unweighted one.
std::vector<double> classWeightsFromMasks(const std::vector<TrainingSample> &samples,
                                          int classCount, double maxRatio = 10.0)
{
    at::Tensor counts = at::zeros({classCount}, at::kLong);
    for (const TrainingSample &sample : samples) {
        const at::Tensor values = sample.mask.reshape({-1}).to(at::kLong);
        const at::Tensor valid = values.lt(classCount);
        counts += at::bincount(values.masked_select(valid), {}, classCount);
    }
    const double total = double(counts.sum().item<std::int64_t>());
    std::vector<double> weights(std::size_t(classCount), 0.0);
    std::vector<double> present;
    for (int c = 0; c < classCount; ++c) {
        const double n = double(counts[c].item<std::int64_t>());
        if (n > 0) {
            weights[std::size_t(c)] = total / n;
            present.push_back(total / n);
        }
    }
    if (present.empty())
        return std::vector<double>(std::size_t(classCount), 1.0);
    std::sort(present.begin(), present.end());
    const std::size_t middle = present.size() / 2;
    const double median =
        present.size() % 2 ? present[middle] : 0.5 * (present[middle - 1] + present[middle]);
    double largest = 0;
    for (double &w : weights)
        if (w > 0) {
            w = std::clamp(w, median / maxRatio, median * maxRatio);
            largest = std::max(largest, w);
        }
    for (double &w : weights)
        if (w == 0)
            w = largest;
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    for (double &w : weights)
        w *= double(classCount) / sum;
    return weights;
}

// Pretrained weights must fill the whole backbone: missing keys, other shapes or keys of
// another network mean the file is for another architecture.
void checkPretrainedImport(const models::ImportReport &report, const TrainingConfig &config)
{
    if (report.ok())
        return;
    std::string problems;
    const auto add = [&](std::size_t count, const char *what, const std::string &first) {
        if (count == 0)
            return;
        problems += (problems.empty() ? "" : ", ") + std::to_string(count) + " " + what +
                    " (first: " + first + ")";
    };
    add(report.missing.size(), "backbone weights missing from the file",
        report.missing.empty() ? "" : report.missing.front());
    add(report.mismatched.size(), "with another shape",
        report.mismatched.empty() ? "" : report.mismatched.front().key);
    add(report.unexpected.size(), "keys the backbone does not have",
        report.unexpected.empty() ? "" : report.unexpected.front());
    throw std::runtime_error(config.pretrainedBackbone + ": not weights for the " +
                             config.model.backbone + " backbone: " + problems +
                             ". Nothing was trained.");
}

// The preprocessing a stage trains with, and that the models it saves record: the dataset's
// intensities, the stage's input size, the run's way of fitting slices into it.
Preprocessing stagePreprocessing(const Preprocessing &dataset, const StagePlan &plan,
                                 InputResize resize)
{
    Preprocessing p = dataset;
    p.inputSize = plan.inputSize;
    p.resize = resize;
    return p;
}

struct StageLayout
{
    std::vector<std::int64_t> subset; // indexes into data.train, the stage's seeded fraction
    std::int64_t batchSize = 1;
    std::int64_t stepsPerEpoch = 1;
};

StageLayout stageLayout(const StagePlan &plan, int stage, std::int64_t trainCount,
                        std::uint64_t seed)
{
    StageLayout layout;
    layout.subset = permutation(trainCount, mixSeed(seed, 0x5u, std::uint64_t(stage)));
    layout.subset.resize(std::size_t(stageSliceCount(plan, trainCount)));
    layout.batchSize = stageBatchSize(plan, trainCount);
    layout.stepsPerEpoch = stepsPerEpoch(plan, trainCount);
    return layout;
}

double learningRateAt(const StagePlan &plan, std::int64_t step, std::int64_t totalSteps)
{
    const double base = plan.learningRate;
    if (step < plan.warmupSteps)
        return base * double(step + 1) / double(plan.warmupSteps);
    const double span = double(std::max<std::int64_t>(1, totalSteps - plan.warmupSteps));
    const double progress = std::clamp(double(step - plan.warmupSteps) / span, 0.0, 1.0);
    if (plan.schedule == "cosine")
        return base * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
    return base * std::pow(1.0 - progress, plan.polyPower);
}

TensorMap modelState(models::PSPNet &model)
{
    TensorMap state;
    for (const auto &item : model->named_parameters(true))
        state[item.key()] = item.value().detach().to(at::kCPU).clone();
    for (const auto &item : model->named_buffers(true))
        state[item.key()] = item.value().detach().to(at::kCPU).clone();
    return state;
}

void loadModelState(models::PSPNet &model, const TensorMap &state, const std::string &path)
{
    c10::NoGradGuard noGrad;
    auto load = [&](const std::string &name, at::Tensor &target) {
        const auto it = state.find(name);
        if (it == state.end() || !it->second.sizes().equals(target.sizes()))
            throw std::runtime_error("checkpoint " + path + " does not match the model ('" + name +
                                     "' missing or of another shape); was it written for "
                                     "another network?");
        target.copy_(it->second);
    };
    for (auto &item : model->named_parameters(true))
        load(item.key(), item.value());
    for (auto &item : model->named_buffers(true))
        load(item.key(), item.value());
}

// checkpoints/stage-N.ckpt: the checkpoint as stage N (0-based `stage`) ended. last.ckpt is only
// ever replaced by a rename, so a hard link keeps this version without a copy.
void keepStageCheckpoint(const std::string &lastPath, const fs::path &runDir, int stage)
{
    const fs::path stagePath =
        runDir / "checkpoints" / ("stage-" + std::to_string(stage + 1) + ".ckpt");
    std::error_code linkError;
    fs::remove(stagePath, linkError);
    fs::create_hard_link(lastPath, stagePath, linkError);
    if (linkError)
        fs::copy_file(lastPath, stagePath, fs::copy_options::overwrite_existing, linkError);
}

} // namespace

// ---- Trainer ------------------------------------------------------------------------------------

Trainer::Trainer(TrainingConfig config, std::string runDir)
    : m_config(std::move(config))
    , m_runDir(std::move(runDir))
{}

std::string Trainer::checkpointPath(const std::string &runDir)
{
    return (fs::path(runDir) / "checkpoints" / "last.ckpt").string();
}

bool Trainer::hasCheckpoint(const std::string &runDir)
{
    std::error_code error;
    return fs::is_regular_file(checkpointPath(runDir), error);
}

TrainingResult Trainer::fit(const TrainingData &data, const TrainerHooks &hooks,
                            TrainingControl *control)
{
    const TrainingConfig &config = m_config;
    validate(config);
    if (data.train.empty())
        throw std::runtime_error("the dataset has no training slices: label some slices (or "
                                 "check the train/val split) before training");
    if (data.val.empty())
        throw std::runtime_error("the dataset has no validation slices: the best model is "
                                 "chosen on the validation split, which must not be empty");
    if (data.classCount() < 2)
        throw std::runtime_error("the dataset needs at least two classes (background and one "
                                 "structure)");
    if (config.model.num_classes != data.classCount())
        throw std::runtime_error("the model has " + std::to_string(config.model.num_classes) +
                                 " classes but the dataset has " +
                                 std::to_string(data.classCount()));
    if (config.adjacentSlices != data.preprocessing.adjacentSlices)
        throw std::runtime_error(
            "the plan asks for " + std::to_string(config.adjacentSlices) +
            " adjacent slices per input (2.5D) but the data were read with " +
            std::to_string(data.preprocessing.adjacentSlices) +
            (data.preprocessing.adjacentSlices == 1
                 ? ": 2.5D needs image volumes (a project or an nnU-Net or Decathlon dataset); "
                   "a VOC dataset's images are single slices"
                 : ""));
    if (data.networkChannels() > 1 && config.model.in_channels != data.networkChannels())
        throw std::runtime_error("the data have " + std::to_string(data.networkChannels()) +
                                 " image channels but the model reads " +
                                 std::to_string(config.model.in_channels));
    for (const auto *split : {&data.train, &data.val})
        for (const TrainingSample &sample : *split)
            if (!sample.image.defined() || !sample.mask.defined() || sample.image.dim() != 3 ||
                sample.mask.dim() != 2 || sample.image.size(1) != sample.mask.size(0) ||
                sample.image.size(2) != sample.mask.size(1))
                throw std::runtime_error("sample '" + sample.name +
                                         "': image [C, H, W] and mask [H, W] do not match");

    auto report = [&](const TrainingEvent &event) {
        if (hooks.onEvent)
            hooks.onEvent(event);
    };

    // The network, with its pretrained weights: a file for another architecture is refused
    // before anything is written.
    torch::manual_seed(config.seed);
    models::PSPNet model = models::createModel(config.model);
    if (!config.pretrainedBackbone.empty())
        checkPretrainedImport(models::importBackboneWeights(*model, config.pretrainedBackbone),
                              config);

    const fs::path runDir(m_runDir);
    fs::create_directories(runDir / "checkpoints");
    // Written again when a time budget refits the epochs.
    const auto writeRunConfig = [&]() {
        AtomicFile::writeAll((runDir / "config.json").string(),
                             runConfigJson(config, preprocessingJson(data.preprocessing),
                                           data.trainCases, data.validationCases));
    };
    writeRunConfig();

    // Environment: threads, determinism, device, mixed precision.
    const int threads = config.threads > 0 ? config.threads
                                           : int(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    if (config.deterministic) {
        at::globalContext().setDeterministicAlgorithms(true, false);
        at::globalContext().setDeterministicCuDNN(true);
        at::globalContext().setBenchmarkCuDNN(false);
    }
    if (config.device == "cuda" && !torch::cuda::is_available())
        throw std::runtime_error("device 'cuda' was asked for, but no CUDA device is available");
    const bool useCuda = usesCuda(config);
    const at::Device device = useCuda ? at::Device(at::kCUDA) : at::Device(at::kCPU);
    // CPU autocast is ~50x slower on CPUs without bf16 units: mixed precision is CUDA only.
    const bool autocast = useCuda && config.amp != "off";
    const bool fp16 = autocast && config.amp == "fp16";
    const at::ScalarType autocastType = fp16 ? at::kHalf : at::kBFloat16;
    const bool channelsLast = useCuda && config.channelsLast;
    const auto memoryFormat =
        channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    MedicalLossOptions lossOptions = config.loss;
    if (config.classWeightsFromData && lossOptions.focal.classWeights.empty())
        lossOptions.focal.classWeights = classWeightsFromMasks(data.train, data.classCount());
    report(RunStarted{useCuda, threads, autocast ? (fp16 ? "fp16" : "bf16") : "",
                      lossOptions.focal.classWeights});

    model->to(device);
    if (channelsLast)
        models::toChannelsLast(*model);

    std::vector<std::pair<std::string, at::Tensor>> namedParameters;
    for (const auto &item : model->named_parameters(true))
        namedParameters.emplace_back(item.key(), item.value());

    const int ignoreIndex = lossOptions.dice.ignoreIndex;

    const auto augmentationFor = [&](AugmentationLevel level) {
        AugmentationOptions options = AugmentationOptions::forLevel(level);
        options.unitRange = data.preprocessing.isUnitRange();
        return options;
    };
    Augmenter augmenter(augmentationFor(config.stages.front().augmentation),
                        mixSeed(config.seed, 0xa06u));

    // Resume, or start a fresh run.
    const std::string lastPath = checkpointPath(m_runDir);
    const std::string finalPath = (runDir / "final.pt").string();
    const fs::path metricsPath = runDir / "metrics.jsonl";
    CheckpointState pos;
    TrainingResult result;
    result.checkpointPath = lastPath;
    std::error_code fsError;
    if (fs::exists(lastPath)) {
        pos = loadCheckpoint(lastPath);
        if (pos.stage < 0 || pos.stage > int(config.stages.size()))
            throw std::runtime_error("checkpoint " + lastPath +
                                     " is at a stage this plan does not have");
        if (pos.model.empty() && pos.stage == int(config.stages.size())) {
            // A finished run keeps its weights once, in final.pt; last.ckpt keeps its position.
            models::PSPNet saved{nullptr};
            loadModelBundle(finalPath, &saved);
            loadModelState(model, modelState(saved), finalPath);
        } else {
            loadModelState(model, pos.model, lastPath);
        }
        augmenter.setState(pos.augmenterState);
        if (auto it = pos.rng.find("cpu"); it != pos.rng.end()) {
            at::Generator generator = at::globalContext().defaultGenerator(at::kCPU);
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(it->second);
        }
        if (auto it = pos.rng.find("cuda"); it != pos.rng.end() && useCuda) {
            at::Generator generator = at::globalContext().defaultGenerator(at::kCUDA);
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(it->second);
        }
        if (fs::exists(metricsPath) && std::int64_t(fs::file_size(metricsPath)) > pos.metricsBytes)
            fs::resize_file(metricsPath, std::uintmax_t(pos.metricsBytes));
        result.resumed = true;
        report(RunResumed{lastPath, pos.globalStep});
    } else {
        fs::remove(metricsPath, fsError);
    }
    pos.model.clear();
    std::ofstream metrics(metricsPath, std::ios::binary | std::ios::app);
    if (!metrics)
        throw std::runtime_error("cannot write " + metricsPath.string());
    auto writeMetrics = [&](const json &line) {
        metrics << line.dump() << '\n';
        metrics.flush();
    };

    const std::string bestPath = (runDir / "best.pt").string();
    if (pos.bestScore >= 0)
        result.bestModelPath = bestPath;
    // best.pt is written beside the next epoch; every way out of the run waits for it.
    BackgroundWrite bestWrite;
    // The run's training time, earlier sessions included: what its time budget counts.
    const auto fitStarted = Clock::now();
    const double secondsBefore = pos.elapsedSeconds;
    const auto runSeconds = [&]() {
        return secondsBefore + std::chrono::duration<double>(Clock::now() - fitStarted).count();
    };

    ModelBundle bundle;
    bundle.config = config.model;
    bundle.classes = data.classes;
    // Set again as each stage starts; a finished run's final model records the last stage's.
    bundle.preprocessing =
        stagePreprocessing(data.preprocessing, config.stages.back(), config.inputResize);
    bundle.datasetSummary = data.summary;
    bundle.trainingPlan = trainingPlanJson(config);

    // A checkpoint is never ahead of best.pt: resuming from it finds the best model it names.
    auto saveState = [&](const std::string &path, const FusedAdamW *optimizer) {
        bestWrite.wait();
        pos.elapsedSeconds = runSeconds();
        pos.model = modelState(model);
        pos.optimizer = optimizer ? optimizer->stateDict() : TensorMap{};
        pos.augmenterState = augmenter.state();
        pos.rng.clear();
        pos.rng["cpu"] = at::globalContext().defaultGenerator(at::kCPU).get_state();
        if (useCuda)
            pos.rng["cuda"] = at::globalContext().defaultGenerator(at::kCUDA).get_state();
        pos.metricsBytes = std::int64_t(metrics.tellp());
        saveCheckpoint(path, pos);
        pos.model.clear();
        pos.optimizer.clear();
    };

    // Step totals for progress and ETA (early stopping may end stages sooner).
    std::vector<StageLayout> layouts;
    std::int64_t totalSteps = 0;
    for (std::size_t s = 0; s < config.stages.size(); ++s) {
        layouts.push_back(
            stageLayout(config.stages[s], int(s), std::int64_t(data.train.size()), config.seed));
        totalSteps += layouts.back().stepsPerEpoch * config.stages[s].epochs;
    }

    // Whole-slice prediction as every saved model predicts (core/train/NetworkInput.h): the
    // slice ([C, H, W], or slices of one shape [N, C, H, W]) fitted into the stage's input,
    // the logits mapped back onto it.
    auto predictLogits = [&](const at::Tensor &image, const Preprocessing &preprocessing) {
        // The 8-bit slice travels (a quarter of the float bytes); conversion and resizing run
        // where the network does.
        const at::Tensor unit = unitOf(image.to(device));
        const InputPlacement placement = placementFor(unit.size(2), unit.size(3), preprocessing);
        const at::Tensor x =
            networkInput(unit, preprocessing, config.model.in_channels).contiguous(memoryFormat);
        at::Tensor logits;
        {
            AutocastScope scope(autocast, autocastType);
            logits = model->forward(x).logits;
        }
        return logitsToSlice(logits.to(at::kFloat), placement);
    };

    int currentStage = pos.stage;
    auto servePreview = [&]() {
        if (!control || !hooks.onPreview)
            return;
        auto request = control->takePreviewRequest();
        if (!request)
            return;
        c10::NoGradGuard noGrad;
        const bool wasTraining = model->is_training();
        model->eval();
        const int stage = std::min(currentStage, int(config.stages.size()) - 1);
        const at::Tensor labels =
            predictLogits(request->second,
                          stagePreprocessing(data.preprocessing, config.stages[std::size_t(stage)],
                                             config.inputResize))
                .argmax(1)
                .squeeze(0)
                .to(at::kByte)
                .to(at::kCPU)
                .contiguous();
        if (wasTraining)
            setTrainMode(model, config.stages[stage].trainable);
        hooks.onPreview(PreviewResult{request->first, pos.globalStep, labels});
    };

    // Between steps: previews, pause, stop. Returns true when the run must stop now.
    auto checkControl = [&]() {
        if (!control)
            return false;
        servePreview();
        while (control->isPaused() && !control->stopRequested()) {
            control->waitWhilePaused();
            servePreview();
        }
        return control->stopRequested();
    };

    auto stoppedResult = [&](const FusedAdamW *optimizer) {
        saveState(lastPath, optimizer);
        const RunStopped stopped{pos.globalStep, lastPath};
        report(stopped);
        result.status = TrainingResult::Status::Stopped;
        result.message = "stopped by request at step " + std::to_string(pos.globalStep) +
                         "; the run resumes from " + lastPath;
        result.ending = stopped;
        result.bestMeanDice = std::max(0.0, pos.bestScore);
        result.steps = pos.globalStep;
        return result;
    };

    auto lastSave = Clock::now();
    auto epochStarted = fitStarted;
    int fits = 0; // in this session: a resumed run fits its epochs to its pace here again
    bool budgetReached = false;
    double stepSecondsAverage = 0; // recent steps, for the images per second shown
    double validationSecondsAverage = 0;
    // Medians of this session's epochs since the plan was last fitted: the ETA and the budget.
    RunPace pace;
    // In a run with a time budget: the current and later stages get the epochs that fit what
    // is left of the budget at the pace since the last fit (the CLI's plan came from a few
    // trial steps). Fitted early (in the from-scratch plan's warm-up) and once more halfway,
    // the learning-rate schedule follows the new length without a noticeable jump.
    const auto fitEpochsToBudget = [&](double elapsedSeconds) {
        std::vector<std::int64_t> steps;
        for (const StageLayout &layout : layouts)
            steps.push_back(layout.stepsPerEpoch);
        const double overhead = pace.overheadSeconds(validationSecondsAverage);
        const int epochs = refitEpochs(steps, pos.stage, pos.epoch + 1, pace.stepSeconds(),
                                       overhead, config.timeBudgetSeconds - elapsedSeconds);
        totalSteps = 0;
        for (std::size_t s = 0; s < m_config.stages.size(); ++s) {
            if (int(s) >= pos.stage)
                m_config.stages[s].epochs = epochs;
            totalSteps += layouts[s].stepsPerEpoch * m_config.stages[s].epochs;
        }
        writeRunConfig();
        report(EpochsFitted{epochs, pace.epochSeconds(), config.timeBudgetSeconds});
    };
    // The epochs after the current one, over every stage (the ETA includes their validation).
    const auto epochsAfterCurrent = [&]() {
        std::int64_t epochs = config.stages[std::size_t(pos.stage)].epochs - pos.epoch - 1;
        for (std::size_t s = std::size_t(pos.stage) + 1; s < config.stages.size(); ++s)
            epochs += config.stages[s].epochs;
        return std::max<std::int64_t>(0, epochs);
    };
    const auto etaSeconds = [&]() {
        return double(std::max<std::int64_t>(0, totalSteps - pos.globalStep)) * pace.stepSeconds() +
               double(epochsAfterCurrent() + 1) * pace.overheadSeconds(validationSecondsAverage);
    };
    for (; pos.stage < int(config.stages.size()) && !budgetReached; ++pos.stage) {
        currentStage = pos.stage;
        const StagePlan &plan = config.stages[std::size_t(pos.stage)];
        const StageLayout &layout = layouts[std::size_t(pos.stage)];

        std::vector<std::pair<std::string, at::Tensor>> trainable;
        for (auto &[name, parameter] : namedParameters) {
            const bool on = isTrainable(plan.trainable, partOf(name));
            parameter.set_requires_grad(on);
            if (on)
                trainable.emplace_back(name, parameter);
        }
        FusedAdamW optimizer(trainable,
                             AdamWOptions{plan.learningRate, 0.9, 0.999, 1e-8, plan.weightDecay});
        optimizer.loadStateDict(pos.optimizer);
        pos.optimizer.clear();
        augmenter.setOptions(augmentationFor(plan.augmentation));
        bundle.preprocessing = stagePreprocessing(data.preprocessing, plan, config.inputResize);
        report(StageStarted{pos.stage + 1, int(config.stages.size()), plan.name,
                            std::int64_t(layout.subset.size()), plan.epochs, layout.stepsPerEpoch,
                            plan.learningRate});

        for (; pos.epoch < plan.epochs; ++pos.epoch) {
            epochStarted = Clock::now();
            const std::vector<std::int64_t> order = [&] {
                const auto shuffled = permutation(
                    std::int64_t(layout.subset.size()),
                    mixSeed(config.seed, std::uint64_t(pos.stage) + 1, std::uint64_t(pos.epoch)));
                std::vector<std::int64_t> indexes;
                for (std::int64_t i : shuffled)
                    indexes.push_back(layout.subset[std::size_t(i)]);
                return indexes;
            }();
            setTrainMode(model, plan.trainable);

            while (pos.stepInEpoch < layout.stepsPerEpoch) {
                if (checkControl())
                    return stoppedResult(&optimizer);
                const auto started = Clock::now();

                // 8-bit images and masks go to the device as they are (a quarter and an eighth of
                // the bytes of their float and index forms); conversion and resizing run there.
                std::vector<at::Tensor> images, masks;
                for (std::int64_t b = 0; b < layout.batchSize; ++b) {
                    const TrainingSample &sample = data.train[std::size_t(
                        order[std::size_t(pos.stepInEpoch * layout.batchSize + b)])];
                    const at::Tensor unit =
                        matchChannels(unitOf(sample.image.to(device)), config.model.in_channels);
                    const InputPlacement placement =
                        placementFor(unit.size(2), unit.size(3), bundle.preprocessing);
                    images.push_back(placeImage(unit, placement));
                    masks.push_back(placeMask(sample.mask.to(device), placement, ignoreIndex));
                }
                AugmentedBatch batch = augmenter(at::cat(images), at::stack(masks));
                const at::Tensor input =
                    normalizeChannels(batch.images, bundle.preprocessing).contiguous(memoryFormat);

                const std::int64_t stageStep = pos.epoch * layout.stepsPerEpoch + pos.stepInEpoch;
                const double lr =
                    learningRateAt(plan, stageStep, layout.stepsPerEpoch * plan.epochs);
                optimizer.setLearningRate(lr);
                optimizer.zeroGrad();

                at::Tensor loss;
                {
                    models::PSPNetOutput output;
                    {
                        AutocastScope scope(autocast, autocastType);
                        output = model->forward(input);
                    }
                    loss = medicalLoss(output.logits.to(at::kFloat), batch.masks, lossOptions);
                    if (output.aux_logits.defined())
                        loss = loss + config.model.aux_weight *
                                          medicalLoss(output.aux_logits.to(at::kFloat), batch.masks,
                                                      lossOptions);
                }
                const double lossValue = loss.item<double>();
                if (!std::isfinite(lossValue)) {
                    const LossDiverged diverged{plan.name, std::isnan(lossValue),
                                                pos.globalStep + 1, pos.epoch + 1,
                                                fs::exists(lastPath) ? lastPath : std::string()};
                    result.status = TrainingResult::Status::Failed;
                    result.message = describe(diverged);
                    result.ending = diverged;
                    report(diverged);
                    writeMetrics(json{{"type", "error"},
                                      {"stage", pos.stage},
                                      {"epoch", pos.epoch},
                                      {"step", pos.globalStep + 1},
                                      {"message", result.message}});
                    result.bestMeanDice = std::max(0.0, pos.bestScore);
                    result.steps = pos.globalStep;
                    bestWrite.wait();
                    return result;
                }

                if (fp16) {
                    // Dynamic loss scaling: fp16 gradients underflow without it.
                    (loss * pos.lossScale).backward();
                    std::vector<at::Tensor> grads;
                    for (auto &[name, parameter] : trainable)
                        if (parameter.grad().defined())
                            grads.push_back(parameter.mutable_grad());
                    at::Tensor foundInf = at::zeros({1}, at::TensorOptions().device(device));
                    at::Tensor inverseScale =
                        at::full({1}, 1.0 / pos.lossScale, at::TensorOptions().device(device));
                    at::_amp_foreach_non_finite_check_and_unscale_(grads, foundInf, inverseScale);
                    if (updateLossScale(foundInf.item<float>() == 0, pos.lossScale,
                                        pos.lossScaleFiniteSteps))
                        optimizer.step();
                } else {
                    loss.backward();
                    optimizer.step();
                }

                ++pos.stepInEpoch;
                ++pos.globalStep;
                pos.epochLossSum += lossValue;
                ++pos.epochLossCount;

                const double seconds =
                    std::chrono::duration<double>(Clock::now() - started).count();
                stepSecondsAverage =
                    stepSecondsAverage == 0 ? seconds : 0.9 * stepSecondsAverage + 0.1 * seconds;
                pace.addStep(seconds);
                TrainingProgress progress;
                progress.stage = pos.stage;
                progress.stageCount = int(config.stages.size());
                progress.stageName = plan.name;
                progress.epoch = pos.epoch;
                progress.epochs = plan.epochs;
                progress.step = pos.globalStep;
                progress.totalSteps = totalSteps;
                progress.stepInEpoch = pos.stepInEpoch;
                progress.stepsInEpoch = layout.stepsPerEpoch;
                progress.loss = lossValue;
                progress.learningRate = lr;
                progress.imagesPerSecond =
                    stepSecondsAverage > 0 ? double(layout.batchSize) / stepSecondsAverage : 0;
                progress.etaSeconds = etaSeconds();
                // Everything the dashboard shows, so that a run followed from its file (one
                // `medseg train` writes) looks like one trained in the window.
                writeMetrics(json{{"type", "step"},
                                  {"stage", pos.stage},
                                  {"stage_count", progress.stageCount},
                                  {"stage_name", progress.stageName},
                                  {"epoch", pos.epoch},
                                  {"epochs", progress.epochs},
                                  {"step", pos.globalStep},
                                  {"total_steps", progress.totalSteps},
                                  {"step_in_epoch", progress.stepInEpoch},
                                  {"steps_in_epoch", progress.stepsInEpoch},
                                  {"loss", lossValue},
                                  {"lr", lr},
                                  {"images_per_second", progress.imagesPerSecond},
                                  {"eta_seconds", progress.etaSeconds},
                                  {"elapsed_seconds", runSeconds()}});
                if (hooks.onStep)
                    hooks.onStep(progress);

                const bool everySteps = config.checkpointEverySteps > 0 &&
                                        pos.globalStep % config.checkpointEverySteps == 0;
                const bool everyMinutes =
                    config.checkpointMinutes > 0 &&
                    std::chrono::duration<double>(Clock::now() - lastSave).count() >=
                        config.checkpointMinutes * 60.0;
                if (everySteps || everyMinutes) {
                    saveState(lastPath, &optimizer);
                    lastSave = Clock::now();
                }
            }

            // Validation on whole slices.
            if (checkControl())
                return stoppedResult(&optimizer);
            const auto validationStarted = Clock::now();
            EpochResult epoch;
            epoch.stage = pos.stage;
            epoch.epoch = pos.epoch;
            epoch.step = pos.globalStep;
            epoch.trainLoss =
                pos.epochLossCount > 0 ? pos.epochLossSum / double(pos.epochLossCount) : 0;
            {
                c10::NoGradGuard noGrad;
                model->eval();
                SegmentationMetrics validation(data.classCount(), ignoreIndex);
                double valLoss = 0;
                // Slices of one shape in batches (2.3x the slices per second of one at a time
                // on a CPU); the loss is still each slice's own, as the mean reports it.
                for (std::size_t first = 0; first < data.val.size();) {
                    if (control && control->stopRequested())
                        return stoppedResult(&optimizer);
                    std::vector<at::Tensor> images, targets;
                    for (std::size_t i = first;
                         i < data.val.size() && images.size() < 8 &&
                         data.val[i].image.sizes() == data.val[first].image.sizes();
                         ++i) {
                        images.push_back(data.val[i].image);
                        targets.push_back(data.val[i].mask.to(at::kLong));
                    }
                    first += images.size();
                    const at::Tensor logits =
                        predictLogits(at::stack(images), bundle.preprocessing);
                    const at::Tensor target = at::stack(targets).to(device);
                    for (std::int64_t b = 0; b < logits.size(0); ++b)
                        valLoss +=
                            medicalLoss(logits.narrow(0, b, 1), target.narrow(0, b, 1), lossOptions)
                                .item<double>();
                    validation.add(logits.argmax(1), target);
                }
                epoch.valLoss = valLoss / double(data.val.size());
                epoch.dice = validation.dice();
                epoch.iou = validation.iou();
                epoch.absentClassPixels = validation.absentClassPixels();
                epoch.meanForegroundDice = validation.meanForegroundDice();
                if (!std::isfinite(epoch.meanForegroundDice))
                    epoch.meanForegroundDice = 0;
            }
            const double validationSeconds =
                std::chrono::duration<double>(Clock::now() - validationStarted).count();
            validationSecondsAverage =
                validationSecondsAverage == 0
                    ? validationSeconds
                    : 0.7 * validationSecondsAverage + 0.3 * validationSeconds;
            if (!data.val.empty())
                bundle.validation = {epoch.dice, epoch.meanForegroundDice, pos.stage, pos.epoch,
                                     pos.globalStep};
            epoch.improved = epoch.meanForegroundDice > pos.bestScore;
            if (epoch.improved) {
                pos.bestScore = epoch.meanForegroundDice;
                bundle.createdAt = nowIso();
                bestWrite.start([bestPath, snapshot = snapshotModelBundle(model, bundle)] {
                    saveModelSnapshot(bestPath, snapshot);
                });
                result.bestModelPath = bestPath;
            }
            if (epoch.meanForegroundDice > pos.stageBestScore) {
                pos.stageBestScore = epoch.meanForegroundDice;
                pos.epochsWithoutImprovement = 0;
            } else {
                ++pos.epochsWithoutImprovement;
            }
            json dice = json::array(), iou = json::array();
            for (double d : epoch.dice)
                dice.push_back(numberOrNull(d));
            for (double d : epoch.iou)
                iou.push_back(numberOrNull(d));
            writeMetrics(json{{"type", "epoch"},
                              {"stage", pos.stage},
                              {"epoch", pos.epoch},
                              {"step", pos.globalStep},
                              {"train_loss", epoch.trainLoss},
                              {"val_loss", epoch.valLoss},
                              {"dice", dice},
                              {"iou", iou},
                              {"mean_foreground_dice", epoch.meanForegroundDice},
                              {"absent_class_pixels", epoch.absentClassPixels},
                              {"improved", epoch.improved},
                              {"elapsed_seconds", runSeconds()}});
            report(EpochEnded{pos.stage + 1, pos.epoch + 1, plan.epochs, epoch.trainLoss,
                              epoch.valLoss, epoch.meanForegroundDice, epoch.improved});
            if (hooks.onEpoch)
                hooks.onEpoch(epoch);

            // The position after this epoch, so a checkpoint resumes at the next one.
            pos.stepInEpoch = 0;
            pos.epochLossSum = 0;
            pos.epochLossCount = 0;
            pace.endEpoch(std::chrono::duration<double>(Clock::now() - epochStarted).count());
            const bool earlyStop = plan.earlyStoppingPatience > 0 &&
                                   pos.epochsWithoutImprovement >= plan.earlyStoppingPatience;
            if (earlyStop) {
                report(StoppedEarly{plan.name, pos.epochsWithoutImprovement});
                pos.epoch = plan.epochs;
                break;
            }
            // A time budget: once a tenth of it has gone (one epoch at least), and again
            // halfway, the epochs are fitted to it at the pace since the last fit; in between
            // and after, the run stops when another epoch would overrun it.
            if (config.timeBudgetSeconds > 0) {
                const double elapsed = runSeconds();
                if (fits < 2 && elapsed >= (fits == 0 ? 0.1 : 0.5) * config.timeBudgetSeconds) {
                    fitEpochsToBudget(elapsed);
                    ++fits;
                    pace.restart();
                    if (pos.epoch + 1 < plan.epochs)
                        continue;
                }
                // Finishing predicts the validation slices twice: one validation's time more than
                // an epoch's, and 5% of slack.
                if (epochsAfterCurrent() > 0 &&
                    elapsed + pace.epochSeconds() + validationSecondsAverage >
                        1.05 * config.timeBudgetSeconds) {
                    report(TimeBudgetReached{elapsed, config.timeBudgetSeconds, pos.stage + 1,
                                             pos.epoch + 1});
                    budgetReached = true;
                    pos.epoch = plan.epochs;
                    break;
                }
            }
        }

        // Stage end: the next stage starts fresh (new optimizer, new early-stopping count).
        const int finishedStage = pos.stage;
        ++pos.stage;
        pos.epoch = 0;
        pos.stepInEpoch = 0;
        pos.stageBestScore = -1;
        pos.epochsWithoutImprovement = 0;
        saveState(lastPath, nullptr);
        if (config.keepStageCheckpoints)
            keepStageCheckpoint(lastPath, runDir, finishedStage);
        lastSave = Clock::now();
        --pos.stage; // the loop's increment
    }

    if (budgetReached)
        pos.stage = int(config.stages.size()); // finished: resuming has nothing left to do
    model->eval();
    bundle.createdAt = nowIso();
    saveModelBundle(finalPath, model, bundle);
    bestWrite.wait();
    // The weights are now in final.pt: last.ckpt need not hold them a second time (65 MB for
    // ResNet18); it keeps the position, so that fitting the run again knows it is finished.
    pos.model.clear();
    pos.optimizer.clear();
    saveCheckpoint(lastPath, pos);
    // Flip TTA and largest regions, kept in best.pt where they raise its validation Dice.
    refineModel(result.bestModelPath, data);
    result.status = TrainingResult::Status::Finished;
    result.finalModelPath = finalPath;
    result.bestMeanDice = std::max(0.0, pos.bestScore);
    result.steps = pos.globalStep;
    const RunFinished finished{pos.globalStep, result.bestMeanDice};
    result.message = describe(finished);
    result.ending = finished;
    report(finished);
    return result;
}

} // namespace medseg::core
