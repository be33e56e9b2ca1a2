#include "ui/session/PredictionSession.h"

#include "core/common/Progress.h"
#include "core/train/Predictor.h"
#include "ui/session/ErrorText.h"
#include "ui/session/LabelSession.h"
#include "ui/session/RunHistory.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingController.h"
#include "ui/session/TrainingSession.h"

#include <QDir>
#include <QFileInfo>
#include <QUndoCommand>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace medseg::ui {
namespace {

// Lets the worker's Predictor see the GUI's cancel request, and tells the GUI thread how far
// it got (queued to the session; events to a deleted session are dropped).
class PredictionProgress : public core::ProgressSink
{
public:
    PredictionProgress(PredictionSession *session, std::shared_ptr<std::atomic<bool>> cancel)
        : m_session(session)
        , m_cancel(std::move(cancel))
    {}
    bool progress(std::int64_t done, std::int64_t total, const std::string &) override
    {
        QMetaObject::invokeMethod(
            m_session,
            [session = m_session, done = int(done), total = int(total)] {
                Q_EMIT session->progressed(done, total);
            },
            Qt::QueuedConnection);
        return !m_cancel->load();
    }
    bool isCancelled() const override { return m_cancel->load(); }

private:
    PredictionSession *m_session;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

// The origin of live-preview predictions (a model's origin is its path).
const QString PreviewOrigin = QStringLiteral("live-preview");

} // namespace

// The review status of the series' slices before and after an accept, as one undo step with
// the labels it goes with. Pushed before the labels' command so that undo restores it last
// (undoing the labels would otherwise count as editing, hence reviewing, those slices).
class ReviewStatusCommand : public QUndoCommand
{
public:
    using Statuses = std::vector<PredictionSession::SliceStatus>;
    ReviewStatusCommand(PredictionSession *session, QString seriesKey, Statuses before,
                        Statuses after, QUndoCommand *parent = nullptr)
        : QUndoCommand(parent)
        , m_session(session)
        , m_seriesKey(std::move(seriesKey))
        , m_before(std::move(before))
        , m_after(std::move(after))
    {}
    void redo() override { m_session->setReviewStatus(m_seriesKey, m_after); }
    void undo() override { m_session->setReviewStatus(m_seriesKey, m_before); }

private:
    PredictionSession *m_session;
    QString m_seriesKey;
    Statuses m_before;
    Statuses m_after;
};

PredictionSession::PredictionSession(SeriesSession *series, LabelSession *labels,
                                     TrainingSession *training, QObject *parent)
    : QObject(parent)
    , m_series(series)
    , m_labels(labels)
    , m_training(training)
{
    connect(m_series, &SeriesSession::volumeChanged, this, &PredictionSession::onVolumeChanged);
    connect(m_training, &TrainingSession::previewUpdated, this,
            &PredictionSession::onPreviewUpdated);
    connect(m_training->controller(), &TrainingController::stateChanged, this,
            &PredictionSession::onTrainingStateChanged);
    connect(m_labels, &LabelSession::labelsChanged, this, [this](const core::VoxelBox &box) {
        if (!box.isEmpty())
            onLabelsChanged(box.min[2], box.max[2]);
    });
    connect(m_labels, &LabelSession::tableChanged, this, &PredictionSession::predictionsChanged);
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this,
            &PredictionSession::onPredictionFinished);
    onVolumeChanged();
}

PredictionSession::~PredictionSession()
{
    cancel();
    m_watcher.waitForFinished();
}

void PredictionSession::setModelPath(const QString &path)
{
    m_modelPath = path;
    m_modelScores = {};
    m_modelClasses.clear();
    if (!path.isEmpty()) {
        try {
            const core::ModelBundle bundle = core::readModelBundleInfo(path.toStdString());
            m_modelScores = bundle.validation;
            for (const core::ModelClass &c : bundle.classes) {
                while (m_modelClasses.size() <= c.index)
                    m_modelClasses.append(QString());
                m_modelClasses[c.index] = QString::fromStdString(c.name);
            }
        } catch (const std::exception &) {
            // Predict reports the unreadable model; meanwhile its scores are unknown.
        }
    }
}

core::ValidationScores PredictionSession::originScores() const
{
    if (m_origin == PreviewOrigin) {
        const auto &epochs = m_training->history()->epochs();
        if (epochs.empty())
            return {};
        const core::EpochResult &last = epochs.back();
        return {last.dice, last.meanForegroundDice, last.stage, last.epoch, last.step};
    }
    return m_origin == m_modelPath ? m_modelScores : core::ValidationScores{};
}

QStringList PredictionSession::originClassNames() const
{
    if (m_origin == PreviewOrigin)
        return m_training->history()->classNames();
    return m_origin == m_modelPath ? m_modelClasses : QStringList();
}

int PredictionSession::unreviewedCount() const
{
    int count = 0;
    for (int k = 0; k < int(m_reviewed.size()); ++k)
        if (hasPrediction(k) && m_reviewed[std::size_t(k)] != SliceStatus::Reviewed)
            ++count;
    return count;
}

void PredictionSession::adoptOrigin(const QString &origin, const QString &name)
{
    if (origin == m_origin)
        return;
    if (m_map) {
        m_map->clear();
        std::fill(m_sources.begin(), m_sources.end(), QString());
        for (SliceStatus &status : m_reviewed)
            status = SliceStatus::Unlabeled;
    }
    m_origin = origin;
    m_originName = name;
}

void PredictionSession::onTrainingStateChanged()
{
    // The live preview shows a model that is still learning: it goes when the training ends.
    if (m_training->controller()->state() == TrainingController::State::Idle &&
        m_origin == PreviewOrigin) {
        adoptOrigin(QString(), QString());
        Q_EMIT predictionsChanged();
        Q_EMIT statusChanged();
    }
}

void PredictionSession::onVolumeChanged()
{
    cancel();
    m_map.reset();
    m_sources.clear();
    m_reviewed.clear();
    m_origin.clear();
    m_originName.clear();
    if (m_series->hasVolume()) {
        const core::Volume &volume = *m_series->volume();
        m_map = std::make_unique<core::LabelMap>(volume);
        m_sources.resize(std::size_t(volume.depth()));
        m_reviewed.assign(std::size_t(volume.depth()), SliceStatus::Unlabeled);
    }
    Q_EMIT predictionsChanged();
    Q_EMIT statusChanged();
}

bool PredictionSession::hasPrediction(int slice) const
{
    return slice >= 0 && std::size_t(slice) < m_sources.size() &&
           !m_sources[std::size_t(slice)].isEmpty();
}

QString PredictionSession::predictionSource(int slice) const
{
    return hasPrediction(slice) ? m_sources[std::size_t(slice)] : QString();
}

void PredictionSession::setVisible(bool visible)
{
    if (m_visible == visible)
        return;
    m_visible = visible;
    Q_EMIT visibilityChanged(visible);
    Q_EMIT predictionsChanged();
}

void PredictionSession::setStyle(OverlayStyle style)
{
    if (m_style == style)
        return;
    m_style = style;
    Q_EMIT predictionsChanged();
}

void PredictionSession::setOpacity(double opacity)
{
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (m_opacity == opacity)
        return;
    m_opacity = opacity;
    Q_EMIT predictionsChanged();
}

LabelColourLut PredictionSession::colourLut() const
{
    return LabelColourLut(m_labels->table(), m_opacity, false);
}

bool PredictionSession::predictSlice(int slice)
{
    return startPrediction(slice, 1);
}

bool PredictionSession::predictSeries()
{
    return m_series->hasVolume() && startPrediction(0, m_series->volume()->depth());
}

void PredictionSession::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

bool PredictionSession::startPrediction(int first, int count)
{
    if (isBusy() || !m_map || m_modelPath.isEmpty() || m_series->isLoading())
        return false;
    const std::shared_ptr<const core::Volume> volume = m_series->volume();
    if (!volume || volume->components() != 1 || first < 0 || count < 1 ||
        first + count > volume->depth())
        return false;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const std::string modelPath = m_modelPath.toStdString();
    const core::WindowLut lut = m_series->lut(); // the display window, for models without one
    const bool invert = m_series->layout().invertForDisplay;
    // The case's other channels, for a model of several (an imported dataset's).
    std::vector<std::shared_ptr<const core::Volume>> channels{volume};
    int modelChannels = 1;
    try {
        modelChannels =
            core::readModelBundleInfo(m_modelPath.toStdString()).preprocessing.imageChannels();
    } catch (const std::exception &) {
        // An unreadable model: the worker names the file when it loads it.
    }
    try {
        if (modelChannels > 1 && m_channelLoader)
            for (auto &channel : m_channelLoader())
                channels.push_back(std::move(channel));
    } catch (const std::exception &error) {
        Q_EMIT failed(errorText(error));
        return false;
    }
    auto cancel = m_cancel;
    m_watcher.setFuture(QtConcurrent::run([=]() -> Result {
        Result result;
        result.firstSlice = first;
        result.sliceCount = count;
        try {
            core::Predictor predictor = core::Predictor::load(modelPath);
            for (const core::ModelClass &c : predictor.bundle().classes) {
                if (c.index >= 0 && c.index < 256) {
                    if (result.classNames.size() <= std::size_t(c.index))
                        result.classNames.resize(std::size_t(c.index) + 1);
                    result.classNames[std::size_t(c.index)] = c.name;
                }
            }
            PredictionProgress progress(this, cancel);
            const int width = volume->width();
            const int height = volume->height();
            if (predictor.bundle().preprocessing.readsRawValues()) {
                // Each channel through its rule, resolved on the whole volume as training did.
                std::vector<const float *> raw;
                for (const auto &channel : channels)
                    raw.push_back(channel->data());
                result.labels = predictor.predictCase(raw, width, height, volume->depth(), invert,
                                                      first, count, &progress);
            } else {
                // A model trained on 8-bit slices (a VOC dataset) sees them as the screen does.
                const std::size_t sliceSize = std::size_t(width) * height;
                std::vector<std::uint8_t> grey(sliceSize * std::size_t(count));
                for (int k = 0; k < count; ++k)
                    lut.apply(volume->slice(first + k), sliceSize, grey.data() + sliceSize * k, 1);
                result.labels =
                    predictor.predictGreyVolume(grey.data(), width, height, count, &progress);
            }
        } catch (const core::CancelledError &) {
            result.error = tr("Prediction cancelled.");
        } catch (const std::exception &error) {
            result.error = errorText(error);
        }
        return result;
    }));
    Q_EMIT busyChanged(true);
    return true;
}

void PredictionSession::onPredictionFinished()
{
    Q_EMIT busyChanged(false);
    const Result result = m_watcher.result();
    if (!result.error.isEmpty()) {
        Q_EMIT failed(result.error);
        return;
    }
    if (!m_map || result.firstSlice + result.sliceCount > m_map->depth())
        return; // the series changed meanwhile
    // "run-20261207-1012/best.pt": best.pt alone does not say which run.
    const QFileInfo model(m_modelPath);
    const QString source = QDir(model.dir().dirName()).filePath(model.fileName());
    adoptOrigin(m_modelPath, source);
    const std::size_t sliceSize = std::size_t(m_map->width()) * m_map->height();
    const std::vector<core::LabelValue> toLabel = labelsForClasses(result.classNames);
    for (int k = 0; k < result.sliceCount; ++k)
        storeSlice(result.firstSlice + k, result.labels.data() + sliceSize * k, source, &toLabel);
    Q_EMIT predictionsChanged();
    Q_EMIT statusChanged();
    Q_EMIT finished(result.sliceCount);
}

std::vector<core::LabelValue>
PredictionSession::labelsForClasses(const std::vector<std::string> &names) const
{
    std::vector<core::LabelValue> toLabel(256);
    for (std::size_t k = 0; k < toLabel.size(); ++k)
        toLabel[k] = core::LabelValue(k);
    const auto normal = [](const std::string &name) {
        return QString::fromStdString(name).trimmed().toCaseFolded();
    };
    for (std::size_t k = 1; k < names.size(); ++k) {
        if (normal(names[k]).isEmpty())
            continue;
        for (const core::LabelDescription &label : m_labels->table().labels()) {
            if (label.index > 0 && normal(label.name) == normal(names[k])) {
                toLabel[k] = core::LabelValue(label.index);
                break;
            }
        }
    }
    return toLabel;
}

void PredictionSession::storeSlice(int slice, const std::uint8_t *labels, const QString &source,
                                   const std::vector<core::LabelValue> *toLabel)
{
    std::size_t n = 0;
    for (int j = 0; j < m_map->height(); ++j)
        for (int i = 0; i < m_map->width(); ++i, ++n)
            m_map->setValue(i, j, slice, toLabel ? (*toLabel)[labels[n]] : labels[n]);
    m_sources[std::size_t(slice)] = source;
    m_reviewed[std::size_t(slice)] = SliceStatus::Unlabeled; // a new prediction wants a look
}

void PredictionSession::onPreviewUpdated(int slice, qint64 step)
{
    const auto &preview = m_training->latestPreview();
    if (!m_map || !preview || slice < 0 || slice >= m_map->depth() ||
        preview->labels.width() != m_map->width() || preview->labels.height() != m_map->height())
        return;
    adoptOrigin(PreviewOrigin, tr("live preview of the training"));
    const QImage labels = preview->labels.convertToFormat(QImage::Format_Grayscale8);
    std::vector<std::uint8_t> values(std::size_t(labels.width()) * labels.height());
    for (int y = 0; y < labels.height(); ++y)
        std::memcpy(values.data() + std::size_t(y) * labels.width(), labels.constScanLine(y),
                    std::size_t(labels.width()));
    storeSlice(slice, values.data(), tr("live preview, step %1").arg(step));
    Q_EMIT predictionsChanged();
    Q_EMIT statusChanged();
}

std::size_t PredictionSession::acceptSlice(int slice, AcceptMode mode)
{
    if (!hasPrediction(slice))
        return 0;
    return acceptSlices({slice}, mode, tr("Accept prediction on slice %1").arg(slice + 1));
}

std::size_t PredictionSession::acceptAll(AcceptMode mode)
{
    if (!m_map)
        return 0;
    std::vector<int> slices;
    for (int k = 0; k < m_map->depth(); ++k)
        if (hasPrediction(k) && m_reviewed[std::size_t(k)] != SliceStatus::Reviewed)
            slices.push_back(k);
    if (slices.empty())
        return 0;
    return acceptSlices(slices, mode,
                        tr("Accept %n predicted slice(s)", nullptr, int(slices.size())));
}

std::size_t PredictionSession::acceptSlices(const std::vector<int> &accepted, AcceptMode mode,
                                            const QString &text)
{
    std::vector<std::vector<std::uint8_t>> buffers;
    std::vector<std::pair<int, const std::uint8_t *>> slices;
    for (int k : accepted) {
        buffers.emplace_back(std::size_t(m_map->width()) * m_map->height());
        m_map->extractSlice(core::SliceAxis::Axial, k, buffers.back().data());
    }
    for (std::size_t i = 0; i < accepted.size(); ++i)
        slices.emplace_back(accepted[i], buffers[i].data());
    std::vector<SliceStatus> after = m_reviewed;
    for (int k : accepted)
        after[std::size_t(k)] = SliceStatus::Reviewed;
    QUndoStack *stack = m_labels->undoStack();
    stack->beginMacro(text);
    stack->push(new ReviewStatusCommand(this, m_labels->currentSeriesKey(), m_reviewed, after));
    const std::size_t changed = m_labels->acceptPrediction(
        slices, mode == AcceptMode::Replace ? LabelSession::AcceptMode::Replace
                                            : LabelSession::AcceptMode::FillUnlabeled);
    stack->endMacro();
    return changed;
}

void PredictionSession::setReviewStatus(const QString &seriesKey,
                                        const std::vector<SliceStatus> &statuses)
{
    // The series on screen only: another one's statuses went with its predictions.
    if (seriesKey != m_labels->currentSeriesKey() || statuses.size() != m_reviewed.size())
        return;
    m_reviewed = statuses;
    Q_EMIT statusChanged();
}

void PredictionSession::clearPredictions()
{
    adoptOrigin(QString(), QString());
    Q_EMIT predictionsChanged();
    Q_EMIT statusChanged();
}

PredictionSession::SliceStatus PredictionSession::status(int slice) const
{
    if (slice < 0 || std::size_t(slice) >= m_reviewed.size())
        return SliceStatus::Unlabeled;
    if (m_reviewed[std::size_t(slice)] == SliceStatus::Reviewed)
        return SliceStatus::Reviewed;
    if (hasPrediction(slice))
        return SliceStatus::Predicted;
    const core::LabelMap *labels = m_labels->labelMap();
    if (labels && slice < labels->depth() && labels->sliceHasLabels(core::SliceAxis::Axial, slice))
        return SliceStatus::Labeled;
    return SliceStatus::Unlabeled;
}

void PredictionSession::markReviewed(int slice)
{
    if (slice < 0 || std::size_t(slice) >= m_reviewed.size())
        return;
    m_reviewed[std::size_t(slice)] = SliceStatus::Reviewed;
    Q_EMIT statusChanged();
}

void PredictionSession::onLabelsChanged(int firstSlice, int lastSlice)
{
    // Editing a predicted slice is reviewing it.
    bool any = false;
    for (int k = std::max(0, firstSlice); k <= lastSlice && std::size_t(k) < m_reviewed.size();
         ++k) {
        if (hasPrediction(k) && m_reviewed[std::size_t(k)] != SliceStatus::Reviewed) {
            m_reviewed[std::size_t(k)] = SliceStatus::Reviewed;
            any = true;
        }
    }
    if (any)
        Q_EMIT statusChanged();
}

int PredictionSession::nextToReview(int from) const
{
    const int depth = int(m_reviewed.size());
    for (int step = 1; step <= depth; ++step) {
        const int k = ((from + step) % depth + depth) % depth;
        if (status(k) == SliceStatus::Predicted)
            return k;
    }
    return -1;
}

} // namespace medseg::ui
