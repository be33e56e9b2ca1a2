#include "ui/session/PredictionSession.h"

#include "core/common/Progress.h"
#include "core/train/Predictor.h"
#include "ui/session/LabelSession.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingSession.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace medseg::ui {
namespace {

// Lets the worker's Predictor see the GUI's cancel request.
class CancelFlag : public core::ProgressSink
{
public:
    explicit CancelFlag(std::shared_ptr<std::atomic<bool>> cancel)
        : m_cancel(std::move(cancel))
    {}
    bool progress(std::int64_t, std::int64_t, const std::string &) override
    {
        return !m_cancel->load();
    }
    bool isCancelled() const override { return m_cancel->load(); }

private:
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace

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
}

void PredictionSession::onVolumeChanged()
{
    cancel();
    m_map.reset();
    m_sources.clear();
    m_reviewed.clear();
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
            CancelFlag progress(cancel);
            const int width = volume->width();
            const int height = volume->height();
            if (predictor.bundle().preprocessing.hasWindow) {
                result.labels =
                    predictor.predictVolume(volume->slice(first), width, height, count, &progress);
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
            result.error = QString::fromLocal8Bit(error.what());
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
    const QString source = QFileInfo(m_modelPath).fileName();
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
    std::vector<std::uint8_t> values =
        std::vector<std::uint8_t>(std::size_t(m_map->width()) * m_map->height());
    m_map->extractSlice(core::SliceAxis::Axial, slice, values.data());
    const std::size_t changed = m_labels->acceptPrediction(
        {{slice, values.data()}}, mode == AcceptMode::Replace
                                      ? LabelSession::AcceptMode::Replace
                                      : LabelSession::AcceptMode::FillUnlabeled);
    markReviewed(slice);
    return changed;
}

std::size_t PredictionSession::acceptAll(AcceptMode mode)
{
    if (!m_map)
        return 0;
    std::vector<std::vector<std::uint8_t>> buffers;
    std::vector<std::pair<int, const std::uint8_t *>> slices;
    std::vector<int> accepted;
    for (int k = 0; k < m_map->depth(); ++k) {
        if (!hasPrediction(k) || m_reviewed[std::size_t(k)] == SliceStatus::Reviewed)
            continue;
        buffers.emplace_back(std::size_t(m_map->width()) * m_map->height());
        m_map->extractSlice(core::SliceAxis::Axial, k, buffers.back().data());
        accepted.push_back(k);
    }
    for (std::size_t i = 0; i < accepted.size(); ++i)
        slices.emplace_back(accepted[i], buffers[i].data());
    const std::size_t changed = m_labels->acceptPrediction(
        slices, mode == AcceptMode::Replace ? LabelSession::AcceptMode::Replace
                                            : LabelSession::AcceptMode::FillUnlabeled);
    for (int k : accepted)
        m_reviewed[std::size_t(k)] = SliceStatus::Reviewed;
    Q_EMIT statusChanged();
    return changed;
}

void PredictionSession::clearPredictions()
{
    if (m_map)
        m_map->clear();
    std::fill(m_sources.begin(), m_sources.end(), QString());
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
