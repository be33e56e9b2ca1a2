#include "ui/widgets/WindowLevelBar.h"

#include "ui/session/SeriesSession.h"

#include <QComboBox>
#include <QDoubleSpinBox>

#include <QEvent>
#include <QLabel>
#include <QSignalBlocker>
#include <algorithm>

namespace medseg::ui {
namespace {

// core names its presets in English (it has no Qt); these are their translations.
const char *const PresetNames[] = {
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT brain"),
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT subdural"),
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT stroke"),
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT lung"),
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT mediastinum"),
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT abdomen"),
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT liver"),
    QT_TRANSLATE_NOOP("medseg::ui::WindowLevelBar", "CT bone"),
};

QString presetLabel(const std::string &name)
{
    for (const char *preset : PresetNames) {
        if (name == preset)
            return WindowLevelBar::tr(preset);
    }
    return QString::fromStdString(name);
}

} // namespace

WindowLevelBar::WindowLevelBar(SeriesSession *session, QWidget *parent)
    : QToolBar(parent)
    , m_session(session)
    , m_presetLabel(new QLabel(this))
    , m_presets(new QComboBox(this))
    , m_centerLabel(new QLabel(this))
    , m_center(new QDoubleSpinBox(this))
    , m_widthLabel(new QLabel(this))
    , m_width(new QDoubleSpinBox(this))
{
    setObjectName(QStringLiteral("windowToolbar"));
    m_presets->setObjectName(QStringLiteral("windowPresetCombo"));
    m_center->setObjectName(QStringLiteral("windowCenter"));
    m_width->setObjectName(QStringLiteral("windowWidth"));
    m_presets->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    for (QDoubleSpinBox *box : {m_center, m_width}) {
        box->setDecimals(1);
        box->setKeyboardTracking(false);
        box->setRange(-100000.0, 100000.0);
    }
    m_width->setMinimum(1.0);

    addWidget(m_presetLabel);
    addWidget(m_presets);
    addSeparator();
    addWidget(m_centerLabel);
    addWidget(m_center);
    addWidget(m_widthLabel);
    addWidget(m_width);

    connect(m_presets, &QComboBox::activated, this, &WindowLevelBar::onPresetChosen);
    connect(m_center, &QDoubleSpinBox::valueChanged, this, &WindowLevelBar::onNumbersEdited);
    connect(m_width, &QDoubleSpinBox::valueChanged, this, &WindowLevelBar::onNumbersEdited);
    connect(session, &SeriesSession::windowChanged, this, &WindowLevelBar::onWindowChanged);
    connect(session, &SeriesSession::volumeChanged, this, &WindowLevelBar::rebuildPresets);
    connect(session, &SeriesSession::loadingFinished, this, &WindowLevelBar::rebuildPresets);
    retranslate();
    rebuildPresets();
    onWindowChanged();
}

void WindowLevelBar::rebuildPresets()
{
    const QSignalBlocker blocker(m_presets);
    m_presets->clear();
    for (const core::Window &window : m_session->availableWindows()) {
        const QString name = window.name.empty() ? tr("File window") : presetLabel(window.name);
        m_presets->addItem(
            tr("%1 (%2/%3)").arg(name).arg(window.center, 0, 'g', 4).arg(window.width, 0, 'g', 4),
            QVariantList{window.center, window.width, QString::fromStdString(window.name)});
    }
    if (m_session->hasVoiLut()) {
        const std::string &explanation = m_session->layout().voiLut->explanation;
        m_presets->addItem(explanation.empty()
                               ? tr("VOI LUT of the file")
                               : tr("VOI LUT: %1").arg(QString::fromStdString(explanation)),
                           QStringLiteral("voi-lut"));
    }
    setEnabled(m_session->hasVolume() && m_session->volume()->components() == 1);
    onWindowChanged();
}

void WindowLevelBar::onWindowChanged()
{
    m_updating = true;
    const core::Window window = m_session->window();
    // Float images (probabilities, normalised MR) have windows a fraction of a unit wide.
    const bool fine = window.isFine();
    for (QDoubleSpinBox *box : {m_center, m_width}) {
        box->setDecimals(fine ? 4 : 1);
        box->setSingleStep(fine ? std::max(window.width / 100.0, 1e-4) : 1.0);
    }
    m_width->setMinimum(fine ? 1e-4 : 1.0);
    m_center->setValue(window.center);
    m_width->setValue(window.width);
    int match = -1;
    for (int i = 0; i < m_presets->count(); ++i) {
        const QVariantList data = m_presets->itemData(i).toList();
        if (data.value(0).toDouble() == window.center && data.value(1).toDouble() == window.width)
            match = i;
    }
    if (m_session->isVoiLutActive())
        match = m_presets->findData(QStringLiteral("voi-lut"));
    m_presets->setCurrentIndex(match);
    m_updating = false;
}

void WindowLevelBar::onPresetChosen(int index)
{
    if (m_presets->itemData(index).toString() == QLatin1String("voi-lut")) {
        m_session->setVoiLutActive(true);
        return;
    }
    const QVariantList data = m_presets->itemData(index).toList();
    if (data.size() < 3)
        return;
    m_session->setWindow(
        core::Window{data[0].toDouble(), data[1].toDouble(), data[2].toString().toStdString()});
}

void WindowLevelBar::onNumbersEdited()
{
    if (m_updating)
        return;
    m_session->setWindow(core::Window{m_center->value(), m_width->value(), {}});
}

void WindowLevelBar::retranslate()
{
    setWindowTitle(tr("Window/Level"));
    m_presetLabel->setText(tr("Window "));
    m_centerLabel->setText(tr(" Level "));
    m_widthLabel->setText(tr(" Width "));
    m_presets->setToolTip(tr("The file's windows and the presets for this modality"));
    // Shown when the window matches no preset (after a right-drag or typed numbers).
    m_presets->setPlaceholderText(tr("Custom window"));
}

void WindowLevelBar::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        rebuildPresets();
    }
    QToolBar::changeEvent(event);
}

} // namespace medseg::ui
