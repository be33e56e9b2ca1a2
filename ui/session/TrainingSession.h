#pragma once

#include "core/train/AutoConfig.h"
#include "core/train/TrainingConfig.h"
#include "core/train/TrainingData.h"

#include <QFutureWatcher>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace medseg::ui {

class RunHistory;
class TrainingController;

// The training side of a project: the dataset to train on, the run configuration the dashboard
// edits, the runs folder, the live training (a TrainingController) and the history the charts
// draw, plus the live preview: while training runs, the slice on screen is sent to the trainer
// every few seconds (and when the user moves to another slice) and the prediction comes back
// as previewUpdated().
class TrainingSession : public QObject
{
    Q_OBJECT

public:
    // The slice to preview: its index and the model's input, [C, H, W] float through the
    // channels' intensity rules (`unit`, ui/session/PreviewInput.h), or for models of 8-bit grey
    // slices the 8-bit image as the screen shows it.
    struct PreviewSlice
    {
        int sliceIndex = -1;
        QImage image;
        torch::Tensor unit;
    };
    // Given the preprocessing of the data in training.
    using PreviewSource =
        std::function<std::optional<PreviewSlice>(const core::Preprocessing &preprocessing)>;

    struct Prediction
    {
        int sliceIndex = -1;
        QImage labels; // Format_Grayscale8 class indexes
        qint64 step = 0;
    };

    explicit TrainingSession(QObject *parent = nullptr);
    ~TrainingSession() override;

    TrainingController *controller() const { return m_controller; }
    RunHistory *history() const { return m_history; }

    static QStringList availableBackbones();

    core::TrainingConfig config() const { return m_config; }
    // A new config; with another backbone, pretrained weights switch to that backbone's own.
    void setConfig(const core::TrainingConfig &config);

    // Pretrained weights for the backbone (a torchvision state dict), checked at once as the
    // trainer will (every backbone weight must come from the file; the classifier is skipped).
    // On success the plan becomes the fine-tune recipe and the file is remembered for this
    // backbone; an empty path trains from scratch again. False with errorString() otherwise.
    bool setPretrainedWeights(const QString &path);
    // What the last successful check loaded, for the user.
    QString importSummary() const { return m_importSummary; }
    // The weights remembered for `backbone`, when the file still exists.
    static QString rememberedPretrainedWeights(const QString &backbone);

    // The data: a VOC dataset folder (loaded in the background: datasetChanged() or
    // datasetFailed()), or data built from the project's labels.
    void loadVocDataset(const QString &directory);
    void setTrainingData(std::shared_ptr<const core::TrainingData> data, const QString &origin);
    // Builds the data from the project's labels in the background: the document's provider
    // prepares a job (on the GUI thread, null with `error` when there is nothing to read), which
    // runs on a worker thread (throwing with a message for the user); datasetChanged() or
    // datasetFailed() follows. Returns false with errorString() when no job could start.
    using ProjectDataJob = std::function<std::shared_ptr<const core::TrainingData>()>;
    using ProjectDataProvider = std::function<ProjectDataJob(QString *error)>;
    void setProjectDataProvider(ProjectDataProvider provider)
    {
        m_projectData = std::move(provider);
    }
    bool useProjectLabels();
    // True while a dataset (VOC or the project's labels) is being read.
    bool isLoadingData() const { return m_datasetWatcher.isRunning(); }
    // The share of the project's patients that validate when its labels are used (0.05..0.5,
    // default 0.2, remembered); with the config's seed it fixes the split.
    double validationFraction() const { return m_validationFraction; }
    void setValidationFraction(double fraction);
    std::shared_ptr<const core::TrainingData> trainingData() const { return m_data; }
    // Where the data came from: a folder, or "labeled slices of this project" in the language
    // of the moment.
    QString datasetOrigin() const;
    // Slices per split and labeled pixels per class, for the dashboard.
    QString datasetSummary() const;
    // A channel's intensity rule in the user's language ("z-score per volume").
    static QString intensityText(const core::ChannelIntensity &rule);
    // What was chosen for the data when they were set (core::chooseAutoConfiguration: input
    // size and output stride), in words; empty without data.
    QString autoConfigurationText() const;
    QStringList classNames() const;

    QString runsDirectory() const { return m_runsDirectory; }
    void setRunsDirectory(const QString &directory);

    // Starts a new run in a new folder under runsDirectory(), or resumes `runDir` from its last
    // checkpoint with the plan it started with (its config.json). Returns false with errorString()
    // when there is no data or a run is active.
    bool start();
    bool resumeRun(const QString &runDir);
    // Shows a run (for example one `medseg train` is writing) in the dashboard, following its
    // metrics file as it grows.
    bool followRun(const QString &runDir);
    // Deletes a past run's folder (its models, checkpoints and metrics). Refused with
    // errorString() for the run that is training or shown live, and for a folder that is not a
    // run under runsDirectory().
    bool deleteRun(const QString &runDir);
    QString errorString() const { return m_error; }

    void setPreviewSource(PreviewSource source) { m_previewSource = std::move(source); }
    void setPreviewInterval(int milliseconds);
    // Asks for a preview of the current slice now (e.g. after the user moved to another slice).
    void requestPreviewNow();
    const std::optional<Prediction> &latestPreview() const { return m_preview; }

Q_SIGNALS:
    void configChanged();
    void datasetChanged();
    void datasetFailed(const QString &message);
    void runsChanged();
    void previewUpdated(int sliceIndex, qint64 step);

private:
    static QString splitAndIntensityText(const core::TrainingData &data);
    void usePretrainedFile(const QString &path);
    void adoptData(std::shared_ptr<const core::TrainingData> data, const QString &origin,
                   bool fromProject);
    bool startIn(const QString &runDir, const core::TrainingConfig &config);
    void onPreviewReady(const QImage &labels, qint64 step, qint64 requestId);

    TrainingController *m_controller;
    RunHistory *m_history;
    core::TrainingConfig m_config;
    std::shared_ptr<const core::TrainingData> m_data;
    double m_validationFraction = 0.2;
    QString m_datasetOrigin;
    std::optional<core::AutoConfiguration> m_autoConfiguration;
    bool m_originIsProject = false;
    struct LoadedDataset
    {
        std::shared_ptr<const core::TrainingData> data;
        QString error;
    };
    QFutureWatcher<LoadedDataset> m_datasetWatcher;
    bool m_loadingProject = false; // what m_datasetWatcher reads
    QString m_loadingOrigin;
    QString m_runsDirectory;
    QString m_error;
    QString m_importSummary;

    ProjectDataProvider m_projectData;
    PreviewSource m_previewSource;
    QTimer m_previewTimer;
    QHash<qint64, int> m_previewSlices; // request id -> slice index
    std::optional<Prediction> m_preview;
};

} // namespace medseg::ui
