#include "core/train/TrainingRun.h"

#include "core/common/AtomicFile.h"
#include "core/train/Autocast.h"
#include "core/train/FusedAdamW.h"
#include "core/train/Metrics.h"
#include "core/train/NetworkInput.h"
#include "core/train/Predictor.h"
#include "models/Registry.h"
#include "models/WeightImport.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <numeric>
#include <random>
#include <thread>

namespace medseg::core {

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

AugmentationOptions augmentationFor(AugmentationLevel level, const TrainingData &data)
{
    AugmentationOptions options = AugmentationOptions::forLevel(level);
    options.unitRange = data.preprocessing.isUnitRange();
    return options;
}

} // namespace

// ---- set-up -------------------------------------------------------------------------------------

TrainingRun::TrainingRun(TrainingConfig &config, const std::string &runDir,
                         const TrainingData &data, const TrainerHooks &hooks,
                         TrainingControl *control)
    : m_config(config)
    , m_data(data)
    , m_hooks(hooks)
    , m_control(control)
    , m_runDir(runDir)
    , m_lastPath(Trainer::checkpointPath(runDir))
    , m_finalPath((m_runDir / "final.pt").string())
    , m_bestPath((m_runDir / "best.pt").string())
{}

TrainingResult TrainingRun::run()
{
    core::validate(m_config); // the free function, not this class's validation
    checkData();
    buildModel();
    fs::create_directories(m_runDir / "checkpoints");
    writeRunConfig();
    setUpDevice();
    resumeOrStart();
    prepareBundleAndLayouts();

    m_started = m_lastSave = m_epochStarted = Clock::now();
    m_secondsBefore = m_pos.elapsedSeconds;
    for (; m_pos.stage < int(m_config.stages.size()) && !m_budgetReached; ++m_pos.stage) {
        switch (runStage()) {
        case Next::GoOn:
            break;
        case Next::Stop:
            return m_result;
        case Next::Fail:
            m_bestWrite.wait();
            return m_result;
        }
    }
    return finish();
}

void TrainingRun::checkData() const
{
    const TrainingConfig &config = m_config;
    const TrainingData &data = m_data;
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
}

// The network, with its pretrained weights: a file for another architecture is refused before
// anything is written.
void TrainingRun::buildModel()
{
    torch::manual_seed(m_config.seed);
    m_model = models::createModel(m_config.model);
    if (!m_config.pretrainedBackbone.empty())
        checkPretrainedImport(models::importBackboneWeights(*m_model, m_config.pretrainedBackbone),
                              m_config);
}

// Written again when a time budget refits the epochs.
void TrainingRun::writeRunConfig()
{
    AtomicFile::writeAll((m_runDir / "config.json").string(),
                         runConfigJson(m_config, preprocessingJson(m_data.preprocessing),
                                       m_data.trainCases, m_data.validationCases));
}

// Threads, determinism, device, mixed precision, the loss; the model goes to the device.
void TrainingRun::setUpDevice()
{
    const TrainingConfig &config = m_config;
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
    m_useCuda = usesCuda(config);
    m_device = m_useCuda ? at::Device(at::kCUDA) : at::Device(at::kCPU);
    // CPU autocast is ~50x slower on CPUs without bf16 units: mixed precision is CUDA only.
    m_autocast = m_useCuda && config.amp != "off";
    m_fp16 = m_autocast && config.amp == "fp16";
    m_autocastType = m_fp16 ? at::kHalf : at::kBFloat16;
    const bool channelsLast = m_useCuda && config.channelsLast;
    m_memoryFormat = channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    m_loss = config.loss;
    if (config.classWeightsFromData && m_loss.focal.classWeights.empty())
        m_loss.focal.classWeights = classWeightsFromMasks(m_data.train, m_data.classCount());
    m_ignoreIndex = m_loss.dice.ignoreIndex;
    report(RunStarted{m_useCuda, threads, m_autocast ? (m_fp16 ? "fp16" : "bf16") : "",
                      m_loss.focal.classWeights});

    m_model->to(m_device);
    if (channelsLast)
        models::toChannelsLast(*m_model);
    for (const auto &item : m_model->named_parameters(true))
        m_namedParameters.emplace_back(item.key(), item.value());
    m_augmenter.emplace(augmentationFor(config.stages.front().augmentation, m_data),
                        mixSeed(config.seed, 0xa06u));
}

// From the checkpoint (weights, position, random generators, metrics.jsonl cut back to it), or
// a fresh run.
void TrainingRun::resumeOrStart()
{
    const fs::path metricsPath = m_runDir / "metrics.jsonl";
    m_result.checkpointPath = m_lastPath;
    std::error_code fsError;
    if (fs::exists(m_lastPath)) {
        m_pos = loadCheckpoint(m_lastPath);
        if (m_pos.stage < 0 || m_pos.stage > int(m_config.stages.size()))
            throw std::runtime_error("checkpoint " + m_lastPath +
                                     " is at a stage this plan does not have");
        if (m_pos.model.empty() && m_pos.stage == int(m_config.stages.size())) {
            // A finished run keeps its weights once, in final.pt; last.ckpt keeps its position.
            models::PSPNet saved{nullptr};
            loadModelBundle(m_finalPath, &saved);
            loadModelState(m_model, modelState(saved), m_finalPath);
        } else {
            loadModelState(m_model, m_pos.model, m_lastPath);
        }
        m_augmenter->setState(m_pos.augmenterState);
        if (auto it = m_pos.rng.find("cpu"); it != m_pos.rng.end()) {
            at::Generator generator = at::globalContext().defaultGenerator(at::kCPU);
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(it->second);
        }
        if (auto it = m_pos.rng.find("cuda"); it != m_pos.rng.end() && m_useCuda) {
            at::Generator generator = at::globalContext().defaultGenerator(at::kCUDA);
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(it->second);
        }
        if (fs::exists(metricsPath) &&
            std::int64_t(fs::file_size(metricsPath)) > m_pos.metricsBytes)
            fs::resize_file(metricsPath, std::uintmax_t(m_pos.metricsBytes));
        m_result.resumed = true;
        report(RunResumed{m_lastPath, m_pos.globalStep});
    } else {
        fs::remove(metricsPath, fsError);
    }
    m_pos.model.clear();
    m_metrics.open(metricsPath, std::ios::binary | std::ios::app);
    if (!m_metrics)
        throw std::runtime_error("cannot write " + metricsPath.string());
    if (m_pos.bestScore >= 0)
        m_result.bestModelPath = m_bestPath;
}

// What the saved models record, and each stage's slices and steps (for progress and the ETA;
// early stopping may end stages sooner).
void TrainingRun::prepareBundleAndLayouts()
{
    m_bundle.config = m_config.model;
    m_bundle.classes = m_data.classes;
    // Set again as each stage starts; a finished run's final model records the last stage's.
    m_bundle.preprocessing =
        stagePreprocessing(m_data.preprocessing, m_config.stages.back(), m_config.inputResize);
    m_bundle.datasetSummary = m_data.summary;
    m_bundle.trainingPlan = trainingPlanJson(m_config);

    const std::int64_t trainCount = std::int64_t(m_data.train.size());
    for (std::size_t s = 0; s < m_config.stages.size(); ++s) {
        const StagePlan &plan = m_config.stages[s];
        StageLayout layout;
        layout.subset = permutation(trainCount, mixSeed(m_config.seed, 0x5u, std::uint64_t(s)));
        layout.subset.resize(std::size_t(stageSliceCount(plan, trainCount)));
        layout.batchSize = stageBatchSize(plan, trainCount);
        layout.stepsPerEpoch = stepsPerEpoch(plan, trainCount);
        m_totalSteps += layout.stepsPerEpoch * plan.epochs;
        m_layouts.push_back(std::move(layout));
    }
}

// ---- training -----------------------------------------------------------------------------------

// The current stage (m_pos.stage) from where the run is: a new optimizer (its moments from the
// checkpoint when resuming mid-stage), the stage's trainable parts and augmentation, its epochs,
// and a checkpoint at its end.
TrainingRun::Next TrainingRun::runStage()
{
    const StagePlan &plan = m_config.stages[std::size_t(m_pos.stage)];
    const StageLayout &layout = m_layouts[std::size_t(m_pos.stage)];
    NamedTensors trainable;
    for (auto &[name, parameter] : m_namedParameters) {
        const bool on = isTrainable(plan.trainable, partOf(name));
        parameter.set_requires_grad(on);
        if (on)
            trainable.emplace_back(name, parameter);
    }
    FusedAdamW optimizer(trainable,
                         AdamWOptions{plan.learningRate, 0.9, 0.999, 1e-8, plan.weightDecay});
    optimizer.loadStateDict(m_pos.optimizer);
    m_pos.optimizer.clear();
    m_augmenter->setOptions(augmentationFor(plan.augmentation, m_data));
    m_bundle.preprocessing = stagePreprocessing(m_data.preprocessing, plan, m_config.inputResize);
    report(StageStarted{m_pos.stage + 1, int(m_config.stages.size()), plan.name,
                        std::int64_t(layout.subset.size()), plan.epochs, layout.stepsPerEpoch,
                        plan.learningRate});

    for (; m_pos.epoch < plan.epochs; ++m_pos.epoch) {
        if (const Next next = runEpoch(optimizer, trainable); next != Next::GoOn)
            return next;
        if (stopsAfterEpoch())
            break;
    }

    // Stage end: the next stage starts fresh (new optimizer, new early-stopping count).
    const int finishedStage = m_pos.stage;
    ++m_pos.stage;
    m_pos.epoch = 0;
    m_pos.stepInEpoch = 0;
    m_pos.stageBestScore = -1;
    m_pos.epochsWithoutImprovement = 0;
    saveState(m_lastPath, nullptr);
    if (m_config.keepStageCheckpoints)
        keepStageCheckpoint(m_lastPath, m_runDir, finishedStage);
    m_lastSave = Clock::now();
    --m_pos.stage; // the caller's loop increments it
    return Next::GoOn;
}

// The epoch's slices in its seeded order (the same after a resume).
std::vector<std::int64_t> TrainingRun::epochOrder() const
{
    const StageLayout &layout = m_layouts[std::size_t(m_pos.stage)];
    const auto shuffled = permutation(
        std::int64_t(layout.subset.size()),
        mixSeed(m_config.seed, std::uint64_t(m_pos.stage) + 1, std::uint64_t(m_pos.epoch)));
    std::vector<std::int64_t> indexes;
    for (std::int64_t i : shuffled)
        indexes.push_back(layout.subset[std::size_t(i)]);
    return indexes;
}

// The epoch's remaining steps, then validation on whole slices and what follows from it.
TrainingRun::Next TrainingRun::runEpoch(FusedAdamW &optimizer, const NamedTensors &trainable)
{
    const StagePlan &plan = m_config.stages[std::size_t(m_pos.stage)];
    const StageLayout &layout = m_layouts[std::size_t(m_pos.stage)];
    m_epochStarted = Clock::now();
    const std::vector<std::int64_t> order = epochOrder();
    setTrainMode(m_model, plan.trainable);
    while (m_pos.stepInEpoch < layout.stepsPerEpoch) {
        if (checkControl()) {
            m_result = stopped(&optimizer);
            return Next::Stop;
        }
        if (const Next next = trainStep(optimizer, trainable, order); next != Next::GoOn)
            return next;
    }
    if (checkControl()) {
        m_result = stopped(&optimizer);
        return Next::Stop;
    }
    std::optional<EpochResult> epoch = validate();
    if (!epoch) {
        m_result = stopped(&optimizer);
        return Next::Stop;
    }
    keepIfBest(*epoch);
    recordEpoch(*epoch);
    // The position after this epoch, so a checkpoint resumes at the next one.
    m_pos.stepInEpoch = 0;
    m_pos.epochLossSum = 0;
    m_pos.epochLossCount = 0;
    m_pace.endEpoch(std::chrono::duration<double>(Clock::now() - m_epochStarted).count());
    return Next::GoOn;
}

// One optimizer step on the next batch of `order`: 8-bit images and masks go to the device as
// they are (a quarter and an eighth of the bytes of their float and index forms); conversion,
// placement, augmentation and normalisation run there.
TrainingRun::Next TrainingRun::trainStep(FusedAdamW &optimizer, const NamedTensors &trainable,
                                         const std::vector<std::int64_t> &order)
{
    const StagePlan &plan = m_config.stages[std::size_t(m_pos.stage)];
    const StageLayout &layout = m_layouts[std::size_t(m_pos.stage)];
    const auto started = Clock::now();
    std::vector<at::Tensor> images, masks;
    for (std::int64_t b = 0; b < layout.batchSize; ++b) {
        const TrainingSample &sample =
            m_data.train[std::size_t(order[std::size_t(m_pos.stepInEpoch * layout.batchSize + b)])];
        const at::Tensor unit =
            matchChannels(unitOf(sample.image.to(m_device)), m_config.model.in_channels);
        const InputPlacement placement =
            placementFor(unit.size(2), unit.size(3), m_bundle.preprocessing);
        images.push_back(placeImage(unit, placement));
        masks.push_back(placeMask(sample.mask.to(m_device), placement, m_ignoreIndex));
    }
    AugmentedBatch batch = (*m_augmenter)(at::cat(images), at::stack(masks));
    const at::Tensor input =
        normalizeChannels(batch.images, m_bundle.preprocessing).contiguous(m_memoryFormat);

    const std::int64_t stageStep = m_pos.epoch * layout.stepsPerEpoch + m_pos.stepInEpoch;
    const double lr = learningRateAt(plan, stageStep, layout.stepsPerEpoch * plan.epochs);
    optimizer.setLearningRate(lr);
    optimizer.zeroGrad();

    at::Tensor loss;
    {
        models::PSPNetOutput output;
        {
            AutocastScope scope(m_autocast, m_autocastType);
            output = m_model->forward(input);
        }
        loss = medicalLoss(output.logits.to(at::kFloat), batch.masks, m_loss);
        if (output.aux_logits.defined())
            loss = loss + m_config.model.aux_weight *
                              medicalLoss(output.aux_logits.to(at::kFloat), batch.masks, m_loss);
    }
    const double lossValue = loss.item<double>();
    if (!std::isfinite(lossValue)) {
        m_result = diverged(lossValue);
        return Next::Fail;
    }
    backward(loss, optimizer, trainable);

    ++m_pos.stepInEpoch;
    ++m_pos.globalStep;
    m_pos.epochLossSum += lossValue;
    ++m_pos.epochLossCount;
    reportStep(lossValue, lr, std::chrono::duration<double>(Clock::now() - started).count());

    const bool everySteps =
        m_config.checkpointEverySteps > 0 && m_pos.globalStep % m_config.checkpointEverySteps == 0;
    const bool everyMinutes = m_config.checkpointMinutes > 0 &&
                              std::chrono::duration<double>(Clock::now() - m_lastSave).count() >=
                                  m_config.checkpointMinutes * 60.0;
    if (everySteps || everyMinutes) {
        saveState(m_lastPath, &optimizer);
        m_lastSave = Clock::now();
    }
    return Next::GoOn;
}

void TrainingRun::backward(const at::Tensor &loss, FusedAdamW &optimizer,
                           const NamedTensors &trainable)
{
    if (!m_fp16) {
        loss.backward();
        optimizer.step();
        return;
    }
    // Dynamic loss scaling: fp16 gradients underflow without it.
    (loss * m_pos.lossScale).backward();
    std::vector<at::Tensor> grads;
    for (const auto &[name, parameter] : trainable)
        if (parameter.grad().defined())
            grads.push_back(parameter.mutable_grad());
    at::Tensor foundInf = at::zeros({1}, at::TensorOptions().device(m_device));
    at::Tensor inverseScale =
        at::full({1}, 1.0 / m_pos.lossScale, at::TensorOptions().device(m_device));
    at::_amp_foreach_non_finite_check_and_unscale_(grads, foundInf, inverseScale);
    if (updateLossScale(foundInf.item<float>() == 0, m_pos.lossScale, m_pos.lossScaleFiniteSteps))
        optimizer.step();
}

// The step's progress to the hooks and to metrics.jsonl: everything the dashboard shows, so that
// a run followed from its file (one `medseg train` writes) looks like one trained in the window.
void TrainingRun::reportStep(double lossValue, double learningRate, double seconds)
{
    const StagePlan &plan = m_config.stages[std::size_t(m_pos.stage)];
    const StageLayout &layout = m_layouts[std::size_t(m_pos.stage)];
    m_stepSecondsAverage =
        m_stepSecondsAverage == 0 ? seconds : 0.9 * m_stepSecondsAverage + 0.1 * seconds;
    m_pace.addStep(seconds);
    TrainingProgress progress;
    progress.stage = m_pos.stage;
    progress.stageCount = int(m_config.stages.size());
    progress.stageName = plan.name;
    progress.epoch = m_pos.epoch;
    progress.epochs = plan.epochs;
    progress.step = m_pos.globalStep;
    progress.totalSteps = m_totalSteps;
    progress.stepInEpoch = m_pos.stepInEpoch;
    progress.stepsInEpoch = layout.stepsPerEpoch;
    progress.loss = lossValue;
    progress.learningRate = learningRate;
    progress.imagesPerSecond =
        m_stepSecondsAverage > 0 ? double(layout.batchSize) / m_stepSecondsAverage : 0;
    progress.etaSeconds = etaSeconds();
    writeMetrics(json{{"type", "step"},
                      {"stage", m_pos.stage},
                      {"stage_count", progress.stageCount},
                      {"stage_name", progress.stageName},
                      {"epoch", m_pos.epoch},
                      {"epochs", progress.epochs},
                      {"step", m_pos.globalStep},
                      {"total_steps", progress.totalSteps},
                      {"step_in_epoch", progress.stepInEpoch},
                      {"steps_in_epoch", progress.stepsInEpoch},
                      {"loss", lossValue},
                      {"lr", learningRate},
                      {"images_per_second", progress.imagesPerSecond},
                      {"eta_seconds", progress.etaSeconds},
                      {"elapsed_seconds", runSeconds()}}
                     .dump());
    if (m_hooks.onStep)
        m_hooks.onStep(progress);
}

// ---- the end of an epoch ------------------------------------------------------------------------

// Every validation slice as the saved models will predict it; slices of one shape in batches
// (2.3x the slices per second of one at a time on a CPU), the loss still each slice's own.
// Nothing when a stop was asked for meanwhile.
std::optional<EpochResult> TrainingRun::validate()
{
    const auto validationStarted = Clock::now();
    EpochResult epoch;
    epoch.stage = m_pos.stage;
    epoch.epoch = m_pos.epoch;
    epoch.step = m_pos.globalStep;
    epoch.trainLoss =
        m_pos.epochLossCount > 0 ? m_pos.epochLossSum / double(m_pos.epochLossCount) : 0;
    {
        c10::NoGradGuard noGrad;
        m_model->eval();
        SegmentationMetrics validation(m_data.classCount(), m_ignoreIndex);
        double valLoss = 0;
        const std::vector<TrainingSample> &val = m_data.val;
        for (std::size_t first = 0; first < val.size();) {
            if (m_control && m_control->stopRequested())
                return std::nullopt;
            std::vector<at::Tensor> images, targets;
            for (std::size_t i = first; i < val.size() && images.size() < 8 &&
                                        val[i].image.sizes() == val[first].image.sizes();
                 ++i) {
                images.push_back(val[i].image);
                targets.push_back(val[i].mask.to(at::kLong));
            }
            first += images.size();
            const at::Tensor logits = predictLogits(at::stack(images), m_bundle.preprocessing);
            const at::Tensor target = at::stack(targets).to(m_device);
            for (std::int64_t b = 0; b < logits.size(0); ++b)
                valLoss += medicalLoss(logits.narrow(0, b, 1), target.narrow(0, b, 1), m_loss)
                               .item<double>();
            validation.add(logits.argmax(1), target);
        }
        epoch.valLoss = valLoss / double(val.size());
        epoch.dice = validation.dice();
        epoch.iou = validation.iou();
        epoch.absentClassPixels = validation.absentClassPixels();
        epoch.meanForegroundDice = validation.meanForegroundDice();
        if (!std::isfinite(epoch.meanForegroundDice))
            epoch.meanForegroundDice = 0;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - validationStarted).count();
    m_validationSecondsAverage = m_validationSecondsAverage == 0
                                     ? seconds
                                     : 0.7 * m_validationSecondsAverage + 0.3 * seconds;
    return epoch;
}

// A new best model goes to best.pt (written beside the next epoch); the stage's own best counts
// for early stopping.
void TrainingRun::keepIfBest(EpochResult &epoch)
{
    m_bundle.validation = {epoch.dice, epoch.meanForegroundDice, m_pos.stage, m_pos.epoch,
                           m_pos.globalStep};
    epoch.improved = epoch.meanForegroundDice > m_pos.bestScore;
    if (epoch.improved) {
        m_pos.bestScore = epoch.meanForegroundDice;
        m_bundle.createdAt = nowIso();
        m_bestWrite.start([path = m_bestPath, snapshot = snapshotModelBundle(m_model, m_bundle)] {
            saveModelSnapshot(path, snapshot);
        });
        m_result.bestModelPath = m_bestPath;
    }
    if (epoch.meanForegroundDice > m_pos.stageBestScore) {
        m_pos.stageBestScore = epoch.meanForegroundDice;
        m_pos.epochsWithoutImprovement = 0;
    } else {
        ++m_pos.epochsWithoutImprovement;
    }
}

void TrainingRun::recordEpoch(const EpochResult &epoch)
{
    const StagePlan &plan = m_config.stages[std::size_t(m_pos.stage)];
    json dice = json::array(), iou = json::array();
    for (double d : epoch.dice)
        dice.push_back(numberOrNull(d));
    for (double d : epoch.iou)
        iou.push_back(numberOrNull(d));
    writeMetrics(json{{"type", "epoch"},
                      {"stage", m_pos.stage},
                      {"epoch", m_pos.epoch},
                      {"step", m_pos.globalStep},
                      {"train_loss", epoch.trainLoss},
                      {"val_loss", epoch.valLoss},
                      {"dice", dice},
                      {"iou", iou},
                      {"mean_foreground_dice", epoch.meanForegroundDice},
                      {"absent_class_pixels", epoch.absentClassPixels},
                      {"improved", epoch.improved},
                      {"elapsed_seconds", runSeconds()}}
                     .dump());
    report(EpochEnded{m_pos.stage + 1, m_pos.epoch + 1, plan.epochs, epoch.trainLoss, epoch.valLoss,
                      epoch.meanForegroundDice, epoch.improved});
    if (m_hooks.onEpoch)
        m_hooks.onEpoch(epoch);
}

// True when the stage ends after this epoch: early stopping, or a time budget another epoch
// would overrun. With a budget, once a tenth of it has gone (one epoch at least) and again
// halfway, the epochs are first fitted to it at the pace since the last fit.
bool TrainingRun::stopsAfterEpoch()
{
    const StagePlan &plan = m_config.stages[std::size_t(m_pos.stage)];
    if (plan.earlyStoppingPatience > 0 &&
        m_pos.epochsWithoutImprovement >= plan.earlyStoppingPatience) {
        report(StoppedEarly{plan.name, m_pos.epochsWithoutImprovement});
        m_pos.epoch = plan.epochs;
        return true;
    }
    const double budget = m_config.timeBudgetSeconds;
    if (!(budget > 0))
        return false;
    const double elapsed = runSeconds();
    if (m_fits < 2 && elapsed >= (m_fits == 0 ? 0.1 : 0.5) * budget) {
        fitEpochsToBudget(elapsed);
        ++m_fits;
        m_pace.restart();
        if (m_pos.epoch + 1 < plan.epochs)
            return false;
    }
    // Finishing predicts the validation slices twice: one validation's time more than an
    // epoch's, and 5% of slack.
    if (epochsAfterCurrent() > 0 &&
        elapsed + m_pace.epochSeconds() + m_validationSecondsAverage > 1.05 * budget) {
        report(TimeBudgetReached{elapsed, budget, m_pos.stage + 1, m_pos.epoch + 1});
        m_budgetReached = true;
        m_pos.epoch = plan.epochs;
        return true;
    }
    return false;
}

// ---- the time budget and the ETA ----------------------------------------------------------------

// The current and later stages get the epochs that fit what is left of the budget at the pace
// since the last fit (the CLI's plan came from a few trial steps). Fitted early (in the
// from-scratch plan's warm-up) and once more halfway, the learning-rate schedule follows the
// new length without a noticeable jump.
void TrainingRun::fitEpochsToBudget(double elapsedSeconds)
{
    std::vector<std::int64_t> steps;
    for (const StageLayout &layout : m_layouts)
        steps.push_back(layout.stepsPerEpoch);
    const double overhead = m_pace.overheadSeconds(m_validationSecondsAverage);
    const int epochs = refitEpochs(steps, m_pos.stage, m_pos.epoch + 1, m_pace.stepSeconds(),
                                   overhead, m_config.timeBudgetSeconds - elapsedSeconds);
    m_totalSteps = 0;
    for (std::size_t s = 0; s < m_config.stages.size(); ++s) {
        if (int(s) >= m_pos.stage)
            m_config.stages[s].epochs = epochs;
        m_totalSteps += m_layouts[s].stepsPerEpoch * m_config.stages[s].epochs;
    }
    writeRunConfig();
    report(EpochsFitted{epochs, m_pace.epochSeconds(), m_config.timeBudgetSeconds});
}

// The epochs after the current one, over every stage (the ETA includes their validation).
std::int64_t TrainingRun::epochsAfterCurrent() const
{
    std::int64_t epochs = m_config.stages[std::size_t(m_pos.stage)].epochs - m_pos.epoch - 1;
    for (std::size_t s = std::size_t(m_pos.stage) + 1; s < m_config.stages.size(); ++s)
        epochs += m_config.stages[s].epochs;
    return std::max<std::int64_t>(0, epochs);
}

double TrainingRun::etaSeconds() const
{
    return double(std::max<std::int64_t>(0, m_totalSteps - m_pos.globalStep)) *
               m_pace.stepSeconds() +
           double(epochsAfterCurrent() + 1) * m_pace.overheadSeconds(m_validationSecondsAverage);
}

double TrainingRun::runSeconds() const
{
    return m_secondsBefore + std::chrono::duration<double>(Clock::now() - m_started).count();
}

// ---- prediction, previews, pause and stop -------------------------------------------------------

// Whole-slice prediction as every saved model predicts (core/train/NetworkInput.h): the slice
// ([C, H, W], or slices of one shape [N, C, H, W]) fitted into the stage's input, the logits
// mapped back onto it. The 8-bit slice travels (a quarter of the float bytes); conversion and
// resizing run where the network does.
at::Tensor TrainingRun::predictLogits(const at::Tensor &image, const Preprocessing &preprocessing)
{
    const at::Tensor unit = unitOf(image.to(m_device));
    const InputPlacement placement = placementFor(unit.size(2), unit.size(3), preprocessing);
    const at::Tensor x =
        networkInput(unit, preprocessing, m_config.model.in_channels).contiguous(m_memoryFormat);
    at::Tensor logits;
    {
        AutocastScope scope(m_autocast, m_autocastType);
        logits = m_model->forward(x).logits;
    }
    return logitsToSlice(logits.to(at::kFloat), placement);
}

void TrainingRun::servePreview()
{
    if (!m_control || !m_hooks.onPreview)
        return;
    auto request = m_control->takePreviewRequest();
    if (!request)
        return;
    c10::NoGradGuard noGrad;
    const bool wasTraining = m_model->is_training();
    m_model->eval();
    const int stage = std::min(m_pos.stage, int(m_config.stages.size()) - 1);
    const StagePlan &plan = m_config.stages[std::size_t(stage)];
    const at::Tensor labels =
        predictLogits(request->second,
                      stagePreprocessing(m_data.preprocessing, plan, m_config.inputResize))
            .argmax(1)
            .squeeze(0)
            .to(at::kByte)
            .to(at::kCPU)
            .contiguous();
    if (wasTraining)
        setTrainMode(m_model, plan.trainable);
    m_hooks.onPreview(PreviewResult{request->first, m_pos.globalStep, labels});
}

// Between steps: previews, pause, stop.
bool TrainingRun::checkControl()
{
    if (!m_control)
        return false;
    servePreview();
    while (m_control->isPaused() && !m_control->stopRequested()) {
        m_control->waitWhilePaused();
        servePreview();
    }
    return m_control->stopRequested();
}

// ---- saving and the ways out --------------------------------------------------------------------

// A checkpoint is never ahead of best.pt: resuming from it finds the best model it names.
void TrainingRun::saveState(const std::string &path, const FusedAdamW *optimizer)
{
    m_bestWrite.wait();
    m_pos.elapsedSeconds = runSeconds();
    m_pos.model = modelState(m_model);
    m_pos.optimizer = optimizer ? optimizer->stateDict() : TensorMap{};
    m_pos.augmenterState = m_augmenter->state();
    m_pos.rng.clear();
    m_pos.rng["cpu"] = at::globalContext().defaultGenerator(at::kCPU).get_state();
    if (m_useCuda)
        m_pos.rng["cuda"] = at::globalContext().defaultGenerator(at::kCUDA).get_state();
    m_pos.metricsBytes = std::int64_t(m_metrics.tellp());
    saveCheckpoint(path, m_pos);
    m_pos.model.clear();
    m_pos.optimizer.clear();
}

void TrainingRun::writeMetrics(const std::string &line)
{
    m_metrics << line << '\n';
    m_metrics.flush();
}

TrainingResult TrainingRun::stopped(const FusedAdamW *optimizer)
{
    saveState(m_lastPath, optimizer);
    const RunStopped event{m_pos.globalStep, m_lastPath};
    report(event);
    return ended(TrainingResult::Status::Stopped, event,
                 "stopped by request at step " + std::to_string(m_pos.globalStep) +
                     "; the run resumes from " + m_lastPath);
}

// A NaN or infinite loss: the run fails with the reason; last.ckpt stays the last good one.
TrainingResult TrainingRun::diverged(double lossValue)
{
    const StagePlan &plan = m_config.stages[std::size_t(m_pos.stage)];
    const LossDiverged event{plan.name, std::isnan(lossValue), m_pos.globalStep + 1,
                             m_pos.epoch + 1, fs::exists(m_lastPath) ? m_lastPath : std::string()};
    report(event);
    writeMetrics(json{{"type", "error"},
                      {"stage", m_pos.stage},
                      {"epoch", m_pos.epoch},
                      {"step", m_pos.globalStep + 1},
                      {"message", describe(event)}}
                     .dump());
    return ended(TrainingResult::Status::Failed, event, describe(event));
}

// The plan is done (or the budget spent): final.pt, the position in last.ckpt (without the
// weights, which final.pt holds), and flip TTA and largest regions kept in best.pt where they
// raise its validation Dice.
TrainingResult TrainingRun::finish()
{
    if (m_budgetReached)
        m_pos.stage = int(m_config.stages.size()); // finished: resuming has nothing left to do
    m_model->eval();
    m_bundle.createdAt = nowIso();
    saveModelBundle(m_finalPath, m_model, m_bundle);
    m_bestWrite.wait();
    m_pos.model.clear();
    m_pos.optimizer.clear();
    saveCheckpoint(m_lastPath, m_pos);
    refineModel(m_result.bestModelPath, m_data);
    const RunFinished event{m_pos.globalStep, std::max(0.0, m_pos.bestScore)};
    TrainingResult result = ended(TrainingResult::Status::Finished, event, describe(event));
    result.finalModelPath = m_finalPath;
    report(event);
    return result;
}

// The run's result as it ends with `event`: what it has done, and why it ended.
TrainingResult TrainingRun::ended(TrainingResult::Status status, const TrainingEvent &event,
                                  std::string message) const
{
    TrainingResult result = m_result;
    result.status = status;
    result.message = std::move(message);
    result.ending = event;
    result.bestMeanDice = std::max(0.0, m_pos.bestScore);
    result.steps = m_pos.globalStep;
    return result;
}

void TrainingRun::report(const TrainingEvent &event) const
{
    if (m_hooks.onEvent)
        m_hooks.onEvent(event);
}

} // namespace medseg::core
