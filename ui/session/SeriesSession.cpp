#include "ui/session/SeriesSession.h"

#include "ui/session/ErrorText.h"
#include "ui/session/PromiseProgress.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <utility>

namespace medseg::ui {

struct SeriesSession::DecodeState
{
    explicit DecodeState(int slices)
        : decoded(std::size_t(std::max(slices, 0)))
    {
        for (auto &flag : decoded)
            flag.store(false, std::memory_order_relaxed);
    }
    std::vector<std::atomic<bool>> decoded;
    std::atomic<int> count{0};
};

namespace {

int axisOf(SliceOrientation orientation)
{
    switch (orientation) {
    case SliceOrientation::Axial:
        return 2;
    case SliceOrientation::Sagittal:
        return 0;
    case SliceOrientation::Coronal:
        return 1;
    }
    return 2;
}

// Modalities whose frames are a sequence in time or projection, not slices of a volume.
bool isFrameStackModality(const std::string &modality)
{
    return modality == "US" || modality == "XA" || modality == "RF" || modality == "ES" ||
           modality == "XC" || modality == "CR" || modality == "DX" || modality == "MG";
}

} // namespace

SeriesSession::SeriesSession(QObject *parent)
    : QObject(parent)
    , m_lut(makeLut(core::Window{40.0, 400.0, {}}, false))
{
    m_pollTimer.setInterval(60);
    connect(&m_pollTimer, &QTimer::timeout, this, &SeriesSession::pollDecoded);
    connect(&m_watcher, &QFutureWatcher<void>::finished, this, &SeriesSession::onLoadFinished);
}

SeriesSession::~SeriesSession()
{
    // The decoder threads call back into this object: they must be done before it goes.
    m_watcher.cancel();
    m_watcher.waitForFinished();
}

void SeriesSession::loadSeries(const core::DicomSeries &series)
{
    QString title = series.description.empty() ? tr("Series %1").arg(series.seriesNumber)
                                               : QString::fromStdString(series.description);
    if (series.isImageFile() && series.volumeCount > 1)
        title = tr("%1, volume %2 of %3")
                    .arg(title)
                    .arg(series.volumeIndex + 1)
                    .arg(series.volumeCount);
    startLoading(std::make_shared<core::SeriesReader>(series), title);
}

void SeriesSession::loadFile(const QString &path)
{
    startLoading(
        std::make_shared<core::SeriesReader>(core::SeriesReader::forFile(path.toStdString())),
        QFileInfo(path).fileName());
}

void SeriesSession::startLoading(std::shared_ptr<core::SeriesReader> loader, const QString &title)
{
    if (m_watcher.isRunning()) {
        m_watcher.cancel();
        m_watcher.waitForFinished();
    }
    const quint64 generation = ++m_generation;
    m_reader = loader;
    m_title = title;
    m_windowChosen = false;

    m_watcher.setFuture(QtConcurrent::run([this, loader, generation](QPromise<void> &promise) {
        PromiseProgress<void> progress(promise);
        try {
            loader->prepare();
            auto volume = loader->volume();
            auto state = std::make_shared<DecodeState>(volume->depth());
            QMetaObject::invokeMethod(
                this,
                [this, volume, layout = loader->layout(), state, generation] {
                    if (generation == m_generation)
                        adoptVolume(volume, layout, state);
                },
                Qt::QueuedConnection);
            loader->decode(&progress, [state](int k) {
                if (k >= 0 && k < int(state->decoded.size()) &&
                    !state->decoded[std::size_t(k)].exchange(true, std::memory_order_acq_rel))
                    state->count.fetch_add(1, std::memory_order_relaxed);
            });
        } catch (const core::CancelledError &) {
        } catch (...) {
            // Report everything here: an exception left in the future would be rethrown by
            // waitForFinished() in the destructor.
            QString message = tr("unknown error");
            try {
                throw;
            } catch (const std::exception &error) {
                message = errorText(error);
            } catch (...) {
            }
            QMetaObject::invokeMethod(
                this,
                [this, message, generation] {
                    if (generation == m_generation)
                        Q_EMIT loadFailed(message);
                },
                Qt::QueuedConnection);
        }
    }));
    m_pollTimer.start();
}

void SeriesSession::setVolume(std::shared_ptr<core::Volume> volume, core::SeriesLayout layout)
{
    if (m_watcher.isRunning()) {
        m_watcher.cancel();
        m_watcher.waitForFinished();
    }
    ++m_generation;
    m_windowChosen = false;
    auto state = std::make_shared<DecodeState>(volume ? volume->depth() : 0);
    for (auto &flag : state->decoded)
        flag.store(true);
    state->count = int(state->decoded.size());
    adoptVolume(std::move(volume), std::move(layout), state);
    pollDecoded();
    Q_EMIT loadingFinished();
}

void SeriesSession::close()
{
    if (m_watcher.isRunning()) {
        m_watcher.cancel();
        m_watcher.waitForFinished();
    }
    ++m_generation;
    m_pollTimer.stop();
    m_volume.reset();
    m_state.reset();
    m_layout = {};
    m_title.clear();
    m_demographics = {};
    Q_EMIT volumeChanged();
}

void SeriesSession::setDemographics(const Demographics &demographics)
{
    m_demographics = demographics;
    Q_EMIT demographicsChanged();
}

void SeriesSession::adoptVolume(std::shared_ptr<core::Volume> volume, core::SeriesLayout layout,
                                std::shared_ptr<DecodeState> state)
{
    m_volume = std::move(volume);
    m_layout = std::move(layout);
    m_state = std::move(state);
    m_demographics = {}; // the document names the new series' patient on volumeChanged()
    m_reportedCount = -1;
    m_voiLutActive = false;
    if (m_volume)
        m_cursor = {m_volume->width() / 2, m_volume->height() / 2, m_volume->depth() / 2};
    // A window from the file or a modality preset is known now; a data-derived one waits for
    // the pixels (onLoadFinished).
    m_windowChosen = !m_layout.windows.empty() || m_layout.modality == "CT";
    m_window = m_volume ? openingWindow(m_layout, *m_volume) : core::Window{};
    m_lut = makeLut(m_window, m_layout.invertForDisplay);
    Q_EMIT volumeChanged();
    Q_EMIT windowChanged();
    Q_EMIT cursorChanged();
}

void SeriesSession::pollDecoded()
{
    if (!m_state)
        return;
    const int count = m_state->count.load(std::memory_order_relaxed);
    if (count != m_reportedCount) {
        m_reportedCount = count;
        Q_EMIT slicesDecoded(count, int(m_state->decoded.size()));
    }
}

void SeriesSession::onLoadFinished()
{
    m_pollTimer.stop();
    const std::shared_ptr<core::SeriesReader> reader = std::exchange(m_reader, nullptr);
    if (!m_volume || m_watcher.future().isCanceled())
        return;
    // What decoding found (read on this thread now that the worker is done), when the reader
    // is the one whose volume is shown.
    if (reader && reader->volume() == m_volume)
        m_layout.warnings = reader->layout().warnings;
    pollDecoded();
    if (!m_windowChosen) {
        m_window = openingWindow(m_layout, *m_volume);
        m_lut = makeLut(m_window, m_layout.invertForDisplay);
        Q_EMIT windowChanged();
    }
    Q_EMIT loadingFinished();
}

bool SeriesSession::isLoading() const
{
    return m_watcher.isRunning();
}

int SeriesSession::decodedSliceCount() const
{
    return m_state ? m_state->count.load(std::memory_order_relaxed) : 0;
}

bool SeriesSession::isSliceDecoded(int k) const
{
    return m_state && k >= 0 && k < int(m_state->decoded.size()) &&
           m_state->decoded[std::size_t(k)].load(std::memory_order_acquire);
}

void SeriesSession::setCursor(const std::array<int, 3> &voxel)
{
    if (!m_volume)
        return;
    const std::array<int, 3> clamped{std::clamp(voxel[0], 0, m_volume->width() - 1),
                                     std::clamp(voxel[1], 0, m_volume->height() - 1),
                                     std::clamp(voxel[2], 0, m_volume->depth() - 1)};
    if (clamped == m_cursor)
        return;
    m_cursor = clamped;
    Q_EMIT cursorChanged();
}

int SeriesSession::sliceIndex(SliceOrientation orientation) const
{
    return m_cursor[std::size_t(axisOf(orientation))];
}

int SeriesSession::sliceCount(SliceOrientation orientation) const
{
    if (!m_volume)
        return 0;
    const std::array<int, 3> size{m_volume->width(), m_volume->height(), m_volume->depth()};
    return size[std::size_t(axisOf(orientation))];
}

void SeriesSession::setSliceIndex(SliceOrientation orientation, int index)
{
    std::array<int, 3> voxel = m_cursor;
    voxel[std::size_t(axisOf(orientation))] = index;
    setCursor(voxel);
}

void SeriesSession::moveSlice(SliceOrientation orientation, int delta)
{
    setSliceIndex(orientation, sliceIndex(orientation) + delta);
}

bool SeriesSession::isVolumetric() const
{
    return m_volume && m_volume->depth() > 1 && !isFrameStackModality(m_layout.modality);
}

bool SeriesSession::hasPatientOrientation() const
{
    return m_volume && !isFrameStackModality(m_layout.modality);
}

void SeriesSession::setVoiLutActive(bool active)
{
    active = active && hasVoiLut();
    if (active == m_voiLutActive)
        return;
    m_voiLutActive = active;
    m_windowChosen = true;
    m_lut = active ? core::WindowLut(*m_layout.voiLut, -32768, 65535, m_layout.invertForDisplay)
                   : makeLut(m_window, m_layout.invertForDisplay);
    Q_EMIT windowChanged();
}

void SeriesSession::setWindow(const core::Window &window)
{
    if (!window.isValid())
        return;
    m_windowChosen = true;
    if (window.center == m_window.center && window.width == m_window.width &&
        window.name == m_window.name && !m_voiLutActive)
        return;
    m_voiLutActive = false;
    m_window = window;
    m_lut = makeLut(m_window, m_layout.invertForDisplay);
    Q_EMIT windowChanged();
}

QList<core::Window> SeriesSession::availableWindows() const
{
    QList<core::Window> windows;
    for (const core::Window &window : m_layout.windows) {
        if (window.isValid())
            windows.append(window);
    }
    for (const core::Window &preset : core::windowPresets(m_layout.modality))
        windows.append(preset);
    if (m_volume && m_volume->components() == 1 &&
        isSliceDecoded(sliceIndex(SliceOrientation::Axial))) {
        const float *slice = m_volume->slice(sliceIndex(SliceOrientation::Axial));
        const std::size_t count = std::size_t(m_volume->width()) * m_volume->height();
        core::Window minMax = core::minMaxWindow(slice, count);
        minMax.name = tr("Min-max of this slice").toStdString();
        core::Window percentile = core::percentileWindow(slice, count, 1.0, 99.0);
        percentile.name = tr("1st-99th percentile of this slice").toStdString();
        windows.append(minMax);
        windows.append(percentile);
    }
    return windows;
}

QImage SeriesSession::renderSlice(SliceOrientation orientation) const
{
    if (!m_volume)
        return {};
    const auto state = m_state;
    return renderPlane(*m_volume, orientation, sliceIndex(orientation), m_lut, [state](int k) {
        return state && k >= 0 && k < int(state->decoded.size()) &&
               state->decoded[std::size_t(k)].load(std::memory_order_acquire);
    });
}

QString SeriesSession::describeVoxel(const std::array<int, 3> &voxel) const
{
    if (!m_volume || !m_volume->contains(voxel[0], voxel[1], voxel[2]))
        return {};
    const core::Vec3 p =
        m_volume->geometry().voxelToPatient({double(voxel[0]), double(voxel[1]), double(voxel[2])});
    // Numbered from 1, as the views number their slices (and ITK-SNAP its voxels).
    QString text = tr("Voxel (%1, %2, %3)   %4, %5, %6 mm")
                       .arg(voxel[0] + 1)
                       .arg(voxel[1] + 1)
                       .arg(voxel[2] + 1)
                       .arg(p[0], 0, 'f', 1)
                       .arg(p[1], 0, 'f', 1)
                       .arg(p[2], 0, 'f', 1);
    if (!isSliceDecoded(voxel[2]))
        return text;
    if (m_volume->components() >= 3) {
        return text + tr("   RGB %1, %2, %3")
                          .arg(m_volume->value(voxel[0], voxel[1], voxel[2], 0))
                          .arg(m_volume->value(voxel[0], voxel[1], voxel[2], 1))
                          .arg(m_volume->value(voxel[0], voxel[1], voxel[2], 2));
    }
    const double value = m_volume->value(voxel[0], voxel[1], voxel[2]);
    const QString number = value == std::floor(value) ? QString::number(value, 'f', 0)
                                                      : QString::number(value, 'g', 6);
    const bool hounsfield = m_layout.rescaleType == "HU" || m_layout.modality == "CT";
    return text + QStringLiteral("   ") + (hounsfield ? tr("%1 HU").arg(number) : number);
}

} // namespace medseg::ui
