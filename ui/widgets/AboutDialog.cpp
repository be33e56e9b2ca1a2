#include "ui/widgets/AboutDialog.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace medseg::ui {

AboutDialog::AboutDialog(const ComponentVersions &components, QWidget *parent)
    : QDialog(parent)
    , m_title(new QLabel(this))
    , m_blurb(new QLabel(this))
    , m_table(new QTableWidget(int(components.size()), 2, this))
{
    setObjectName(QStringLiteral("aboutDialog"));
    m_title->setObjectName(QStringLiteral("aboutTitle"));
    m_blurb->setWordWrap(true);
    m_table->setObjectName(QStringLiteral("componentTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    for (int row = 0; row < components.size(); ++row) {
        m_table->setItem(row, 0, new QTableWidgetItem(components[row].first));
        m_table->setItem(row, 1, new QTableWidgetItem(components[row].second));
    }
    m_table->resizeColumnToContents(0);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_blurb);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(460, 360);
    retranslate();
}

void AboutDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void AboutDialog::retranslate()
{
    setWindowTitle(tr("About MedSeg Studio"));
    m_title->setText(
        QStringLiteral("<h2>MedSeg Studio %1</h2>").arg(QCoreApplication::applicationVersion()));
    m_blurb->setText(tr("Label medical images and train segmentation models in one window. "
                        "For research use only; not for diagnosis."));
    m_table->setHorizontalHeaderLabels({tr("Component"), tr("Version in use")});
}

} // namespace medseg::ui
