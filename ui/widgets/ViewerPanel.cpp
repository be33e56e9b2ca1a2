#include "ui/widgets/ViewerPanel.h"

#include "ui/session/SeriesSession.h"
#include "ui/widgets/SliceView.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

namespace medseg::ui {

ViewerPanel::ViewerPanel(SeriesSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_infoPanel(new QWidget(this))
    , m_info(new QLabel(m_infoPanel))
    , m_loadProgress(new QProgressBar(m_infoPanel))
{
    setObjectName(QStringLiteral("viewerPanel"));
    m_loadProgress->setObjectName(QStringLiteral("loadProgress"));
    m_info->setObjectName(QStringLiteral("seriesInfo"));
    m_info->setWordWrap(true);
    m_info->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Expanding);
    m_infoPanel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);

    auto *infoLayout = new QVBoxLayout(m_infoPanel);
    infoLayout->setContentsMargins(0, 0, 0, 0);
    infoLayout->setSpacing(2);
    infoLayout->addWidget(m_info);
    infoLayout->addWidget(m_loadProgress);

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(2);
    for (int i = 0; i < 3; ++i) {
        m_views[i] = new SliceView(session, SliceOrientation(i), this);
        connect(m_views[i], &SliceView::hoverTextChanged, this, &ViewerPanel::hoverTextChanged);
    }
    grid->addWidget(m_views[int(SliceOrientation::Axial)], 0, 0);
    grid->addWidget(m_views[int(SliceOrientation::Sagittal)], 0, 1);
    grid->addWidget(m_views[int(SliceOrientation::Coronal)], 1, 0);
    grid->addWidget(m_infoPanel, 1, 1);
    // Four equal cells, as in ITK-SNAP, whatever the info panel's text needs.
    for (int i = 0; i < 2; ++i) {
        grid->setRowStretch(i, 1);
        grid->setColumnStretch(i, 1);
    }

    connect(session, &SeriesSession::volumeChanged, this, &ViewerPanel::onVolumeChanged);
    connect(session, &SeriesSession::slicesDecoded, this, &ViewerPanel::onSlicesDecoded);
    connect(session, &SeriesSession::loadingFinished, this, [this] {
        m_loadProgress->hide();
        updateInfo();
    });
    onVolumeChanged();
}

void ViewerPanel::onVolumeChanged()
{
    const bool volumetric = m_session->isVolumetric();
    m_views[int(SliceOrientation::Sagittal)]->setVisible(volumetric);
    m_views[int(SliceOrientation::Coronal)]->setVisible(volumetric);
    m_infoPanel->setVisible(volumetric);
    m_loadProgress->setVisible(m_session->isLoading());
    updateInfo();
}

void ViewerPanel::onSlicesDecoded(int decoded, int total)
{
    m_loadProgress->setRange(0, qMax(total, 1));
    m_loadProgress->setValue(decoded);
    m_loadProgress->setVisible(decoded < total);
}

void ViewerPanel::updateInfo()
{
    if (!m_session->hasVolume()) {
        m_info->clear();
        return;
    }
    const auto volume = m_session->volume();
    const core::ImageGeometry &g = volume->geometry();
    // Compact: the quadrant belongs to the 3D view.
    QString text = QStringLiteral("<b>%1</b>").arg(m_session->title().toHtmlEscaped());
    if (const std::string &modality = m_session->layout().modality; !modality.empty())
        text += QStringLiteral(" · ") + QString::fromStdString(modality).toHtmlEscaped();
    text += QStringLiteral("<br>");
    text +=
        tr("%1 × %2 × %3 voxels").arg(volume->width()).arg(volume->height()).arg(volume->depth());
    text += QStringLiteral(" · ");
    text += tr("Spacing %1 × %2 × %3 mm")
                .arg(g.spacing[0], 0, 'g', 4)
                .arg(g.spacing[1], 0, 'g', 4)
                .arg(g.spacing[2], 0, 'g', 4);
    for (const std::string &warning : m_session->layout().warnings)
        text += QStringLiteral("<br><font color='#d08000'>⚠ %1</font>")
                    .arg(QString::fromStdString(warning).toHtmlEscaped());
    m_info->setText(text);
}

void ViewerPanel::setFourthView(QWidget *view)
{
    Q_ASSERT(!m_fourthView); // set once, by the main window
    m_fourthView = view;
    static_cast<QVBoxLayout *>(m_infoPanel->layout())->insertWidget(0, view, 1);
    setFourthViewVisible(m_fourthViewWanted);
}

void ViewerPanel::setFourthViewVisible(bool visible)
{
    m_fourthViewWanted = visible;
    if (m_fourthView)
        m_fourthView->setVisible(visible);
    // Without it the information fills the quadrant from the top.
    const bool shown = visible && m_fourthView;
    m_info->setAlignment(Qt::AlignLeft | (shown ? Qt::AlignBottom : Qt::AlignTop));
    m_info->setSizePolicy(QSizePolicy::Ignored,
                          shown ? QSizePolicy::Maximum : QSizePolicy::Expanding);
}

void ViewerPanel::setDemographicsVisible(bool visible)
{
    for (SliceView *view : m_views)
        view->setDemographicsVisible(visible);
}

void ViewerPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        updateInfo();
    QWidget::changeEvent(event);
}

} // namespace medseg::ui
