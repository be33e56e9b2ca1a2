#include "ui/widgets/SliceView.h"

#include "ui/session/SeriesSession.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace medseg::ui {
namespace {
constexpr double MinZoom = 0.1;
constexpr double MaxZoom = 50.0;
constexpr int Margin = 4;
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
        update();
    });
    connect(session, &SeriesSession::windowChanged, this, &SliceView::invalidate);
    connect(session, &SeriesSession::slicesDecoded, this, &SliceView::onSlicesDecoded);
    if (session->hasVolume())
        m_layout = planeLayout(*session->volume(), orientation);
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
        m_cachedIndex = index;
    }
    const QRectF target = imageRect();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 1.0);
    painter.drawImage(target, m_cache);

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
            tr("W %1  L %2").arg(window.width, 0, 'f', 0).arg(window.center, 0, 'f', 0));
    }
    if (m_orientation == SliceOrientation::Axial && !m_session->isSliceDecoded(index))
        painter.drawText(area, Qt::AlignCenter, tr("Loading…"));
}

void SliceView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0)
        return;
    if (event->modifiers() & Qt::ControlModifier)
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
        if (const auto voxel = voxelAt(event->position()))
            m_session->setCursor(*voxel);
    }
    event->accept();
}

void SliceView::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF delta = event->position() - m_dragStart;
    if (m_dragButton == Qt::LeftButton && (event->buttons() & Qt::LeftButton)) {
        if (const auto voxel = voxelAt(event->position()))
            m_session->setCursor(*voxel);
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
}

void SliceView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == m_dragButton)
        m_dragButton = Qt::NoButton;
    event->accept();
}

void SliceView::leaveEvent(QEvent *event)
{
    Q_EMIT hoverTextChanged(QString());
    QWidget::leaveEvent(event);
}

void SliceView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        update();
    QWidget::changeEvent(event);
}

} // namespace medseg::ui
