#pragma once

#include <QTimer>
#include <QWidget>

namespace medseg::ui {

class LabelSession;
class LabelStatisticsWidget;
class SurfaceView;

// The 3D dock: the label surfaces of the series on screen (ITK-SNAP's fourth view) above the
// per-label statistics. It follows the labels: after edits, and only while the dock is visible,
// a snapshot of the label map goes to the SurfaceView (which recomputes off the GUI thread).
class View3DPanel : public QWidget
{
    Q_OBJECT

public:
    View3DPanel(LabelSession *labels, QWidget *parent = nullptr);

    SurfaceView *surfaceView() const { return m_view; }
    LabelStatisticsWidget *statistics() const { return m_statistics; }
    // Sends the current labels now (tests; the dock does it after a pause in editing).
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void scheduleRefresh();
    void applyTable();

    LabelSession *m_labels;
    SurfaceView *m_view;
    LabelStatisticsWidget *m_statistics;
    QTimer m_refreshTimer;
    bool m_stale = true;
};

} // namespace medseg::ui
