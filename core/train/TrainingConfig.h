#pragma once

// Everything a training run needs to be repeated: the network, the staged plan (the source
// design's defaults, every number editable), the loss, and how to run. Stored as the run's
// config.json; `medseg train --config run.json` reads the same file.

#include "core/train/Augmentation.h"
#include "core/train/InputGeometry.h"
#include "core/train/Losses.h"
#include "models/ModelConfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

enum class TrainableParts {
    BackboneAndClassifier,       // stage 1: pyramid pooling frozen
    PyramidPoolingAndClassifier, // stage 2: backbone frozen (and its BatchNorm statistics)
    All
};

struct StagePlan
{
    std::string name;
    TrainableParts trainable = TrainableParts::All;
    double learningRate = 1e-4;
    double dataFraction = 1.0; // of the training split, the same seeded subset on resume
    AugmentationLevel augmentation = AugmentationLevel::Medium;
    int epochs = 10;
    int batchSize = 8;
    int inputSize = 256;           // the network's square input (TrainingConfig::inputResize)
    double weightDecay = 1e-4;     // AdamW
    std::string schedule = "poly"; // "poly" or "cosine"
    double polyPower = 0.9;
    int warmupSteps = 0;
    int earlyStoppingPatience = 0; // epochs without a better mean foreground Dice; 0 = off
};

// How the trainer lays a stage out over `trainSlices` training slices: its seeded subset (the
// data fraction, two slices at least), the batch (at most the subset) and the whole batches of
// an epoch (an incomplete last batch is dropped: BatchNorm fails on a batch of one).
std::int64_t stageSliceCount(const StagePlan &plan, std::int64_t trainSlices);
std::int64_t stageBatchSize(const StagePlan &plan, std::int64_t trainSlices);
std::int64_t stepsPerEpoch(const StagePlan &plan, std::int64_t trainSlices);

std::string toString(TrainableParts parts);
TrainableParts trainablePartsFromString(const std::string &name); // throws on unknown

// The design's plan: 1e-4 / 20% / low / backbone + classifier; 5e-5 / 60% / medium / pyramid
// pooling + classifier; 1e-5 / 100% / high / everything. Its small learning rates assume an
// ImageNet-pretrained backbone: the fine-tune recipe.
std::vector<StagePlan> defaultStages();

// The built-in plans, chosen by whether the backbone starts from pretrained weights.
enum class Recipe {
    FineTune,    // defaultStages(), for a pretrained backbone
    FromScratch, // one stage that converges from random weights (fromScratchStages())
    Custom       // stages given by a config file
};
std::string toString(Recipe recipe);              // "fine_tune", "from_scratch", "custom"
Recipe recipeFromString(const std::string &name); // throws on unknown
// One stage, everything trainable, AdamW 2e-3 with 30 warm-up steps and poly decay, low
// augmentation, 40 epochs; measured on the demo study (see the definition).
std::vector<StagePlan> fromScratchStages();
std::vector<StagePlan> recipeStages(Recipe recipe); // Custom: throws

struct TrainingConfig
{
    std::string dataset; // the VOC dataset folder `medseg train --config` reads; may be empty
    models::ModelConfig model;
    // The plan: a recipe's stages (applyRecipe), or a config file's own (Recipe::Custom).
    Recipe recipe = Recipe::FromScratch;
    std::vector<StagePlan> stages = fromScratchStages();
    MedicalLossOptions loss;
    bool classWeightsFromData = true; // clipped inverse-frequency weights for the focal term
    std::uint64_t seed = 0;
    bool deterministic = false;
    std::string device = "auto";    // "auto", "cpu", "cuda"
    std::string amp = "auto";       // "auto" (bf16 on CUDA, off on CPU), "off", "bf16", "fp16"
    bool channelsLast = true;       // CUDA only
    int threads = 0;                // intra-op threads; 0 = all cores
    double checkpointMinutes = 5.0; // also at every epoch and stage end, and on stop
    int checkpointEverySteps = 0;   // 0: off; for tests and very slow steps
    // A copy of the checkpoint at each stage's end (checkpoints/stage-N.ckpt), for going back
    // to a stage. Off: a run keeps one checkpoint (last.ckpt, to resume) and its models.
    bool keepStageCheckpoints = false;
    // How slices of any shape are fitted into the stages' square input sizes; the model records
    // it and every prediction fits slices the same way (core/train/NetworkInput.h).
    InputResize inputResize = InputResize::KeepAspect;
    std::string pretrainedBackbone; // optional torchvision state dict for the backbone
    // How the intensities of image volumes (a project, an nnU-Net or Decathlon dataset) are
    // normalised (core/train/Intensity.h): "auto" is nnU-Net's rule (ct_percentiles for CT
    // channels, zscore for the others); "window" (CT channels through intensityWindow, the
    // others z-scored), "ct_percentiles", "zscore" or "percentiles" apply to every channel.
    // VOC datasets are 8-bit images and stay grey8. The rules the data resolved to are written
    // into the run's config.json as "preprocessing" (for readers: the data resolve them again).
    std::string intensity = "auto";
    double intensityWindowCenter = 40.0;
    double intensityWindowWidth = 400.0;
    // The seconds the trainer may take (0: no limit), from a time budget (`medseg train
    // --minutes`, core/train/TrainingBudget.h): the epochs are planned to fit it, and if the
    // steps run slower than measured, the run ends after the last epoch that fits.
    double timeBudgetSeconds = 0;
    // 2.5D input: each slice with its k - 1 nearest slices as further channels (1, 3 or 5;
    // image volumes only: a VOC dataset's images have no neighbours).
    int adjacentSlices = 1;
};

// The values `intensity` takes.
const std::vector<std::string> &intensityChoices();
// Whether a run of `config` trains on the GPU: "cuda", or "auto" where one is available.
bool usesCuda(const TrainingConfig &config);

// Picks the recipe from config.pretrainedBackbone (fine-tune with weights, else from scratch)
// and sets config.recipe and config.stages to it.
void applyRecipe(TrainingConfig &config);
// Why the config's recipe, in English (config.json, the model card, the CLI).
std::string recipeReason(const TrainingConfig &config);

std::string toJson(const TrainingConfig &config);
// config.json of a run: toJson(config) with the resolved preprocessing (a JSON object, from
// core::preprocessingJson) under "preprocessing", and, for data from a project's volumes, the
// cases on each side of the split under "split" ({"train": [...], "validation": [...]}): what
// the Runs tab evaluates the run's model on. Both are read back for information only.
std::string runConfigJson(const TrainingConfig &config, const std::string &preprocessingJson,
                          const std::vector<std::string> &trainCases = {},
                          const std::vector<std::string> &validationCases = {});
// The recipe, its reason and the stages, for a model card (no paths: the pretrained file by
// its name only).
std::string trainingPlanJson(const TrainingConfig &config);
// Throws std::runtime_error naming `source` and the bad key. Keys left out keep their defaults;
// unknown keys are errors (a typo must not silently train with a default).
TrainingConfig trainingConfigFromJson(const std::string &json, const std::string &source = {});
// A run folder's config.json: the plan the run was started with (epochs fitted to a time budget
// included), which resuming it keeps. Throws std::runtime_error naming the file.
TrainingConfig readRunConfig(const std::string &runDir);
// Throws std::runtime_error naming the first invalid number (e.g. a negative learning rate).
void validate(const TrainingConfig &config);

} // namespace medseg::core
