#include "ui/widgets/LabelPanel.h"

#include "ui/session/LabelSession.h"
#include "ui/session/LabelTableModel.h"

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace medseg::ui {
namespace {
// Paint-over combo data: a label index, or one of these.
constexpr int OverAll = -1;
constexpr int OverBackground = -2;

QAction *makeAction(QObject *parent, const char *objectName, const QKeySequence &shortcut)
{
    auto *action = new QAction(parent);
    action->setObjectName(QLatin1String(objectName));
    action->setShortcut(shortcut);
    // Single keys: the main window adds these to the slice views' panel, where they act only
    // while a view has the focus, so that typing a label name never switches tools.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    return action;
}
} // namespace

LabelPanel::LabelPanel(LabelSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    setObjectName(QStringLiteral("labelPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    // --- the label table
    m_model = new LabelTableModel(session, this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("labelTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::SelectedClicked | QAbstractItemView::DoubleClicked);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(LabelTableModel::NameColumn,
                                                      QHeaderView::Stretch);
    layout->addWidget(m_table, 1);
    connect(m_table, &QTableView::doubleClicked, this, &LabelPanel::onTableDoubleClicked);
    // Only the user's choice of a row changes the active label: when rows come or go (add,
    // remove, undo) the view moves its current row by itself, and that must not paint with
    // another label (the session picks the next one when the active label is removed).
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!m_syncing && !m_rowsMoving && current.isValid())
                    m_session->setActiveLabel(m_model->labelAtRow(current.row()));
            });
    const auto rowsMoving = [this] {
        m_rowsMoving = true;
    };
    const auto rowsMoved = [this] {
        m_rowsMoving = false;
        syncFromSession();
    };
    connect(m_model, &QAbstractItemModel::rowsAboutToBeRemoved, this, rowsMoving);
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this, rowsMoving);
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, rowsMoving);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, rowsMoved);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, rowsMoved);
    connect(m_model, &QAbstractItemModel::modelReset, this, rowsMoved);

    auto *tableButtons = new QHBoxLayout;
    m_addLabel = new QPushButton(this);
    m_addLabel->setObjectName(QStringLiteral("addLabelButton"));
    connect(m_addLabel, &QPushButton::clicked, this, [this] { m_session->addLabel(); });
    m_removeLabel = new QPushButton(this);
    m_removeLabel->setObjectName(QStringLiteral("removeLabelButton"));
    connect(m_removeLabel, &QPushButton::clicked, this,
            [this] { m_session->removeLabel(m_session->activeLabel()); });
    tableButtons->addWidget(m_addLabel);
    tableButtons->addWidget(m_removeLabel);
    tableButtons->addStretch(1);
    layout->addLayout(tableButtons);

    // --- tools (ITK-SNAP's keys where it has them, Slicer's otherwise)
    m_toolsBox = new QGroupBox(this);
    auto *toolsLayout = new QGridLayout(m_toolsBox);
    m_toolGroup = new QActionGroup(this);
    m_toolGroup->setExclusive(true);
    struct ToolInfo
    {
        LabelTool tool;
        const char *name;
        Qt::Key key;
    };
    const ToolInfo tools[] = {{LabelTool::Navigate, "actionToolCrosshair", Qt::Key_C},
                              {LabelTool::Brush, "actionToolBrush", Qt::Key_B},
                              {LabelTool::Eraser, "actionToolEraser", Qt::Key_E},
                              {LabelTool::Polygon, "actionToolPolygon", Qt::Key_P},
                              {LabelTool::Lasso, "actionToolLasso", Qt::Key_L},
                              {LabelTool::FloodFill, "actionToolFloodFill", Qt::Key_F}};
    int column = 0;
    for (const ToolInfo &info : tools) {
        QAction *action = makeAction(this, info.name, QKeySequence(info.key));
        action->setCheckable(true);
        m_toolGroup->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, tool = info.tool] { m_session->setTool(tool); });
        m_toolActions.append(action);
        auto *button = new QToolButton(m_toolsBox);
        button->setObjectName(QStringLiteral("button") + QLatin1String(info.name).mid(6));
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        toolsLayout->addWidget(button, column / 3, column % 3);
        m_toolButtons.append(button);
        ++column;
    }
    layout->addWidget(m_toolsBox);

    // --- brush, paint over, threshold
    m_brushBox = new QGroupBox(this);
    auto *brushLayout = new QGridLayout(m_brushBox);
    m_radiusLabel = new QLabel(m_brushBox);
    m_radius = new QDoubleSpinBox(m_brushBox);
    m_radius->setObjectName(QStringLiteral("brushRadius"));
    m_radius->setRange(0.0, 500.0);
    m_radius->setDecimals(1);
    m_radius->setSingleStep(1.0);
    m_unit = new QComboBox(m_brushBox);
    m_unit->setObjectName(QStringLiteral("brushUnit"));
    m_unit->addItems({QString(), QString()});
    m_shape = new QComboBox(m_brushBox);
    m_shape->setObjectName(QStringLiteral("brushShape"));
    m_shape->addItems({QString(), QString()});
    m_threeD = new QCheckBox(m_brushBox);
    m_threeD->setObjectName(QStringLiteral("brush3D"));
    brushLayout->addWidget(m_radiusLabel, 0, 0);
    brushLayout->addWidget(m_radius, 0, 1);
    brushLayout->addWidget(m_unit, 0, 2);
    brushLayout->addWidget(m_shape, 1, 1);
    brushLayout->addWidget(m_threeD, 1, 2);
    m_paintOverLabel = new QLabel(m_brushBox);
    m_paintOver = new QComboBox(m_brushBox);
    m_paintOver->setObjectName(QStringLiteral("paintOver"));
    brushLayout->addWidget(m_paintOverLabel, 2, 0);
    brushLayout->addWidget(m_paintOver, 2, 1, 1, 2);
    m_threshold = new QCheckBox(m_brushBox);
    m_threshold->setObjectName(QStringLiteral("thresholdEnabled"));
    m_thresholdLow = new QDoubleSpinBox(m_brushBox);
    m_thresholdLow->setObjectName(QStringLiteral("thresholdLow"));
    m_thresholdHigh = new QDoubleSpinBox(m_brushBox);
    m_thresholdHigh->setObjectName(QStringLiteral("thresholdHigh"));
    for (QDoubleSpinBox *box : {m_thresholdLow, m_thresholdHigh}) {
        box->setRange(-100000.0, 100000.0);
        box->setDecimals(1);
    }
    brushLayout->addWidget(m_threshold, 3, 0);
    brushLayout->addWidget(m_thresholdLow, 3, 1);
    brushLayout->addWidget(m_thresholdHigh, 3, 2);
    layout->addWidget(m_brushBox);

    const auto push = [this] {
        pushToolSettings();
    };
    connect(m_radius, &QDoubleSpinBox::valueChanged, this, push);
    connect(m_unit, &QComboBox::currentIndexChanged, this, push);
    connect(m_shape, &QComboBox::currentIndexChanged, this, push);
    connect(m_threeD, &QCheckBox::toggled, this, push);
    connect(m_paintOver, &QComboBox::currentIndexChanged, this, push);
    connect(m_threshold, &QCheckBox::toggled, this, push);
    connect(m_thresholdLow, &QDoubleSpinBox::valueChanged, this, push);
    connect(m_thresholdHigh, &QDoubleSpinBox::valueChanged, this, push);

    // --- overlay
    m_overlayBox = new QGroupBox(this);
    auto *overlayLayout = new QGridLayout(m_overlayBox);
    m_overlayVisible = new QCheckBox(m_overlayBox);
    m_overlayVisible->setObjectName(QStringLiteral("overlayVisible"));
    m_overlayStyle = new QComboBox(m_overlayBox);
    m_overlayStyle->setObjectName(QStringLiteral("overlayStyle"));
    m_overlayStyle->addItems({QString(), QString()});
    m_opacityLabel = new QLabel(m_overlayBox);
    m_opacity = new QSlider(Qt::Horizontal, m_overlayBox);
    m_opacity->setObjectName(QStringLiteral("overlayOpacity"));
    m_opacity->setRange(0, 100);
    overlayLayout->addWidget(m_overlayVisible, 0, 0);
    overlayLayout->addWidget(m_overlayStyle, 0, 1);
    overlayLayout->addWidget(m_opacityLabel, 1, 0);
    overlayLayout->addWidget(m_opacity, 1, 1);
    layout->addWidget(m_overlayBox);
    const auto pushOverlay = [this] {
        if (m_syncing)
            return;
        LabelOverlaySettings settings = m_session->overlaySettings();
        settings.visible = m_overlayVisible->isChecked();
        settings.style =
            m_overlayStyle->currentIndex() == 1 ? OverlayStyle::Outline : OverlayStyle::Fill;
        settings.opacity = m_opacity->value() / 100.0;
        m_session->setOverlaySettings(settings);
    };
    connect(m_overlayVisible, &QCheckBox::toggled, this, pushOverlay);
    connect(m_overlayStyle, &QComboBox::currentIndexChanged, this, pushOverlay);
    connect(m_opacity, &QSlider::valueChanged, this, pushOverlay);

    // --- clean-up commands (each one undo step)
    m_cleanupBox = new QGroupBox(this);
    auto *cleanupLayout = new QGridLayout(m_cleanupBox);
    m_fillBetween = new QPushButton(m_cleanupBox);
    m_fillBetween->setObjectName(QStringLiteral("fillBetweenSlicesButton"));
    m_interpolationAxis = new QComboBox(m_cleanupBox);
    m_interpolationAxis->setObjectName(QStringLiteral("interpolationAxis"));
    m_interpolationAxis->addItems({QString(), QString(), QString()});
    m_removeIslands = new QPushButton(m_cleanupBox);
    m_removeIslands->setObjectName(QStringLiteral("removeIslandsButton"));
    m_islandSize = new QSpinBox(m_cleanupBox);
    m_islandSize->setObjectName(QStringLiteral("islandMinVoxels"));
    m_islandSize->setRange(1, 10000000);
    m_islandSize->setValue(100);
    m_keepLargest = new QPushButton(m_cleanupBox);
    m_keepLargest->setObjectName(QStringLiteral("keepLargestButton"));
    cleanupLayout->addWidget(m_fillBetween, 0, 0);
    cleanupLayout->addWidget(m_interpolationAxis, 0, 1);
    cleanupLayout->addWidget(m_removeIslands, 1, 0);
    cleanupLayout->addWidget(m_islandSize, 1, 1);
    cleanupLayout->addWidget(m_keepLargest, 2, 0, 1, 2);
    layout->addWidget(m_cleanupBox);
    connect(m_fillBetween, &QPushButton::clicked, this, [this] {
        m_session->interpolateSlices(
            static_cast<SliceOrientation>(m_interpolationAxis->currentIndex()));
    });
    connect(m_removeIslands, &QPushButton::clicked, this,
            [this] { m_session->removeIslands(std::size_t(m_islandSize->value())); });
    connect(m_keepLargest, &QPushButton::clicked, this,
            [this] { m_session->keepLargestComponent(); });

    // --- shortcut-only actions
    m_smallerBrush = makeAction(this, "actionBrushSmaller", QKeySequence(Qt::Key_BracketLeft));
    connect(m_smallerBrush, &QAction::triggered, this,
            [this] { m_session->setBrushRadius(m_session->toolSettings().radius - 1.0); });
    m_largerBrush = makeAction(this, "actionBrushLarger", QKeySequence(Qt::Key_BracketRight));
    connect(m_largerBrush, &QAction::triggered, this,
            [this] { m_session->setBrushRadius(m_session->toolSettings().radius + 1.0); });
    m_previousLabel = makeAction(this, "actionPreviousLabel", QKeySequence(Qt::Key_Comma));
    connect(m_previousLabel, &QAction::triggered, this,
            [this] { m_session->cycleActiveLabel(-1); });
    m_nextLabel = makeAction(this, "actionNextLabel", QKeySequence(Qt::Key_Period));
    connect(m_nextLabel, &QAction::triggered, this, [this] { m_session->cycleActiveLabel(1); });
    m_toggleOverlay = makeAction(this, "actionToggleOverlay", QKeySequence(Qt::Key_O));
    connect(m_toggleOverlay, &QAction::triggered, this,
            [this] { m_session->setOverlayVisible(!m_session->overlaySettings().visible); });

    connect(m_session, &LabelSession::toolSettingsChanged, this, &LabelPanel::syncFromSession);
    connect(m_session, &LabelSession::overlayChanged, this, &LabelPanel::syncFromSession);
    connect(m_session, &LabelSession::activeLabelChanged, this, &LabelPanel::syncFromSession);
    connect(m_session, &LabelSession::tableChanged, this, &LabelPanel::syncFromSession);
    connect(m_session, &LabelSession::labelMapReset, this, &LabelPanel::syncFromSession);

    retranslate();
    syncFromSession();
}

QList<QAction *> LabelPanel::shortcutActions() const
{
    QList<QAction *> actions = m_toolActions;
    actions << m_smallerBrush << m_largerBrush << m_previousLabel << m_nextLabel << m_toggleOverlay;
    return actions;
}

void LabelPanel::pushToolSettings()
{
    if (m_syncing)
        return;
    LabelToolSettings settings = m_session->toolSettings();
    settings.radius = m_radius->value();
    settings.radiusInMillimetres = m_unit->currentIndex() == 1;
    settings.shape =
        m_shape->currentIndex() == 1 ? core::BrushShape::Square : core::BrushShape::Round;
    settings.threeD = m_threeD->isChecked();
    const int over = m_paintOver->currentData().toInt();
    settings.overMode = over == OverAll          ? core::PaintOverMode::AllLabels
                        : over == OverBackground ? core::PaintOverMode::BackgroundOnly
                                                 : core::PaintOverMode::SingleLabel;
    settings.overLabel = over >= 0 ? over : 0;
    settings.thresholdEnabled = m_threshold->isChecked();
    settings.thresholdLow = m_thresholdLow->value();
    settings.thresholdHigh = m_thresholdHigh->value();
    m_session->setToolSettings(settings);
}

void LabelPanel::syncPaintOverChoices()
{
    const int current =
        m_paintOver->currentData().isValid() ? m_paintOver->currentData().toInt() : OverAll;
    m_paintOver->clear();
    m_paintOver->addItem(tr("All labels"), OverAll);
    m_paintOver->addItem(tr("Clear label only"), OverBackground);
    for (const core::LabelDescription &label : m_session->table().labels()) {
        if (label.index > 0)
            m_paintOver->addItem(tr("Only over %1").arg(QString::fromStdString(label.name)),
                                 label.index);
    }
    const int row = m_paintOver->findData(current);
    m_paintOver->setCurrentIndex(row >= 0 ? row : 0);
}

void LabelPanel::syncFromSession()
{
    m_syncing = true;
    const LabelToolSettings &tools = m_session->toolSettings();
    const int toolIndex = int(tools.tool);
    if (toolIndex >= 0 && toolIndex < m_toolActions.size())
        m_toolActions[toolIndex]->setChecked(true);
    m_radius->setValue(tools.radius);
    m_unit->setCurrentIndex(tools.radiusInMillimetres ? 1 : 0);
    m_shape->setCurrentIndex(tools.shape == core::BrushShape::Square ? 1 : 0);
    m_threeD->setChecked(tools.threeD);
    syncPaintOverChoices();
    const int over = tools.overMode == core::PaintOverMode::AllLabels        ? OverAll
                     : tools.overMode == core::PaintOverMode::BackgroundOnly ? OverBackground
                                                                             : tools.overLabel;
    const int overRow = m_paintOver->findData(over);
    m_paintOver->setCurrentIndex(overRow >= 0 ? overRow : 0);
    m_threshold->setChecked(tools.thresholdEnabled);
    m_thresholdLow->setValue(tools.thresholdLow);
    m_thresholdHigh->setValue(tools.thresholdHigh);
    m_thresholdLow->setEnabled(tools.thresholdEnabled);
    m_thresholdHigh->setEnabled(tools.thresholdEnabled);

    const LabelOverlaySettings &overlay = m_session->overlaySettings();
    m_overlayVisible->setChecked(overlay.visible);
    m_overlayStyle->setCurrentIndex(overlay.style == OverlayStyle::Outline ? 1 : 0);
    m_opacity->setValue(int(std::lround(overlay.opacity * 100.0)));

    const int row = m_model->rowOfLabel(m_session->activeLabel());
    if (row >= 0 && m_table->currentIndex().row() != row)
        m_table->setCurrentIndex(m_model->index(row, LabelTableModel::NameColumn));
    m_removeLabel->setEnabled(m_session->activeLabel() > 0);
    setEnabled(m_session->hasLabels() || !m_session->table().isEmpty());
    m_syncing = false;
}

void LabelPanel::onTableDoubleClicked(const QModelIndex &index)
{
    if (index.column() != LabelTableModel::ColourColumn)
        return;
    const int label = m_model->labelAtRow(index.row());
    const core::LabelDescription *description = m_session->table().find(label);
    if (!description || label == 0)
        return;
    const QColor colour = QColorDialog::getColor(
        QColor(description->colour[0], description->colour[1], description->colour[2]), this,
        tr("Colour of %1").arg(QString::fromStdString(description->name)));
    if (colour.isValid())
        m_session->setLabelColour(label, {std::uint8_t(colour.red()), std::uint8_t(colour.green()),
                                          std::uint8_t(colour.blue())});
}

void LabelPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void LabelPanel::retranslate()
{
    m_model->retranslate();
    m_addLabel->setText(tr("Add"));
    m_addLabel->setToolTip(tr("Add a label with the next free value"));
    m_removeLabel->setText(tr("Remove"));
    m_removeLabel->setToolTip(tr("Remove the active label from the table (its voxels stay)"));

    m_toolsBox->setTitle(tr("Tools"));
    const QString names[] = {tr("Crosshair"), tr("Brush"), tr("Eraser"),
                             tr("Polygon"),   tr("Lasso"), tr("Flood fill")};
    const QString tips[] = {tr("Left click moves the crosshair"),
                            tr("Paint the active label; Shift+wheel or [ ] change the size"),
                            tr("Erase to the clear label"),
                            tr("Click the vertices; double-click or Enter fills"),
                            tr("Drag an outline; release fills"),
                            tr("Fill the connected region under the click")};
    for (int i = 0; i < m_toolActions.size(); ++i) {
        m_toolActions[i]->setText(names[i]);
        m_toolActions[i]->setToolTip(QStringLiteral("%1 (%2)").arg(
            tips[i], m_toolActions[i]->shortcut().toString(QKeySequence::NativeText)));
    }

    m_brushBox->setTitle(tr("Brush"));
    m_radiusLabel->setText(tr("Radius"));
    m_unit->setItemText(0, tr("voxels"));
    m_unit->setItemText(1, tr("mm"));
    m_shape->setItemText(0, tr("Round"));
    m_shape->setItemText(1, tr("Square"));
    m_threeD->setText(tr("3D"));
    m_threeD->setToolTip(tr("Paint a ball or cube through neighbouring slices"));
    m_paintOverLabel->setText(tr("Paint over"));
    m_threshold->setText(tr("Threshold"));
    m_threshold->setToolTip(tr("Only change voxels whose intensity lies between the two values"));
    m_thresholdLow->setToolTip(tr("Lowest intensity painted"));
    m_thresholdHigh->setToolTip(tr("Highest intensity painted"));
    const bool wasSyncing = m_syncing;
    m_syncing = true;
    syncPaintOverChoices();
    m_syncing = wasSyncing;

    m_overlayBox->setTitle(tr("Overlay"));
    m_overlayVisible->setText(tr("Show"));
    m_overlayStyle->setItemText(0, tr("Fill"));
    m_overlayStyle->setItemText(1, tr("Outline"));
    m_opacityLabel->setText(tr("Opacity"));

    m_cleanupBox->setTitle(tr("Clean up"));
    m_fillBetween->setText(tr("Fill between slices"));
    m_fillBetween->setToolTip(
        tr("Interpolate the active label across the empty slices between labeled ones"));
    m_interpolationAxis->setItemText(0, tr("Axial"));
    m_interpolationAxis->setItemText(1, tr("Sagittal"));
    m_interpolationAxis->setItemText(2, tr("Coronal"));
    m_removeIslands->setText(tr("Remove islands under"));
    m_removeIslands->setToolTip(
        tr("Remove connected pieces of the active label smaller than this many voxels"));
    m_islandSize->setSuffix(tr(" voxels"));
    m_keepLargest->setText(tr("Keep largest component"));

    m_smallerBrush->setText(tr("Smaller brush"));
    m_largerBrush->setText(tr("Larger brush"));
    m_previousLabel->setText(tr("Previous label"));
    m_nextLabel->setText(tr("Next label"));
    m_toggleOverlay->setText(tr("Show or hide the label overlay"));
}

} // namespace medseg::ui
