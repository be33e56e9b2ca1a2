#include "ui/widgets/LabelStatisticsWidget.h"

#include "ui/session/ErrorText.h"
#include "ui/widgets/LabelStatisticsModel.h"
#include "ui/widgets/SurfaceView.h"

#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <map>

namespace medseg::ui {

LabelStatisticsWidget::LabelStatisticsWidget(QWidget *parent)
    : QWidget(parent)
    , m_model(new LabelStatisticsModel(this))
    , m_table(new QTableView(this))
    , m_exportButton(new QPushButton(this))
{
    setObjectName(QStringLiteral("labelStatistics"));
    m_table->setObjectName(QStringLiteral("labelStatisticsTable"));
    m_exportButton->setObjectName(QStringLiteral("exportStatisticsButton"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_exportButton->setEnabled(false);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addLayout(buttons);

    connect(m_exportButton, &QPushButton::clicked, this, &LabelStatisticsWidget::onExportClicked);
    connect(m_model, &QAbstractItemModel::modelReset, this,
            [this] { m_exportButton->setEnabled(m_model->rowCount() > 0); });
    retranslate();
}

void LabelStatisticsWidget::setSurfaceView(SurfaceView *view)
{
    if (m_view)
        disconnect(m_view, nullptr, this, nullptr);
    m_view = view;
    if (m_view)
        connect(m_view, &SurfaceView::surfacesUpdated, this, &LabelStatisticsWidget::refresh);
    refresh();
}

void LabelStatisticsWidget::refresh()
{
    if (m_view)
        m_model->setStatistics(m_view->statistics(), m_view->labelTable());
    else
        m_model->setStatistics({});
}

bool LabelStatisticsWidget::exportCsv(const QString &path, QString *error) const
{
    std::map<int, std::string> names;
    for (const core::LabelMeasurement &m : m_model->statistics())
        if (const QString name = m_model->nameOf(m.label); !name.isEmpty())
            names[m.label] = name.toStdString();
    try {
        core::LabelStatistics::writeCsv(path.toStdString(), m_model->statistics(), names);
    } catch (const std::exception &failure) {
        if (error)
            *error = errorText(failure);
        return false;
    }
    return true;
}

void LabelStatisticsWidget::onExportClicked()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Label Statistics"),
                                                      QStringLiteral("label-statistics.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export Label Statistics"), error);
}

void LabelStatisticsWidget::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void LabelStatisticsWidget::retranslate()
{
    m_exportButton->setText(tr("Export CSV…"));
}

} // namespace medseg::ui
