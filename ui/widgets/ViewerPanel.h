#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;

namespace medseg::ui {

class SeriesSession;
class SliceView;

// The central view area, laid out like ITK-SNAP: axial top left, sagittal top right, coronal
// bottom left, and the 3D view bottom right above a few lines on the series. Single images and
// frame stacks show one view.
class ViewerPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ViewerPanel(SeriesSession *session, QWidget *parent = nullptr);

    SliceView *view(int orientation) const { return m_views[orientation]; }
    void setDemographicsVisible(bool visible);
    // The fourth view (the 3D panel), shown above the series' information; set once, and the
    // panel becomes the ViewerPanel's child.
    void setFourthView(QWidget *view);
    void setFourthViewVisible(bool visible);

Q_SIGNALS:
    void hoverTextChanged(const QString &text);

protected:
    void changeEvent(QEvent *event) override;

private:
    void onVolumeChanged();
    void onSlicesDecoded(int decoded, int total);
    void updateInfo();

    SeriesSession *m_session;
    SliceView *m_views[3];
    QWidget *m_infoPanel = nullptr;
    QWidget *m_fourthView = nullptr;
    bool m_fourthViewWanted = true;
    QLabel *m_info = nullptr;
    QProgressBar *m_loadProgress = nullptr;
};

} // namespace medseg::ui
