#include "ui/widgets/DicomBrowserPanel.h"

#include "ui/session/DicomBrowserController.h"
#include "ui/session/DicomBrowserModel.h"

#include <QAction>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace medseg::ui {

DicomBrowserPanel::DicomBrowserPanel(DicomBrowserController *controller,
                                     const QList<QAction *> &openActions, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_hint(new QLabel(this))
    , m_tree(new QTreeView(this))
    , m_progress(new QProgressBar(this))
    , m_cancelButton(new QToolButton(this))
    , m_problemsLabel(new QLabel(this))
    , m_problemList(new QTableView(this))
{
    setObjectName(QStringLiteral("dicomBrowserPanel"));
    m_tree->setObjectName(QStringLiteral("dicomTree"));
    m_progress->setObjectName(QStringLiteral("indexProgress"));
    m_cancelButton->setObjectName(QStringLiteral("cancelIndexing"));
    m_problemList->setObjectName(QStringLiteral("problemList"));
    m_problemsLabel->setObjectName(QStringLiteral("problemsLabel"));

    m_hint->setWordWrap(true);
    m_tree->setModel(controller->model());
    m_tree->setIconSize(QSize(40, 40));
    m_tree->setUniformRowHeights(false);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(DicomBrowserModel::NameColumn, QHeaderView::Stretch);
    for (int column = DicomBrowserModel::ModalityColumn; column < DicomBrowserModel::ColumnCount;
         ++column)
        m_tree->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    // The size is in the tooltip; the narrow dock's width goes to the names.
    m_tree->setColumnHidden(DicomBrowserModel::SizeColumn, true);
    setMinimumWidth(320);

    m_problemList->setModel(controller->problems());
    m_problemList->horizontalHeader()->setStretchLastSection(true);
    m_problemList->verticalHeader()->hide();
    m_problemList->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problemList->setWordWrap(false);

    auto *buttons = new QHBoxLayout;
    for (QAction *action : openActions) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        buttons->addWidget(button);
    }
    buttons->addStretch(1);

    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelButton);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_cancelButton->hide();

    auto *problems = new QWidget(this);
    auto *problemsLayout = new QVBoxLayout(problems);
    problemsLayout->setContentsMargins(0, 0, 0, 0);
    problemsLayout->addWidget(m_problemsLabel);
    problemsLayout->addWidget(m_problemList);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_tree);
    splitter->addWidget(problems);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_hint);
    layout->addLayout(progressRow);
    layout->addWidget(splitter, 1);

    connect(m_tree, &QTreeView::activated, this, &DicomBrowserPanel::onActivated);
    connect(m_cancelButton, &QToolButton::clicked, controller, &DicomBrowserController::cancel);
    connect(controller, &DicomBrowserController::indexingStarted, this,
            &DicomBrowserPanel::onIndexingStarted);
    connect(controller, &DicomBrowserController::indexingProgress, this,
            &DicomBrowserPanel::onIndexingProgress);
    connect(controller, &DicomBrowserController::idle, this, &DicomBrowserPanel::onIdle);
    connect(controller->model(), &QAbstractItemModel::modelReset, this, [this] {
        m_tree->expandToDepth(1);
        m_hint->setVisible(m_controller->model()->rowCount() == 0);
    });
    connect(controller->problems(), &QAbstractItemModel::rowsInserted, this,
            &DicomBrowserPanel::updateProblems);
    connect(controller->problems(), &QAbstractItemModel::rowsRemoved, this,
            &DicomBrowserPanel::updateProblems);
    updateProblems();
    retranslate();
}

void DicomBrowserPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void DicomBrowserPanel::retranslate()
{
    m_hint->setText(tr("No DICOM source yet. Open a folder or a DICOMDIR exported from PACS "
                       "or a CD."));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Stop indexing; what is indexed so far is kept"));
    m_controller->retranslate();
    updateProblems();
}

void DicomBrowserPanel::onActivated(const QModelIndex &index)
{
    const QModelIndex first = index.siblingAtColumn(0);
    if (const core::DicomSeries *series = m_controller->model()->series(first))
        Q_EMIT seriesActivated(*series);
}

void DicomBrowserPanel::onIndexingStarted(const QString &path)
{
    m_indexingPath = QFileInfo(path).fileName();
    m_progress->setRange(0, 0);
    m_progress->setFormat(tr("Indexing %1…").arg(m_indexingPath));
    m_progress->show();
    m_cancelButton->show();
}

void DicomBrowserPanel::onIndexingProgress(int done, int total)
{
    m_progress->setRange(0, qMax(total, 1));
    m_progress->setValue(done);
    m_progress->setFormat(
        tr("Indexing %1: %2 of %3 files").arg(m_indexingPath).arg(done).arg(total));
}

void DicomBrowserPanel::onIdle()
{
    m_progress->hide();
    m_cancelButton->hide();
}

void DicomBrowserPanel::updateProblems()
{
    const int count = m_controller->problems()->rowCount();
    m_problemsLabel->setText(tr("Skipped files: %1").arg(count));
    m_problemsLabel->setVisible(count > 0);
    m_problemList->setVisible(count > 0);
}

} // namespace medseg::ui
