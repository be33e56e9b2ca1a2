#include "ui/widgets/SliceView.h"

#include "ui/session/LabelSession.h"
#include "ui/session/PredictionSession.h"
#include "ui/session/SeriesSession.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QKeyEvent>
#include <QLineEdit>
#include <QLineF>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPolygonF>
#include <QTextEdit>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace medseg::ui {
namespace {
constexpr double MinZoom = 0.1;
constexpr double MaxZoom = 50.0;
constexpr int Margin = 4;

// Whether the keyboard belongs to what the user is typing into: a text field, a cell editor of
// a table, an editable combo box. Spin boxes and plain combo boxes hold no typing.
bool isTypingInto(const QWidget *focus)
{
    if (!focus)
        return false;
    if (qobject_cast<const QAbstractSpinBox *>(focus))
        return false;
    if (const auto *combo = qobject_cast<const QComboBox *>(focus))
        return combo->isEditable();
    return qobject_cast<const QLineEdit *>(focus) || qobject_cast<const QTextEdit *>(focus) ||
           qobject_cast<const QPlainTextEdit *>(focus);
}
} // namespace

SliceView::SliceView(SeriesSession *session, SliceOrientation orientation, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_orientation(orientation)
{
    static const char *const names[] = {"sliceViewAxial", "sliceViewSagittal", "sliceViewCoronal"};
    setObjectName(QLatin1String(names[int(orientation)]));
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(120, 120);
    setAttribute(Qt::WA_OpaquePaintEvent);

    connect(session, &SeriesSession::volumeChanged, this, [this] {
        if (m_session->hasVolume())
            m_layout = planeLayout(*m_session->volume(), m_orientation);
        resetView();
    });
    connect(session, &SeriesSession::cursorChanged, this, [this] {
        if (m_cachedIndex != m_session->sliceIndex(m_orientation))
            m_cache = QImage();
        if (m_polygonSlice != m_session->sliceIndex(m_orientation))
            cancelPolygon();
        // Another slice under a mouse that did not move (wheel, Page Up/Down): another voxel.
        if (m_mouse) {
            const auto voxel = voxelAt(*m_mouse);
            Q_EMIT hoverTextChanged(voxel ? m_session->describeVoxel(*voxel) : QString());
        }
        update();
    });
    connect(session, &SeriesSession::windowChanged, this, &SliceView::invalidate);
    connect(session, &SeriesSession::demographicsChanged, this, qOverload<>(&QWidget::update));
    connect(session, &SeriesSession::slicesDecoded, this, &SliceView::onSlicesDecoded);
    if (session->hasVolume())
        m_layout = planeLayout(*session->volume(), orientation);
}

void SliceView::setLabelSession(LabelSession *labels)
{
    if (m_labels == labels)
        return;
    if (m_labels)
        disconnect(m_labels, nullptr, this, nullptr);
    m_labels = labels;
    if (m_labels) {
        connect(m_labels, &LabelSession::labelsChanged, this, &SliceView::onLabelsChanged);
        connect(m_labels, &LabelSession::labelMapReset, this, &SliceView::invalidateOverlay);
        connect(m_labels, &LabelSession::overlayChanged, this, &SliceView::invalidateOverlay);
        connect(m_labels, &LabelSession::tableChanged, this, &SliceView::invalidateOverlay);
        connect(m_labels, &LabelSession::toolSettingsChanged, this, [this] {
            if (m_labels->toolSettings().tool != LabelTool::Polygon)
                cancelPolygon();
            update(); // the brush outline
        });
    }
    invalidateOverlay();
}

void SliceView::setPredictionSession(PredictionSession *predictions)
{
    if (m_predictions)
        disconnect(m_predictions, nullptr, this, nullptr);
    m_predictions = predictions;
    if (m_predictions) {
        connect(m_predictions, &PredictionSession::predictionsChanged, this, [this] {
            m_predictionValid = false;
            update();
        });
    }
    m_predictionValid = false;
    update();
}

void SliceView::invalidateOverlay()
{
    m_overlayValid = false;
    m_overlayDirty = QRect();
    update();
}

void SliceView::onLabelsChanged(const core::VoxelBox &box)
{
    const int fixed = m_layout.fixedAxis;
    const int index = m_session->sliceIndex(m_orientation);
    if (index < box.min[std::size_t(fixed)] || index > box.max[std::size_t(fixed)])
        return;
    if (!m_overlayValid || m_overlayIndex != index) {
        invalidateOverlay();
        return;
    }
    // Only the box's part of the plane changed (one pixel more for outlines).
    const int h = m_layout.horizontalAxis;
    const int v = m_layout.verticalAxis;
    int top = box.min[std::size_t(v)];
    int bottom = box.max[std::size_t(v)];
    if (m_layout.flipVertical) {
        top = m_layout.height - 1 - box.max[std::size_t(v)];
        bottom = m_layout.height - 1 - box.min[std::size_t(v)];
    }
    const QRect changed =
        QRect(QPoint(box.min[std::size_t(h)], top), QPoint(box.max[std::size_t(h)], bottom))
            .adjusted(-1, -1, 1, 1);
    m_overlayDirty = m_overlayDirty.united(changed);
    update();
}

bool SliceView::labelToolActive() const
{
    return m_labels && m_labels->hasLabels() &&
           m_labels->toolSettings().tool != LabelTool::Navigate;
}

void SliceView::invalidate()
{
    m_cache = QImage();
    update();
}

void SliceView::onSlicesDecoded()
{
    // The axial plane is one slice: it only changes when that slice arrives. Sagittal and
    // coronal planes cross every slice and fill in as decoding goes on.
    if (m_orientation != SliceOrientation::Axial || m_cache.isNull() ||
        m_session->isSliceDecoded(m_session->sliceIndex(m_orientation)))
        invalidate();
}

void SliceView::resetView()
{
    m_zoom = 1.0;
    m_pan = QPointF(0.0, 0.0);
    m_overlayValid = false;
    invalidate();
}

QRectF SliceView::imageRect() const
{
    if (m_layout.width <= 0 || m_layout.height <= 0)
        return {};
    // Physical size in mm gives the aspect ratio: pixels are not square in general.
    const QSizeF physical(m_layout.width * m_layout.pixelSpacing.width(),
                          m_layout.height * m_layout.pixelSpacing.height());
    const QSizeF available(std::max(1, width() - 2 * Margin), std::max(1, height() - 2 * Margin));
    const QSizeF fitted = physical.scaled(available, Qt::KeepAspectRatio) * m_zoom;
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + m_pan;
    return QRectF(centre.x() - fitted.width() / 2.0, centre.y() - fitted.height() / 2.0,
                  fitted.width(), fitted.height());
}

std::optional<std::array<int, 3>> SliceView::voxelAt(const QPointF &position) const
{
    const QRectF rect = imageRect();
    if (rect.isEmpty() || !rect.contains(position))
        return std::nullopt;
    const int x = std::clamp(int((position.x() - rect.left()) / rect.width() * m_layout.width), 0,
                             m_layout.width - 1);
    const int y = std::clamp(int((position.y() - rect.top()) / rect.height() * m_layout.height), 0,
                             m_layout.height - 1);
    return planeToVoxel(m_layout, x, y, m_session->sliceIndex(m_orientation));
}

QPointF SliceView::widgetPositionOf(const std::array<int, 3> &voxel) const
{
    const QRectF rect = imageRect();
    if (rect.isEmpty())
        return {};
    const QPointF pixel = voxelToPlane(m_layout, voxel);
    return QPointF(rect.left() + (pixel.x() + 0.5) * rect.width() / m_layout.width,
                   rect.top() + (pixel.y() + 0.5) * rect.height() / m_layout.height);
}

std::optional<core::Vec3> SliceView::voxelPositionAt(const QPointF &position) const
{
    const QRectF rect = imageRect();
    if (rect.isEmpty() || !m_session->hasVolume())
        return std::nullopt;
    const double x = (position.x() - rect.left()) / rect.width() * m_layout.width - 0.5;
    const double y = (position.y() - rect.top()) / rect.height() * m_layout.height - 0.5;
    core::Vec3 voxel{};
    voxel[std::size_t(m_layout.fixedAxis)] = m_session->sliceIndex(m_orientation);
    voxel[std::size_t(m_layout.horizontalAxis)] = x;
    voxel[std::size_t(m_layout.verticalAxis)] = m_layout.flipVertical ? m_layout.height - 1 - y : y;
    return voxel;
}

QPointF SliceView::widgetPositionOfPoint(const core::Vec3 &voxel) const
{
    const QRectF rect = imageRect();
    if (rect.isEmpty())
        return {};
    const double x = voxel[std::size_t(m_layout.horizontalAxis)];
    const double v = voxel[std::size_t(m_layout.verticalAxis)];
    const double y = m_layout.flipVertical ? m_layout.height - 1 - v : v;
    return QPointF(rect.left() + (x + 0.5) * rect.width() / m_layout.width,
                   rect.top() + (y + 0.5) * rect.height() / m_layout.height);
}

QString SliceView::planeName() const
{
    switch (m_orientation) {
    case SliceOrientation::Axial:
        return m_session->isVolumetric() ? tr("Axial") : tr("Frame");
    case SliceOrientation::Sagittal:
        return tr("Sagittal");
    case SliceOrientation::Coronal:
        return tr("Coronal");
    }
    return {};
}

void SliceView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (!m_session->hasVolume())
        return;

    const int index = m_session->sliceIndex(m_orientation);
    if (m_cache.isNull() || m_cachedIndex != index) {
        m_cache = m_session->renderSlice(m_orientation);
        // QPainter converts an 8-bit grey image on every draw; converted once here, the
        // repaints during a brush stroke are plain copies.
        if (m_cache.format() != QImage::Format_RGB32)
            m_cache.convertTo(QImage::Format_RGB32);
        m_cachedIndex = index;
    }
    const QRectF target = imageRect();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 1.0);
    painter.drawImage(target, m_cache);

    if (m_labels && m_labels->hasLabels() && m_labels->overlaySettings().visible) {
        if (!m_overlayValid || m_overlayIndex != index) {
            renderLabelOverlay(*m_labels->labelMap(), m_orientation, index, m_labels->colourLut(),
                               m_labels->overlaySettings().style, m_overlay, m_overlayScratch);
            m_overlayIndex = index;
            m_overlayValid = true;
            m_overlayDirty = QRect();
        } else if (!m_overlayDirty.isEmpty()) {
            renderLabelOverlayRect(*m_labels->labelMap(), m_orientation, index,
                                   m_labels->colourLut(), m_labels->overlaySettings().style,
                                   m_overlay, m_overlayDirty);
            m_overlayDirty = QRect();
        }
        // Labels are voxels: never smooth them, whatever the zoom.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter.drawImage(target, m_overlay);
    }
    if (m_predictions && m_predictions->isVisible() && m_predictions->predictionMap() && m_labels) {
        const core::LabelMap &prediction = *m_predictions->predictionMap();
        if (prediction.width() == m_session->volume()->width() &&
            prediction.depth() == m_session->volume()->depth()) {
            if (!m_predictionValid || m_predictionIndex != index) {
                renderLabelOverlay(prediction, m_orientation, index, m_predictions->colourLut(),
                                   m_predictions->style(), m_predictionOverlay, m_overlayScratch);
                m_predictionIndex = index;
                m_predictionValid = true;
            }
            painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
            painter.drawImage(target, m_predictionOverlay);
        }
    }
    drawLabelTools(painter);

    // Crosshair through the cursor voxel's centre.
    const QPointF cross = widgetPositionOf(m_session->cursor());
    painter.setPen(QPen(QColor(80, 160, 255, 190), 1.0));
    painter.drawLine(QPointF(target.left(), cross.y()), QPointF(target.right(), cross.y()));
    painter.drawLine(QPointF(cross.x(), target.top()), QPointF(cross.x(), target.bottom()));

    // Orientation letters at the middle of each edge, as every viewer prints them.
    QFont font = painter.font();
    const QRectF area = rect().adjusted(Margin, Margin, -Margin, -Margin);
    if (m_session->hasPatientOrientation()) {
        painter.setPen(QColor(255, 220, 0));
        font.setBold(true);
        painter.setFont(font);
        const auto letter = [](char c) {
            return QString(QLatin1Char(c));
        };
        painter.drawText(area, Qt::AlignLeft | Qt::AlignVCenter, letter(m_layout.edgeLetters[0]));
        painter.drawText(area, Qt::AlignRight | Qt::AlignVCenter, letter(m_layout.edgeLetters[1]));
        painter.drawText(area, Qt::AlignHCenter | Qt::AlignTop, letter(m_layout.edgeLetters[2]));
        painter.drawText(area, Qt::AlignHCenter | Qt::AlignBottom, letter(m_layout.edgeLetters[3]));
    }

    painter.setPen(Qt::white);
    font.setBold(false);
    painter.setFont(font);
    painter.drawText(
        area, Qt::AlignLeft | Qt::AlignTop,
        tr("%1 %2/%3").arg(planeName()).arg(index + 1).arg(m_session->sliceCount(m_orientation)));
    const core::Window window = m_session->window();
    if (m_session->isVoiLutActive()) {
        painter.drawText(area, Qt::AlignLeft | Qt::AlignBottom, tr("VOI LUT"));
    } else if (m_session->volume()->components() == 1) {
        painter.drawText(
            area, Qt::AlignLeft | Qt::AlignBottom,
            window.isFine() // float images: a fraction of a unit wide
                ? tr("W %1  L %2").arg(window.width, 0, 'g', 3).arg(window.center, 0, 'g', 3)
                : tr("W %1  L %2").arg(window.width, 0, 'f', 0).arg(window.center, 0, 'f', 0));
    }
    if (m_predictions && m_predictions->isVisible() && m_orientation == SliceOrientation::Axial &&
        m_predictions->hasPrediction(index)) {
        painter.setPen(QColor(255, 220, 0));
        painter.drawText(area, Qt::AlignRight | Qt::AlignBottom,
                         tr("Prediction: %1").arg(m_predictions->predictionSource(index)));
        painter.setPen(Qt::white);
    }
    if (m_orientation == SliceOrientation::Axial && !m_session->isSliceDecoded(index))
        painter.drawText(area, Qt::AlignCenter, tr("Loading…"));
    // At most half the width, so that the orientation letter at the top stays readable.
    QStringList corner = demographicsText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    const int room =
        int(area.width() / 2) - painter.fontMetrics().horizontalAdvance(QLatin1Char('M'));
    for (QString &line : corner)
        line = painter.fontMetrics().elidedText(line, Qt::ElideRight, std::max(room, 0));
    painter.drawText(area, Qt::AlignRight | Qt::AlignTop, corner.join(QLatin1Char('\n')));
}

void SliceView::setDemographicsVisible(bool visible)
{
    if (m_demographicsVisible == visible)
        return;
    m_demographicsVisible = visible;
    update();
}

QString SliceView::demographicsText() const
{
    if (!m_demographicsVisible || !m_session->hasVolume())
        return {};
    const SeriesSession::Demographics &d = m_session->demographics();
    QStringList lines;
    for (const QString &line :
         {d.patientName, d.patientId, d.studyDate, d.studyDescription, m_session->title()})
        if (!line.trimmed().isEmpty())
            lines << line;
    return lines.join(QLatin1Char('\n'));
}

void SliceView::drawLabelTools(QPainter &painter)
{
    if (!labelToolActive())
        return;
    const LabelToolSettings &tools = m_labels->toolSettings();
    const QRectF target = imageRect();
    const double pixelW = target.width() / std::max(1, m_layout.width);
    const double pixelH = target.height() / std::max(1, m_layout.height);
    painter.setRenderHint(QPainter::Antialiasing, true);
    if ((tools.tool == LabelTool::Brush || tools.tool == LabelTool::Eraser) && m_mouse) {
        if (const auto voxel = voxelPositionAt(*m_mouse)) {
            // Centred on the voxel the dab will be centred on.
            core::Vec3 centre = *voxel;
            for (double &c : centre)
                c = std::round(c);
            const QPointF at = widgetPositionOfPoint(centre);
            const auto extent = m_labels->brushExtentVoxels();
            const double rx =
                (std::floor(extent[std::size_t(m_layout.horizontalAxis)]) + 0.5) * pixelW;
            const double ry =
                (std::floor(extent[std::size_t(m_layout.verticalAxis)]) + 0.5) * pixelH;
            painter.setPen(QPen(tools.tool == LabelTool::Eraser ? QColor(255, 255, 255, 220)
                                                                : QColor(255, 230, 0, 220),
                                1.0));
            painter.setBrush(Qt::NoBrush);
            const QRectF outline(at.x() - rx, at.y() - ry, 2 * rx, 2 * ry);
            if (tools.shape == core::BrushShape::Round)
                painter.drawEllipse(outline);
            else
                painter.drawRect(outline);
        }
    }
    if (!m_polygon.empty()) {
        QPolygonF line;
        for (const core::Vec3 &v : m_polygon)
            line << widgetPositionOfPoint(v);
        if (m_mouse && !m_lassoing)
            line << *m_mouse;
        painter.setPen(QPen(QColor(255, 230, 0), 1.5));
        painter.drawPolyline(line);
        if (!m_lassoing) {
            painter.setBrush(QColor(255, 230, 0));
            for (const core::Vec3 &v : m_polygon)
                painter.drawEllipse(widgetPositionOfPoint(v), 2.5, 2.5);
        }
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
}

void SliceView::closePolygon()
{
    if (m_labels && m_polygon.size() >= 3)
        m_labels->fillPolygon(m_orientation, m_polygonSlice, m_polygon, m_lassoing);
    m_polygon.clear();
    m_polygonSlice = -1;
    m_lassoing = false;
    update();
}

void SliceView::cancelPolygon()
{
    if (m_polygon.empty() && !m_lassoing)
        return;
    m_polygon.clear();
    m_polygonSlice = -1;
    m_lassoing = false;
    update();
}

void SliceView::wheelEvent(QWheelEvent *event)
{
    // Some platforms turn Shift+wheel into a horizontal wheel.
    const QPoint delta = event->angleDelta();
    const int steps = (delta.y() != 0 ? delta.y() : delta.x()) / 120;
    if (steps == 0)
        return;
    if ((event->modifiers() & Qt::ShiftModifier) && m_labels) {
        m_labels->setBrushRadius(m_labels->toolSettings().radius + steps);
    } else if (event->modifiers() & Qt::ControlModifier)
        zoomAbout(event->position(), std::pow(1.25, steps));
    else
        m_session->moveSlice(m_orientation, steps);
    event->accept();
}

void SliceView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_PageUp:
    case Qt::Key_Up:
        m_session->moveSlice(m_orientation, 1);
        break;
    case Qt::Key_PageDown:
    case Qt::Key_Down:
        m_session->moveSlice(m_orientation, -1);
        break;
    case Qt::Key_Home:
        m_session->setSliceIndex(m_orientation, 0);
        break;
    case Qt::Key_End:
        m_session->setSliceIndex(m_orientation, m_session->sliceCount(m_orientation) - 1);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomAbout(QPointF(width() / 2.0, height() / 2.0), 1.25);
        break;
    case Qt::Key_Minus:
        zoomAbout(QPointF(width() / 2.0, height() / 2.0), 0.8);
        break;
    case Qt::Key_0:
        resetView();
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (m_polygon.empty())
            return QWidget::keyPressEvent(event);
        closePolygon();
        break;
    case Qt::Key_Escape:
        if (m_painting) {
            m_painting = false;
            m_labels->cancelStroke();
        } else if (!m_polygon.empty()) {
            cancelPolygon();
        } else {
            return QWidget::keyPressEvent(event);
        }
        break;
    case Qt::Key_Backspace:
        if (m_polygon.empty() || m_lassoing)
            return QWidget::keyPressEvent(event);
        m_polygon.pop_back();
        update();
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void SliceView::zoomAbout(const QPointF &position, double factor)
{
    const double zoom = std::clamp(m_zoom * factor, MinZoom, MaxZoom);
    // Keep the point under the mouse fixed: pan scales about it.
    const QPointF centre(width() / 2.0, height() / 2.0);
    const QPointF fromCentre = position - centre - m_pan;
    m_pan -= fromCentre * (zoom / m_zoom - 1.0);
    m_zoom = zoom;
    update();
}

void SliceView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    m_dragButton = event->button();
    m_dragStart = event->position();
    m_panAtDragStart = m_pan;
    m_centerAtDragStart = m_session->window().center;
    m_widthAtDragStart = m_session->window().width;
    if (event->button() == Qt::LeftButton) {
        m_leftMovesCursor = !labelToolActive() || (event->modifiers() & Qt::ShiftModifier);
        if (m_leftMovesCursor) {
            if (const auto voxel = voxelAt(event->position()))
                m_session->setCursor(*voxel);
        } else {
            const auto position = voxelPositionAt(event->position());
            const auto voxel = voxelAt(event->position());
            switch (m_labels->toolSettings().tool) {
            case LabelTool::Brush:
            case LabelTool::Eraser:
                if (position)
                    m_painting = m_labels->beginStroke(m_orientation, *position);
                break;
            case LabelTool::Polygon:
                if (position && voxel) {
                    // A click on the first vertex closes the polygon, as in most editors.
                    if (m_polygon.size() >= 3 &&
                        QLineF(widgetPositionOfPoint(m_polygon.front()), event->position())
                                .length() < 5.0) {
                        closePolygon();
                        break;
                    }
                    m_polygonSlice = m_session->sliceIndex(m_orientation);
                    m_polygon.push_back(*position);
                    update();
                }
                break;
            case LabelTool::Lasso:
                if (position && voxel) {
                    m_polygon = {*position};
                    m_polygonSlice = m_session->sliceIndex(m_orientation);
                    m_lassoing = true;
                }
                break;
            case LabelTool::FloodFill:
                if (voxel)
                    m_labels->floodFill(m_orientation, *voxel);
                break;
            case LabelTool::Navigate:
                break;
            }
        }
    }
    event->accept();
}

void SliceView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && labelToolActive() &&
        m_labels->toolSettings().tool == LabelTool::Polygon && !m_polygon.empty()) {
        // A real double-click's first press added a vertex here already; a synthetic one
        // (or a platform that sends no press first) has not.
        if (QLineF(widgetPositionOfPoint(m_polygon.back()), event->position()).length() > 2.0) {
            if (const auto position = voxelPositionAt(event->position()))
                m_polygon.push_back(*position);
        }
        closePolygon();
        event->accept();
        return;
    }
    mousePressEvent(event);
}

void SliceView::mouseMoveEvent(QMouseEvent *event)
{
    takeFocusUnlessTyping();
    const QPointF delta = event->position() - m_dragStart;
    m_mouse = event->position();
    if (m_dragButton == Qt::LeftButton && (event->buttons() & Qt::LeftButton)) {
        if (m_painting) {
            if (const auto position = voxelPositionAt(event->position()))
                m_labels->continueStroke(*position);
        } else if (m_lassoing) {
            if (const auto position = voxelPositionAt(event->position())) {
                m_polygon.push_back(*position);
                update();
            }
        } else if (m_leftMovesCursor) {
            if (const auto voxel = voxelAt(event->position()))
                m_session->setCursor(*voxel);
        }
    } else if (m_dragButton == Qt::MiddleButton && (event->buttons() & Qt::MiddleButton)) {
        m_pan = m_panAtDragStart + delta;
        update();
    } else if (m_dragButton == Qt::RightButton && (event->buttons() & Qt::RightButton)) {
        // Right to widen, up to brighten (raise the level), scaled to the current width so
        // that both a 40 HU stroke window and a 1800 HU bone window are easy to adjust.
        const double step = std::max(1.0, m_widthAtDragStart) / 200.0;
        core::Window window = m_session->window();
        window.width = std::max(1.0, m_widthAtDragStart + delta.x() * step);
        window.center = m_centerAtDragStart - delta.y() * step;
        window.name.clear();
        m_session->setWindow(window);
    }
    const auto voxel = voxelAt(event->position());
    Q_EMIT hoverTextChanged(voxel ? m_session->describeVoxel(*voxel) : QString());
    if (labelToolActive())
        update(); // the brush outline or the polygon's rubber band follows the mouse
}

void SliceView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        if (m_painting) {
            m_painting = false;
            if (const auto position = voxelPositionAt(event->position()))
                m_labels->continueStroke(*position);
            m_labels->endStroke();
        } else if (m_lassoing) {
            closePolygon();
        }
    }
    if (event->button() == m_dragButton)
        m_dragButton = Qt::NoButton;
    event->accept();
}

// As in ITK-SNAP, the keys (slices, zoom, the tools' single-key shortcuts) act on the view under
// the mouse: focus follows the mouse into a view, unless the user is typing somewhere else.
void SliceView::takeFocusUnlessTyping()
{
    if (!hasFocus() && isActiveWindow() && !isTypingInto(QApplication::focusWidget()))
        setFocus(Qt::MouseFocusReason);
}

void SliceView::enterEvent(QEnterEvent *event)
{
    takeFocusUnlessTyping();
    QWidget::enterEvent(event);
}

void SliceView::leaveEvent(QEvent *event)
{
    Q_EMIT hoverTextChanged(QString());
    m_mouse.reset();
    if (labelToolActive())
        update();
    QWidget::leaveEvent(event);
}

void SliceView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        update();
    QWidget::changeEvent(event);
}

} // namespace medseg::ui
