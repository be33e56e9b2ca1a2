#include "core/train/TrainingConfig.h"

#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include <algorithm>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace medseg::core {

using nlohmann::json;

std::vector<StagePlan> defaultStages()
{
    StagePlan feature;
    feature.name = "feature-extractor fine-tuning";
    feature.trainable = TrainableParts::BackboneAndClassifier;
    feature.learningRate = 1e-4;
    feature.dataFraction = 0.2;
    feature.augmentation = AugmentationLevel::Low;

    StagePlan pyramid;
    pyramid.name = "pyramid pooling training";
    pyramid.trainable = TrainableParts::PyramidPoolingAndClassifier;
    pyramid.learningRate = 5e-5;
    pyramid.dataFraction = 0.6;
    pyramid.augmentation = AugmentationLevel::Medium;

    StagePlan whole;
    whole.name = "whole-model fine-tuning";
    whole.trainable = TrainableParts::All;
    whole.learningRate = 1e-5;
    whole.dataFraction = 1.0;
    whole.augmentation = AugmentationLevel::High;
    return {feature, pyramid, whole};
}

std::vector<StagePlan> fromScratchStages()
{
    // Measured on the demo study (72 slices of 128 x 128 from 3 patients, one for validation;
    // ResNet18, output stride 16, input 128, batch 8, 40 epochs = 240 steps, about 2.5 minutes
    // on 2 CPU cores). From random weights the fine-tune plan ends near a mean foreground Dice
    // of 0.06; one stage at 1e-3 with medium augmentation reached 0.719, 2e-3 with low
    // augmentation (below) 0.729. Output stride 8 was 6x slower per image on the CPU.
    StagePlan stage;
    stage.name = "from scratch";
    stage.trainable = TrainableParts::All;
    stage.learningRate = 2e-3;
    stage.dataFraction = 1.0;
    stage.augmentation = AugmentationLevel::Low;
    stage.epochs = 40;
    stage.warmupSteps = 30;
    stage.schedule = "poly";
    return {stage};
}

std::int64_t stageSliceCount(const StagePlan &plan, std::int64_t trainSlices)
{
    return std::clamp<std::int64_t>(
        std::int64_t(std::ceil(plan.dataFraction * double(trainSlices) - 1e-9)),
        std::min<std::int64_t>(2, trainSlices), trainSlices);
}

std::int64_t stageBatchSize(const StagePlan &plan, std::int64_t trainSlices)
{
    return std::max<std::int64_t>(
        1, std::min<std::int64_t>(plan.batchSize, stageSliceCount(plan, trainSlices)));
}

std::int64_t stepsPerEpoch(const StagePlan &plan, std::int64_t trainSlices)
{
    return stageSliceCount(plan, trainSlices) / stageBatchSize(plan, trainSlices);
}

std::string toString(Recipe recipe)
{
    switch (recipe) {
    case Recipe::FineTune:
        return "fine_tune";
    case Recipe::FromScratch:
        return "from_scratch";
    case Recipe::Custom:
        break;
    }
    return "custom";
}

Recipe recipeFromString(const std::string &name)
{
    for (Recipe recipe : {Recipe::FineTune, Recipe::FromScratch, Recipe::Custom})
        if (toString(recipe) == name)
            return recipe;
    throw std::runtime_error("unknown recipe \"" + name +
                             "\" (expected fine_tune, from_scratch or custom)");
}

std::vector<StagePlan> recipeStages(Recipe recipe)
{
    switch (recipe) {
    case Recipe::FineTune:
        return defaultStages();
    case Recipe::FromScratch:
        return fromScratchStages();
    case Recipe::Custom:
        break;
    }
    throw std::invalid_argument("a custom plan has no built-in stages");
}

void applyRecipe(TrainingConfig &config)
{
    config.recipe = config.pretrainedBackbone.empty() ? Recipe::FromScratch : Recipe::FineTune;
    config.stages = recipeStages(config.recipe);
}

std::string recipeReason(const TrainingConfig &config)
{
    switch (config.recipe) {
    case Recipe::FineTune:
        return "fine-tune because pretrained weights were given (" +
               std::filesystem::path(config.pretrainedBackbone).filename().string() + ")";
    case Recipe::FromScratch:
        return config.pretrainedBackbone.empty()
                   ? "from scratch because no pretrained weights were given"
                   : "from scratch, chosen although pretrained weights were given";
    case Recipe::Custom:
        break;
    }
    return "the stages of a config file";
}

std::string toString(TrainableParts parts)
{
    switch (parts) {
    case TrainableParts::BackboneAndClassifier:
        return "backbone+classifier";
    case TrainableParts::PyramidPoolingAndClassifier:
        return "pyramid-pooling+classifier";
    case TrainableParts::All:
        break;
    }
    return "all";
}

TrainableParts trainablePartsFromString(const std::string &name)
{
    for (TrainableParts parts : {TrainableParts::BackboneAndClassifier,
                                 TrainableParts::PyramidPoolingAndClassifier, TrainableParts::All})
        if (toString(parts) == name)
            return parts;
    throw std::runtime_error("unknown trainable parts '" + name +
                             "' (backbone+classifier, pyramid-pooling+classifier or all)");
}

namespace {

json modelToJson(const models::ModelConfig &m)
{
    return json{{"backbone", m.backbone},
                {"in_channels", m.in_channels},
                {"num_classes", m.num_classes},
                {"output_stride", m.output_stride},
                {"bins", m.bins},
                {"aux", m.aux},
                {"aux_weight", m.aux_weight},
                {"bottleneck_channels", m.bottleneck_channels},
                {"bottleneck_kernel", m.bottleneck_kernel},
                {"dropout", m.dropout},
                {"stochastic_depth_prob", m.stochastic_depth_prob}};
}

json stageToJson(const StagePlan &s)
{
    return json{{"name", s.name},
                {"trainable", toString(s.trainable)},
                {"learning_rate", s.learningRate},
                {"data_fraction", s.dataFraction},
                {"augmentation", toString(s.augmentation)},
                {"epochs", s.epochs},
                {"batch_size", s.batchSize},
                {"input_size", s.inputSize},
                {"weight_decay", s.weightDecay},
                {"schedule", s.schedule},
                {"poly_power", s.polyPower},
                {"warmup_steps", s.warmupSteps},
                {"early_stopping_patience", s.earlyStoppingPatience}};
}

// Reads the keys of one JSON object into fields, naming the path of a key that is unknown or
// has the wrong type.
class ObjectReader
{
public:
    ObjectReader(const json &object, std::string path, const std::string &source)
        : m_object(object)
        , m_path(std::move(path))
        , m_source(source)
    {
        if (!object.is_object())
            fail(m_path.empty() ? std::string("the top level") : m_path, "must be an object");
    }

    template <typename T>
    void read(const char *key, T &value)
    {
        m_known.insert(key);
        const auto it = m_object.find(key);
        if (it == m_object.end())
            return;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            // get<int>() of 2^63 wraps (epochs became 0): whole numbers must fit the field.
            if (it->is_number_float())
                fail(childPath(key), "must be a whole number (not " + it->dump() + ")");
            if (it->is_number_integer()) {
                const bool fits =
                    it->is_number_unsigned()
                        ? it->template get<std::uint64_t>() <=
                              std::uint64_t(std::numeric_limits<T>::max())
                        : std::is_signed_v<T> && it->template get<std::int64_t>() >=
                                                     std::int64_t(std::numeric_limits<T>::min());
                if (!fits)
                    fail(childPath(key), "is out of range (" + it->dump() + ")");
            }
        }
        try {
            value = it->template get<T>();
        } catch (const json::exception &) {
            fail(childPath(key), "has the wrong type");
        }
    }

    void readObject(const char *key, const std::function<void(const json &, std::string)> &reader)
    {
        m_known.insert(key);
        const auto it = m_object.find(key);
        if (it != m_object.end())
            reader(*it, childPath(key));
    }

    template <typename T>
    void readEnum(const char *key, T &value, T (*parse)(const std::string &))
    {
        std::string name;
        m_known.insert(key);
        if (m_object.find(key) == m_object.end())
            return;
        read(key, name);
        try {
            value = parse(name);
        } catch (const std::exception &error) {
            fail(childPath(key), error.what());
        }
    }

    void finish() const
    {
        for (const auto &item : m_object.items())
            if (!m_known.count(item.key()))
                fail(childPath(item.key()), "is not a known key");
    }

    [[noreturn]] void fail(const std::string &key, const std::string &why) const
    {
        throw std::runtime_error((m_source.empty() ? std::string("training config") : m_source) +
                                 ": '" + key + "' " + why);
    }

private:
    std::string childPath(const std::string &key) const
    {
        return m_path.empty() ? key : m_path + "." + key;
    }

    const json &m_object;
    std::string m_path;
    const std::string &m_source;
    std::set<std::string> m_known;
};

} // namespace

std::string toJson(const TrainingConfig &config)
{
    json stages = json::array();
    for (const StagePlan &stage : config.stages)
        stages.push_back(stageToJson(stage));
    const json loss{{"alpha", config.loss.alpha},
                    {"dice",
                     {{"smooth", config.loss.dice.smooth},
                      {"include_background", config.loss.dice.includeBackground},
                      {"ignore_index", config.loss.dice.ignoreIndex}}},
                    {"focal",
                     {{"gamma", config.loss.focal.gamma},
                      {"class_weights", config.loss.focal.classWeights},
                      {"ignore_index", config.loss.focal.ignoreIndex}}}};
    const json root{
        {"dataset", config.dataset},
        {"model", modelToJson(config.model)},
        {"stages", stages},
        {"loss", loss},
        {"class_weights_from_data", config.classWeightsFromData},
        {"seed", config.seed},
        {"deterministic", config.deterministic},
        {"device", config.device},
        {"amp", config.amp},
        {"channels_last", config.channelsLast},
        {"threads", config.threads},
        {"checkpoint_minutes", config.checkpointMinutes},
        {"time_budget_seconds", config.timeBudgetSeconds},
        {"adjacent_slices", config.adjacentSlices},
        {"checkpoint_every_steps", config.checkpointEverySteps},
        {"recipe", toString(config.recipe)},
        {"recipe_reason", recipeReason(config)},
        {"keep_stage_checkpoints", config.keepStageCheckpoints},
        {"input_resize", toString(config.inputResize)},
        {"pretrained_backbone", config.pretrainedBackbone},
        {"intensity", config.intensity},
        {"intensity_window",
         {{"center", config.intensityWindowCenter}, {"width", config.intensityWindowWidth}}}};
    return root.dump(2) + "\n";
}

std::string runConfigJson(const TrainingConfig &config, const std::string &preprocessingJson,
                          const std::vector<std::string> &trainCases,
                          const std::vector<std::string> &validationCases)
{
    json root = json::parse(toJson(config));
    root["preprocessing"] = json::parse(preprocessingJson);
    if (!trainCases.empty() || !validationCases.empty())
        root["split"] = {{"train", trainCases}, {"validation", validationCases}};
    return root.dump(2) + "\n";
}

bool usesCuda(const TrainingConfig &config)
{
    return config.device == "cuda" || (config.device == "auto" && torch::cuda::is_available());
}

const std::vector<std::string> &intensityChoices()
{
    static const std::vector<std::string> choices{"auto", "window", "ct_percentiles", "zscore",
                                                  "percentiles"};
    return choices;
}

std::string trainingPlanJson(const TrainingConfig &config)
{
    json stages = json::array();
    for (const StagePlan &stage : config.stages)
        stages.push_back(stageToJson(stage));
    return json{{"recipe", toString(config.recipe)},
                {"recipe_reason", recipeReason(config)},
                {"pretrained_backbone",
                 config.pretrainedBackbone.empty()
                     ? json(nullptr)
                     : json(std::filesystem::path(config.pretrainedBackbone).filename().string())},
                {"input_resize", toString(config.inputResize)},
                {"seed", config.seed},
                {"stages", stages}}
        .dump();
}

namespace {

void readModel(const json &object, const std::string &path, const std::string &source,
               models::ModelConfig &m)
{
    ObjectReader r(object, path, source);
    r.read("backbone", m.backbone);
    r.read("in_channels", m.in_channels);
    r.read("num_classes", m.num_classes);
    r.read("output_stride", m.output_stride);
    r.read("bins", m.bins);
    r.read("aux", m.aux);
    r.read("aux_weight", m.aux_weight);
    r.read("bottleneck_channels", m.bottleneck_channels);
    r.read("bottleneck_kernel", m.bottleneck_kernel);
    r.read("dropout", m.dropout);
    r.read("stochastic_depth_prob", m.stochastic_depth_prob);
    r.finish();
}

StagePlan readStage(const json &object, const std::string &path, const std::string &source)
{
    StagePlan stage;
    ObjectReader r(object, path, source);
    r.read("name", stage.name);
    r.readEnum("trainable", stage.trainable, &trainablePartsFromString);
    r.read("learning_rate", stage.learningRate);
    r.read("data_fraction", stage.dataFraction);
    r.readEnum("augmentation", stage.augmentation, &augmentationLevelFromString);
    r.read("epochs", stage.epochs);
    r.read("batch_size", stage.batchSize);
    r.read("input_size", stage.inputSize);
    r.read("weight_decay", stage.weightDecay);
    r.read("schedule", stage.schedule);
    r.read("poly_power", stage.polyPower);
    r.read("warmup_steps", stage.warmupSteps);
    r.read("early_stopping_patience", stage.earlyStoppingPatience);
    r.finish();
    return stage;
}

void readLoss(const json &object, const std::string &path, const std::string &source,
              MedicalLossOptions &loss)
{
    ObjectReader r(object, path, source);
    r.read("alpha", loss.alpha);
    r.readObject("dice", [&](const json &dice, std::string dicePath) {
        ObjectReader d(dice, dicePath, source);
        d.read("smooth", loss.dice.smooth);
        d.read("include_background", loss.dice.includeBackground);
        d.read("ignore_index", loss.dice.ignoreIndex);
        d.finish();
    });
    r.readObject("focal", [&](const json &focal, std::string focalPath) {
        ObjectReader f(focal, focalPath, source);
        f.read("gamma", loss.focal.gamma);
        f.read("class_weights", loss.focal.classWeights);
        f.read("ignore_index", loss.focal.ignoreIndex);
        f.finish();
    });
    r.finish();
}

// The top level's plain fields (everything but the model, the stages and the loss).
void readRunSettings(ObjectReader &top, const std::string &source, TrainingConfig &config)
{
    top.read("dataset", config.dataset);
    top.read("class_weights_from_data", config.classWeightsFromData);
    top.read("seed", config.seed);
    top.read("deterministic", config.deterministic);
    top.read("device", config.device);
    top.read("amp", config.amp);
    top.read("channels_last", config.channelsLast);
    top.read("threads", config.threads);
    top.read("checkpoint_minutes", config.checkpointMinutes);
    top.read("checkpoint_every_steps", config.checkpointEverySteps);
    top.read("time_budget_seconds", config.timeBudgetSeconds);
    top.read("adjacent_slices", config.adjacentSlices);
    top.read("keep_stage_checkpoints", config.keepStageCheckpoints);
    top.readEnum("input_resize", config.inputResize, &inputResizeFromString);
    top.readEnum("recipe", config.recipe, &recipeFromString);
    std::string reason; // written for readers; recipeReason() derives it
    top.read("recipe_reason", reason);
    top.read("pretrained_backbone", config.pretrainedBackbone);
    top.read("intensity", config.intensity);
    top.readObject("intensity_window", [&](const json &object, std::string path) {
        ObjectReader r(object, path, source);
        r.read("center", config.intensityWindowCenter);
        r.read("width", config.intensityWindowWidth);
        r.finish();
    });
    top.readObject("preprocessing", [](const json &, std::string) {}); // a run's, resolved
    top.readObject("split", [](const json &, std::string) {});         // a run's cases
}

} // namespace

TrainingConfig trainingConfigFromJson(const std::string &text, const std::string &source)
{
    const std::string name = source.empty() ? std::string("training config") : source;
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception &error) {
        throw std::runtime_error(name + ": not valid JSON: " + error.what());
    }
    TrainingConfig config;
    ObjectReader top(root, {}, source);
    top.readObject("model", [&](const json &object, std::string path) {
        readModel(object, path, source, config.model);
    });
    top.readObject("stages", [&](const json &array, std::string path) {
        if (!array.is_array())
            top.fail(path, "must be an array");
        config.recipe = Recipe::Custom; // unless the file names its recipe
        config.stages.clear();
        for (std::size_t i = 0; i < array.size(); ++i)
            config.stages.push_back(
                readStage(array[i], path + "[" + std::to_string(i) + "]", source));
    });
    top.readObject("loss", [&](const json &object, std::string path) {
        readLoss(object, path, source, config.loss);
    });
    readRunSettings(top, source, config);
    top.finish();
    try {
        validate(config);
    } catch (const std::exception &error) {
        throw std::runtime_error(name + ": " + error.what());
    }
    return config;
}

TrainingConfig readRunConfig(const std::string &runDir)
{
    const std::string path = (std::filesystem::path(runDir) / "config.json").string();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot open the run's plan (missing or unreadable)");
    std::ostringstream text;
    text << in.rdbuf();
    return trainingConfigFromJson(text.str(), path);
}

void validate(const TrainingConfig &config)
{
    // Beyond these a run cannot be meant: a typo, or a file made to exhaust the machine.
    constexpr int MaxThreads = 1024, MaxEpochs = 1000000, MaxBatch = 4096, MaxInputSize = 8192;
    auto fail = [](const std::string &what) {
        throw std::runtime_error(what);
    };
    if (config.stages.empty())
        fail("the plan has no stages");
    const auto &choices = intensityChoices();
    if (std::find(choices.begin(), choices.end(), config.intensity) == choices.end())
        fail("intensity must be auto, window, ct_percentiles, zscore or percentiles (not '" +
             config.intensity + "')");
    if (!(config.intensityWindowWidth >= 1.0))
        fail("intensity_window.width must be 1 or more");
    for (std::size_t i = 0; i < config.stages.size(); ++i) {
        const StagePlan &s = config.stages[i];
        const std::string where = "stage " + std::to_string(i + 1) + ": ";
        if (!(s.learningRate > 0) || !std::isfinite(s.learningRate))
            fail(where + "learning_rate must be a positive number");
        if (!(s.dataFraction > 0 && s.dataFraction <= 1))
            fail(where + "data_fraction must be in (0, 1]");
        if (s.epochs < 0 || s.epochs > MaxEpochs)
            fail(where + "epochs must be 0 to " + std::to_string(MaxEpochs));
        if (s.batchSize < 1 || s.batchSize > MaxBatch)
            fail(where + "batch_size must be 1 to " + std::to_string(MaxBatch));
        if (s.inputSize < 8 || s.inputSize > MaxInputSize)
            fail(where + "input_size must be 8 to " + std::to_string(MaxInputSize));
        if (!(s.weightDecay >= 0))
            fail(where + "weight_decay must not be negative");
        if (s.schedule != "poly" && s.schedule != "cosine")
            fail(where + "schedule must be 'poly' or 'cosine'");
        if (s.warmupSteps < 0 || s.earlyStoppingPatience < 0)
            fail(where + "warmup_steps and early_stopping_patience must not be negative");
    }
    if (config.device != "auto" && config.device != "cpu" && config.device != "cuda")
        fail("device must be 'auto', 'cpu' or 'cuda'");
    if (config.amp != "auto" && config.amp != "off" && config.amp != "bf16" && config.amp != "fp16")
        fail("amp must be 'auto', 'off', 'bf16' or 'fp16'");
    if (config.threads < 0 || config.threads > MaxThreads)
        fail("threads must be 0 (all cores) to " + std::to_string(MaxThreads) + ", not " +
             std::to_string(config.threads));
    if (config.adjacentSlices != 1 && config.adjacentSlices != 3 && config.adjacentSlices != 5)
        fail("adjacent_slices must be 1, 3 or 5");
    if (!(config.timeBudgetSeconds >= 0) || !std::isfinite(config.timeBudgetSeconds))
        fail("time_budget_seconds must not be negative");
    if (config.loss.alpha < 0 || config.loss.alpha > 1)
        fail("loss.alpha must be in [0, 1]");
}

} // namespace medseg::core
