#include "ui/widgets/SourcesPanel.h"

#include "ui/session/Document.h"

#include <QAction>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace medseg::ui {

SourcesPanel::SourcesPanel(Document *document, QAction *openAction, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_hint(new QLabel(this))
    , m_list(new QListWidget(this))
    , m_openButton(new QToolButton(this))
{
    setObjectName(QStringLiteral("sourcesPanel"));
    m_list->setObjectName(QStringLiteral("sourcesList"));
    m_hint->setWordWrap(true);
    m_openButton->setDefaultAction(openAction);
    m_openButton->setToolButtonStyle(Qt::ToolButtonTextOnly);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_hint);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_openButton, 0, Qt::AlignLeft);

    connect(m_document, &Document::sourcesChanged, this, &SourcesPanel::onSourcesChanged);
    onSourcesChanged();
    retranslate();
}

void SourcesPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void SourcesPanel::onSourcesChanged()
{
    m_list->clear();
    for (const QString &path : m_document->sources()) {
        auto *item = new QListWidgetItem(QFileInfo(path).fileName(), m_list);
        item->setToolTip(QDir::toNativeSeparators(path));
    }
    m_hint->setVisible(m_document->sources().isEmpty());
}

void SourcesPanel::retranslate()
{
    m_hint->setText(tr("No DICOM source yet. Open a folder or a DICOMDIR exported from PACS "
                       "or a CD."));
}

} // namespace medseg::ui
