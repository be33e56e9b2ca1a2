#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

namespace medseg::ui {

class LabelSession;
class LabelStatisticsWidget;
class SurfaceView;

// The 3D view of the labels of the series on screen: ITK-SNAP's fourth view, in the viewer's
// bottom-right quadrant. It follows the labels: after a pause in editing, and only while it or
// the statistics it computes are on screen, a snapshot of the label map goes to the SurfaceView
// (which recomputes off the GUI thread).
class View3DPanel : public QWidget
{
    Q_OBJECT

public:
    View3DPanel(LabelSession *labels, QWidget *parent = nullptr);

    SurfaceView *surfaceView() const { return m_view; }
    // The statistics table (in its own dock) shows this view's results: the labels are sent
    // while either is visible.
    void setStatisticsWidget(LabelStatisticsWidget *statistics);
    // Sends the current labels now (tests; the panel does it after a pause in editing).
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool isWanted() const;
    void scheduleRefresh();
    void refreshIfStale();
    void applyTable();

    LabelSession *m_labels;
    SurfaceView *m_view;
    QPointer<LabelStatisticsWidget> m_statistics;
    QTimer m_refreshTimer;
    bool m_stale = true;
};

} // namespace medseg::ui
