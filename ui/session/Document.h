#pragma once

#include "core/dicom/DicomIndex.h"
#include "core/labels/LabelDescriptions.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

class QUndoStack;

namespace medseg::core {
class LabelMap;
class RecoveryWrite;
class Volume;
class Workspace;
} // namespace medseg::core

namespace medseg::core {
struct LabeledVolume; // core/train/VolumeTrainingData.h (LibTorch: kept out of this header)
}

namespace medseg::ui {

class DicomBrowserController;
class LabelSession;
class ExportSession;
class PredictionSession;
class TrainingSession;
class SeriesSession;
class PreviewInput;
class ProjectJobs;

// The open project: the data the user works on and the one undo stack every edit goes through.
// Widgets never change the data directly; they call the document (or a controller that owns a
// command) so that every change is undoable and marks the project modified.
class Document : public QObject
{
    Q_OBJECT

public:
    explicit Document(QObject *parent = nullptr);
    ~Document() override;

    QUndoStack *undoStack() const { return m_undoStack; }
    // Indexes the sources and fills the DICOM browser; follows sources() (undo included).
    DicomBrowserController *dicomBrowser() const { return m_dicomBrowser; }
    // The series shown in the slice views.
    SeriesSession *series() const { return m_series; }
    // The labels of the shown series, the label table and the tools.
    LabelSession *labels() const { return m_labels; }
    // Training on the project's labels (or a VOC dataset) and the runs it writes: into the
    // project's runs/ folder once it is saved, else the user's data folder.
    TrainingSession *training() const { return m_training; }
    // Model predictions on the series on screen, to review and accept into the labels.
    PredictionSession *predictions() const { return m_predictions; }
    // ONNX export of trained models (calibrated on the training data loaded for training).
    ExportSession *exporter() const { return m_exporter; }
    // Jobs over the whole saved project (predict all volumes, evaluate a run).
    ProjectJobs *projectJobs() const { return m_projectJobs; }

    // Folders (or DICOMDIR files) whose images this project labels.
    QStringList sources() const { return m_sources; }
    // Pushes an undoable command; returns false (and pushes nothing) if the source is already
    // part of the project.
    bool addSource(const QString &path);
    // What the user's File > Open (or a drop, or the command line) does: addSource(), except
    // that into a pristine document the source is where the project begins, not an edit (the
    // undo stack stays empty and clean).
    bool openSource(const QString &path);
    // An untitled project with no sources and nothing done yet.
    bool isPristine() const;

    // Shows a series of the browser, with the modality the project keeps for an image file
    // (setImageModality()); what the browser and File > Open use.
    void loadSeries(const core::DicomSeries &series);
    // For the image file on screen (NIfTI, NRRD, MetaImage): "CT" or "MR" as the user says,
    // or "" to judge from the values (CT when they look like Hounsfield units). Kept in the
    // project (series state "modality"), used by the window presets, training and prediction;
    // the series is shown again with it. False with `error` for a DICOM series.
    bool setImageModality(const QString &modality, QString *error = nullptr);
    // The modality the user chose for the image file on screen, "" when judged from the values.
    QString imageModality() const;
    bool showsImageFile() const;
    // Every labeled volume of the project (the maps this session holds, edits included, and
    // the label volumes saved for series not opened since), each with its image, patient and
    // channels: what "Use this project's labels" trains on. Read in two steps: what to read is
    // gathered now (on the GUI thread; the label maps held are copied), and the returned reader
    // reads the images and saved labels on any thread (throwing std::runtime_error naming what
    // could not be read).
    using LabeledVolumeReader = std::function<std::vector<core::LabeledVolume>()>;
    LabeledVolumeReader labeledVolumeReader() const;
    // Channels 1, 2, ... of the case whose channel 0 is series `key` (an imported dataset's
    // co-registered channels), read from the open sources; empty for one-channel cases.
    // Throws std::runtime_error naming the file when one is missing or on another grid.
    std::vector<std::shared_ptr<const core::Volume>>
    moreChannelsOf(const QString &key, const core::Volume &first,
                   const std::string &caseName) const;

    // True while there are edits since the last save (the undo stack is not clean).
    bool isModified() const;
    // Marks the current state as saved; undoing past it makes the document modified again.
    void markSaved();

    // --- project folder (NAME.medseg, core::Workspace): project.json with the sources, the
    // label table and settings; labels/ with one NIfTI label volume per series. Errors return
    // false with a message for the user in `error`.
    // The open project's folder; empty while the project is untitled.
    QString projectPath() const { return m_projectPath; }
    // Save (to projectPath()) and Save As (to `folder`, created; ".medseg" appended).
    bool saveProject(QString *error = nullptr);
    bool saveProjectAs(const QString &folder, QString *error = nullptr);
    // Replaces the document's content by the project's (undo history cleared). Labels are read
    // when their series is shown.
    bool openProject(const QString &folder, QString *error = nullptr);

    // --- research datasets (core/datasetio), run on a worker thread: the future reports
    // progress, can be cancelled, and rethrows the error (naming the file) from result().
    // An nnU-Net v2 or Decathlon dataset as the new project `projectFolder`; the result is the
    // project's folder, to open with openProject().
    static QFuture<QString> importDataset(const QString &datasetFolder,
                                          const QString &projectFolder);
    // The saved project (projectPath()) as an nnU-Net v2 dataset `datasetFolder`
    // (DatasetNNN_Name); the result is what the user should know (renumbered labels), then
    // the folder written.
    QFuture<QStringList> exportNnUnetDataset(const QString &datasetFolder) const;

    // --- autosave and recovery. Every autosaveInterval() ms with unsaved edits, the changed
    // label volumes and the project's state go to the project's recovery/ folder (an untitled
    // project autosaves into a workspace under recoveryRoot()). A clean exit removes them, so
    // what is left at start-up comes from a crash.
    int autosaveInterval() const { return m_autosaveTimer.interval(); }
    void setAutosaveInterval(int milliseconds); // 0 turns autosave off
    QString recoveryRoot() const { return m_recoveryRoot; }
    void setRecoveryRoot(const QString &folder);
    // Writes the recovery files now (nothing when the document is not modified), after any
    // timer autosave still writing.
    bool autosave(QString *error = nullptr);
    // The timer's autosaves copy the changed label volumes and the project's state on the GUI
    // thread and write them (gzip, fsync) on a worker; true while one is writing. Saving,
    // opening and closing wait for it.
    bool isAutosaveRunning() const { return m_autosaveActive; }
    // A project folder with autosaves left by a session that did not end cleanly (the last
    // project of QSettings "project/current", then untitled ones under recoveryRoot()); empty
    // when there is none. Projects held open by another running process are skipped.
    QString findRecovery() const;
    // Opens `folder` with its autosaves in place of the saved labels; the document is modified
    // (an untitled recovery stays untitled: Save asks for a name).
    bool recover(const QString &folder, QString *error = nullptr);
    // Deletes the autosaves of `folder` (an untitled one entirely).
    void discardRecovery(const QString &folder);

    // --- label files of the shown series
    // NIfTI label volume made here or elsewhere (ITK-SNAP, Slicer); refused with the geometry
    // message when its grid is not the series'. One undo command.
    // With a label description file beside it (ITK-SNAP's labels.txt), the file's labels are
    // mapped onto the project's table by name, new names added; `notes` says what was mapped
    // differently. One undo step.
    bool importLabelVolume(const QString &path, QString *error = nullptr,
                           QStringList *notes = nullptr);
    bool exportLabelVolume(const QString &path, QString *error = nullptr) const;
    // DICOM Segmentation of the labels, referencing the shown series' files (DCMTK's dcmseg);
    // segments named and coloured from the label table. Needs a DICOM series on screen.
    bool exportDicomSeg(const QString &path, QString *error = nullptr) const;
    // ITK-SNAP label description file (one undo command on import).
    bool importLabelDescriptions(const QString &path, QString *error = nullptr);
    // The built-in demo study (core::writeLabeledDemoStudy), written once to the user's data
    // folder (where scripts/run.sh writes it too); empty with `error` when it cannot be written.
    QString demoStudyFolder(QString *error = nullptr) const;
    bool exportLabelDescriptions(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void sourcesChanged();
    void modifiedChanged(bool modified);
    void projectPathChanged(const QString &path);
    // Saved labels could not be loaded for a series (e.g. a geometry mismatch); it starts empty.
    void labelLoadFailed(const QString &message);
    // A timer autosave ended; on failure (full disk, no permission) its series are written
    // again by the next one.
    void autosaveFinished(bool ok, const QString &error);

private:
    friend class AddSourceCommand;
    void insertSource(int index, const QString &path);
    void removeSource(int index);
    void syncBrowserSources();
    QString resolveSeriesKey(const SeriesSession &series) const;
    // The labels of a series shown for the first time: the project's (or its recovery), else
    // those its source folder carries (core::FolderLabels), else none.
    std::shared_ptr<core::LabelMap> loadSavedLabels(const QString &key, const core::Volume &volume);
    std::shared_ptr<core::LabelMap> loadProjectLabels(const QString &key,
                                                      const core::Volume &volume);
    std::shared_ptr<core::LabelMap> loadFolderLabels(const QString &key,
                                                     const core::Volume &volume);
    // The label table a source folder carries, when the project's is still the default one.
    core::LabelDescriptions tableOfFolder(const QString &folder);
    core::LabelDescriptions withProjectClearLabel(core::LabelDescriptions table) const;
    // Names the shown series' patient and study on the views (from the DICOM index).
    void updateDemographics();
    void writeProjectState(core::Workspace &workspace) const;
    bool adoptWorkspace(core::Workspace workspace, bool fromRecovery, QString *error);
    void setProjectPath(const QString &path);
    bool isUntitledWorkspace() const;
    void onAutosaveTimer();
    core::RecoveryWrite prepareAutosave();
    // The untitled project's workspace under recoveryRoot(), created when first needed.
    void ensureWorkspace();
    void waitForAutosave();
    void finishAutosave();
    void updateRunsDirectory();

    QUndoStack *m_undoStack = nullptr;
    DicomBrowserController *m_dicomBrowser = nullptr;
    SeriesSession *m_series = nullptr;
    LabelSession *m_labels = nullptr;
    TrainingSession *m_training = nullptr;
    PredictionSession *m_predictions = nullptr;
    ExportSession *m_exporter = nullptr;
    ProjectJobs *m_projectJobs = nullptr;
    QStringList m_sources;
    QString m_projectPath;
    std::unique_ptr<core::Workspace> m_workspace; // the open project, or the untitled autosave
    bool m_loadFromRecovery = false;
    QSet<QString> m_changedSinceAutosave; // series keys
    QTimer m_autosaveTimer;
    QFutureWatcher<QString> m_autosaveWatcher; // the running timer autosave: its error or ""
    QSet<QString> m_autosaveInFlight;          // the series keys it writes
    bool m_autosaveActive = false;
    QString m_recoveryRoot;
    int m_previewedSlice = -1;
    std::unique_ptr<PreviewInput> m_previewInput;
};

} // namespace medseg::ui
