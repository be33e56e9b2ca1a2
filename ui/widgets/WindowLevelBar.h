#pragma once

#include <QToolBar>

class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace medseg::ui {

class SeriesSession;

// Window/level by numbers and presets: the file's windows, the modality's presets (CT brain,
// lung, bone, ...) and data-derived windows. Follows right-drag changes made in the views.
class WindowLevelBar : public QToolBar
{
    Q_OBJECT

public:
    explicit WindowLevelBar(SeriesSession *session, QWidget *parent = nullptr);

protected:
    void changeEvent(QEvent *event) override;

private:
    void onWindowChanged();
    void onPresetChosen(int index);
    void onNumbersEdited();
    void rebuildPresets();
    void retranslate();

    SeriesSession *m_session;
    QLabel *m_presetLabel;
    QComboBox *m_presets;
    QLabel *m_centerLabel;
    QDoubleSpinBox *m_center;
    QLabel *m_widthLabel;
    QDoubleSpinBox *m_width;
    bool m_updating = false;
};

} // namespace medseg::ui
