#include "ui/session/Document.h"

#include "ui/session/DicomBrowserController.h"
#include "ui/session/DicomBrowserModel.h"
#include "ui/session/ErrorText.h"
#include "ui/session/ExportSession.h"
#include "ui/session/LabelSession.h"
#include "ui/session/PredictionSession.h"
#include "ui/session/PreviewInput.h"
#include "ui/session/ProjectJobs.h"
#include "ui/session/PromiseProgress.h"
#include "ui/session/SeriesSession.h"
#include "ui/session/TrainingSession.h"

#include "core/dataset/FolderLabels.h"
#include "core/dataset/LabeledDemoStudy.h"
#include "core/dataset/NiftiIo.h"
#include "core/datasetio/ProjectDatasets.h"
#include "core/dicom/DicomSegWriter.h"
#include "core/imageio/SeriesReader.h"
#include "core/labels/LabelMap.h"
#include "core/labels/LabelMapping.h"
#include "core/train/VolumeTrainingData.h"
#include "core/workspace/Workspace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QStandardPaths>
#include <QUndoCommand>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace medseg::ui {

class AddSourceCommand : public QUndoCommand
{
public:
    AddSourceCommand(Document *document, const QString &path)
        : m_document(document)
        , m_path(path)
    {
        setText(QCoreApplication::translate("medseg::ui::Document", "Add source %1")
                    .arg(QFileInfo(path).fileName()));
    }

    void redo() override
    {
        m_index = int(m_document->m_sources.size());
        m_document->insertSource(m_index, m_path);
    }
    void undo() override { m_document->removeSource(m_index); }

private:
    Document *m_document;
    QString m_path;
    int m_index = -1;
};

namespace {
const char *const CurrentProjectKey = "project/current";
const char *const AutosaveMinutesKey = "project/autosaveMinutes";
constexpr int DefaultAutosaveMinutes = 3;

// A file's name for an undo text (the Edit menu): label files are often named by a 64-character
// Series Instance UID, so long names keep their start and end.
QString shortFileName(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    constexpr int Keep = 14;
    return name.size() <= 2 * Keep + 1 ? name : name.left(Keep) + QChar(0x2026) + name.right(Keep);
}

// The first file of a series, by which the DICOM index and a folder's labels know it.
core::SeriesLayout::SliceSource firstSliceOf(const SeriesSession &series)
{
    for (const auto &slice : series.layout().slices)
        if (!slice.path.empty())
            return slice;
    return {};
}

std::string firstFileOf(const SeriesSession &series)
{
    return firstSliceOf(series).path;
}

DicomBrowserModel::Location locateSeries(const DicomBrowserModel &model,
                                         const SeriesSession &series)
{
    const core::SeriesLayout::SliceSource first = firstSliceOf(series);
    return model.locate(first.path, first.frame);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

QString messageOf(const std::exception &e)
{
    return errorText(e);
}

bool hasAutosaves(const QString &folder)
{
    const QDir recovery(QDir(folder).filePath(QStringLiteral("recovery")));
    return !recovery
                .entryList({QStringLiteral("*.nii.gz"), QStringLiteral("project.json")},
                           QDir::Files)
                .isEmpty();
}

// Whether another running process holds the workspace (its .lock names a live PID).
bool heldByAnotherProcess(const QString &folder)
{
    QFile lock(QDir(folder).filePath(QStringLiteral(".lock")));
    if (!lock.open(QIODevice::ReadOnly))
        return false;
    const int pid =
        QJsonDocument::fromJson(lock.readAll()).object().value(QStringLiteral("pid")).toInt();
    return pid > 0 && pid != int(::getpid()) && (::kill(pid, 0) == 0 || errno == EPERM);
}
} // namespace

Document::Document(QObject *parent)
    : QObject(parent)
    , m_undoStack(new QUndoStack(this))
    , m_dicomBrowser(new DicomBrowserController(this))
    , m_series(new SeriesSession(this))
    , m_previewInput(std::make_unique<PreviewInput>())
{
    // An open project keeps the indexes of its sources in its own cache/ folder.
    m_dicomBrowser->setCacheFileResolver([this](const QString &source) {
        if (!m_workspace || isUntitledWorkspace())
            return QString();
        try {
            return QString::fromStdString(m_workspace->indexCachePath(source.toStdString()));
        } catch (const std::exception &) {
            return QString(); // a read-only project: the user cache then
        }
    });
    connect(m_series, &SeriesSession::volumeChanged, this, &Document::updateDemographics);
    m_labels = new LabelSession(m_series, m_undoStack, this);
    m_labels->setSeriesKeyResolver(
        [this](const SeriesSession &series) { return resolveSeriesKey(series); });
    m_labels->setLabelLoader([this](const QString &key, const core::Volume &volume) {
        return loadSavedLabels(key, volume);
    });
    connect(m_labels, &LabelSession::labelsChanged, this,
            [this] { m_changedSinceAutosave.insert(m_labels->currentSeriesKey()); });

    m_training = new TrainingSession(this);
    m_predictions = new PredictionSession(m_series, m_labels, m_training, this);
    m_exporter = new ExportSession(m_training, this);
    m_projectJobs = new ProjectJobs(this);
    m_predictions->setChannelLoader([this] {
        const QString key = m_labels->currentSeriesKey();
        return moreChannelsOf(key, *m_series->volume(), key.toStdString());
    });
    // The project's labels as training data, built when the user asks for them: what to read
    // is gathered here, the images are read and the data built on a worker thread.
    m_training->setProjectDataProvider([this](QString *error) -> TrainingSession::ProjectDataJob {
        const core::LabelMap *labels = m_labels->labelMap();
        if (!m_series->hasVolume() || !labels) {
            *error = tr("Open a series and label some slices first.");
            return {};
        }
        if (m_series->isLoading()) {
            *error = tr("The series is still loading.");
            return {};
        }
        const LabeledVolumeReader read = labeledVolumeReader();
        // Every labeled volume of the project, split by patient (one series: every fifth
        // labeled slice validates), each channel through the chosen intensity rule.
        core::VolumeDataOptions options;
        options.validationFraction = m_training->validationFraction();
        options.seed = m_training->config().seed;
        options.intensity = m_training->config().intensity;
        options.adjacentSlices = m_training->config().adjacentSlices;
        // "window": the CT window on screen (a VOI LUT of the file cannot be recorded).
        if (m_series->layout().modality == "CT" && !m_series->isVoiLutActive())
            options.ctWindow = m_series->window();
        const core::LabelDescriptions table = m_labels->table();
        return [read, options, table]() -> std::shared_ptr<const core::TrainingData> {
            return std::make_shared<core::TrainingData>(
                core::trainingDataFromVolumes(read(), table, options));
        };
    });
    // The live preview shows the model's view of the axial slice on screen.
    m_training->setPreviewSource([this](const core::Preprocessing &preprocessing)
                                     -> std::optional<TrainingSession::PreviewSlice> {
        if (!m_series->hasVolume() || m_series->volume()->components() != 1)
            return std::nullopt;
        const int slice = m_series->sliceIndex(SliceOrientation::Axial);
        if (!preprocessing.readsRawValues()) {
            if (!m_series->isSliceDecoded(slice))
                return std::nullopt;
            return TrainingSession::PreviewSlice{
                slice, m_series->renderSlice(SliceOrientation::Axial), {}};
        }
        if (m_series->isLoading()) // the rules need the whole volume
            return std::nullopt;
        const QString key = m_labels->currentSeriesKey();
        try {
            const torch::Tensor unit = m_previewInput->slice(
                preprocessing, key.toStdString(), m_series->volume(),
                m_series->layout().invertForDisplay, slice,
                [&] { return moreChannelsOf(key, *m_series->volume(), key.toStdString()); });
            if (!unit.defined())
                return std::nullopt;
            return TrainingSession::PreviewSlice{slice, {}, unit};
        } catch (const std::exception &) {
            return std::nullopt; // the case's other channels cannot be read: no preview
        }
    });
    connect(m_series, &SeriesSession::cursorChanged, this, [this] {
        const int slice = m_series->sliceIndex(SliceOrientation::Axial);
        if (slice != m_previewedSlice) {
            m_previewedSlice = slice;
            m_training->requestPreviewNow();
        }
    });
    connect(this, &Document::projectPathChanged, this, &Document::updateRunsDirectory);
    updateRunsDirectory();

    connect(this, &Document::sourcesChanged, this, &Document::syncBrowserSources);
    connect(m_undoStack, &QUndoStack::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });

    m_recoveryRoot = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
                         .filePath(QStringLiteral("recovery"));
    const int minutes = QSettings().value(AutosaveMinutesKey, DefaultAutosaveMinutes).toInt();
    connect(&m_autosaveTimer, &QTimer::timeout, this, &Document::onAutosaveTimer);
    connect(&m_autosaveWatcher, &QFutureWatcher<QString>::finished, this,
            &Document::finishAutosave);
    setAutosaveInterval(std::max(0, minutes) * 60 * 1000);
}

void Document::updateRunsDirectory()
{
    const QString runs =
        m_workspace && !isUntitledWorkspace()
            ? QString::fromStdString(m_workspace->runsFolder())
            : QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
                  .filePath(QStringLiteral("runs"));
    if (runs != m_training->runsDirectory())
        m_training->setRunsDirectory(runs);
}

Document::~Document()
{
    // A clean exit: the user saved or chose to discard, so no autosave must survive to be
    // offered as a crash recovery.
    m_autosaveTimer.stop();
    if (m_autosaveActive)
        m_autosaveWatcher.waitForFinished(); // its files go with the others below
    if (m_workspace) {
        const QString folder = QString::fromStdString(m_workspace->folder());
        const bool untitled = isUntitledWorkspace();
        const bool ours = m_workspace->ownsLock();
        if (ours)
            m_workspace->discardAllRecovery();
        m_workspace.reset(); // releases the lock
        if (untitled && ours)
            QDir(folder).removeRecursively();
    }
    QSettings settings;
    if (settings.value(CurrentProjectKey).toString() == m_projectPath || m_projectPath.isEmpty())
        settings.remove(CurrentProjectKey);
}

bool Document::addSource(const QString &path)
{
    const QString canonical = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (canonical.isEmpty() || m_sources.contains(canonical))
        return false;
    const core::LabelDescriptions table = tableOfFolder(canonical);
    if (table.isEmpty()) {
        m_undoStack->push(new AddSourceCommand(this, canonical));
    } else {
        // A folder that carries labels (the demo study, `medseg convert`'s layout) brings its
        // label names and colours, when the project's table is still the default one; one undo
        // step.
        m_undoStack->beginMacro(tr("Add source %1").arg(shortFileName(canonical)));
        m_undoStack->push(new AddSourceCommand(this, canonical));
        m_labels->replaceTable(table, tr("Label names of %1").arg(shortFileName(canonical)));
        m_undoStack->endMacro();
    }
    return true;
}

bool Document::openSource(const QString &path)
{
    const bool pristine = isPristine();
    if (!addSource(path))
        return false;
    // The first images opened into an empty, untitled project are where the project begins,
    // not an edit: nothing to undo, and no unsaved-changes mark before the user's first change.
    if (pristine)
        m_undoStack->clear();
    return true;
}

namespace {

// What to read for one labeled volume, gathered on the GUI thread: copies only, so that the
// reading can run on any thread.
struct LabeledVolumeSource
{
    std::string key;
    std::optional<core::DicomSeries> series;    // to read, unless the volume is on screen
    std::shared_ptr<const core::Volume> volume; // the series on screen
    core::SeriesLayout layout;
    std::optional<core::LabelMap> held; // the labels this session holds (edits included)
    std::string labelFile;              // else the saved label volume
    std::vector<std::string> channelUids;
    std::map<std::string, core::DicomSeries> channelSeries;
    std::vector<std::string> channelNames;
    std::string caseName;
    std::string patient;
};

// Reads one source; false when it has no labels after all.
bool readLabeledVolume(const LabeledVolumeSource &source, core::LabeledVolume &v)
{
    v.caseName = source.caseName;
    v.patient = source.patient;
    v.seriesUid = source.key;
    v.layout = source.layout;
    v.volume = source.volume ? source.volume : core::SeriesReader::load(*source.series, &v.layout);
    const core::Volume &volume = *v.volume;
    if (source.held && source.held->width() == volume.width() &&
        source.held->height() == volume.height() && source.held->depth() == volume.depth()) {
        v.labels = source.held->toDense();
    } else if (!source.labelFile.empty() &&
               QFileInfo::exists(QString::fromStdString(source.labelFile))) {
        v.labels = core::NiftiIo::readLabelVolume(source.labelFile, volume.width(), volume.height(),
                                                  volume.depth(), volume.geometry())
                       .labels;
    } else {
        return false;
    }
    v.moreChannels = core::loadMoreChannels(
        source.channelUids, volume, v.caseName,
        [&](const std::string &uid, std::string *file) -> std::shared_ptr<const core::Volume> {
            const auto found = source.channelSeries.find(uid);
            if (found == source.channelSeries.end())
                return nullptr;
            if (!found->second.instances.empty())
                *file = found->second.instances.front().path;
            return core::SeriesReader::load(found->second, nullptr);
        });
    if (source.channelNames.size() >= std::size_t(v.channelCount()))
        v.channelNames = source.channelNames;
    return true;
}

} // namespace

Document::LabeledVolumeReader Document::labeledVolumeReader() const
{
    // Every series with labels: the maps this session holds (edits included), then the label
    // volumes saved in the project for series not opened since.
    QStringList keys = m_labels->allLabels().keys();
    if (m_workspace)
        for (const core::WorkspaceSeries &entry : m_workspace->series())
            if (!keys.contains(QString::fromStdString(entry.uid)) &&
                QFileInfo::exists(QString::fromStdString(m_workspace->labelPath(entry.uid))))
                keys << QString::fromStdString(entry.uid);
    keys.sort();
    const std::vector<std::string> channelNames =
        m_workspace ? core::datasetChannelNames(*m_workspace) : std::vector<std::string>{};
    auto sources = std::make_shared<std::vector<LabeledVolumeSource>>();
    for (const QString &key : keys) {
        const DicomBrowserModel::Location found =
            m_dicomBrowser->model()->findSeries(key.toStdString());
        const bool current = key == m_labels->currentSeriesKey() && m_series->hasVolume();
        if (!found.series && !current)
            continue; // its source is not open: nothing to read the image from
        LabeledVolumeSource source;
        source.key = key.toStdString();
        if (current) {
            source.volume = m_series->volume();
            source.layout = m_series->layout();
        } else {
            source.series = *found.series;
        }
        const auto held = m_labels->allLabels().constFind(key);
        if (held != m_labels->allLabels().constEnd() && held->map)
            source.held = *held->map;
        if (m_workspace)
            source.labelFile = m_workspace->labelPath(source.key);
        const core::WorkspaceSeries *entry =
            m_workspace ? m_workspace->findSeries(source.key) : nullptr;
        if (entry) {
            source.channelUids = core::channelSeriesOf(*entry);
            for (std::size_t c = 1; c < source.channelUids.size(); ++c)
                if (const auto channel = m_dicomBrowser->model()->findSeries(source.channelUids[c]);
                    channel.series)
                    source.channelSeries.emplace(source.channelUids[c], *channel.series);
        }
        source.channelNames = channelNames;
        const std::string caseName =
            entry ? entry->state.value("case", std::string()) : std::string();
        source.caseName = !caseName.empty() ? caseName
                          : found.series && !found.series->description.empty()
                              ? found.series->description
                              : source.key;
        source.patient = !caseName.empty() ? caseName
                         : found.patient && !found.patient->patientId.empty()
                             ? found.patient->patientId
                             : source.caseName;
        sources->push_back(std::move(source));
    }
    return [sources] {
        std::vector<core::LabeledVolume> volumes;
        for (const LabeledVolumeSource &source : *sources) {
            core::LabeledVolume v;
            if (readLabeledVolume(source, v))
                volumes.push_back(std::move(v));
        }
        return volumes;
    };
}

std::vector<std::shared_ptr<const core::Volume>>
Document::moreChannelsOf(const QString &key, const core::Volume &first,
                         const std::string &caseName) const
{
    const core::WorkspaceSeries *entry =
        m_workspace ? m_workspace->findSeries(key.toStdString()) : nullptr;
    if (!entry)
        return {};
    return core::loadMoreChannels(
        core::channelSeriesOf(*entry), first, caseName,
        [this](const std::string &uid, std::string *file) -> std::shared_ptr<const core::Volume> {
            const DicomBrowserModel::Location found = m_dicomBrowser->model()->findSeries(uid);
            if (!found.series)
                return nullptr;
            if (!found.series->instances.empty())
                *file = found.series->instances.front().path;
            return core::SeriesReader::load(*found.series, nullptr);
        });
}

void Document::loadSeries(const core::DicomSeries &series)
{
    core::DicomSeries shown = series;
    const core::WorkspaceSeries *entry =
        m_workspace ? m_workspace->findSeries(series.seriesInstanceUid) : nullptr;
    if (series.isImageFile() && entry && entry->state.contains("modality"))
        shown.modality = entry->state.value("modality", std::string());
    m_series->loadSeries(shown);
}

bool Document::showsImageFile() const
{
    const DicomBrowserModel::Location found = locateSeries(*m_dicomBrowser->model(), *m_series);
    return found.series && found.series->isImageFile();
}

QString Document::imageModality() const
{
    const DicomBrowserModel::Location found = locateSeries(*m_dicomBrowser->model(), *m_series);
    if (!found.series || !m_workspace)
        return {};
    const core::WorkspaceSeries *entry = m_workspace->findSeries(found.series->seriesInstanceUid);
    return entry ? QString::fromStdString(entry->state.value("modality", std::string()))
                 : QString();
}

bool Document::setImageModality(const QString &modality, QString *error)
{
    const DicomBrowserModel::Location found = locateSeries(*m_dicomBrowser->model(), *m_series);
    if (!found.series || !found.series->isImageFile()) {
        setError(error, tr("Only image files (NIfTI, NRRD, MetaImage) take a modality from the "
                           "user; a DICOM series names its own."));
        return false;
    }
    const core::DicomSeries series = *found.series; // the browser may rebuild meanwhile
    try {
        ensureWorkspace(); // an untitled project keeps it in its recovery workspace
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
    nlohmann::json &state = m_workspace->seriesEntry(series.seriesInstanceUid).state;
    if (modality.isEmpty())
        state.erase("modality");
    else
        state["modality"] = modality.toStdString();
    m_undoStack->resetClean(); // a change to save, though not one to undo
    loadSeries(series);
    return true;
}

bool Document::isPristine() const
{
    return m_undoStack->count() == 0 && m_projectPath.isEmpty() && m_sources.isEmpty();
}

core::LabelDescriptions Document::tableOfFolder(const QString &folder)
{
    if (m_labels->table() != core::LabelDescriptions::defaults() || !QFileInfo(folder).isDir())
        return {};
    const std::string file = core::FolderLabels(folder.toStdString()).tableFile();
    if (file.empty())
        return {};
    try {
        return withProjectClearLabel(core::LabelDescriptions::load(file));
    } catch (const std::exception &e) {
        Q_EMIT labelLoadFailed(messageOf(e));
        return {};
    }
}

core::LabelDescriptions Document::withProjectClearLabel(core::LabelDescriptions table) const
{
    // Label 0 is the clear label of the project, whatever a file calls it ("background").
    if (const core::LabelDescription *clear = m_labels->table().find(0))
        table.set(*clear);
    return table;
}

bool Document::isModified() const
{
    return !m_undoStack->isClean();
}

void Document::markSaved()
{
    m_undoStack->setClean();
}

QString Document::resolveSeriesKey(const SeriesSession &series) const
{
    // The Series Instance UID names the label file (hashed) and survives moving the images.
    const DicomBrowserModel::Location found = locateSeries(*m_dicomBrowser->model(), series);
    return found.series ? QString::fromStdString(found.series->seriesInstanceUid)
                        : LabelSession::seriesKey(series);
}

void Document::updateDemographics()
{
    const DicomBrowserModel::Location found = locateSeries(*m_dicomBrowser->model(), *m_series);
    SeriesSession::Demographics demographics;
    if (found.patient) {
        demographics.patientName = DicomBrowserModel::personName(found.patient->name);
        demographics.patientId = QString::fromStdString(found.patient->patientId);
        demographics.studyDate = DicomBrowserModel::dicomDate(found.study->date);
        demographics.studyDescription = QString::fromStdString(found.study->description);
    }
    m_series->setDemographics(demographics);
}

std::shared_ptr<core::LabelMap> Document::loadSavedLabels(const QString &key,
                                                          const core::Volume &volume)
{
    if (auto saved = loadProjectLabels(key, volume))
        return saved;
    return loadFolderLabels(key, volume);
}

std::shared_ptr<core::LabelMap> Document::loadFolderLabels(const QString &key,
                                                           const core::Volume &volume)
{
    const std::string seriesFile = firstFileOf(*m_series);
    for (const QString &source : m_sources) {
        const std::string file =
            core::FolderLabels(source.toStdString()).labelFile(key.toStdString(), seriesFile);
        if (file.empty())
            continue;
        try {
            const core::NiftiIo::LabelVolume found = core::NiftiIo::readLabelVolume(
                file, volume.width(), volume.height(), volume.depth(), volume.geometry());
            return std::make_shared<core::LabelMap>(core::LabelMap::fromDense(
                found.labels, found.width, found.height, found.depth, volume.geometry()));
        } catch (const std::exception &e) {
            Q_EMIT labelLoadFailed(messageOf(e));
            return nullptr;
        }
    }
    return nullptr;
}

std::shared_ptr<core::LabelMap> Document::loadProjectLabels(const QString &key,
                                                            const core::Volume &volume)
{
    if (!m_workspace)
        return nullptr;
    waitForAutosave(); // it may be replacing this series' recovery file
    const std::string uid = key.toStdString();
    try {
        std::optional<core::NiftiIo::LabelVolume> found;
        const QString recoveryFile =
            QDir(QString::fromStdString(m_workspace->recoveryFolder()))
                .filePath(QString::fromStdString(core::Workspace::seriesKey(uid)) +
                          QStringLiteral(".nii.gz"));
        if (m_loadFromRecovery && QFileInfo::exists(recoveryFile)) {
            found = m_workspace->readRecovery(uid, volume.width(), volume.height(), volume.depth(),
                                              volume.geometry());
            m_changedSinceAutosave.insert(key);
        } else {
            found = m_workspace->loadLabels(uid, volume.width(), volume.height(), volume.depth(),
                                            volume.geometry());
        }
        if (!found)
            return nullptr;
        return std::make_shared<core::LabelMap>(core::LabelMap::fromDense(
            found->labels, found->width, found->height, found->depth, volume.geometry()));
    } catch (const std::exception &e) {
        Q_EMIT labelLoadFailed(messageOf(e));
        return nullptr;
    }
}

void Document::writeProjectState(core::Workspace &workspace) const
{
    std::vector<std::string> sources;
    for (const QString &source : m_sources)
        sources.push_back(source.toStdString());
    workspace.setSources(std::move(sources));
    const nlohmann::json table = nlohmann::json::parse(m_labels->table().toJson());
    workspace.setLabelTable(table.value("labels", nlohmann::json::array()));
    workspace.settings()["activeLabel"] = m_labels->activeLabel();
    workspace.settings()["overlayOpacity"] = m_labels->overlaySettings().opacity;
    workspace.settings()["overlayOutline"] =
        m_labels->overlaySettings().style == OverlayStyle::Outline;
}

bool Document::isUntitledWorkspace() const
{
    if (!m_workspace)
        return false;
    const QString folder = QDir::cleanPath(QString::fromStdString(m_workspace->folder()));
    return QDir::cleanPath(QFileInfo(folder).absolutePath()) ==
           QDir::cleanPath(QFileInfo(m_recoveryRoot).absoluteFilePath());
}

void Document::setProjectPath(const QString &path)
{
    if (path == m_projectPath)
        return;
    m_projectPath = path;
    if (!path.isEmpty())
        QSettings().setValue(CurrentProjectKey, path);
    Q_EMIT projectPathChanged(path);
}

bool Document::saveProject(QString *error)
{
    if (m_projectPath.isEmpty() || !m_workspace || isUntitledWorkspace()) {
        setError(error, tr("The project has no folder yet: use Save Project As."));
        return false;
    }
    waitForAutosave(); // its recovery files must not land after the save discards them
    try {
        writeProjectState(*m_workspace);
        for (auto it = m_labels->allLabels().cbegin(); it != m_labels->allLabels().cend(); ++it) {
            const core::LabelMap &map = *it->map;
            const std::string uid = it.key().toStdString();
            if (map.allocatedTileCount() == 0 && !m_workspace->findSeries(uid))
                continue; // never painted: no file
            const std::vector<core::LabelValue> dense = map.toDense();
            m_workspace->saveLabels(uid, dense.data(), map.width(), map.height(), map.depth(),
                                    map.geometry());
            m_workspace->seriesEntry(uid).state["title"] = it->title.toStdString();
        }
        m_workspace->save();
        m_workspace->discardAllRecovery();
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
    m_changedSinceAutosave.clear();
    markSaved();
    return true;
}

bool Document::saveProjectAs(const QString &folder, QString *error)
{
    waitForAutosave();
    try {
        core::Workspace created = core::Workspace::create(folder.toStdString());
        std::unique_ptr<core::Workspace> previous = std::move(m_workspace);
        if (previous) {
            // What the project keeps besides labels (a dataset's cases and channels, the
            // modality the user chose) moves along.
            created.settings() = previous->settings();
            for (const core::WorkspaceSeries &entry : previous->series())
                created.seriesEntry(entry.uid).state = entry.state;
        }
        const bool previousUntitled =
            previous &&
            QDir::cleanPath(QFileInfo(QString::fromStdString(previous->folder())).absolutePath()) ==
                QDir::cleanPath(QFileInfo(m_recoveryRoot).absoluteFilePath());
        m_workspace = std::make_unique<core::Workspace>(std::move(created));
        m_loadFromRecovery = false;
        m_projectPath = QString::fromStdString(m_workspace->folder());
        if (!saveProject(error)) {
            m_workspace = std::move(previous);
            m_projectPath.clear();
            return false;
        }
        if (previous) {
            const QString old = QString::fromStdString(previous->folder());
            previous->discardAllRecovery();
            previous.reset();
            if (previousUntitled)
                QDir(old).removeRecursively();
        }
        const QString path = m_projectPath;
        m_projectPath.clear();
        setProjectPath(path);
        return true;
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

QFuture<QString> Document::importDataset(const QString &datasetFolder, const QString &projectFolder)
{
    return QtConcurrent::run([dataset = datasetFolder.toStdString(),
                              project = projectFolder.toStdString()](QPromise<QString> &promise) {
        PromiseProgress<QString> progress(promise);
        const core::DatasetImportReport report = core::importDataset(dataset, project, &progress);
        promise.addResult(QString::fromStdString(report.project));
    });
}

QFuture<QStringList> Document::exportNnUnetDataset(const QString &datasetFolder) const
{
    return QtConcurrent::run(
        [project = m_projectPath.toStdString(),
         dataset = datasetFolder.toStdString()](QPromise<QStringList> &promise) {
            PromiseProgress<QStringList> progress(promise);
            const core::DatasetExportReport report =
                core::exportNnUnetDataset(project, dataset, &progress);
            QStringList lines;
            for (const std::string &note : report.notes)
                lines << QString::fromStdString(note);
            lines << QString::fromStdString(report.folder);
            promise.addResult(lines);
        });
}

bool Document::openProject(const QString &folder, QString *error)
{
    try {
        core::Workspace workspace = core::Workspace::open(folder.toStdString());
        if (workspace.lockStatus() == core::WorkspaceLock::HeldByOther) {
            setError(error, tr("%1 is open in another MedSeg Studio (process %2).")
                                .arg(QDir::toNativeSeparators(folder))
                                .arg(workspace.lockHolderPid()));
            return false;
        }
        return adoptWorkspace(std::move(workspace), false, error);
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

bool Document::adoptWorkspace(core::Workspace workspace, bool fromRecovery, QString *error)
{
    waitForAutosave();
    core::LabelDescriptions table = core::LabelDescriptions::defaults();
    try {
        if (fromRecovery && workspace.hasRecoveryProject())
            workspace.restoreRecoveryProject();
        if (!workspace.labelTable().empty()) {
            const nlohmann::json wrapped{{"labels", workspace.labelTable()}};
            table = core::LabelDescriptions::fromJson(wrapped.dump(), workspace.projectFile());
        }
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
    // The previous untitled autosave is no longer needed: the user chose to open another.
    if (m_workspace && isUntitledWorkspace() && m_workspace->folder() != workspace.folder()) {
        const QString old = QString::fromStdString(m_workspace->folder());
        m_workspace->discardAllRecovery();
        m_workspace.reset();
        QDir(old).removeRecursively();
    }
    m_workspace = std::make_unique<core::Workspace>(std::move(workspace));
    m_loadFromRecovery = fromRecovery;
    m_changedSinceAutosave.clear();
    m_undoStack->clear();

    m_sources.clear();
    for (const std::string &source : m_workspace->sources())
        m_sources.append(QString::fromStdString(source));
    Q_EMIT sourcesChanged();

    m_labels->setTable(table);
    const nlohmann::json &settings = m_workspace->settings();
    m_labels->setActiveLabel(settings.value("activeLabel", 1));
    LabelOverlaySettings overlay = m_labels->overlaySettings();
    overlay.opacity = settings.value("overlayOpacity", overlay.opacity);
    overlay.style =
        settings.value("overlayOutline", false) ? OverlayStyle::Outline : OverlayStyle::Fill;
    m_labels->setOverlaySettings(overlay);
    // Drops the maps in memory; the shown series reloads its labels from the project.
    m_labels->setAllLabels({});

    setProjectPath(isUntitledWorkspace() ? QString()
                                         : QString::fromStdString(m_workspace->folder()));
    if (fromRecovery)
        m_undoStack->resetClean();
    else
        m_undoStack->setClean();
    return true;
}

void Document::setAutosaveInterval(int milliseconds)
{
    if (milliseconds <= 0) {
        m_autosaveTimer.stop();
        return;
    }
    m_autosaveTimer.start(milliseconds);
}

void Document::setRecoveryRoot(const QString &folder)
{
    m_recoveryRoot = folder;
}

void Document::onAutosaveTimer()
{
    // One write at a time: a tick during a slow one is caught up by the next tick.
    if (m_autosaveActive || !isModified())
        return;
    std::shared_ptr<const core::RecoveryWrite> job;
    try {
        job = std::make_shared<const core::RecoveryWrite>(prepareAutosave());
    } catch (const std::exception &e) {
        const QString error = messageOf(e);
        qWarning("Autosave failed: %s", qPrintable(error));
        Q_EMIT autosaveFinished(false, error);
        return;
    }
    m_autosaveInFlight = std::exchange(m_changedSinceAutosave, {});
    m_autosaveActive = true;
    m_autosaveWatcher.setFuture(QtConcurrent::run([job]() -> QString {
        try {
            job->write();
            return {};
        } catch (const std::exception &e) {
            return errorText(e);
        }
    }));
}

void Document::finishAutosave()
{
    if (!m_autosaveActive)
        return; // already taken by waitForAutosave()
    m_autosaveActive = false;
    const QString error = m_autosaveWatcher.future().result();
    if (!error.isEmpty()) {
        m_changedSinceAutosave.unite(m_autosaveInFlight);
        qWarning("Autosave failed: %s", qPrintable(error));
    }
    m_autosaveInFlight.clear();
    Q_EMIT autosaveFinished(error.isEmpty(), error);
}

void Document::waitForAutosave()
{
    if (!m_autosaveActive)
        return;
    m_autosaveWatcher.waitForFinished();
    finishAutosave();
}

void Document::ensureWorkspace()
{
    if (m_workspace)
        return;
    QDir().mkpath(m_recoveryRoot);
    const QString name =
        QStringLiteral("untitled-%1-%2")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))
            .arg(qint64(::getpid()));
    m_workspace = std::make_unique<core::Workspace>(
        core::Workspace::create(QDir(m_recoveryRoot).filePath(name).toStdString()));
}

// The changed label volumes (dense copies) and the project's state as they are now; creates the
// untitled recovery workspace on the first autosave of an untitled project.
core::RecoveryWrite Document::prepareAutosave()
{
    ensureWorkspace();
    struct Changed
    {
        std::string key;
        const core::LabelMap *map;
    };
    std::vector<Changed> changed;
    for (const QString &key : std::as_const(m_changedSinceAutosave)) {
        const auto it = m_labels->allLabels().constFind(key);
        if (it == m_labels->allLabels().cend() || !it->map)
            continue;
        changed.push_back({key.toStdString(), it->map.get()});
        m_workspace->seriesEntry(key.toStdString()).state["title"] = it->title.toStdString();
    }
    writeProjectState(*m_workspace);
    core::RecoveryWrite job = m_workspace->prepareRecovery();
    for (const Changed &item : changed)
        job.addVolume(item.key, item.map->toDense(), item.map->width(), item.map->height(),
                      item.map->depth(), item.map->geometry());
    return job;
}

bool Document::autosave(QString *error)
{
    waitForAutosave();
    if (!isModified())
        return true;
    try {
        prepareAutosave().write();
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
    m_changedSinceAutosave.clear();
    return true;
}

QString Document::findRecovery() const
{
    QStringList candidates;
    const QString last = QSettings().value(CurrentProjectKey).toString();
    if (!last.isEmpty())
        candidates.append(last);
    const QDir root(m_recoveryRoot);
    for (const QString &name : root.entryList({QStringLiteral("*.medseg")},
                                              QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time))
        candidates.append(root.filePath(name));
    const QString own =
        m_workspace ? QDir::cleanPath(QString::fromStdString(m_workspace->folder())) : QString();
    for (const QString &candidate : std::as_const(candidates)) {
        if (QDir::cleanPath(candidate) == own || !QFileInfo(candidate).isDir())
            continue;
        if (hasAutosaves(candidate) && !heldByAnotherProcess(candidate))
            return candidate;
    }
    return {};
}

bool Document::recover(const QString &folder, QString *error)
{
    try {
        core::Workspace workspace = core::Workspace::open(folder.toStdString());
        // The user asked for this recovery: a lock left by this process's earlier document (or
        // a crashed one) must not stop it.
        if (workspace.lockStatus() == core::WorkspaceLock::HeldByOther)
            workspace.takeOverLock();
        return adoptWorkspace(std::move(workspace), true, error);
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

void Document::discardRecovery(const QString &folder)
{
    waitForAutosave();
    if (QDir::cleanPath(QFileInfo(folder).absolutePath()) ==
        QDir::cleanPath(QFileInfo(m_recoveryRoot).absoluteFilePath())) {
        QDir(folder).removeRecursively();
        return;
    }
    QDir recovery(QDir(folder).filePath(QStringLiteral("recovery")));
    for (const QString &file : recovery.entryList(QDir::Files))
        recovery.remove(file);
    QSettings settings;
    if (settings.value(CurrentProjectKey).toString() == folder && folder != m_projectPath)
        settings.remove(CurrentProjectKey);
}

bool Document::importLabelVolume(const QString &path, QString *error, QStringList *notes)
{
    const auto volume = m_series->volume();
    if (!volume || !m_labels->hasLabels()) {
        setError(error, tr("Show a series before importing its labels."));
        return false;
    }
    try {
        core::NiftiIo::LabelVolume labels =
            core::NiftiIo::readLabelVolume(path.toStdString(), volume->width(), volume->height(),
                                           volume->depth(), volume->geometry());
        // With the file's own label names (ITK-SNAP's labels.txt beside it), its labels are
        // mapped onto the project's by name; names the project lacks become new labels.
        core::LabelMapping mapping;
        const std::string described = core::labelDescriptionFileBeside(path.toStdString());
        if (!described.empty()) {
            const std::set<std::uint16_t> present(labels.labels.begin(), labels.labels.end());
            mapping =
                core::mapLabelsByName(core::LabelDescriptions::load(described), m_labels->table(),
                                      std::vector<int>(present.begin(), present.end()));
            core::applyLabelMapping(mapping, labels.labels);
        }
        const QString text = tr("Import labels %1").arg(shortFileName(path));
        m_undoStack->beginMacro(text);
        if (!mapping.added.empty()) {
            core::LabelDescriptions table = m_labels->table();
            for (const core::LabelDescription &row : mapping.added)
                table.set(row);
            m_labels->replaceTable(table, text);
        }
        m_labels->replaceAllLabels(labels.labels, text);
        m_undoStack->endMacro();
        if (notes)
            for (const std::string &note : mapping.notes)
                notes->append(QString::fromStdString(note));
        return true;
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

bool Document::exportLabelVolume(const QString &path, QString *error) const
{
    const core::LabelMap *map = m_labels->labelMap();
    if (!map) {
        setError(error, tr("Show a series before exporting its labels."));
        return false;
    }
    try {
        const std::vector<core::LabelValue> dense = map->toDense();
        core::NiftiIo::writeLabelVolume(path.toStdString(), dense.data(), map->width(),
                                        map->height(), map->depth(), map->geometry());
        return true;
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

bool Document::exportDicomSeg(const QString &path, QString *error) const
{
    const core::LabelMap *map = m_labels->labelMap();
    const auto &slices = m_series->layout().slices;
    if (!map || slices.empty()) {
        setError(error, tr("Show a DICOM series before exporting a DICOM SEG."));
        return false;
    }
    try {
        std::vector<core::DicomSegSegment> segments;
        for (const core::LabelDescription &label : m_labels->table().labels()) {
            if (label.index <= 0)
                continue;
            segments.push_back({label.index, label.name, label.colour});
        }
        const std::vector<core::LabelValue> dense = map->toDense();
        core::DicomSegWriter::write(path.toStdString(), slices, dense.data(), map->width(),
                                    map->height(), map->depth(), map->geometry(), segments);
        return true;
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

bool Document::importLabelDescriptions(const QString &path, QString *error)
{
    try {
        core::LabelDescriptions table =
            withProjectClearLabel(core::LabelDescriptions::load(path.toStdString()));
        // ITK-SNAP's file has no lock column: keep the locks of labels that stay.
        for (const core::LabelDescription &label : m_labels->table().labels()) {
            if (core::LabelDescription *kept = table.find(label.index))
                kept->locked = label.locked;
        }
        m_labels->replaceTable(table, tr("Import label descriptions %1").arg(shortFileName(path)));
        return true;
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

QString Document::demoStudyFolder(QString *error) const
{
    const QString folder =
        QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
            .filePath(QStringLiteral("medseg-studio/demo-study"));
    if (core::isLabeledDemoStudy(folder.toStdString()))
        return folder;
    try {
        QDir(folder).removeRecursively(); // a half-written one
        core::writeLabeledDemoStudy(folder.toStdString(), core::DemoStudyOptions{});
        return folder;
    } catch (const std::exception &e) {
        setError(error, tr("Cannot write the demo study to %1: %2")
                            .arg(QDir::toNativeSeparators(folder), messageOf(e)));
        return {};
    }
}

bool Document::exportLabelDescriptions(const QString &path, QString *error) const
{
    try {
        m_labels->table().saveItkSnap(path.toStdString());
        return true;
    } catch (const std::exception &e) {
        setError(error, messageOf(e));
        return false;
    }
}

void Document::insertSource(int index, const QString &path)
{
    m_sources.insert(index, path);
    Q_EMIT sourcesChanged();
}

void Document::removeSource(int index)
{
    m_sources.removeAt(index);
    Q_EMIT sourcesChanged();
}

void Document::syncBrowserSources()
{
    const QStringList shown = m_dicomBrowser->sources();
    for (const QString &path : shown) {
        if (!m_sources.contains(path))
            m_dicomBrowser->removeSource(path);
    }
    for (const QString &path : m_sources) {
        if (!shown.contains(path))
            m_dicomBrowser->addSource(path);
    }
}

} // namespace medseg::ui
