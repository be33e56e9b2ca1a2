#include "ui/session/TrainingEventText.h"

#include "core/common/Overloaded.h"

#include <QDir>

#include <variant>

namespace medseg::ui {
namespace {

QString number(double value)
{
    return QString::number(value, 'g', 4);
}

QString path(const std::string &file)
{
    return QDir::toNativeSeparators(QString::fromStdString(file));
}

// "1 min 05 s", "42 s".
QString duration(double seconds)
{
    const int total = int(seconds + 0.5);
    if (total < 60)
        return TrainingEventText::tr("%1 s").arg(total);
    return TrainingEventText::tr("%1 min %2 s")
        .arg(total / 60)
        .arg(total % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

QString TrainingEventText::stageName(const std::string &name)
{
    if (name == "feature-extractor fine-tuning")
        return tr("feature-extractor fine-tuning");
    if (name == "pyramid pooling training")
        return tr("pyramid pooling training");
    if (name == "whole-model fine-tuning")
        return tr("whole-model fine-tuning");
    return QString::fromStdString(name);
}

QString TrainingEventText::describe(const core::TrainingEvent &event)
{
    return std::visit(
        core::Overloaded{
            [](const core::RunStarted &e) {
                const QString device = e.cuda ? tr("the GPU (CUDA)") : tr("the CPU");
                return e.mixedPrecision.empty()
                           ? tr("Training on %1 with %n thread(s).", nullptr, e.threads).arg(device)
                           : tr("Training on %1 with %n thread(s), mixed precision %2.", nullptr,
                                e.threads)
                                 .arg(device, QString::fromStdString(e.mixedPrecision));
            },
            [](const core::RunResumed &e) {
                return tr("Resuming at step %1 from %2.").arg(e.step).arg(path(e.checkpoint));
            },
            [](const core::StageStarted &e) {
                return tr("Stage %1 of %2, “%3”: %4 slices, %5 epochs of %6 steps, learning "
                          "rate %7.")
                    .arg(e.stage)
                    .arg(e.stageCount)
                    .arg(stageName(e.name))
                    .arg(e.slices)
                    .arg(e.epochs)
                    .arg(e.stepsPerEpoch)
                    .arg(e.learningRate, 0, 'g', 3);
            },
            [](const core::EpochEnded &e) {
                const QString line =
                    tr("Stage %1, epoch %2 of %3: training loss %4, validation loss %5, mean "
                       "Dice %6.")
                        .arg(e.stage)
                        .arg(e.epoch)
                        .arg(e.epochs)
                        .arg(number(e.trainLoss), number(e.valLoss), number(e.meanForegroundDice));
                return e.improved ? line + QLatin1Char(' ') + tr("Best so far.") : line;
            },
            [](const core::StoppedEarly &e) {
                return tr("Stage “%1” stopped early: the Dice has not improved for %n epoch(s).",
                          nullptr, e.epochsWithoutImprovement)
                    .arg(stageName(e.stageName));
            },
            [](const core::EpochsFitted &e) {
                return tr("Fitted to the time budget (%1): %n epoch(s) of %2 each.", nullptr,
                          e.epochs)
                    .arg(duration(e.budgetSeconds), duration(e.epochSeconds));
            },
            [](const core::TimeBudgetReached &e) {
                return tr("The time budget (%1) leaves no room for another epoch after %2: "
                          "training ends after stage %3, epoch %4.")
                    .arg(duration(e.budgetSeconds), duration(e.elapsedSeconds))
                    .arg(e.stage)
                    .arg(e.epoch);
            },
            [](const core::RunStopped &e) {
                return tr("Stopped at step %1; the checkpoint %2 resumes the run.")
                    .arg(e.step)
                    .arg(path(e.checkpoint));
            },
            [](const core::LossDiverged &e) {
                const QString cause = e.nan ? tr("the loss became NaN (not a number)")
                                            : tr("the loss became infinite");
                const QString kept =
                    e.checkpoint.empty()
                        ? tr("No checkpoint had been written yet.")
                        : tr("The last good checkpoint is kept: %1.").arg(path(e.checkpoint));
                return tr("Stage “%1” stopped at step %2 (epoch %3): %4. %5 Lower the learning "
                          "rate or check the data.")
                    .arg(stageName(e.stageName))
                    .arg(e.step)
                    .arg(e.epoch)
                    .arg(cause, kept);
            },
            [](const core::RunFinished &e) {
                return tr("Finished after %n step(s); best mean Dice %1.", nullptr, int(e.steps))
                    .arg(number(e.bestMeanDice));
            },
        },
        event);
}

} // namespace medseg::ui
