#pragma once

#include "core/image/ImageGeometry.h"
#include "core/labels/LabelDelta.h"
#include "ui/session/SliceRendering.h"

#include <QImage>
#include <QPointF>
#include <QRect>
#include <QWidget>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace medseg::ui {

class LabelSession;
class PredictionSession;
class SeriesSession;

// One plane of the series (axial, sagittal or coronal) with the linked crosshair, orientation
// letters, zoom and pan, and the label overlay. Input goes to the SeriesSession and the
// LabelSession: wheel, Page and arrow keys move the slice; right drag changes window/level;
// middle drag pans; Ctrl+wheel zooms about the mouse. The left button applies the active label
// tool, as in ITK-SNAP:
//   crosshair (navigate)  click or drag moves the crosshair
//   brush / eraser        drag paints (one undo step per stroke); the outline follows the mouse
//   polygon               click adds a vertex; double-click, Enter or a click on the first
//                         vertex closes and fills; Backspace removes the last vertex; Esc cancels
//   lasso                 drag draws the outline; release fills
//   flood fill            click fills the connected region under the mouse
// In every label tool Shift+left moves the crosshair instead (ITK-SNAP keeps the crosshair on a
// separate tool; Slicer on Shift), and Shift+wheel changes the brush size.
class SliceView : public QWidget
{
    Q_OBJECT

public:
    SliceView(SeriesSession *session, SliceOrientation orientation, QWidget *parent = nullptr);

    SliceOrientation orientation() const { return m_orientation; }
    // Paints with this session's tools and draws its overlay (none without one).
    void setLabelSession(LabelSession *labels);
    // The patient's name and ID, study date and descriptions in the top right corner, as every
    // viewer prints them; off for screenshots and teaching files.
    void setDemographicsVisible(bool visible);
    bool isDemographicsVisible() const { return m_demographicsVisible; }
    // What that corner shows now (empty when hidden or unknown).
    QString demographicsText() const;
    LabelSession *labelSession() const { return m_labels; }
    // Model predictions drawn as outlines over the labels (colours from the label table).
    void setPredictionSession(PredictionSession *predictions);
    double zoom() const { return m_zoom; }
    void resetView();

    // Mapping between widget pixels and voxels on the current plane (for tests and tools).
    std::optional<std::array<int, 3>> voxelAt(const QPointF &widgetPosition) const;
    QPointF widgetPositionOf(const std::array<int, 3> &voxel) const;
    // Continuous voxel coordinates (voxel centres at integers) under a widget position, and back.
    std::optional<core::Vec3> voxelPositionAt(const QPointF &widgetPosition) const;
    QPointF widgetPositionOfPoint(const core::Vec3 &voxel) const;
    // Vertices of the polygon being drawn (continuous voxel coordinates).
    const std::vector<core::Vec3> &pendingPolygon() const { return m_polygon; }

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
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void enterEvent(QEnterEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void invalidate();
    void onSlicesDecoded();
    void takeFocusUnlessTyping();
    // Where the whole plane image lies in widget coordinates.
    QRectF imageRect() const;
    QString planeName() const;
    void zoomAbout(const QPointF &widgetPosition, double factor);
    void invalidateOverlay();
    void onLabelsChanged(const core::VoxelBox &box);
    bool labelToolActive() const;
    void drawLabelTools(QPainter &painter);
    void closePolygon();
    void cancelPolygon();

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

    LabelSession *m_labels = nullptr;
    QImage m_overlay;
    int m_overlayIndex = -1;
    bool m_overlayValid = false;
    QRect m_overlayDirty; // plane pixels to re-render in a valid overlay (brush dabs)
    std::vector<std::uint16_t> m_overlayScratch;
    std::optional<QPointF> m_mouse; // last position inside the widget, for the brush outline
    bool m_painting = false;        // a brush/eraser stroke is in progress
    bool m_demographicsVisible = true;
    bool m_lassoing = false;
    bool m_leftMovesCursor = false; // this left drag moves the crosshair
    std::vector<core::Vec3> m_polygon;
    int m_polygonSlice = -1;

    PredictionSession *m_predictions = nullptr;
    QImage m_predictionOverlay;
    int m_predictionIndex = -1;
    bool m_predictionValid = false;
};

} // namespace medseg::ui
