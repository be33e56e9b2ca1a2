#pragma once

#include "core/dataset/NiftiIo.h"
#include "core/image/ImageGeometry.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

// One series of the project: its label volume lives in `labelFile` (relative to the workspace
// folder), named after a hash of the Series Instance UID so that no file name carries anything
// about the patient.
struct WorkspaceSeries
{
    std::string uid;
    std::string labelFile; // "labels/<key>.nii.gz"
    // Free-form per-series state kept for the session (e.g. per-slice status); saved as is.
    nlohmann::json state = nlohmann::json::object();
};

// A label volume left by an autosave in recovery/: what the app offers to restore after a crash.
struct WorkspaceRecovery
{
    std::string seriesUid; // empty when its sidecar is lost and the series is not in the project
    std::string key;       // Workspace::seriesKey(seriesUid)
    std::string path;      // absolute path of the .nii.gz
    std::int64_t modifiedTime = 0; // seconds since the epoch
};

// The files of one autosave, ready to be written on any thread: Workspace::prepareRecovery()
// checks the lock and fills in the project's state on the thread that owns the Workspace;
// addVolume() copies label volumes in; write() touches nothing but recovery/'s files, so it can
// run while the owner goes on (it must not save or close the workspace meanwhile).
class RecoveryWrite
{
public:
    void addVolume(const std::string &seriesUid, std::vector<std::uint16_t> labels, int width,
                   int height, int depth, const ImageGeometry &geometry);
    // Throws std::runtime_error (full disk, permissions) with the file's name; files written
    // before the failure stay (each is replaced atomically).
    void write() const;
    std::size_t volumeCount() const { return m_volumes.size(); }

private:
    friend class Workspace;
    struct Volume
    {
        std::string seriesUid;
        std::vector<std::uint16_t> labels;
        int width = 0, height = 0, depth = 0;
        ImageGeometry geometry;
    };
    std::string m_folder;      // recovery/
    std::string m_projectText; // recovery/project.json
    std::vector<Volume> m_volumes;
};

// Who holds the workspace's lock file (.lock, with the PID and host of the holder).
enum class WorkspaceLock {
    Acquired,       // ours; nobody else had it
    RecoveredStale, // ours now; the previous holder died without closing (a crash): offer recovery
    HeldByOther,    // a running process holds it: warn; saves throw until takeOverLock()
};

// A project folder NAME.medseg/:
//   project.json    version, DICOM sources, label table, settings, series (see save())
//   labels/         one NIfTI label volume per series (labels/<key>.nii.gz)
//   recovery/       autosaves (<key>.nii.gz + <key>.json, project.json), removed on save
//   runs/ exports/  training runs and exports
//   cache/          the DICOM index caches of the sources
//   .lock           PID of the process that has it open
// Every file is written through AtomicFile: a crash or kill at any moment leaves the old or the
// new file. Qt-free; not thread-safe (one owner, e.g. the GUI's Document).
class Workspace
{
public:
    static constexpr int formatVersion = 1;
    static constexpr const char *extension = ".medseg";

    // Creates the folder (".medseg" is appended to `folder` if missing) with its subfolders and
    // project.json, and takes the lock. Throws std::runtime_error naming the folder if it exists
    // and is not empty, or cannot be created.
    static Workspace create(const std::string &folder);
    // Opens an existing workspace; throws std::runtime_error naming project.json when it is
    // missing, unreadable, or written by a newer version. Never fails because of the lock: see
    // lockStatus(). When the lock is ours, temporary files left by a killed save are removed.
    static Workspace open(const std::string &folder);

    Workspace(Workspace &&other) noexcept;
    Workspace &operator=(Workspace &&other) noexcept;
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;
    ~Workspace(); // releases the lock if ours

    // Writes project.json atomically and removes recovery/project.json. Throws if the lock is
    // held by another process (see takeOverLock()) or the file cannot be written.
    void save();

    // --- lock
    WorkspaceLock lockStatus() const { return m_lockStatus; }
    bool ownsLock() const { return m_ownsLock; }
    int lockHolderPid() const { return m_lockHolderPid; } // the other process, when HeldByOther
    // Takes the lock from another process (the user said "open anyway").
    void takeOverLock();
    // True when the last session ended without closing (stale lock) or autosaves are left.
    bool needsRecovery() const;

    // --- paths (absolute)
    const std::string &folder() const { return m_folder; }
    std::string name() const; // NAME of NAME.medseg
    std::string projectFile() const;
    std::string labelsFolder() const;
    std::string runsFolder() const;
    std::string recoveryFolder() const;
    // Where DicomIndexer keeps the index of `sourcePath` (DicomIndexerOptions::cacheFile);
    // creates cache/dicom-index/ when missing.
    std::string indexCachePath(const std::string &sourcePath) const;
    // Absolute path of the label volume of a series (whether or not it exists yet).
    std::string labelPath(const std::string &seriesUid) const;
    // 16 hex digits (64-bit FNV-1a) of a UID: file names that say nothing about the patient.
    static std::string seriesKey(const std::string &seriesUid);

    // --- content of project.json
    const std::vector<std::string> &sources() const { return m_sources; }
    void setSources(std::vector<std::string> sources) { m_sources = std::move(sources); }
    void addSource(const std::string &path); // no duplicates
    // The label table as JSON (an array of {index, name, colour [r,g,b], opacity, visible,
    // locked} objects by convention); kept as given.
    const nlohmann::json &labelTable() const { return m_labelTable; }
    void setLabelTable(nlohmann::json table) { m_labelTable = std::move(table); }
    const nlohmann::json &settings() const { return m_settings; }
    nlohmann::json &settings() { return m_settings; }
    const std::vector<WorkspaceSeries> &series() const { return m_series; }
    const WorkspaceSeries *findSeries(const std::string &uid) const;
    // The entry of `uid`, added (with its label file name) when missing.
    WorkspaceSeries &seriesEntry(const std::string &uid);

    // --- label volumes (labels/<key>.nii.gz), through NiftiIo, atomically
    // Saves the labels of a series (adds the series to the project; call save() to keep that)
    // and removes its autosave.
    void saveLabels(const std::string &seriesUid, const std::uint16_t *labels, int width,
                    int height, int depth, const ImageGeometry &geometry);
    // The saved labels of a series checked against the series' grid, or nothing when none were
    // saved. Throws std::runtime_error (NiftiIo's geometry message) on a mismatch.
    std::optional<NiftiIo::LabelVolume> loadLabels(const std::string &seriesUid, int width,
                                                   int height, int depth,
                                                   const ImageGeometry &geometry) const;

    // --- autosave and recovery (recovery/)
    void writeRecovery(const std::string &seriesUid, const std::uint16_t *labels, int width,
                       int height, int depth, const ImageGeometry &geometry);
    // The project's unsaved state (sources, label table, settings, series) as
    // recovery/project.json.
    void writeRecoveryProject();
    // The same writes in two halves (see RecoveryWrite): the project's state as it is now, and
    // no volumes yet. Throws when the lock is not ours.
    RecoveryWrite prepareRecovery() const;
    std::vector<WorkspaceRecovery> listRecovery() const;
    bool hasRecoveryProject() const;
    // Loads recovery/project.json into this object (call save() to keep it).
    void restoreRecoveryProject();
    NiftiIo::LabelVolume readRecovery(const std::string &seriesUid, int width, int height,
                                      int depth, const ImageGeometry &geometry) const;
    void discardRecovery(const std::string &seriesUid);
    void discardAllRecovery(); // every autosave, the project's too

private:
    Workspace() = default;
    void load(const std::string &projectFile);
    nlohmann::json toJson() const;
    void fromJson(const nlohmann::json &json, const std::string &source);
    void acquireLock();
    void releaseLock() noexcept;
    void requireLock() const;
    void removeStaleTemporaryFiles() const;

    std::string m_folder;
    nlohmann::json m_document = nlohmann::json::object(); // keeps keys this version ignores
    std::vector<std::string> m_sources;
    nlohmann::json m_labelTable = nlohmann::json::array();
    nlohmann::json m_settings = nlohmann::json::object();
    std::vector<WorkspaceSeries> m_series;
    WorkspaceLock m_lockStatus = WorkspaceLock::Acquired;
    bool m_ownsLock = false;
    int m_lockHolderPid = 0;
};

} // namespace medseg::core
