#include "ui/widgets/TrainingPanel.h"

#include "ui/session/PredictionSession.h"
#include "ui/session/ProjectJobs.h"
#include "ui/session/RunHistory.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingController.h"
#include "ui/session/TrainingEventText.h"
#include "ui/session/TrainingSession.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPen>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace medseg::ui {
namespace {

enum StageColumn {
    StageLearningRate,
    StageData,
    StageAugmentation,
    StageEpochs,
    StageBatch,
    StageInput,
    StageColumnCount
};

// The Runs list: what tells runs apart first, so that it is in view in a narrow dock.
enum RunColumn { RunName, RunBestDice, RunSize, RunSteps, RunBackbone, RunColumnCount };

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    const qint64 total = qint64(seconds + 0.5);
    if (total >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(total / 3600)
            .arg(total / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(total % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

QString formatScore(double value)
{
    return std::isfinite(value) ? QString::number(value, 'f', 3) : QStringLiteral("–");
}

// Ticks on whole numbers (epochs, steps), at most `maxTicks` of them, spaced 1, 2, 5, 10, 20…
// apart: "%d" labels of a plain axis read 1, 2, 4, 5, 7 for 1..8.
void setWholeNumberTicks(QValueAxis *axis, double low, double high, int maxTicks)
{
    const double span = std::max(1.0, high - low);
    double interval = 1;
    for (double decade = 1;; decade *= 10) {
        const double candidates[] = {decade, 2 * decade, 5 * decade};
        const auto fits = [&](double step) {
            return span / step <= maxTicks - 1;
        };
        const auto found = std::find_if(std::begin(candidates), std::end(candidates), fits);
        if (found != std::end(candidates)) {
            interval = *found;
            break;
        }
    }
    axis->setRange(low, std::max(high, low + 1));
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(low);
    axis->setTickInterval(interval);
}

// Charts in a dock: small fonts and no wasted margins, so that the axis labels, titles and
// legend stay whole at the dock's default size.
void makeCompact(QChart *chart)
{
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(0);
    QFont small = chart->font();
    small.setPointSizeF(std::max(6.5, small.pointSizeF() * 0.8));
    chart->legend()->setFont(small);
    chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsFont(small);
        axis->setTitleFont(small);
    }
}

const core::AugmentationLevel Levels[] = {
    core::AugmentationLevel::None, core::AugmentationLevel::Low, core::AugmentationLevel::Medium,
    core::AugmentationLevel::High};

// core names the levels and the default plan's stages in English (it has no Qt); these are
// the names the user reads. A stage the user named otherwise keeps its name.
QString augmentationName(core::AugmentationLevel level)
{
    switch (level) {
    case core::AugmentationLevel::None:
        return TrainingPanel::tr("none");
    case core::AugmentationLevel::Low:
        return TrainingPanel::tr("low");
    case core::AugmentationLevel::Medium:
        return TrainingPanel::tr("medium");
    case core::AugmentationLevel::High:
        break;
    }
    return TrainingPanel::tr("high");
}

// The level a typed cell names, in the user's language or in core's English words.
std::optional<core::AugmentationLevel> augmentationFromText(const QString &text)
{
    const QString typed = text.trimmed();
    for (core::AugmentationLevel level : Levels)
        if (typed.compare(augmentationName(level), Qt::CaseInsensitive) == 0 ||
            typed.compare(QString::fromStdString(core::toString(level)), Qt::CaseInsensitive) == 0)
            return level;
    return std::nullopt;
}

} // namespace

TrainingPanel::TrainingPanel(TrainingSession *session, PredictionSession *predictions,
                             QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_predictions(predictions)
{
    setObjectName(QStringLiteral("trainingPanel"));

    m_startButton = new QPushButton(this);
    m_startButton->setObjectName(QStringLiteral("trainingStart"));
    m_pauseButton = new QPushButton(this);
    m_pauseButton->setObjectName(QStringLiteral("trainingPause"));
    m_stopButton = new QPushButton(this);
    m_stopButton->setObjectName(QStringLiteral("trainingStop"));
    m_runProgress = new QProgressBar(this);
    m_runProgress->setObjectName(QStringLiteral("trainingRunProgress"));
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("trainingStatus"));
    m_statusLabel->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_startButton);
    buttons->addWidget(m_pauseButton);
    buttons->addWidget(m_stopButton);
    buttons->addStretch();

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("trainingTabs"));
    m_tabs->addTab(createSetupPage(), QString());
    m_tabs->addTab(createProgressPage(), QString());
    m_tabs->addTab(createRunsPage(), QString());
    m_tabs->addTab(createReviewPage(), QString());

    // A whole-project job (predict all volumes, evaluate a run): its progress and Cancel.
    m_jobProgress = new QProgressBar(this);
    m_jobProgress->setObjectName(QStringLiteral("projectJobProgress"));
    m_cancelJobButton = new QPushButton(this);
    m_cancelJobButton->setObjectName(QStringLiteral("projectJobCancel"));
    auto *jobRow = new QHBoxLayout;
    jobRow->addWidget(m_jobProgress, 1);
    jobRow->addWidget(m_cancelJobButton);
    m_jobProgress->hide();
    m_cancelJobButton->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_runProgress);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(jobRow);

    connect(m_startButton, &QPushButton::clicked, this, &TrainingPanel::onStartClicked);
    connect(m_pauseButton, &QPushButton::clicked, this, &TrainingPanel::onPauseClicked);
    connect(m_stopButton, &QPushButton::clicked, this, &TrainingPanel::onStopClicked);
    connect(m_session->controller(), &TrainingController::stateChanged, this,
            &TrainingPanel::onStateChanged);
    connect(m_session->controller(), &TrainingController::logMessage, this,
            &TrainingPanel::appendLog);
    connect(m_session->controller(), &TrainingController::failed, this,
            [this](const QString &message) {
                appendLog(message);
                m_statusLabel->setText(tr("Training failed: %1").arg(message));
            });
    connect(m_session->controller(), &TrainingController::finished, this,
            [this](const core::TrainingResult &result) {
                QString text;
                switch (result.status) {
                case core::TrainingResult::Status::Finished:
                    text = tr("Training finished: best mean Dice %1.")
                               .arg(formatScore(result.bestMeanDice));
                    break;
                case core::TrainingResult::Status::Stopped:
                    text = tr("Training stopped after %n step(s); resume it from Runs.", nullptr,
                              int(result.steps));
                    break;
                case core::TrainingResult::Status::Failed:
                    text = tr("Training failed: %1")
                               .arg(result.ending ? TrainingEventText::describe(*result.ending)
                                                  : QString::fromStdString(result.message));
                    break;
                }
                m_statusLabel->setText(text);
                appendLog(text);
            });
    connect(m_session->history(), &RunHistory::changed, this, &TrainingPanel::onHistoryChanged);
    connect(m_session, &TrainingSession::datasetChanged, this,
            &TrainingPanel::refreshDatasetSummary);
    connect(m_session, &TrainingSession::datasetFailed, this, [this](const QString &message) {
        m_datasetSummary->setText(message);
        appendLog(message);
    });
    connect(m_session, &TrainingSession::runsChanged, this, &TrainingPanel::refreshRuns);
    connect(m_session, &TrainingSession::configChanged, this,
            &TrainingPanel::loadConfigIntoEditors);

    retranslate();
    loadConfigIntoEditors();
    refreshDatasetSummary();
    refreshRuns();
    onStateChanged();
}

QWidget *TrainingPanel::createSetupPage()
{
    auto *page = new QWidget(this);
    m_datasetLabel = new QLabel(page);
    m_datasetLabel->setObjectName(QStringLiteral("trainingDatasetOrigin"));
    m_datasetLabel->setWordWrap(true);
    m_datasetSummary = new QLabel(page);
    m_datasetSummary->setObjectName(QStringLiteral("trainingDatasetSummary"));
    m_datasetSummary->setWordWrap(true);
    m_datasetSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chooseDatasetButton = new QPushButton(page);
    m_chooseDatasetButton->setObjectName(QStringLiteral("trainingChooseDataset"));
    connect(m_chooseDatasetButton, &QPushButton::clicked, this, &TrainingPanel::onChooseDataset);
    m_projectLabelsButton = new QPushButton(page);
    m_projectLabelsButton->setObjectName(QStringLiteral("trainingUseProjectLabels"));
    connect(m_projectLabelsButton, &QPushButton::clicked, this, [this] {
        if (!m_session->useProjectLabels())
            QMessageBox::warning(this, tr("Training data"), m_session->errorString());
        else
            m_datasetSummary->setText(tr("Reading the project's labeled volumes…"));
    });

    m_backbone = new QComboBox(page);
    m_backbone->setObjectName(QStringLiteral("trainingBackbone"));
    m_backbone->addItems(TrainingSession::availableBackbones());
    m_bins = new QLineEdit(page);
    m_bins->setObjectName(QStringLiteral("trainingBins"));
    m_outputStride = new QComboBox(page);
    m_outputStride->setObjectName(QStringLiteral("trainingOutputStride"));
    for (int stride : {8, 16, 32})
        m_outputStride->addItem(QString::number(stride), stride);

    // The weights the backbone starts from decide the plan (from scratch or fine-tuning).
    m_pretrainedLabel = new QLabel(page);
    m_pretrainedName = new QLabel(page);
    m_pretrainedName->setObjectName(QStringLiteral("trainingPretrainedName"));
    m_pretrainedName->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_choosePretrained = new QPushButton(page);
    m_choosePretrained->setObjectName(QStringLiteral("trainingChoosePretrained"));
    connect(m_choosePretrained, &QPushButton::clicked, this, &TrainingPanel::onChoosePretrained);
    m_clearPretrained = new QPushButton(page);
    m_clearPretrained->setObjectName(QStringLiteral("trainingClearPretrained"));
    connect(m_clearPretrained, &QPushButton::clicked, this,
            [this] { m_session->setPretrainedWeights(QString()); });
    m_planLabel = new QLabel(page);
    m_planLabel->setObjectName(QStringLiteral("trainingPlan"));
    m_planLabel->setWordWrap(true);

    m_stages = new QTableWidget(0, StageColumnCount, page);
    m_stages->setObjectName(QStringLiteral("trainingStages"));
    // Stages are numbered rows (the name is in each number's tool tip and on the Progress tab)
    // and the numbers fit their columns, so the plan fits the dock without scrolling sideways.
    m_stages->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_lossAlpha = new QDoubleSpinBox(page);
    m_lossAlpha->setObjectName(QStringLiteral("trainingLossAlpha"));
    m_lossAlpha->setRange(0.0, 1.0);
    m_lossAlpha->setSingleStep(0.05);
    m_focalGamma = new QDoubleSpinBox(page);
    m_focalGamma->setObjectName(QStringLiteral("trainingFocalGamma"));
    m_focalGamma->setRange(0.0, 10.0);
    m_focalGamma->setSingleStep(0.5);
    m_classWeights = new QCheckBox(page);
    m_classWeights->setObjectName(QStringLiteral("trainingClassWeights"));
    m_stretch = new QCheckBox(page);
    m_stretch->setObjectName(QStringLiteral("trainingStretch"));
    m_seed = new QSpinBox(page);
    m_seed->setObjectName(QStringLiteral("trainingSeed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_validationShare = new QSpinBox(page);
    m_validationShare->setObjectName(QStringLiteral("trainingValidationShare"));
    m_validationShare->setRange(5, 50);
    m_validationShare->setSuffix(QStringLiteral(" %"));
    m_validationShare->setValue(int(std::lround(m_session->validationFraction() * 100.0)));
    m_intensity = new QComboBox(page);
    m_intensity->setObjectName(QStringLiteral("trainingIntensity"));
    for (const std::string &choice : core::intensityChoices())
        m_intensity->addItem(QString(), QString::fromStdString(choice));
    m_adjacentSlices = new QComboBox(page);
    m_adjacentSlices->setObjectName(QStringLiteral("trainingAdjacentSlices"));
    for (const int k : {1, 3, 5})
        m_adjacentSlices->addItem(QString(), k);
    m_timeBudget = new QSpinBox(page);
    m_timeBudget->setObjectName(QStringLiteral("trainingTimeBudget"));
    m_timeBudget->setRange(0, 24 * 60);

    m_backboneLabel = new QLabel(page);
    m_binsLabel = new QLabel(page);
    m_strideLabel = new QLabel(page);
    m_alphaLabel = new QLabel(page);
    m_gammaLabel = new QLabel(page);
    m_seedLabel = new QLabel(page);
    m_validationShareLabel = new QLabel(page);
    m_intensityLabel = new QLabel(page);
    m_adjacentSlicesLabel = new QLabel(page);
    m_timeBudgetLabel = new QLabel(page);

    auto *form = new QFormLayout;
    form->addRow(m_backboneLabel, m_backbone);
    form->addRow(m_binsLabel, m_bins);
    form->addRow(m_strideLabel, m_outputStride);
    form->addRow(m_alphaLabel, m_lossAlpha);
    form->addRow(m_gammaLabel, m_focalGamma);
    form->addRow(QString(), m_classWeights);
    form->addRow(QString(), m_stretch);
    form->addRow(m_seedLabel, m_seed);
    form->addRow(m_validationShareLabel, m_validationShare);
    form->addRow(m_intensityLabel, m_intensity);
    form->addRow(m_adjacentSlicesLabel, m_adjacentSlices);
    form->addRow(m_timeBudgetLabel, m_timeBudget);
    auto *pretrained = new QHBoxLayout;
    pretrained->addWidget(m_pretrainedName, 1);
    pretrained->addWidget(m_choosePretrained);
    pretrained->addWidget(m_clearPretrained);
    form->addRow(m_pretrainedLabel, pretrained);

    // Rows of at most two buttons: the dock stays narrow, the images keep the screen.
    auto *datasetButtons = new QHBoxLayout;
    datasetButtons->addWidget(m_projectLabelsButton);
    datasetButtons->addWidget(m_chooseDatasetButton);
    datasetButtons->addStretch();

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_datasetLabel);
    layout->addLayout(datasetButtons);
    layout->addWidget(m_datasetSummary);
    layout->addLayout(form);
    layout->addWidget(m_planLabel);
    layout->addWidget(m_stages, 1);

    connect(m_backbone, &QComboBox::currentIndexChanged, this,
            &TrainingPanel::applyEditorsToConfig);
    connect(m_outputStride, &QComboBox::currentIndexChanged, this,
            &TrainingPanel::applyEditorsToConfig);
    connect(m_bins, &QLineEdit::editingFinished, this, &TrainingPanel::applyEditorsToConfig);
    connect(m_lossAlpha, &QDoubleSpinBox::valueChanged, this, &TrainingPanel::applyEditorsToConfig);
    connect(m_focalGamma, &QDoubleSpinBox::valueChanged, this,
            &TrainingPanel::applyEditorsToConfig);
    connect(m_classWeights, &QCheckBox::toggled, this, &TrainingPanel::applyEditorsToConfig);
    connect(m_stretch, &QCheckBox::toggled, this, &TrainingPanel::applyEditorsToConfig);
    connect(m_seed, &QSpinBox::valueChanged, this, &TrainingPanel::applyEditorsToConfig);
    connect(m_intensity, &QComboBox::currentIndexChanged, this,
            &TrainingPanel::applyEditorsToConfig);
    connect(m_adjacentSlices, &QComboBox::currentIndexChanged, this,
            &TrainingPanel::applyEditorsToConfig);
    connect(m_timeBudget, &QSpinBox::valueChanged, this, &TrainingPanel::applyEditorsToConfig);
    connect(m_validationShare, &QSpinBox::valueChanged, this,
            [this](int percent) { m_session->setValidationFraction(percent / 100.0); });
    connect(m_stages, &QTableWidget::itemChanged, this, &TrainingPanel::applyEditorsToConfig);
    return page;
}

QWidget *TrainingPanel::createProgressPage()
{
    auto *page = new QWidget(this);
    m_stageLabel = new QLabel(page);
    m_stageProgress = new QProgressBar(page);
    m_stageProgress->setObjectName(QStringLiteral("trainingStageProgress"));
    m_epochLabel = new QLabel(page);
    m_epochProgress = new QProgressBar(page);
    m_epochProgress->setObjectName(QStringLiteral("trainingEpochProgress"));

    auto *lossChart = new QChart;
    lossChart->legend()->setAlignment(Qt::AlignBottom);
    m_lossSeries = new QLineSeries(lossChart);
    m_lrSeries = new QLineSeries(lossChart);
    lossChart->addSeries(m_lossSeries);
    lossChart->addSeries(m_lrSeries);
    m_stepAxis = new QValueAxis(lossChart);
    m_stepAxis->setLabelFormat(QStringLiteral("%d"));
    m_lossAxis = new QValueAxis(lossChart);
    m_lrAxis = new QValueAxis(lossChart);
    m_lrAxis->setLabelFormat(QStringLiteral("%.1e"));
    lossChart->addAxis(m_stepAxis, Qt::AlignBottom);
    lossChart->addAxis(m_lossAxis, Qt::AlignLeft);
    lossChart->addAxis(m_lrAxis, Qt::AlignRight);
    m_lossSeries->attachAxis(m_stepAxis);
    m_lossSeries->attachAxis(m_lossAxis);
    m_lrSeries->attachAxis(m_stepAxis);
    m_lrSeries->attachAxis(m_lrAxis);
    makeCompact(lossChart);
    m_lossView = new QChartView(lossChart, page);
    m_lossView->setObjectName(QStringLiteral("trainingLossChart"));
    m_lossView->setRenderHint(QPainter::Antialiasing);
    m_lossView->setMinimumHeight(160);

    auto *diceChart = new QChart;
    diceChart->legend()->setAlignment(Qt::AlignBottom);
    m_epochAxis = new QValueAxis(diceChart);
    m_epochAxis->setLabelFormat(QStringLiteral("%d"));
    m_diceAxis = new QValueAxis(diceChart);
    m_diceAxis->setRange(0.0, 1.0);
    diceChart->addAxis(m_epochAxis, Qt::AlignBottom);
    diceChart->addAxis(m_diceAxis, Qt::AlignLeft);
    m_diceAxis->setTickCount(3); // 0, 0.5, 1: more labels do not fit a dock-high chart
    m_diceAxis->setLabelFormat(QStringLiteral("%.1f"));
    makeCompact(diceChart);
    m_diceView = new QChartView(diceChart, page);
    m_diceView->setObjectName(QStringLiteral("trainingDiceChart"));
    m_diceView->setRenderHint(QPainter::Antialiasing);
    m_diceView->setMinimumHeight(160);

    m_diceTable = new QTableWidget(0, 4, page);
    m_diceTable->setObjectName(QStringLiteral("trainingDiceTable"));
    m_diceTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diceTable->verticalHeader()->setVisible(false);
    m_diceTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_log = new QPlainTextEdit(page);
    m_log->setObjectName(QStringLiteral("trainingLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);

    auto *bars = new QFormLayout;
    bars->addRow(m_stageLabel, m_stageProgress);
    bars->addRow(m_epochLabel, m_epochProgress);

    auto *splitter = new QSplitter(Qt::Vertical, page);
    splitter->addWidget(m_lossView);
    splitter->addWidget(m_diceView);
    splitter->addWidget(m_diceTable);
    splitter->addWidget(m_log);
    // The charts first: they are what a glance at the dock is for.
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 1);
    splitter->setStretchFactor(3, 1);

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(bars);
    layout->addWidget(splitter, 1);
    return page;
}

QWidget *TrainingPanel::createRunsPage()
{
    auto *page = new QWidget(this);
    m_runs = new QTreeWidget(page);
    m_runs->setObjectName(QStringLiteral("trainingRuns"));
    m_runs->setColumnCount(RunColumnCount);
    m_runs->setRootIsDecorated(false);
    // Run names are dates and times: cut, they all read "run-2026120…".
    m_runs->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_followButton = new QPushButton(page);
    m_followButton->setObjectName(QStringLiteral("trainingFollowRun"));
    m_resumeButton = new QPushButton(page);
    m_resumeButton->setObjectName(QStringLiteral("trainingResumeRun"));
    m_exportButton = new QPushButton(page);
    m_exportButton->setObjectName(QStringLiteral("trainingExportRun"));

    m_evaluateRunButton = new QPushButton(page);
    m_evaluateRunButton->setObjectName(QStringLiteral("trainingEvaluateRun"));
    m_evaluateRunButton->setEnabled(false);
    connect(m_evaluateRunButton, &QPushButton::clicked, this, &TrainingPanel::onEvaluateRun);
    m_deleteRunButton = new QPushButton(page);
    m_deleteRunButton->setObjectName(QStringLiteral("trainingDeleteRun"));
    connect(m_deleteRunButton, &QPushButton::clicked, this, &TrainingPanel::onDeleteRun);

    m_useModelButton = new QPushButton(page);
    m_useModelButton->setObjectName(QStringLiteral("trainingUseRunModel"));
    connect(m_useModelButton, &QPushButton::clicked, this, [this] {
        const QString run = selectedRun();
        const QString model = QDir(run).filePath(QStringLiteral("best.pt"));
        if (run.isEmpty())
            return;
        if (!QFileInfo::exists(model)) {
            QMessageBox::warning(this, tr("Use model"),
                                 tr("This run has no validated model (best.pt) yet."));
            return;
        }
        m_predictions->setModelPath(model);
        refreshReview();
        m_tabs->setCurrentIndex(3);
    });
    connect(m_followButton, &QPushButton::clicked, this, [this] {
        const QString run = selectedRun();
        if (run.isEmpty())
            return;
        if (!m_session->followRun(run))
            QMessageBox::warning(this, tr("Open run"), m_session->errorString());
        else
            m_tabs->setCurrentIndex(1);
    });
    connect(m_resumeButton, &QPushButton::clicked, this, [this] {
        const QString run = selectedRun();
        if (!run.isEmpty() && !m_session->resumeRun(run))
            QMessageBox::warning(this, tr("Resume run"), m_session->errorString());
    });
    connect(m_exportButton, &QPushButton::clicked, this, [this] {
        const QString run = selectedRun();
        if (!run.isEmpty())
            Q_EMIT exportRequested(run);
    });

    auto *buttons = new QGridLayout;
    buttons->addWidget(m_followButton, 0, 0);
    buttons->addWidget(m_resumeButton, 0, 1);
    buttons->addWidget(m_exportButton, 0, 2);
    buttons->addWidget(m_useModelButton, 1, 0);
    buttons->addWidget(m_evaluateRunButton, 1, 1);
    buttons->addWidget(m_deleteRunButton, 1, 2);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_runs, 1);
    layout->addLayout(buttons);
    return page;
}

void TrainingPanel::setProjectJobs(ProjectJobs *jobs, SavedProject savedProject)
{
    m_jobs = jobs;
    m_savedProject = std::move(savedProject);
    m_predictAllButton->setEnabled(jobs != nullptr);
    m_evaluateRunButton->setEnabled(jobs != nullptr);
    if (!jobs)
        return;
    connect(m_cancelJobButton, &QPushButton::clicked, jobs, &ProjectJobs::cancel);
    connect(jobs, &ProjectJobs::busyChanged, this, [this](bool busy) {
        m_jobProgress->setVisible(busy);
        m_cancelJobButton->setVisible(busy);
        m_jobProgress->setRange(0, 0);
        m_predictAllButton->setEnabled(!busy);
        m_evaluateRunButton->setEnabled(!busy);
    });
    connect(jobs, &ProjectJobs::progressed, this, [this](int done, int total, const QString &what) {
        m_jobProgress->setRange(0, std::max(1, total));
        m_jobProgress->setValue(done);
        m_jobProgress->setFormat(what.isEmpty() ? QStringLiteral("%p%")
                                                : what + QStringLiteral(" · %p%"));
    });
    connect(jobs, &ProjectJobs::finished, this, [this](const QString &message, const QString &) {
        appendLog(message);
        m_statusLabel->setText(message.section(QLatin1Char('\n'), 0, 0));
        QMessageBox box(QMessageBox::Information, m_jobTitle, message, QMessageBox::Ok, this);
        box.setObjectName(QStringLiteral("projectJobResult"));
        box.exec();
    });
    connect(jobs, &ProjectJobs::failed, this, [this](const QString &message) {
        appendLog(message);
        QMessageBox box(QMessageBox::Warning, m_jobTitle, message, QMessageBox::Ok, this);
        box.setObjectName(QStringLiteral("projectJobResult"));
        box.exec();
    });
}

void TrainingPanel::onPredictAll()
{
    const QString model = m_predictions->modelPath();
    QString error;
    const QString project = m_savedProject ? m_savedProject(&error) : QString();
    if (model.isEmpty())
        error = tr("Choose a model first (Runs: Use for prediction).");
    if (!error.isEmpty() || project.isEmpty()) {
        QMessageBox::warning(this, tr("Predict all volumes"), error);
        return;
    }
    m_jobTitle = tr("Predict all volumes");
    m_jobs->predictAll(project, model, ProjectJobs::defaultPredictionFolder(project, model));
}

void TrainingPanel::onEvaluateRun()
{
    const QString run = selectedRun();
    const QString model = QDir(run).filePath(QStringLiteral("best.pt"));
    QString error;
    const QString project = m_savedProject ? m_savedProject(&error) : QString();
    if (run.isEmpty() || !QFileInfo::exists(model))
        error = tr("Select a run that has a validated model (best.pt).");
    if (!error.isEmpty() || project.isEmpty()) {
        QMessageBox::warning(this, tr("Evaluate"), error);
        return;
    }
    m_jobTitle = tr("Evaluate");
    m_jobs->evaluateRun(project, run, model);
}

void TrainingPanel::onDeleteRun()
{
    const QTreeWidgetItem *item = m_runs->currentItem();
    if (!item)
        return;
    const QString run = item->data(RunName, Qt::UserRole).toString();
    QMessageBox question(QMessageBox::Question, tr("Delete Run"),
                         tr("Delete the run %1 with its models and checkpoints (%2)? This "
                            "cannot be undone.")
                             .arg(item->text(RunName), item->text(RunSize)),
                         QMessageBox::Yes | QMessageBox::No, this);
    question.setObjectName(QStringLiteral("deleteRunQuestion"));
    question.setDefaultButton(QMessageBox::No);
    if (question.exec() != QMessageBox::Yes)
        return;
    if (!m_session->deleteRun(run))
        QMessageBox::warning(this, tr("Delete Run"), m_session->errorString());
}

QString TrainingPanel::selectedRun() const
{
    const QTreeWidgetItem *item = m_runs->currentItem();
    return item ? item->data(RunName, Qt::UserRole).toString() : QString();
}

QWidget *TrainingPanel::createReviewPage()
{
    auto *page = new QWidget(this);
    m_modelLabel = new QLabel(page);
    m_modelLabel->setObjectName(QStringLiteral("reviewModel"));
    m_modelLabel->setWordWrap(true);
    m_showPredictions = new QCheckBox(page);
    m_showPredictions->setObjectName(QStringLiteral("reviewShowPredictions"));
    m_showPredictions->setChecked(m_predictions->isVisible());
    m_predictionStyle = new QComboBox(page);
    m_predictionStyle->setObjectName(QStringLiteral("reviewPredictionStyle"));
    m_predictionStyle->addItems({QString(), QString()});
    m_predictionOpacity = new QSlider(Qt::Horizontal, page);
    m_predictionOpacity->setObjectName(QStringLiteral("reviewPredictionOpacity"));
    m_predictionOpacity->setRange(0, 100);
    m_predictionOpacity->setValue(int(std::lround(m_predictions->opacity() * 100)));
    connect(m_predictionStyle, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_predictions->setStyle(index == 1 ? OverlayStyle::Fill : OverlayStyle::Outline);
    });
    connect(m_predictionOpacity, &QSlider::valueChanged, this,
            [this](int value) { m_predictions->setOpacity(value / 100.0); });
    m_predictSliceButton = new QPushButton(page);
    m_predictSliceButton->setObjectName(QStringLiteral("reviewPredictSlice"));
    m_predictSeriesButton = new QPushButton(page);
    m_predictSeriesButton->setObjectName(QStringLiteral("reviewPredictSeries"));
    m_predictAllButton = new QPushButton(page);
    m_predictAllButton->setObjectName(QStringLiteral("reviewPredictAll"));
    m_predictAllButton->setEnabled(false);
    connect(m_predictAllButton, &QPushButton::clicked, this, &TrainingPanel::onPredictAll);
    m_acceptMode = new QComboBox(page);
    m_acceptMode->setObjectName(QStringLiteral("reviewAcceptMode"));
    m_acceptMode->addItems({QString(), QString()});
    m_acceptSliceButton = new QPushButton(page);
    m_acceptSliceButton->setObjectName(QStringLiteral("reviewAcceptSlice"));
    m_acceptAllButton = new QPushButton(page);
    m_acceptAllButton->setObjectName(QStringLiteral("reviewAcceptAll"));
    m_nextReviewButton = new QPushButton(page);
    m_nextReviewButton->setObjectName(QStringLiteral("reviewNext"));
    m_markReviewedButton = new QPushButton(page);
    m_markReviewedButton->setObjectName(QStringLiteral("reviewMarkReviewed"));
    m_predictProgress = new QProgressBar(page);
    m_predictProgress->setObjectName(QStringLiteral("reviewPredictProgress"));
    m_predictProgress->setVisible(false);
    m_cancelPredictButton = new QPushButton(page);
    m_cancelPredictButton->setObjectName(QStringLiteral("reviewCancelPredict"));
    m_cancelPredictButton->setVisible(false);
    connect(m_cancelPredictButton, &QPushButton::clicked, m_predictions,
            &PredictionSession::cancel);
    connect(m_predictions, &PredictionSession::progressed, this, [this](int done, int total) {
        m_predictProgress->setRange(0, std::max(1, total));
        m_predictProgress->setValue(done);
    });
    connect(m_predictions, &PredictionSession::busyChanged, this, [this](bool busy) {
        m_predictProgress->setRange(0, 0); // busy until the first slice is done
        m_predictProgress->setVisible(busy);
        m_cancelPredictButton->setVisible(busy);
    });
    m_originScores = new QLabel(page);
    m_originScores->setObjectName(QStringLiteral("reviewOriginScores"));
    m_originScores->setWordWrap(true);
    m_reviewStatus = new QLabel(page);
    m_reviewStatus->setObjectName(QStringLiteral("reviewStatus"));
    m_reviewStatus->setWordWrap(true);

    SeriesSession *series = m_predictions->series();
    const auto currentSlice = [series] {
        return series->sliceIndex(SliceOrientation::Axial);
    };
    const auto mode = [this] {
        return m_acceptMode->currentIndex() == 1 ? PredictionSession::AcceptMode::Replace
                                                 : PredictionSession::AcceptMode::FillUnlabeled;
    };
    connect(m_showPredictions, &QCheckBox::toggled, m_predictions, &PredictionSession::setVisible);
    connect(m_predictSliceButton, &QPushButton::clicked, this, [this, currentSlice] {
        if (!m_predictions->predictSlice(currentSlice()))
            QMessageBox::warning(this, tr("Predict"),
                                 tr("Choose a model (a run's best model) and open a fully "
                                    "loaded series first."));
    });
    connect(m_predictSeriesButton, &QPushButton::clicked, this, [this] {
        if (!m_predictions->predictSeries())
            QMessageBox::warning(this, tr("Predict"),
                                 tr("Choose a model (a run's best model) and open a fully "
                                    "loaded series first."));
    });
    connect(m_acceptSliceButton, &QPushButton::clicked, this,
            [this, currentSlice, mode] { m_predictions->acceptSlice(currentSlice(), mode()); });
    connect(m_acceptAllButton, &QPushButton::clicked, this, [this, mode] {
        if (confirmAcceptAll())
            m_predictions->acceptAll(mode());
    });
    connect(m_nextReviewButton, &QPushButton::clicked, this, [series, currentSlice, this] {
        const int next = m_predictions->nextToReview(currentSlice());
        if (next >= 0)
            series->setSliceIndex(SliceOrientation::Axial, next);
    });
    connect(m_markReviewedButton, &QPushButton::clicked, this,
            [this, currentSlice] { m_predictions->markReviewed(currentSlice()); });
    connect(m_predictions, &PredictionSession::statusChanged, this, &TrainingPanel::refreshReview);
    connect(m_predictions, &PredictionSession::predictionsChanged, this,
            &TrainingPanel::refreshReview);
    connect(m_predictions, &PredictionSession::busyChanged, this, &TrainingPanel::refreshReview);
    connect(m_predictions, &PredictionSession::failed, this,
            [this](const QString &message) { m_reviewStatus->setText(message); });
    connect(series, &SeriesSession::cursorChanged, this, &TrainingPanel::refreshReview);

    auto *predictRow = new QHBoxLayout;
    predictRow->addWidget(m_predictSliceButton);
    predictRow->addWidget(m_predictSeriesButton);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_predictProgress, 1);
    progressRow->addWidget(m_cancelPredictButton);
    auto *acceptRow = new QGridLayout;
    acceptRow->addWidget(m_acceptMode, 0, 0, 1, 2);
    acceptRow->addWidget(m_acceptSliceButton, 1, 0);
    acceptRow->addWidget(m_acceptAllButton, 1, 1);
    auto *reviewRow = new QHBoxLayout;
    reviewRow->addWidget(m_nextReviewButton);
    reviewRow->addWidget(m_markReviewedButton);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_modelLabel);
    auto *styleRow = new QHBoxLayout;
    styleRow->addWidget(m_showPredictions);
    styleRow->addWidget(m_predictionStyle);
    styleRow->addWidget(m_predictionOpacity, 1);
    layout->addLayout(styleRow);
    layout->addLayout(predictRow);
    layout->addWidget(m_predictAllButton); // a row of its own: the dock stays narrow
    layout->addLayout(progressRow);
    layout->addWidget(m_originScores);
    layout->addLayout(acceptRow);
    layout->addLayout(reviewRow);
    layout->addWidget(m_reviewStatus);
    layout->addStretch();
    return page;
}

// Which predictions are on screen and how good their model was on its validation slices, so
// that accepting them is an informed choice.
QString TrainingPanel::originScoresText() const
{
    const QString origin = m_predictions->origin();
    if (origin.isEmpty())
        return tr("No predictions on this series.");
    const core::ValidationScores scores = m_predictions->originScores();
    if (!scores.isValid())
        return tr("Predictions: %1. Its validation Dice is unknown.").arg(origin);
    const QStringList names = m_predictions->originClassNames();
    QStringList perClass;
    for (std::size_t c = 1; c < scores.dice.size(); ++c)
        if (std::isfinite(scores.dice[c]))
            perClass << tr("%1 %2")
                            .arg(int(c) < names.size() && !names[int(c)].isEmpty()
                                     ? names[int(c)]
                                     : tr("class %1").arg(c))
                            .arg(formatScore(scores.dice[c]));
    return tr("Predictions: %1. Validation Dice %2 (%3).")
        .arg(origin, formatScore(scores.meanForegroundDice), perClass.join(QStringLiteral(", ")));
}

bool TrainingPanel::confirmAcceptAll()
{
    const core::ValidationScores scores = m_predictions->originScores();
    if (scores.isValid() && scores.meanForegroundDice >= PredictionSession::AcceptAllWarningDice)
        return true;
    const QString quality =
        scores.isValid()
            ? tr("Its mean validation Dice is %1, below %2: many of its labels are likely "
                 "wrong.")
                  .arg(formatScore(scores.meanForegroundDice))
                  .arg(PredictionSession::AcceptAllWarningDice)
            : tr("How well it does is unknown: it has no validation scores.");
    QMessageBox question(
        QMessageBox::Warning, tr("Accept All Predictions?"),
        tr("The predictions come from %1. %2\n\nAccept them into the labels of %n slice(s)? "
           "You can undo this.",
           nullptr, m_predictions->unreviewedCount())
            .arg(m_predictions->origin(), quality),
        QMessageBox::Yes | QMessageBox::No, this);
    question.setObjectName(QStringLiteral("acceptAllQuestion"));
    question.setDefaultButton(QMessageBox::No);
    return question.exec() == QMessageBox::Yes;
}

void TrainingPanel::refreshReview()
{
    m_originScores->setText(originScoresText());
    const QString model = m_predictions->modelPath();
    m_modelLabel->setText(model.isEmpty()
                              ? tr("Model: none (choose a run's best model under Runs; the "
                                   "live preview needs none)")
                              : tr("Model: %1").arg(QDir::toNativeSeparators(model)));
    const bool busy = m_predictions->isBusy();
    m_predictSliceButton->setEnabled(!busy && !model.isEmpty());
    m_predictSeriesButton->setEnabled(!busy && !model.isEmpty());
    const int slice = m_predictions->series()->sliceIndex(SliceOrientation::Axial);
    QString status;
    switch (m_predictions->status(slice)) {
    case PredictionSession::SliceStatus::Unlabeled:
        status = tr("unlabeled");
        break;
    case PredictionSession::SliceStatus::Labeled:
        status = tr("labeled");
        break;
    case PredictionSession::SliceStatus::Predicted:
        status = tr("predicted (%1), not reviewed").arg(m_predictions->predictionSource(slice));
        break;
    case PredictionSession::SliceStatus::Reviewed:
        status = tr("reviewed");
        break;
    }
    m_reviewStatus->setText(busy ? tr("Predicting…")
                                 : tr("Slice %1: %2").arg(slice + 1).arg(status));
    m_acceptSliceButton->setEnabled(m_predictions->hasPrediction(slice));
}

// Every machine-learning setting says in plain words what it does and when to change it.
void TrainingPanel::retranslateSettingTips()
{
    const auto tip = [](QWidget *label, QWidget *editor, const QString &text) {
        label->setToolTip(text);
        editor->setToolTip(text);
    };
    tip(m_backboneLabel, m_backbone,
        tr("The network that turns each slice into features. resnet18 is a safe default; "
           "mobilenet_v3_large and efficientnet_b0 are faster on a laptop; convnext_tiny is the "
           "largest and needs the most time and memory."));
    tip(m_binsLabel, m_bins,
        tr("Pyramid pooling: the grids (1 = the whole slice, 7 = a 7 x 7 grid) over which the "
           "model looks at context around each pixel. Keep 1,3,5,7 unless a paper says "
           "otherwise; fewer bins train slightly faster."));
    tip(m_strideLabel, m_outputStride,
        tr("How much smaller the feature maps are than the slice. 8 keeps fine detail (small "
           "structures, thin vessels) but is slower and uses more memory; 16 or 32 are faster "
           "and enough for large organs."));
    tip(m_alphaLabel, m_lossAlpha,
        tr("How the loss mixes its two parts: 1 is Dice only (overlap of whole structures), 0 "
           "is focal only (pixel by pixel, stressing hard pixels). Raise it when small "
           "structures are missed; lower it when the edges are poor."));
    tip(m_gammaLabel, m_focalGamma,
        tr("How strongly the focal loss ignores pixels the model already gets right. 2 is the "
           "usual value; 0 makes it plain cross-entropy."));
    m_classWeights->setToolTip(
        tr("Counts rare classes more in the loss, in inverse proportion to their pixels (with a "
           "limit). Keep it on when a structure covers few pixels, such as a small organ or a "
           "lesion."));
    m_stretch->setToolTip(
        tr("Off (recommended): each slice keeps its proportions; its longer side is scaled to "
           "the input size and the rest is padded, so anatomy is not distorted. On: slices are "
           "stretched to a square, as some older tools do. Prediction always fits slices the "
           "way the model was trained."));
    tip(m_validationShareLabel, m_validationShare,
        tr("The share of the project's patients whose labeled slices validate the model (never "
           "trained on), chosen with the seed. Applies when \"Use this project's labels\" "
           "is clicked; with one patient, every fifth labeled slice validates."));
    tip(m_intensityLabel, m_intensity,
        tr("How image intensities become the network's input, recorded in the model so that "
           "prediction, the live preview and export apply it alike. Automatic follows nnU-Net: "
           "CT is clipped to the 0.5-99.5 percentiles of the labeled voxels and standardised "
           "with their mean and deviation; MR and other channels are standardised per volume. "
           "CT window on screen trains on what you see. Applies when \"Use this project's "
           "labels\" is clicked; datasets of 8-bit images stay as they are."));
    tip(m_adjacentSlicesLabel, m_adjacentSlices,
        tr("2.5D: each slice goes into the network with its nearest slices above and below as "
           "further channels, so that it sees a little of the third dimension. The model "
           "records the number, and prediction, the live preview and export feed the same "
           "neighbours. Applies when \"Use this project's labels\" is clicked; datasets of "
           "8-bit images have no neighbours."));
    tip(m_timeBudgetLabel, m_timeBudget,
        tr("Train for about this long: when the run starts, a few steps are measured on this "
           "computer and every stage gets the epochs that fit (the Epochs column is then "
           "ignored); the trainer fits them again to its pace as it goes and stops before it "
           "would overrun. A resumed run counts the time it has trained already. Off: the "
           "stages' own epochs."));
    tip(m_seedLabel, m_seed,
        tr("The start of the random numbers (weights, augmentation, order of slices). The same "
           "seed and data give the same run; change it to see how much results vary."));
    const QString stageTips[] = {
        tr("How big each optimisation step is. Too high: the loss jumps or becomes NaN; too low: "
           "training barely moves. Lower it for the later, whole-model stages."),
        tr("The share of the training slices this stage uses."),
        tr("How much the slices are varied while training (rotation, elastic deformation, "
           "contrast, flips): more helps with few labeled slices, at the cost of slower "
           "learning."),
        tr("How many times the stage goes through its training slices."),
        tr("Slices per step. Larger batches are steadier but need more memory; lower it when "
           "memory runs out."),
        tr("The size (in pixels) slices are brought to for the network. Larger keeps detail but "
           "costs time and memory.")};
    for (int column = 0; column < int(std::size(stageTips)); ++column)
        if (QTableWidgetItem *header = m_stages->horizontalHeaderItem(column))
            header->setToolTip(stageTips[column]);
}

void TrainingPanel::retranslate()
{
    m_startButton->setText(tr("Start"));
    m_pauseButton->setText(m_session->controller()->state() == TrainingController::State::Paused
                               ? tr("Resume")
                               : tr("Pause"));
    m_stopButton->setText(tr("Stop"));
    m_tabs->setTabText(0, tr("Setup"));
    m_tabs->setTabText(1, tr("Progress"));
    m_tabs->setTabText(2, tr("Runs"));
    m_tabs->setTabText(3, tr("Review"));
    m_projectLabelsButton->setText(tr("Use this project's labels"));
    m_useModelButton->setText(tr("Use for prediction"));
    m_showPredictions->setText(tr("Show predictions"));
    m_predictionStyle->setItemText(0, tr("Outlines"));
    m_predictionStyle->setItemText(1, tr("Fill"));
    m_predictionOpacity->setToolTip(tr("Opacity of the predictions"));
    m_predictSliceButton->setText(tr("Predict this slice"));
    m_predictSeriesButton->setText(tr("Predict this series"));
    m_cancelPredictButton->setText(tr("Cancel"));
    m_cancelPredictButton->setToolTip(tr("Stop predicting; slices already predicted are dropped"));
    m_acceptMode->setItemText(0, tr("Fill unlabeled voxels"));
    m_acceptMode->setItemText(1, tr("Replace labels"));
    m_acceptSliceButton->setText(tr("Accept on this slice"));
    m_acceptAllButton->setText(tr("Accept all unreviewed"));
    m_nextReviewButton->setText(tr("Next to review"));
    m_markReviewedButton->setText(tr("Mark reviewed"));
    refreshReview();
    m_chooseDatasetButton->setText(tr("Choose VOC dataset…"));
    m_pretrainedLabel->setText(tr("Pretrained"));
    m_choosePretrained->setText(tr("Choose…"));
    m_clearPretrained->setText(tr("Clear"));
    const QString pretrainedTip =
        tr("ImageNet weights for the backbone (a torchvision state dict, e.g. "
           "resnet18-f37072fd.pth). With them the plan fine-tunes in three stages with small "
           "learning rates; without them it trains from scratch in one stage with a larger "
           "one. The file is checked at once and remembered for this backbone.");
    for (QWidget *widget :
         {static_cast<QWidget *>(m_pretrainedLabel), static_cast<QWidget *>(m_pretrainedName),
          static_cast<QWidget *>(m_choosePretrained)})
        widget->setToolTip(pretrainedTip);
    m_clearPretrained->setToolTip(tr("Train the backbone from scratch (random weights)."));
    m_backboneLabel->setText(tr("Backbone"));
    m_binsLabel->setText(tr("Pyramid bins"));
    m_strideLabel->setText(tr("Output stride"));
    m_alphaLabel->setText(tr("Dice weight (alpha)"));
    m_gammaLabel->setText(tr("Focal gamma"));
    m_classWeights->setText(tr("Weight rare classes more"));
    m_stretch->setText(tr("Stretch slices to a square"));
    m_seedLabel->setText(tr("Seed"));
    m_validationShareLabel->setText(tr("Validation patients"));
    m_intensityLabel->setText(tr("Intensities"));
    const QStringList intensityNames{tr("Automatic (nnU-Net)"), tr("CT window on screen"),
                                     tr("CT percentiles"), tr("Z-score per volume"),
                                     tr("Percentiles per volume")};
    for (int i = 0; i < m_intensity->count() && i < intensityNames.size(); ++i)
        m_intensity->setItemText(i, intensityNames[i]);
    m_adjacentSlicesLabel->setText(tr("Slices per input"));
    m_timeBudgetLabel->setText(tr("Time budget"));
    m_timeBudget->setSpecialValueText(tr("Off"));
    m_timeBudget->setSuffix(tr(" min"));
    for (int i = 0; i < m_adjacentSlices->count(); ++i) {
        const int k = m_adjacentSlices->itemData(i).toInt();
        m_adjacentSlices->setItemText(
            i, k == 1 ? tr("1 (2D)") : tr("%1 (2.5D: %2 above and below)").arg(k).arg(k / 2));
    }
    // Short headers (their tool tips say the rest), so that every number fits the dock.
    m_stages->setHorizontalHeaderLabels(
        {tr("LR"), tr("Data %"), tr("Augment"), tr("Epochs"), tr("Batch"), tr("Size")});
    retranslateSettingTips();
    m_stageLabel->setText(tr("Stage"));
    m_epochLabel->setText(tr("Epoch"));
    m_lossSeries->setName(tr("Loss"));
    m_lrSeries->setName(tr("Learning rate"));
    m_stepAxis->setTitleText(tr("Step"));
    m_epochAxis->setTitleText(tr("Epoch"));
    m_diceAxis->setTitleText(tr("Dice"));
    m_diceView->setToolTip(tr("Validation Dice of each class after each epoch, in the label's "
                              "colour"));
    m_lossView->setToolTip(tr("Training loss and learning rate at each step"));
    m_diceTable->setHorizontalHeaderLabels({tr("Class"), tr("Dice"), tr("IoU"), tr("Best Dice")});
    m_runs->setHeaderLabels(
        {tr("Run"), tr("Best Dice"), tr("Size on disk"), tr("Steps"), tr("Backbone")});
    m_deleteRunButton->setText(tr("Delete…"));
    m_evaluateRunButton->setText(tr("Evaluate"));
    m_evaluateRunButton->setToolTip(
        tr("Predict the run's validation cases with its best model and score them against your "
           "labels: Dice, IoU, HD95 and volumes per case and label, saved in the run folder as "
           "evaluation.json (nnU-Net's summary.json layout)."));
    m_predictAllButton->setText(tr("Predict all volumes"));
    m_predictAllButton->setToolTip(
        tr("Run the model on every volume of the saved project and write one label file per "
           "case, on its own grid, to the project's predictions folder."));
    m_cancelJobButton->setText(tr("Cancel"));
    m_deleteRunButton->setToolTip(tr("Delete the selected run's folder: its models, checkpoints "
                                     "and metrics"));
    m_followButton->setText(tr("Show"));
    m_resumeButton->setText(tr("Resume"));
    m_exportButton->setText(tr("Export…"));
    refreshDatasetSummary();
    loadConfigIntoEditors(); // the plan's stage names and augmentation levels
    onHistoryChanged();      // the stage bar's stage name
}

void TrainingPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void TrainingPanel::loadConfigIntoEditors()
{
    m_updatingEditors = true;
    const core::TrainingConfig config = m_session->config();
    m_backbone->setCurrentText(QString::fromStdString(config.model.backbone));
    QStringList bins;
    for (int bin : config.model.bins)
        bins.append(QString::number(bin));
    m_bins->setText(bins.join(QLatin1Char(',')));
    m_outputStride->setCurrentIndex(
        std::max(0, m_outputStride->findData(config.model.output_stride)));
    m_lossAlpha->setValue(config.loss.alpha);
    m_focalGamma->setValue(config.loss.focal.gamma);
    m_classWeights->setChecked(config.classWeightsFromData);
    showPlan(config);
    m_stretch->setChecked(config.inputResize == core::InputResize::Stretch);
    m_seed->setValue(int(config.seed));
    m_intensity->setCurrentIndex(
        std::max(0, m_intensity->findData(QString::fromStdString(config.intensity))));
    m_adjacentSlices->setCurrentIndex(
        std::max(0, m_adjacentSlices->findData(config.adjacentSlices)));
    m_timeBudget->setValue(int(std::lround(config.timeBudgetSeconds / 60.0)));
    const bool budgeted = config.timeBudgetSeconds > 0;

    m_stages->setRowCount(int(config.stages.size()));
    for (int row = 0; row < int(config.stages.size()); ++row) {
        const core::StagePlan &stage = config.stages[std::size_t(row)];
        const auto set = [&](int column, const QString &text) {
            m_stages->setItem(row, column, new QTableWidgetItem(text));
        };
        // The row's number names the stage: each stage trains part of the network.
        auto *number = new QTableWidgetItem(QString::number(row + 1));
        number->setToolTip(TrainingEventText::stageName(stage.name));
        m_stages->setVerticalHeaderItem(row, number);
        set(StageLearningRate, QString::number(stage.learningRate, 'g', 3));
        set(StageData, QString::number(stage.dataFraction * 100.0, 'g', 3));
        set(StageAugmentation, augmentationName(stage.augmentation));
        set(StageEpochs, QString::number(stage.epochs));
        if (budgeted) // fitted to the budget when the run starts
            m_stages->item(row, StageEpochs)->setFlags(Qt::ItemIsSelectable);
        set(StageBatch, QString::number(stage.batchSize));
        set(StageInput, QString::number(stage.inputSize));
    }
    m_updatingEditors = false;
}

void TrainingPanel::applyEditorsToConfig()
{
    if (m_updatingEditors)
        return;
    core::TrainingConfig config = m_session->config();
    config.model.backbone = m_backbone->currentText().toStdString();
    std::vector<int> bins;
    for (const QString &part : m_bins->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int bin = part.trimmed().toInt(&ok);
        if (ok && bin > 0)
            bins.push_back(bin);
    }
    if (!bins.empty())
        config.model.bins = bins;
    config.model.output_stride = m_outputStride->currentData().toInt();
    config.loss.alpha = m_lossAlpha->value();
    config.loss.focal.gamma = m_focalGamma->value();
    config.classWeightsFromData = m_classWeights->isChecked();
    config.inputResize =
        m_stretch->isChecked() ? core::InputResize::Stretch : core::InputResize::KeepAspect;
    config.intensity = m_intensity->currentData().toString().toStdString();
    config.adjacentSlices = m_adjacentSlices->currentData().toInt();
    config.timeBudgetSeconds = 60.0 * m_timeBudget->value();
    config.seed = std::uint64_t(m_seed->value());
    for (int row = 0; row < m_stages->rowCount() && row < int(config.stages.size()); ++row) {
        core::StagePlan &stage = config.stages[std::size_t(row)];
        const auto number = [&](int column, double fallback) {
            const QTableWidgetItem *item = m_stages->item(row, column);
            bool ok = false;
            const double value = item ? item->text().toDouble(&ok) : 0.0;
            return ok && value > 0 ? value : fallback;
        };
        stage.learningRate = number(StageLearningRate, stage.learningRate);
        stage.dataFraction =
            std::clamp(number(StageData, stage.dataFraction * 100.0), 1.0, 100.0) / 100.0;
        stage.epochs = int(number(StageEpochs, stage.epochs));
        stage.batchSize = int(number(StageBatch, stage.batchSize));
        stage.inputSize = int(number(StageInput, stage.inputSize));
        if (const QTableWidgetItem *item = m_stages->item(row, StageAugmentation)) {
            // An unknown word keeps the previous level; the cell is rewritten below.
            if (const auto level = augmentationFromText(item->text()))
                stage.augmentation = *level;
        }
    }
    m_session->setConfig(config);
}

void TrainingPanel::onChooseDataset()
{
    const QString directory = QFileDialog::getExistingDirectory(
        this, tr("Choose a VOC segmentation dataset"), m_session->datasetOrigin());
    if (directory.isEmpty())
        return;
    m_datasetSummary->setText(tr("Loading %1…").arg(QDir::toNativeSeparators(directory)));
    m_session->loadVocDataset(directory);
}

void TrainingPanel::refreshDatasetSummary()
{
    const QString origin = m_session->datasetOrigin();
    m_datasetLabel->setText(origin.isEmpty() ? tr("Dataset: none") : tr("Dataset: %1").arg(origin));
    m_datasetSummary->setText(m_session->datasetSummary());
}

void TrainingPanel::onStartClicked()
{
    applyEditorsToConfig();
    if (!m_session->start()) {
        QMessageBox::warning(this, tr("Start training"), m_session->errorString());
        return;
    }
    m_log->clear();
    m_tabs->setCurrentIndex(1);
}

void TrainingPanel::onPauseClicked()
{
    TrainingController *controller = m_session->controller();
    if (controller->state() == TrainingController::State::Paused)
        controller->resume();
    else
        controller->pause();
}

void TrainingPanel::onStopClicked()
{
    m_session->controller()->stop();
}

void TrainingPanel::onStateChanged()
{
    const TrainingController::State state = m_session->controller()->state();
    const bool idle = state == TrainingController::State::Idle;
    m_startButton->setEnabled(idle);
    m_pauseButton->setEnabled(state == TrainingController::State::Running ||
                              state == TrainingController::State::Paused);
    m_pauseButton->setText(state == TrainingController::State::Paused ? tr("Resume") : tr("Pause"));
    m_stopButton->setEnabled(state == TrainingController::State::Running ||
                             state == TrainingController::State::Paused);
    m_resumeButton->setEnabled(idle);
    m_followButton->setEnabled(idle);
    switch (state) {
    case TrainingController::State::Paused:
        m_statusLabel->setText(tr("Paused."));
        break;
    case TrainingController::State::Stopping:
        m_statusLabel->setText(tr("Stopping after this step…"));
        break;
    default:
        break;
    }
}

void TrainingPanel::onHistoryChanged()
{
    const RunHistory *history = m_session->history();
    const core::TrainingProgress &progress = history->lastProgress();

    // Progress bars and the status line.
    m_runProgress->setRange(0, int(std::max<qint64>(1, progress.totalSteps)));
    m_runProgress->setValue(int(progress.step));
    m_runProgress->setFormat(progress.totalSteps > 0 ? QStringLiteral("%p%") : QString());
    // The stage bar counts the stage's steps, so it ends full; before the first step there is
    // no stage to name ("(1 of 0)").
    const qint64 stepsInEpoch = std::max<qint64>(1, progress.stepsInEpoch);
    m_stageProgress->setRange(0, int(std::max(1, progress.epochs) * stepsInEpoch));
    m_stageProgress->setValue(int(progress.epoch * stepsInEpoch + progress.stepInEpoch));
    m_stageProgress->setFormat(progress.stageCount > 0
                                   ? tr("%1 (%2 of %3)")
                                         .arg(TrainingEventText::stageName(progress.stageName))
                                         .arg(progress.stage + 1)
                                         .arg(progress.stageCount)
                                   : QString());
    m_epochProgress->setRange(0, int(stepsInEpoch));
    m_epochProgress->setValue(int(progress.stepInEpoch));
    if (progress.step > 0 &&
        m_session->controller()->state() == TrainingController::State::Running) {
        m_statusLabel->setText(tr("Step %1 of %2 · loss %3 · lr %4 · %5 images/s · ETA %6")
                                   .arg(progress.step)
                                   .arg(progress.totalSteps)
                                   .arg(progress.loss, 0, 'f', 4)
                                   .arg(progress.learningRate, 0, 'e', 2)
                                   .arg(progress.imagesPerSecond, 0, 'f', 1)
                                   .arg(formatDuration(progress.etaSeconds)));
    }

    // Loss and learning-rate curves; thinned to at most ~2000 points so a long run stays cheap.
    const auto &steps = history->steps();
    const std::size_t stride = std::max<std::size_t>(1, steps.size() / 2000);
    QList<QPointF> loss;
    QList<QPointF> lr;
    double maxLoss = 0;
    double maxLr = 0;
    for (std::size_t i = 0; i < steps.size(); i += stride) {
        if (!std::isfinite(steps[i].loss))
            continue;
        loss.append(QPointF(double(steps[i].step), steps[i].loss));
        lr.append(QPointF(double(steps[i].step), steps[i].learningRate));
        maxLoss = std::max(maxLoss, steps[i].loss);
        maxLr = std::max(maxLr, steps[i].learningRate);
    }
    m_lossSeries->replace(loss);
    m_lrSeries->replace(lr);
    setWholeNumberTicks(m_stepAxis, 0, steps.empty() ? 1.0 : double(steps.back().step), 5);
    m_lossAxis->setRange(0, maxLoss > 0 ? maxLoss * 1.05 : 1.0);
    m_lrAxis->setRange(0, maxLr > 0 ? maxLr * 1.05 : 1e-4);

    // Per-class validation Dice, one curve per foreground class.
    const auto &epochs = history->epochs();
    const QStringList names = history->classNames();
    QChart *chart = m_diceView->chart();
    const int classes = epochs.empty() ? 0 : int(epochs.back().dice.size());
    QList<QAbstractSeries *> series = chart->series();
    if (series.size() != std::max(0, classes - 1)) {
        chart->removeAllSeries();
        const QList<QColor> colours = history->classColours();
        for (int c = 1; c < classes; ++c) {
            auto *line = new QLineSeries(chart);
            line->setName(c < names.size() ? names[c] : tr("Class %1").arg(c));
            // The label's colour, as on the slices; a distinct hue where it has none.
            const QColor colour = c < colours.size() && colours[c].isValid()
                                      ? colours[c]
                                      : QColor::fromHsv((c * 67) % 360, 200, 220);
            line->setPen(QPen(colour, 2.0));
            chart->addSeries(line);
            line->attachAxis(m_epochAxis);
            line->attachAxis(m_diceAxis);
        }
        series = chart->series();
    }
    for (int c = 1; c < classes; ++c) {
        QList<QPointF> points;
        for (std::size_t e = 0; e < epochs.size(); ++e) {
            if (std::size_t(c) < epochs[e].dice.size() &&
                std::isfinite(epochs[e].dice[std::size_t(c)]))
                points.append(QPointF(double(e + 1), epochs[e].dice[std::size_t(c)]));
        }
        static_cast<QLineSeries *>(series[c - 1])->replace(points);
    }
    setWholeNumberTicks(m_epochAxis, 1, std::max<double>(2, double(epochs.size())), 6);

    // The table: the last epoch's scores and each class's best.
    m_diceTable->setRowCount(std::max(0, classes));
    for (int c = 0; c < classes; ++c) {
        double best = std::numeric_limits<double>::quiet_NaN();
        for (const core::EpochResult &epoch : epochs) {
            if (std::size_t(c) < epoch.dice.size() && std::isfinite(epoch.dice[std::size_t(c)]))
                best = std::isfinite(best) ? std::max(best, epoch.dice[std::size_t(c)])
                                           : epoch.dice[std::size_t(c)];
        }
        const core::EpochResult &last = epochs.back();
        const auto cell = [&](int column, const QString &text) {
            m_diceTable->setItem(c, column, new QTableWidgetItem(text));
        };
        cell(0, c < names.size() ? names[c] : tr("Class %1").arg(c));
        cell(1, formatScore(last.dice[std::size_t(c)]));
        cell(2, std::size_t(c) < last.iou.size() ? formatScore(last.iou[std::size_t(c)])
                                                 : QStringLiteral("–"));
        cell(3, formatScore(best));
    }
}

void TrainingPanel::refreshRuns()
{
    m_runs->clear();
    for (const RunSummary &run : listRuns(m_session->runsDirectory())) {
        auto *item = new QTreeWidgetItem(m_runs);
        item->setText(RunName, run.name);
        item->setText(RunBestDice,
                      run.bestMeanDice >= 0 ? formatScore(run.bestMeanDice) : QStringLiteral("–"));
        item->setText(RunSize, locale().formattedDataSize(run.bytes, 1, QLocale::DataSizeSIFormat));
        item->setText(RunSteps, QString::number(run.steps));
        item->setText(RunBackbone, run.backbone);
        item->setData(RunName, Qt::UserRole, run.directory);
    }
}

void TrainingPanel::appendLog(const QString &line)
{
    m_log->appendPlainText(line);
}

void TrainingPanel::showPlan(const core::TrainingConfig &config)
{
    const QString weights = QFileInfo(QString::fromStdString(config.pretrainedBackbone)).fileName();
    m_pretrainedName->setText(weights.isEmpty() ? tr("none") : weights);
    m_pretrainedName->setToolTip(
        QDir::toNativeSeparators(QString::fromStdString(config.pretrainedBackbone)));
    m_clearPretrained->setEnabled(!weights.isEmpty());
    QString plan;
    switch (config.recipe) {
    case core::Recipe::FromScratch:
        plan = weights.isEmpty()
                   ? tr("Plan: from scratch, because no pretrained weights were given.")
                   : tr("Plan: from scratch.");
        break;
    case core::Recipe::FineTune:
        plan = tr("Plan: fine-tuning, because pretrained weights were given (%1).").arg(weights);
        break;
    case core::Recipe::Custom:
        plan = tr("Plan: the stages of a config file.");
        break;
    }
    const QString chosen = m_session->autoConfigurationText();
    if (!chosen.isEmpty())
        plan += QLatin1Char(' ') + chosen;
    if (config.timeBudgetSeconds > 0)
        plan += QLatin1Char(' ') +
                tr("The epochs are fitted to the time budget (%n minute(s)) when the run starts.",
                   nullptr, int(std::lround(config.timeBudgetSeconds / 60.0)));
    m_planLabel->setText(plan);
}

void TrainingPanel::onChoosePretrained()
{
    const QString start =
        QFileInfo(QString::fromStdString(m_session->config().pretrainedBackbone)).absolutePath();
    const QString file =
        QFileDialog::getOpenFileName(this, tr("Choose pretrained weights"), start,
                                     tr("PyTorch weights (*.pth *.pt);;All files (*)"));
    if (file.isEmpty())
        return;
    if (!m_session->setPretrainedWeights(file)) {
        QMessageBox::warning(this, tr("Pretrained weights not used"), m_session->errorString());
        return;
    }
    appendLog(m_session->importSummary());
}

} // namespace medseg::ui
