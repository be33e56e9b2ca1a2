#pragma once

#include "core/train/Trainer.h"

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <vector>

class QThread;

namespace medseg::ui {

// Runs a core::Trainer on a worker thread it owns (a run with a time budget is first fitted to
// this machine there, core::fitToMachine) and turns the trainer's callbacks into signals
// on the GUI thread: progress throttled to a few per second (the latest wins), every epoch
// result, previews (latest wins) and log lines. Stop, pause and preview requests go to the
// trainer's TrainingControl, which the worker polls between steps; the model never leaves the
// worker, only copies of results cross threads, and exceptions end as failed().
class TrainingController : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit TrainingController(QObject *parent = nullptr);
    // Stops a running training and waits for the worker (at most one optimizer step).
    ~TrainingController() override;

    State state() const { return m_state; }
    bool isActive() const { return m_state != State::Idle; }
    QString runDir() const { return m_runDir; }
    // The latest progress delivered (zeros before the first step).
    const core::TrainingProgress &lastProgress() const { return m_lastProgress; }
    const std::vector<core::EpochResult> &epochs() const { return m_epochs; }

    // Starts training on the worker; a run directory that holds a checkpoint resumes. Returns
    // false (and starts nothing) while a training is active.
    bool start(const core::TrainingConfig &config, std::shared_ptr<const core::TrainingData> data,
               const QString &runDir);
    void pause();
    void resume();
    void stop();
    // Blocks until the worker has ended; true if it did within `milliseconds` (-1: forever).
    bool waitForFinished(int milliseconds = -1);

    // Asks for the model's prediction on `image` (8-bit grey or RGB, as the training images) at
    // the next step boundary. A newer request replaces one not served yet. Returns its id, or 0
    // when no training runs.
    qint64 requestPreview(const QImage &image);
    // The same for the model's input already made: [C, H, W] float (ui/session/PreviewInput.h).
    qint64 requestPreview(const torch::Tensor &unit);

    // Shortest interval between two progressed() signals (default 100 ms).
    void setProgressInterval(int milliseconds) { m_progressIntervalMs = milliseconds; }

Q_SIGNALS:
    void stateChanged(medseg::ui::TrainingController::State state);
    void progressed(const medseg::core::TrainingProgress &progress);
    void epochFinished(const medseg::core::EpochResult &result);
    // Class indexes of the previewed image (Format_Grayscale8, the request's size).
    void previewReady(const QImage &labels, qint64 step, qint64 requestId);
    void logMessage(const QString &line);
    void finished(const medseg::core::TrainingResult &result);
    void failed(const QString &message);

private:
    // Written by the worker, read on the GUI thread when a posted delivery runs.
    struct Mailbox
    {
        std::mutex mutex;
        bool progressPosted = false;
        core::TrainingProgress progress;
        QElapsedTimer sinceLastProgress;
    };

    void setState(State state);
    // On the worker, before a new run with a time budget: the epochs that fit it on this
    // machine (trial steps), reported as an event. Throws (leaving no empty run folder) when
    // not one epoch fits.
    static core::TrainingConfig fittedToBudget(core::TrainingConfig config,
                                               const core::TrainingData &data,
                                               const QString &runDir,
                                               const core::TrainerHooks &hooks);
    void deliverProgress();
    void onWorkerEnded(const core::TrainingResult &result, const QString &error);

    State m_state = State::Idle;
    QString m_runDir;
    QThread *m_thread = nullptr;
    std::shared_ptr<core::TrainingControl> m_control;
    std::shared_ptr<Mailbox> m_mailbox;
    core::TrainingProgress m_lastProgress;
    std::vector<core::EpochResult> m_epochs;
    int m_progressIntervalMs = 100;
};

} // namespace medseg::ui

Q_DECLARE_METATYPE(medseg::core::TrainingProgress)
Q_DECLARE_METATYPE(medseg::core::EpochResult)
Q_DECLARE_METATYPE(medseg::core::TrainingResult)
