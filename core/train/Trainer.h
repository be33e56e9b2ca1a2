#pragma once

// The staged PSPNet trainer. Plain C++: `fit()` runs on the caller's thread (the CLI's, or a
// worker thread the GUI's TrainingController owns) and reports through callbacks; stop, pause and
// preview requests arrive through a TrainingControl that other threads may call at any time.

#include "core/train/ModelBundle.h"
#include "core/train/TrainingConfig.h"
#include "core/train/TrainingControl.h"
#include "core/train/TrainingData.h"
#include "core/train/TrainingEvent.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

struct TrainingProgress
{
    int stage = 0; // 0-based
    int stageCount = 0;
    std::string stageName;
    int epoch = 0; // 0-based within the stage
    int epochs = 0;
    std::int64_t step = 0; // global optimizer steps done
    std::int64_t totalSteps = 0;
    std::int64_t stepInEpoch = 0;
    std::int64_t stepsInEpoch = 0;
    double loss = 0;
    double learningRate = 0;
    double imagesPerSecond = 0;
    double etaSeconds = 0;
};

struct EpochResult
{
    int stage = 0;
    int epoch = 0;
    std::int64_t step = 0;
    double trainLoss = 0;
    double valLoss = 0;
    std::vector<double> dice; // per class, NaN where absent from the validation truth
    std::vector<double> iou;
    // Per class absent from the validation truth: the pixels predicted as it (false positives
    // that Dice over the present classes does not see); 0 for present classes.
    std::vector<std::int64_t> absentClassPixels;
    double meanForegroundDice = 0;
    bool improved = false; // a new best model was written
};

struct PreviewResult
{
    std::int64_t requestId = 0;
    std::int64_t step = 0; // the model's step
    torch::Tensor labels;  // [H, W] uint8 on the CPU, same size as the request
};

// Called on the thread that runs fit(), between steps; they must not block for long (the GUI
// copies and queues). onPreview's labels are a fresh CPU tensor the receiver may keep.
struct TrainerHooks
{
    std::function<void(const TrainingProgress &)> onStep;
    std::function<void(const EpochResult &)> onEpoch;
    std::function<void(const PreviewResult &)> onPreview;
    std::function<void(const TrainingEvent &)> onEvent; // describe() words them
};

struct TrainingResult
{
    enum class Status { Finished, Stopped, Failed };
    Status status = Status::Finished;
    std::string message; // why it failed or stopped, in English
    // The event that ended the run (RunFinished, RunStopped or LossDiverged), for words in
    // another language.
    std::optional<TrainingEvent> ending;
    double bestMeanDice = 0;
    std::string bestModelPath;  // runDir/best.pt (a ModelBundle); empty before a validation
    std::string finalModelPath; // runDir/final.pt once the plan is done
    std::string checkpointPath; // runDir/checkpoints/last.ckpt
    std::int64_t steps = 0;     // global optimizer steps done
    bool resumed = false;       // fit() continued from a checkpoint
};

class Trainer
{
public:
    // runDir: where config.json, metrics.jsonl, checkpoints/ and best.pt go; created if needed.
    // If runDir holds a checkpoint, fit() resumes from it and continues exactly (the config
    // passed here must describe the same plan; config.json is rewritten with it).
    Trainer(TrainingConfig config, std::string runDir);

    // Throws std::runtime_error with a clear message on an empty dataset, a corrupt checkpoint
    // or a config that does not fit the data. A NaN or Inf loss is not thrown: it returns
    // Status::Failed with the message, and last.ckpt stays the last good one. Exceptions thrown
    // by hooks propagate (the run stops as if killed; the last checkpoint resumes it).
    // Sets process-wide state: at::set_num_threads, deterministic algorithms when asked.
    TrainingResult fit(const TrainingData &data, const TrainerHooks &hooks = {},
                       TrainingControl *control = nullptr);

    static bool hasCheckpoint(const std::string &runDir);
    static std::string checkpointPath(const std::string &runDir); // RUN/checkpoints/last.ckpt

    const TrainingConfig &config() const { return m_config; }
    const std::string &runDir() const { return m_runDir; }

private:
    TrainingConfig m_config;
    std::string m_runDir;
};

} // namespace medseg::core
