#pragma once

// What the trainer tells its user while it runs, as data rather than sentences: the CLI prints
// describe()'s English lines, the GUI words each event in the user's language.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace medseg::core {

struct RunStarted
{
    bool cuda = false;
    int threads = 0;
    std::string mixedPrecision; // "fp16", "bf16", or empty for full precision
    // The focal term's weight per class (inverse pixel frequency in the training slices,
    // clipped, TrainingConfig::classWeightsFromData, or the config's own); empty: all 1.
    std::vector<double> classWeights;
};

struct RunResumed
{
    std::string checkpoint;
    std::int64_t step = 0;
};

// Stage numbers are 1-based here, as the user counts them.
struct StageStarted
{
    int stage = 1;
    int stageCount = 1;
    std::string name;
    std::int64_t slices = 0;
    int epochs = 0;
    std::int64_t stepsPerEpoch = 0;
    double learningRate = 0;
};

struct EpochEnded
{
    int stage = 1;
    int epoch = 1; // 1-based within the stage
    int epochs = 0;
    double trainLoss = 0;
    double valLoss = 0;
    double meanForegroundDice = 0;
    bool improved = false;
};

struct StoppedEarly
{
    std::string stageName;
    int epochsWithoutImprovement = 0;
};

// After the first epoch of a run with a time budget: the epochs of every stage, fitted to the
// budget from that epoch's measured time.
struct EpochsFitted
{
    int epochs = 0;           // of every stage
    double epochSeconds = 0;  // one epoch of every stage, validation included
    double budgetSeconds = 0; // what the trainer may take
};

// The run's time budget leaves no room for another epoch: the run ends as if its plan had.
struct TimeBudgetReached
{
    double elapsedSeconds = 0;
    double budgetSeconds = 0;
    int stage = 1; // the last stage trained, 1-based
    int epoch = 1; // the last epoch trained in it, 1-based
};

struct RunStopped
{
    std::int64_t step = 0;
    std::string checkpoint;
};

// A NaN or infinite loss ended the run; the last good checkpoint (if any) is kept.
struct LossDiverged
{
    std::string stageName;
    bool nan = true; // false: infinite
    std::int64_t step = 0;
    int epoch = 1;
    std::string checkpoint; // empty when none was written yet
};

struct RunFinished
{
    std::int64_t steps = 0;
    double bestMeanDice = 0;
};

using TrainingEvent =
    std::variant<RunStarted, RunResumed, StageStarted, EpochEnded, StoppedEarly, EpochsFitted,
                 TimeBudgetReached, RunStopped, LossDiverged, RunFinished>;

// One English line, as `medseg train` prints it and metrics.jsonl records errors.
std::string describe(const TrainingEvent &event);

} // namespace medseg::core
