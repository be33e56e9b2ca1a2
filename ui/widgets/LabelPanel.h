#pragma once

#include <QList>
#include <QWidget>

class QAction;
class QActionGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableView;
class QToolButton;

namespace medseg::ui {

class LabelSession;
class LabelTableModel;

// The Labels dock: the label table (click a row to make it the active label, double-click the
// swatch to pick a colour), the tools, the brush, paint-over and threshold settings, the overlay,
// and the clean-up commands. Everything goes to the LabelSession; the panel holds no state of
// its own, it mirrors the session's (so that shortcuts and the views stay in step).
class LabelPanel : public QWidget
{
    Q_OBJECT

public:
    explicit LabelPanel(LabelSession *session, QWidget *parent = nullptr);

    // The actions with single-key shortcuts (tools C B E P L F, brush size [ ], labels , .,
    // overlay O): the main window adds them to the slice views, where they act while a view
    // has the focus (focus follows the mouse into a view).
    QList<QAction *> shortcutActions() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void syncFromSession();
    void syncPaintOverChoices();
    void pushToolSettings();
    void onTableDoubleClicked(const QModelIndex &index);

    LabelSession *m_session;
    LabelTableModel *m_model = nullptr;
    bool m_syncing = false;
    bool m_rowsMoving = false; // the model is inserting or removing rows

    QTableView *m_table = nullptr;
    QPushButton *m_addLabel = nullptr;
    QPushButton *m_removeLabel = nullptr;

    QGroupBox *m_toolsBox = nullptr;
    QActionGroup *m_toolGroup = nullptr;
    QList<QAction *> m_toolActions; // in LabelTool order
    QList<QToolButton *> m_toolButtons;

    QGroupBox *m_brushBox = nullptr;
    QLabel *m_radiusLabel = nullptr;
    QDoubleSpinBox *m_radius = nullptr;
    QComboBox *m_unit = nullptr;
    QComboBox *m_shape = nullptr;
    QCheckBox *m_threeD = nullptr;
    QLabel *m_paintOverLabel = nullptr;
    QComboBox *m_paintOver = nullptr;
    QCheckBox *m_threshold = nullptr;
    QDoubleSpinBox *m_thresholdLow = nullptr;
    QDoubleSpinBox *m_thresholdHigh = nullptr;

    QGroupBox *m_overlayBox = nullptr;
    QCheckBox *m_overlayVisible = nullptr;
    QComboBox *m_overlayStyle = nullptr;
    QLabel *m_opacityLabel = nullptr;
    QSlider *m_opacity = nullptr;

    QGroupBox *m_cleanupBox = nullptr;
    QComboBox *m_interpolationAxis = nullptr;
    QPushButton *m_fillBetween = nullptr;
    QPushButton *m_removeIslands = nullptr;
    QSpinBox *m_islandSize = nullptr;
    QPushButton *m_keepLargest = nullptr;

    QAction *m_smallerBrush = nullptr;
    QAction *m_largerBrush = nullptr;
    QAction *m_previousLabel = nullptr;
    QAction *m_nextLabel = nullptr;
    QAction *m_toggleOverlay = nullptr;
};

} // namespace medseg::ui
