#include "core/train/TrainingEvent.h"

#include "core/common/Overloaded.h"

#include <sstream>

namespace medseg::core {

std::string describe(const TrainingEvent &event)
{
    std::ostringstream line;
    line.precision(4);
    std::visit(Overloaded{
                   [&](const RunStarted &e) {
                       line << "training on " << (e.cuda ? "CUDA" : "CPU") << " with " << e.threads
                            << " threads";
                       if (!e.mixedPrecision.empty())
                           line << ", mixed precision " << e.mixedPrecision;
                       if (!e.classWeights.empty()) {
                           line << "; class weights of the focal loss (rarer classes weigh "
                                   "more):";
                           for (const double weight : e.classWeights)
                               line << ' ' << weight;
                       }
                   },
                   [&](const RunResumed &e) {
                       line << "resuming from " << e.checkpoint << " at step " << e.step;
                   },
                   [&](const StageStarted &e) {
                       line << "stage " << e.stage << "/" << e.stageCount << " '" << e.name
                            << "': " << e.slices << " slices, " << e.epochs << " epochs of "
                            << e.stepsPerEpoch << " steps, lr " << e.learningRate;
                   },
                   [&](const EpochEnded &e) {
                       line << "stage " << e.stage << " epoch " << e.epoch << "/" << e.epochs
                            << ": train loss " << e.trainLoss << ", val loss " << e.valLoss
                            << ", mean foreground Dice " << e.meanForegroundDice
                            << (e.improved ? " (best)" : "");
                   },
                   [&](const StoppedEarly &e) {
                       line << "stage '" << e.stageName << "': no better Dice for "
                            << e.epochsWithoutImprovement << " epochs, stopping early";
                   },
                   [&](const EpochsFitted &e) {
                       line << "fitted to the time budget of " << e.budgetSeconds
                            << " s: " << e.epochs << " epochs (" << e.epochSeconds << " s each)";
                   },
                   [&](const TimeBudgetReached &e) {
                       line << "the time budget of " << e.budgetSeconds << " s leaves no room "
                            << "for another epoch after " << e.elapsedSeconds
                            << " s: training ends after stage " << e.stage << " epoch " << e.epoch;
                   },
                   [&](const RunStopped &e) {
                       line << "stopped at step " << e.step << "; checkpoint written to "
                            << e.checkpoint;
                   },
                   [&](const LossDiverged &e) {
                       line << "stage '" << e.stageName << "' stopped: the loss became "
                            << (e.nan ? "NaN" : "infinite") << " at step " << e.step << " (epoch "
                            << e.epoch << "). The last good checkpoint is kept";
                       if (!e.checkpoint.empty())
                           line << " (" << e.checkpoint << ")";
                       line << "; lower the learning rate or check the data.";
                   },
                   [&](const RunFinished &e) {
                       line << "finished after " << e.steps << " steps; best mean foreground Dice "
                            << e.bestMeanDice;
                   },
               },
               event);
    return line.str();
}

} // namespace medseg::core
