#pragma once

#include <QString>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableWidget;
class QTabWidget;
class QTreeWidget;

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace medseg::core {
struct TrainingConfig;
}

namespace medseg::ui {

class PredictionSession;
class ProjectJobs;
class TrainingSession;

// The Training dock: what the model learns from (dataset summary), how (backbone, pyramid bins,
// the plan its weights call for, loss), the run controls with progress, ETA and speed, curves of
// loss, learning rate and per-class validation Dice, a per-class table, the log and past runs. It
// only reads and forwards: the TrainingSession owns the data, the worker and the history.
class TrainingPanel : public QWidget
{
    Q_OBJECT

public:
    // The saved project a whole-project job runs on, or empty with `error` saying why (no
    // project yet, unsaved edits).
    using SavedProject = std::function<QString(QString *error)>;
    // Enables "Predict all volumes" (Review tab) and "Evaluate" (Runs tab).
    void setProjectJobs(ProjectJobs *jobs, SavedProject savedProject);

    TrainingPanel(TrainingSession *session, PredictionSession *predictions,
                  QWidget *parent = nullptr);

Q_SIGNALS:
    // The user asked to export the best model of a run (the main window shows the dialog).
    void exportRequested(const QString &runDir);

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *createSetupPage();
    QWidget *createProgressPage();
    QWidget *createRunsPage();
    QWidget *createReviewPage();
    void refreshReview();
    void onDeleteRun();
    void onPredictAll();
    void onEvaluateRun();
    QString originScoresText() const;
    bool confirmAcceptAll();
    QString selectedRun() const;
    void retranslate();
    void retranslateSettingTips();

    void loadConfigIntoEditors();
    void applyEditorsToConfig();
    void onStartClicked();
    void onPauseClicked();
    void onStopClicked();
    void onChooseDataset();
    void onChoosePretrained();
    void showPlan(const core::TrainingConfig &config);
    void onStateChanged();
    void onHistoryChanged();
    void refreshDatasetSummary();
    void refreshRuns();
    void appendLog(const QString &line);

    TrainingSession *m_session;
    PredictionSession *m_predictions;
    bool m_updatingEditors = false;

    QTabWidget *m_tabs = nullptr;
    // Controls and overall progress (always visible).
    QPushButton *m_startButton = nullptr;
    QPushButton *m_pauseButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QProgressBar *m_runProgress = nullptr;
    QLabel *m_statusLabel = nullptr;

    // Setup page.
    QLabel *m_datasetLabel = nullptr;
    QLabel *m_datasetSummary = nullptr;
    QPushButton *m_chooseDatasetButton = nullptr;
    QPushButton *m_projectLabelsButton = nullptr;
    QComboBox *m_backbone = nullptr;
    QLineEdit *m_bins = nullptr;
    QComboBox *m_outputStride = nullptr;
    QTableWidget *m_stages = nullptr;
    QDoubleSpinBox *m_lossAlpha = nullptr;
    QDoubleSpinBox *m_focalGamma = nullptr;
    QCheckBox *m_classWeights = nullptr;
    QCheckBox *m_stretch = nullptr;
    QLabel *m_pretrainedLabel = nullptr;
    QLabel *m_pretrainedName = nullptr;
    QPushButton *m_choosePretrained = nullptr;
    QPushButton *m_clearPretrained = nullptr;
    QLabel *m_planLabel = nullptr;
    QSpinBox *m_seed = nullptr;
    QSpinBox *m_validationShare = nullptr;
    QComboBox *m_intensity = nullptr;
    QComboBox *m_adjacentSlices = nullptr;
    QSpinBox *m_timeBudget = nullptr; // minutes; 0: the stages' own epochs
    QLabel *m_backboneLabel = nullptr;
    QLabel *m_binsLabel = nullptr;
    QLabel *m_strideLabel = nullptr;
    QLabel *m_alphaLabel = nullptr;
    QLabel *m_gammaLabel = nullptr;
    QLabel *m_seedLabel = nullptr;
    QLabel *m_validationShareLabel = nullptr;
    QLabel *m_intensityLabel = nullptr;
    QLabel *m_adjacentSlicesLabel = nullptr;
    QLabel *m_timeBudgetLabel = nullptr;

    // Progress page.
    QProgressBar *m_stageProgress = nullptr;
    QProgressBar *m_epochProgress = nullptr;
    QLabel *m_stageLabel = nullptr;
    QLabel *m_epochLabel = nullptr;
    QChartView *m_lossView = nullptr;
    QLineSeries *m_lossSeries = nullptr;
    QLineSeries *m_lrSeries = nullptr;
    QValueAxis *m_stepAxis = nullptr;
    QValueAxis *m_lossAxis = nullptr;
    QValueAxis *m_lrAxis = nullptr;
    QChartView *m_diceView = nullptr;
    QValueAxis *m_epochAxis = nullptr;
    QValueAxis *m_diceAxis = nullptr;
    QTableWidget *m_diceTable = nullptr;
    QPlainTextEdit *m_log = nullptr;

    // Runs page.
    QTreeWidget *m_runs = nullptr;
    QPushButton *m_followButton = nullptr;
    QPushButton *m_resumeButton = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPushButton *m_useModelButton = nullptr;
    QPushButton *m_deleteRunButton = nullptr;
    QLabel *m_originScores = nullptr;
    QProgressBar *m_predictProgress = nullptr;
    QPushButton *m_cancelPredictButton = nullptr;

    // Review page (human in the loop).
    QLabel *m_modelLabel = nullptr;
    QCheckBox *m_showPredictions = nullptr;
    QComboBox *m_predictionStyle = nullptr;
    QSlider *m_predictionOpacity = nullptr;
    QPushButton *m_predictSliceButton = nullptr;
    QPushButton *m_predictAllButton = nullptr;
    QPushButton *m_evaluateRunButton = nullptr;
    QProgressBar *m_jobProgress = nullptr;
    QPushButton *m_cancelJobButton = nullptr;
    ProjectJobs *m_jobs = nullptr;
    SavedProject m_savedProject;
    QString m_jobTitle; // of the job running, for its result
    QPushButton *m_predictSeriesButton = nullptr;
    QComboBox *m_acceptMode = nullptr;
    QPushButton *m_acceptSliceButton = nullptr;
    QPushButton *m_acceptAllButton = nullptr;
    QPushButton *m_nextReviewButton = nullptr;
    QPushButton *m_markReviewedButton = nullptr;
    QLabel *m_reviewStatus = nullptr;
};

} // namespace medseg::ui
