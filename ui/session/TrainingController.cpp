#include "ui/session/TrainingController.h"

#include "ui/session/ErrorText.h"
#include "ui/session/TrainingEventText.h"

#include "core/train/TrainingBudget.h"

#include <QMetaObject>
#include <QThread>

#include <torch/types.h>

#include <chrono>
#include <cstring>
#include <filesystem>

namespace medseg::ui {

TrainingController::TrainingController(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<core::TrainingProgress>();
    qRegisterMetaType<core::EpochResult>();
    qRegisterMetaType<core::TrainingResult>();
}

TrainingController::~TrainingController()
{
    if (m_thread) {
        if (m_control)
            m_control->requestStop();
        m_thread->wait();
        delete m_thread;
    }
}

void TrainingController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

bool TrainingController::start(const core::TrainingConfig &config,
                               std::shared_ptr<const core::TrainingData> data,
                               const QString &runDir)
{
    if (isActive() || !data)
        return false;
    if (m_thread) { // the previous worker has ended; its QThread object is still around
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_runDir = runDir;
    m_control = std::make_shared<core::TrainingControl>();
    m_mailbox = std::make_shared<Mailbox>();
    m_mailbox->sinceLastProgress.start();
    m_lastProgress = {};
    m_epochs.clear();

    // The worker holds its own references: the controller may post results to a newer run
    // only through `this`, whose queued deliveries Qt drops once the controller is deleted.
    auto control = m_control;
    auto mailbox = m_mailbox;
    const qint64 interval = m_progressIntervalMs;
    m_thread = QThread::create([this, config, data, runDir, control, mailbox, interval] {
        core::TrainerHooks hooks;
        hooks.onStep = [this, mailbox, interval](const core::TrainingProgress &progress) {
            std::lock_guard<std::mutex> lock(mailbox->mutex);
            mailbox->progress = progress;
            const bool last = progress.step >= progress.totalSteps;
            if (mailbox->progressPosted ||
                (!last && mailbox->sinceLastProgress.elapsed() < interval))
                return;
            mailbox->progressPosted = true;
            QMetaObject::invokeMethod(this, &TrainingController::deliverProgress,
                                      Qt::QueuedConnection);
        };
        hooks.onEpoch = [this](const core::EpochResult &result) {
            QMetaObject::invokeMethod(
                this,
                [this, result] {
                    m_epochs.push_back(result);
                    Q_EMIT epochFinished(result);
                },
                Qt::QueuedConnection);
        };
        hooks.onPreview = [this](const core::PreviewResult &preview) {
            const torch::Tensor labels = preview.labels.contiguous();
            const int height = int(labels.size(0));
            const int width = int(labels.size(1));
            QImage image(width, height, QImage::Format_Grayscale8);
            for (int y = 0; y < height; ++y)
                std::memcpy(image.scanLine(y), labels.data_ptr<std::uint8_t>() + y * width,
                            std::size_t(width));
            const qint64 step = preview.step;
            const qint64 id = preview.requestId;
            QMetaObject::invokeMethod(
                this, [this, image, step, id] { Q_EMIT previewReady(image, step, id); },
                Qt::QueuedConnection);
        };
        hooks.onEvent = [this](const core::TrainingEvent &event) {
            QMetaObject::invokeMethod(
                this, [this, event] { Q_EMIT logMessage(TrainingEventText::describe(event)); },
                Qt::QueuedConnection);
        };

        core::TrainingResult result;
        QString error;
        try {
            core::Trainer trainer(fittedToBudget(config, *data, runDir, hooks),
                                  runDir.toStdString());
            result = trainer.fit(*data, hooks, control.get());
        } catch (const std::exception &exception) {
            error = errorText(exception);
        } catch (...) {
            error = tr("Training ended with an unknown error.");
        }
        QMetaObject::invokeMethod(
            this, [this, result, error] { onWorkerEnded(result, error); }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("medseg-training"));
    m_thread->start();
    setState(State::Running);
    return true;
}

core::TrainingConfig TrainingController::fittedToBudget(core::TrainingConfig config,
                                                        const core::TrainingData &data,
                                                        const QString &runDir,
                                                        const core::TrainerHooks &hooks)
{
    const auto started = std::chrono::steady_clock::now();
    const std::string run = runDir.toStdString();
    if (!(config.timeBudgetSeconds > 0) || core::Trainer::hasCheckpoint(run) ||
        data.train.empty() || data.val.empty())
        return config; // a resumed run keeps its plan; the trainer says what data are missing
    try {
        const core::MachineFit fit = core::fitToMachine(config, std::int64_t(data.train.size()),
                                                        std::int64_t(data.val.size()), false,
                                                        config.timeBudgetSeconds, started);
        if (hooks.onEvent)
            hooks.onEvent(core::EpochsFitted{fit.plan->epochs, fit.plan->epochSeconds,
                                             fit.plan->budgetSeconds});
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(runDir.toStdString(), ignored); // only when still empty
        throw;
    }
    return config;
}

void TrainingController::deliverProgress()
{
    if (!m_mailbox)
        return;
    {
        std::lock_guard<std::mutex> lock(m_mailbox->mutex);
        m_lastProgress = m_mailbox->progress;
        m_mailbox->progressPosted = false;
        m_mailbox->sinceLastProgress.restart();
    }
    Q_EMIT progressed(m_lastProgress);
}

void TrainingController::onWorkerEnded(const core::TrainingResult &result, const QString &error)
{
    deliverProgress(); // the final step, if a throttled one was pending
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    setState(State::Idle);
    if (!error.isEmpty())
        Q_EMIT failed(error);
    else
        Q_EMIT finished(result);
}

void TrainingController::pause()
{
    if (m_state != State::Running)
        return;
    m_control->pause();
    setState(State::Paused);
}

void TrainingController::resume()
{
    if (m_state != State::Paused)
        return;
    m_control->resume();
    setState(State::Running);
}

void TrainingController::stop()
{
    if (m_state != State::Running && m_state != State::Paused)
        return;
    m_control->requestStop();
    m_control->resume(); // a paused trainer must wake up to see the stop
    setState(State::Stopping);
}

bool TrainingController::waitForFinished(int milliseconds)
{
    if (!m_thread)
        return true;
    const bool ended =
        milliseconds < 0 ? m_thread->wait() : m_thread->wait(QDeadlineTimer(milliseconds));
    return ended;
}

qint64 TrainingController::requestPreview(const QImage &image)
{
    if (!isActive() || image.isNull())
        return 0;
    const bool grey = image.format() == QImage::Format_Grayscale8 ||
                      image.format() == QImage::Format_Indexed8 || image.isGrayscale();
    const QImage source =
        image.convertToFormat(grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    const int channels = grey ? 1 : 3;
    torch::Tensor tensor = torch::empty({source.height(), source.width(), channels}, torch::kUInt8);
    for (int y = 0; y < source.height(); ++y)
        std::memcpy(tensor.data_ptr<std::uint8_t>() + std::size_t(y) * source.width() * channels,
                    source.constScanLine(y), std::size_t(source.width()) * channels);
    return m_control->requestPreview(tensor.permute({2, 0, 1}).contiguous());
}

qint64 TrainingController::requestPreview(const torch::Tensor &unit)
{
    if (!isActive() || !unit.defined())
        return 0;
    return m_control->requestPreview(unit.contiguous());
}

} // namespace medseg::ui
