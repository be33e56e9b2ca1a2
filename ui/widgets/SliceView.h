#pragma once

#include "ui/session/SliceRendering.h"

#include <QImage>
#include <QPointF>
#include <QWidget>

#include <array>
#include <optional>

namespace medseg::ui {

class SeriesSession;

// One plane of the series (axial, sagittal or coronal) with the linked crosshair, orientation
// letters, zoom and pan. Input goes to the SeriesSession: wheel, Page and arrow keys move the
// slice; left click moves the crosshair; right drag changes window/level; middle drag pans;
// Ctrl+wheel zooms about the mouse.
class SliceView : public QWidget
{
    Q_OBJECT

public:
    SliceView(SeriesSession *session, SliceOrientation orientation, QWidget *parent = nullptr);

    SliceOrientation orientation() const { return m_orientation; }
    double zoom() const { return m_zoom; }
    void resetView();

    // Mapping between widget pixels and voxels on the current plane (for tests and tools).
    std::optional<std::array<int, 3>> voxelAt(const QPointF &widgetPosition) const;
    QPointF widgetPositionOf(const std::array<int, 3> &voxel) const;

Q_SIGNALS:
    // Text describing the voxel under the mouse (empty when outside the image).
    void hoverTextChanged(const QString &text);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void invalidate();
    void onSlicesDecoded();
    // Where the whole plane image lies in widget coordinates.
    QRectF imageRect() const;
    QString planeName() const;
    void zoomAbout(const QPointF &widgetPosition, double factor);

    SeriesSession *m_session;
    SliceOrientation m_orientation;
    PlaneLayout m_layout;
    mutable QImage m_cache;
    mutable int m_cachedIndex = -1;
    double m_zoom = 1.0;
    QPointF m_pan{0.0, 0.0};
    Qt::MouseButton m_dragButton = Qt::NoButton;
    QPointF m_dragStart;
    QPointF m_panAtDragStart;
    double m_centerAtDragStart = 0.0;
    double m_widthAtDragStart = 1.0;
};

} // namespace medseg::ui
