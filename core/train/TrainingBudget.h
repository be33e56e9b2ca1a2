#pragma once

// Fitting a run to the machine and to the user's time from measurements, not estimates: the
// batch size from the memory a trial training step takes on the device, the number of epochs
// from that step's time and a time budget ("train for 10 minutes"). Used by `medseg train`
// (--minutes, and when the user gives no batch size) and by the Training dock's time budget.

#include "core/train/TrainingConfig.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

// What one training step costs at a batch size, measured on the run's network and device.
struct StepCost
{
    int batchSize = 0;
    double stepSeconds = 0;            // augmentation, forward, loss, backward and update
    double predictSecondsPerSlice = 0; // validation: one whole slice in eval mode
    double saveSeconds = 0;            // serialising the weights once (best model, checkpoint)
    std::int64_t peakBytes = -1;       // above the network and optimizer at rest; -1: unmeasured
};

// Where the costs come from: trial steps on the real network (makeTrialProbe), or a test's fake.
class TrainingProbe
{
public:
    virtual ~TrainingProbe() = default;
    virtual StepCost measure(int batchSize) = 0;
    // What a step may take: the GPU's free memory, or half the RAM available on a CPU; -1 when
    // the device cannot say.
    virtual std::int64_t memoryBudgetBytes() = 0;
    virtual std::string memoryName() const = 0; // "GPU memory", "RAM"
};

// Builds the config's network (model config as fitted to the data) on the config's device and
// times real steps at the first stage's input size: a warm-up step, then two timed ones, on
// random slices through the first stage's augmentation and the run's loss.
std::unique_ptr<TrainingProbe> makeTrialProbe(const TrainingConfig &config);

struct BatchChoice
{
    int batchSize = 0;
    int largest = 0; // tried up to: 8 on a CPU (larger batches only make fewer steps), 32 on a GPU
    std::int64_t budgetBytes = -1;
    std::string memoryName;
    std::vector<StepCost> measured; // every trial, smallest batch first; the last is the choice
};

// Measures batch 2, then doubles while the next batch's memory, extrapolated linearly from the
// last measurement, fits the budget, measuring each batch it goes to; stops at `largest`.
// Throws when even batch 2 does not fit the budget.
BatchChoice chooseBatchSize(TrainingProbe &probe, int largest);
// The largest batch tried for a device, at most the number of training slices.
int largestBatch(bool cuda, std::int64_t trainSlices);
void apply(const BatchChoice &choice, TrainingConfig &config); // every stage's batch size
// In English, for the CLI: "batch 8 (a step took 0.61 GB of 11.2 GB of RAM; 8 is the most
// tried on a CPU)".
std::string describe(const BatchChoice &choice);

struct TimePlan
{
    double budgetSeconds = 0;
    double spentSeconds = 0;  // before training: reading the data, the trial steps
    int epochs = 0;           // of every stage
    double epochSeconds = 0;  // one epoch of every stage, validation and saving included
    double finishSeconds = 0; // after the last epoch: choosing flip TTA and saving
    double plannedSeconds() const { return spentSeconds + epochs * epochSeconds + finishSeconds; }
};

// The most epochs (per stage) that fit `budgetSeconds` after `spentSeconds`, from a measured
// step: each stage's steps as the trainer lays them out, validation of every slice at each
// epoch's end (the best model is saved beside the next epoch). Throws, saying how long one epoch
// takes, when not even one fits.
TimePlan planEpochs(const TrainingConfig &config, std::int64_t trainSlices, std::int64_t valSlices,
                    const StepCost &cost, double budgetSeconds, double spentSeconds);
// Every stage's epochs, and the budget the trainer keeps to (TrainingConfig::timeBudgetSeconds).
void apply(const TimePlan &plan, TrainingConfig &config);
// The pace of a run, for its ETA and its time budget: per epoch, the time of a step and of the
// rest (validation, saving the best model), since the plan was last fitted. Medians, so that an
// epoch the machine slowed down (or one that saved a model) does not move them.
class RunPace
{
public:
    void addStep(double seconds);       // a training step of the current epoch
    void endEpoch(double epochSeconds); // the whole epoch, its steps included
    // A new window (after the plan was refitted); its medians stand in until it has an epoch.
    void restart();
    int epochs() const { return int(m_window.size()); }
    double stepSeconds() const;                    // 0 before any step
    double overheadSeconds(double fallback) const; // `fallback` before any epoch
    double epochSeconds() const;                   // 0 before any epoch

private:
    struct Epoch
    {
        double step = 0;
        double overhead = 0;
        double total = 0;
    };
    static double median(std::vector<double> values);
    std::vector<Epoch> m_window;
    Epoch m_previous;          // the last window's medians
    double m_stepsSeconds = 0; // of the current epoch
    int m_steps = 0;
};

// During a run with a budget, at the pace measured so far: the epochs of the current stage and
// of every later one (all the same number) that fit `secondsLeft`, keeping time for finishing
// (two validations). `epochsDone` epochs of the current stage are behind; the result is at
// least that. Earlier stages are over and keep theirs.
int refitEpochs(const std::vector<std::int64_t> &stepsPerEpoch, int stage, int epochsDone,
                double stepSeconds, double validationSeconds, double secondsLeft);
// "40 epochs: 3.9 s each, 2.4 s to finish, 4.1 s already spent, 162 s of 180 s planned".
std::string describe(const TimePlan &plan);

// What fitting a run to the machine chose, for the user to read.
struct MachineFit
{
    std::optional<BatchChoice> batch; // when the batch size was chosen
    std::optional<TimePlan> plan;     // when the run has a time budget
};
// Before a new run (the CLI's and the Training dock's alike): trial steps on the config's
// network and device; from them the batch size (when `chooseBatch`) and, with a budget, the
// epochs that fit `budgetSeconds` counted from `started` (reading the data and the trial steps
// are part of it); both applied to `config`. Does nothing without either. Throws with a message
// for the user when no batch fits or the budget is too short for one epoch.
MachineFit fitToMachine(TrainingConfig &config, std::int64_t trainSlices, std::int64_t valSlices,
                        bool chooseBatch, double budgetSeconds,
                        std::chrono::steady_clock::time_point started);

} // namespace medseg::core
