#pragma once

#include "core/image/ImageGeometry.h"
#include "core/image/Volume.h"
#include "core/mesh/LabelStatistics.h"
#include "core/mesh/SurfaceExtractor.h"

#include <QColor>
#include <QFutureWatcher>
#include <QImage>
#include <QPoint>
#include <QString>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

class QLabel;

namespace medseg::core {
class CancelToken;
}

namespace medseg::ui {

// One row of the label table the 3D view colours and hides surfaces by.
struct SurfaceLabel
{
    int index = 0;
    QString name;
    QColor colour;
    bool visible = true;
};

namespace detail {
class SurfaceRenderer;
}

// The 3D view of the labels (ITK-SNAP's fourth view): one smoothed surface per label in
// patient coordinates, computed off the GUI thread (QtConcurrent; requests are debounced and
// the latest wins) and rendered by VTK offscreen into an image this widget paints, because
// Debian's VTK has no Qt 6 widget. Left drag rotates, right or middle drag pans, the wheel
// zooms; the first view looks at the patient from the front, head up.
// VTK aborts the process when it finds no display, so without an X display with OpenGL (the
// offscreen platform, Wayland without X, a server without GLX) the view shows a message instead
// and never creates a VTK window; surfaces and statistics are still computed.
class SurfaceView : public QWidget
{
    Q_OBJECT

public:
    explicit SurfaceView(QWidget *parent = nullptr);
    ~SurfaceView() override;

    // The label volume to show (float labels, e.g. a NIfTI read), or a dense uint16 buffer of
    // width x height x depth voxels with its geometry (the GUI's label maps). The data are read
    // from a worker thread: the caller must not write to it after handing it over; after an
    // edit hand over a new snapshot (or call labelsChanged() once the old one is rewritten
    // while no computation runs). Recomputes after the debounce delay.
    void setLabels(std::shared_ptr<const core::Volume> labels,
                   const QVector<SurfaceLabel> &table = {});
    void setLabels(std::shared_ptr<const std::vector<std::uint16_t>> labels, int width, int height,
                   int depth, const core::ImageGeometry &geometry,
                   const QVector<SurfaceLabel> &table = {});
    // An image on the labels' grid for the mean and standard deviation columns (optional).
    void setImage(std::shared_ptr<const core::Volume> image);
    void clear();

    // Names, colours and visibility; labels missing from the table get a palette colour.
    void setLabelTable(const QVector<SurfaceLabel> &table);
    const QVector<SurfaceLabel> &labelTable() const { return m_table; }
    void setLabelVisible(int index, bool visible);
    bool isLabelVisible(int index) const;

    void setSurfaceOptions(const core::SurfaceOptions &options);
    // Delay between the last request and the computation (default 300 ms).
    void setDebounceInterval(int milliseconds);

    // True when VTK can render here (an X display with OpenGL); decided once, at construction.
    bool canRender() const { return m_canRender; }
    bool isComputing() const { return m_watcher.isRunning() || m_debounce.isActive(); }
    const std::vector<core::LabelSurface> &surfaces() const { return m_surfaces; }
    const std::vector<core::LabelMeasurement> &statistics() const { return m_statistics; }

    // The view as shown: a fresh VTK render at the widget's size (at least 64 x 64), or the
    // widget with its message where it cannot render.
    QImage grabImage();
    // Front view, head up, all surfaces in view.
    void resetCamera();

public Q_SLOTS:
    // The labels changed (an edit): recompute after the debounce delay, latest request wins.
    void labelsChanged();

Q_SIGNALS:
    // New surfaces and statistics are in (after a computation finished and was not superseded).
    void surfacesUpdated();
    void computationFailed(const QString &message);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Result
    {
        std::vector<core::LabelSurface> surfaces;
        std::vector<core::LabelMeasurement> statistics;
        QString error;
        bool cancelled = false;
    };

    void startComputation();
    void onComputationFinished();
    QColor colourOf(int index) const;
    // Hands the surfaces to the renderer (camera reset on the first ones), then renders.
    void showSurfaces();
    void applyLabelTable();
    void render();
    void retranslate();

    bool m_canRender = false;
    QLabel *m_message = nullptr;
    std::unique_ptr<detail::SurfaceRenderer> m_renderer;
    QImage m_image;

    // Exactly one of the two sources is set.
    std::shared_ptr<const core::Volume> m_volume;
    std::shared_ptr<const std::vector<std::uint16_t>> m_buffer;
    int m_bufferSize[3] = {0, 0, 0};
    core::ImageGeometry m_bufferGeometry;
    std::shared_ptr<const core::Volume> m_grey;

    QVector<SurfaceLabel> m_table;
    core::SurfaceOptions m_options;
    QTimer m_debounce;
    QFutureWatcher<Result> m_watcher;
    std::shared_ptr<core::CancelToken> m_cancel;
    bool m_pending = false;
    bool m_cameraSet = false;

    std::vector<core::LabelSurface> m_surfaces;
    std::vector<core::LabelMeasurement> m_statistics;

    Qt::MouseButton m_dragButton = Qt::NoButton;
    QPoint m_lastPosition;
};

} // namespace medseg::ui
