#pragma once

// One run of Trainer::fit, in named parts that read top to bottom: checking the data, the
// device and mixed precision, the model, resuming, the stages and their epochs, a training step,
// validation, the best model, the time budget, checkpoints, previews, finishing. Internal to
// core/train (Trainer::fit is its one user); the state the parts share is its members.

#include "core/train/Augmentation.h"
#include "core/train/BackgroundWrite.h"
#include "core/train/Checkpoint.h"
#include "core/train/Losses.h"
#include "core/train/ModelBundle.h"
#include "core/train/Trainer.h"
#include "core/train/TrainingBudget.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace medseg::core {

class FusedAdamW;

class TrainingRun
{
public:
    // `config` is the Trainer's: a time budget refits its epochs as the run goes.
    TrainingRun(TrainingConfig &config, const std::string &runDir, const TrainingData &data,
                const TrainerHooks &hooks, TrainingControl *control);
    TrainingResult run();

private:
    using Clock = std::chrono::steady_clock;
    using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;
    // A stage's slices (its seeded fraction of the training split), batch and steps.
    struct StageLayout
    {
        std::vector<std::int64_t> subset; // indexes into data.train
        std::int64_t batchSize = 1;
        std::int64_t stepsPerEpoch = 1;
    };
    // What a step or an epoch leaves the run to do.
    enum class Next { GoOn, Stop, Fail };

    // Set-up, in this order.
    void checkData() const;
    void buildModel();
    void writeRunConfig();
    void setUpDevice();
    void resumeOrStart();
    void prepareBundleAndLayouts();

    // Training.
    Next runStage();
    Next runEpoch(FusedAdamW &optimizer, const NamedTensors &trainable);
    Next trainStep(FusedAdamW &optimizer, const NamedTensors &trainable,
                   const std::vector<std::int64_t> &order);
    void backward(const at::Tensor &loss, FusedAdamW &optimizer, const NamedTensors &trainable);
    void reportStep(double lossValue, double learningRate, double seconds);
    std::vector<std::int64_t> epochOrder() const;

    // The end of an epoch.
    std::optional<EpochResult> validate();
    void keepIfBest(EpochResult &epoch);
    void recordEpoch(const EpochResult &epoch);
    bool stopsAfterEpoch(); // early stopping, or the time budget

    // The time budget and the ETA.
    void fitEpochsToBudget(double elapsedSeconds);
    std::int64_t epochsAfterCurrent() const;
    double etaSeconds() const;
    double runSeconds() const; // earlier sessions of the run included

    // Prediction as every saved model predicts, previews, pause and stop.
    at::Tensor predictLogits(const at::Tensor &image, const Preprocessing &preprocessing);
    void servePreview();
    bool checkControl(); // true when the run must stop now

    // Saving and the ways out.
    void saveState(const std::string &path, const FusedAdamW *optimizer);
    void writeMetrics(const std::string &line);
    TrainingResult stopped(const FusedAdamW *optimizer);
    TrainingResult diverged(double lossValue);
    TrainingResult finish();
    TrainingResult ended(TrainingResult::Status status, const TrainingEvent &event,
                         std::string message) const;
    void report(const TrainingEvent &event) const;

    TrainingConfig &m_config;
    const TrainingData &m_data;
    const TrainerHooks &m_hooks;
    TrainingControl *m_control;
    std::filesystem::path m_runDir;
    std::string m_lastPath, m_finalPath, m_bestPath;

    // Device and precision.
    at::Device m_device{at::kCPU};
    bool m_useCuda = false;
    bool m_autocast = false;
    bool m_fp16 = false;
    at::ScalarType m_autocastType = at::kBFloat16;
    at::MemoryFormat m_memoryFormat = at::MemoryFormat::Contiguous;
    MedicalLossOptions m_loss;
    int m_ignoreIndex = 255;

    // The model and what trains it.
    models::PSPNet m_model{nullptr};
    NamedTensors m_namedParameters;
    std::optional<Augmenter> m_augmenter;
    ModelBundle m_bundle;
    std::vector<StageLayout> m_layouts;
    std::int64_t m_totalSteps = 0;

    // Where the run is, and what it has done.
    CheckpointState m_pos;
    TrainingResult m_result;
    std::ofstream m_metrics;

    // Time.
    Clock::time_point m_started;
    Clock::time_point m_lastSave;
    Clock::time_point m_epochStarted;
    double m_secondsBefore = 0;
    int m_fits = 0; // in this session: a resumed run fits its epochs to its pace again
    bool m_budgetReached = false;
    double m_stepSecondsAverage = 0; // recent steps, for the images per second shown
    double m_validationSecondsAverage = 0;
    RunPace m_pace; // medians since the plan was last fitted: the ETA and the budget

    // best.pt is written beside the next epoch; every way out of the run waits for it (and the
    // destructor, declared last, waits first).
    BackgroundWrite m_bestWrite;
};

} // namespace medseg::core
