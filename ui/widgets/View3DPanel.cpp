#include "ui/widgets/View3DPanel.h"

#include "ui/session/LabelSession.h"
#include "ui/session/SeriesSession.h"
#include "ui/widgets/LabelStatisticsWidget.h"
#include "ui/widgets/SurfaceView.h"

#include <QEvent>
#include <QVBoxLayout>

namespace medseg::ui {
namespace {
// Copying the label map to a dense buffer costs a few ms per 10 M voxels: wait for a pause in
// painting rather than doing it per stroke.
constexpr int RefreshDelayMs = 800;
} // namespace

View3DPanel::View3DPanel(LabelSession *labels, QWidget *parent)
    : QWidget(parent)
    , m_labels(labels)
    , m_view(new SurfaceView(this))
{
    setObjectName(QStringLiteral("view3DPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(RefreshDelayMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &View3DPanel::refresh);
    connect(m_labels, &LabelSession::labelsChanged, this, &View3DPanel::scheduleRefresh);
    connect(m_labels, &LabelSession::labelMapReset, this, &View3DPanel::scheduleRefresh);
    connect(m_labels, &LabelSession::tableChanged, this, &View3DPanel::applyTable);
}

void View3DPanel::setStatisticsWidget(LabelStatisticsWidget *statistics)
{
    if (m_statistics)
        m_statistics->removeEventFilter(this);
    m_statistics = statistics;
    statistics->setSurfaceView(m_view);
    statistics->installEventFilter(this);
    refreshIfStale();
}

bool View3DPanel::isWanted() const
{
    return isVisible() || (m_statistics && m_statistics->isVisible());
}

void View3DPanel::scheduleRefresh()
{
    m_stale = true;
    if (isWanted())
        m_refreshTimer.start();
}

void View3DPanel::refreshIfStale()
{
    if (m_stale && isWanted())
        m_refreshTimer.start(0);
}

void View3DPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refreshIfStale();
}

bool View3DPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_statistics && event->type() == QEvent::Show)
        refreshIfStale();
    return QWidget::eventFilter(watched, event);
}

void View3DPanel::applyTable()
{
    QVector<SurfaceLabel> table;
    for (const core::LabelDescription &label : m_labels->table().labels()) {
        if (label.index == 0)
            continue;
        table.append({label.index, QString::fromStdString(label.name),
                      QColor(label.colour[0], label.colour[1], label.colour[2]),
                      label.visible && label.showInMesh});
    }
    m_view->setLabelTable(table);
}

void View3DPanel::refresh()
{
    m_stale = false;
    const core::LabelMap *map = m_labels->labelMap();
    if (!map) {
        m_view->clear();
        return;
    }
    applyTable();
    auto dense = std::make_shared<std::vector<std::uint16_t>>(map->toDense());
    m_view->setLabels(std::move(dense), map->width(), map->height(), map->depth(), map->geometry(),
                      m_view->labelTable());
    // The mean and SD need the whole image: not while slices are still being decoded into it.
    const SeriesSession *series = m_labels->series();
    m_view->setImage(series->isLoading() ? nullptr : series->volume());
}

} // namespace medseg::ui
