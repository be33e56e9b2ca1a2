#include "core/workspace/Workspace.h"

#include "core/common/AtomicFile.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace medseg::core {
namespace {

constexpr const char *projectFileName = "project.json";
constexpr const char *lockFileName = ".lock";
constexpr const char *formatName = "medseg-workspace";

std::string readText(const std::string &path)
{
    std::ifstream stream(path, std::ios::binary);
    if (!stream)
        throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << stream.rdbuf();
    if (stream.bad())
        throw std::runtime_error(path + ": cannot read");
    return text.str();
}

nlohmann::json parseJson(const std::string &path)
{
    try {
        return nlohmann::json::parse(readText(path));
    } catch (const nlohmann::json::exception &error) {
        throw std::runtime_error(path + ": not valid JSON (" + error.what() + ")");
    }
}

std::string hostName()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0)
        return {};
    return name;
}

// Whether `pid` is a running process (EPERM: it runs, but as another user).
bool processRuns(int pid)
{
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

// This boot of the machine (Linux); empty where unknown.
std::string bootId()
{
    std::ifstream file("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(file, id);
    return id;
}

// When process `pid` started, in clock ticks after boot (field 22 of /proc/PID/stat); -1 where
// unknown. With the boot id it tells a lock holder from a later process that got its PID.
std::int64_t processStartTicks(int pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(file, stat);
    const std::size_t paren = stat.rfind(')'); // the command name may hold spaces
    if (paren == std::string::npos)
        return -1;
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    for (int i = 3; i <= 22 && (fields >> field); ++i) {
        if (i == 22)
            return std::strtoll(field.c_str(), nullptr, 10);
    }
    return -1;
}

// The lock this process writes.
nlohmann::json ownLock(const std::string &host)
{
    return nlohmann::json{{"pid", int(::getpid())},
                          {"host", host},
                          {"boot_id", bootId()},
                          {"start_ticks", processStartTicks(int(::getpid()))}};
}

std::int64_t modifiedTime(const std::string &path)
{
    struct stat info;
    if (::stat(path.c_str(), &info) != 0)
        return 0;
    return std::int64_t(info.st_mtime);
}

void makeFolder(const fs::path &folder)
{
    std::error_code error;
    fs::create_directories(folder, error);
    if (error)
        throw std::runtime_error(folder.string() +
                                 ": cannot create the folder: " + error.message());
}

} // namespace

// --- creation, loading, saving --------------------------------------------------------------

Workspace Workspace::create(const std::string &folder)
{
    std::string path = folder;
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    const std::string ext = extension;
    if (path.size() < ext.size() || path.compare(path.size() - ext.size(), ext.size(), ext) != 0)
        path += ext;
    std::error_code error;
    const fs::path absolute = fs::absolute(path, error).lexically_normal();
    if (fs::exists(absolute, error) && !fs::is_empty(absolute, error))
        throw std::runtime_error(absolute.string() + ": already exists and is not empty");
    Workspace workspace;
    workspace.m_folder = absolute.string();
    makeFolder(absolute);
    for (const char *sub : {"labels", "runs", "exports", "recovery", "cache"})
        makeFolder(absolute / sub);
    workspace.acquireLock();
    workspace.save();
    return workspace;
}

Workspace Workspace::open(const std::string &folder)
{
    std::error_code error;
    fs::path absolute = fs::absolute(folder, error).lexically_normal();
    // Accept the project file itself, as a file dialog may return it.
    if (absolute.filename() == projectFileName)
        absolute = absolute.parent_path();
    if (!absolute.has_filename())
        absolute = absolute.parent_path();
    Workspace workspace;
    workspace.m_folder = absolute.string();
    workspace.load(workspace.projectFile());
    for (const char *sub : {"labels", "runs", "exports", "recovery", "cache"})
        fs::create_directories(absolute / sub, error); // read-only media: opening still works
    workspace.acquireLock();
    if (workspace.m_ownsLock)
        workspace.removeStaleTemporaryFiles();
    return workspace;
}

Workspace::Workspace(Workspace &&other) noexcept
{
    *this = std::move(other);
}

Workspace &Workspace::operator=(Workspace &&other) noexcept
{
    if (this != &other) {
        releaseLock();
        m_folder = std::move(other.m_folder);
        m_document = std::move(other.m_document);
        m_sources = std::move(other.m_sources);
        m_labelTable = std::move(other.m_labelTable);
        m_settings = std::move(other.m_settings);
        m_series = std::move(other.m_series);
        m_lockStatus = other.m_lockStatus;
        m_ownsLock = other.m_ownsLock;
        m_lockHolderPid = other.m_lockHolderPid;
        other.m_ownsLock = false; // the lock moves with the object
        other.m_folder.clear();
    }
    return *this;
}

Workspace::~Workspace()
{
    releaseLock();
}

void Workspace::load(const std::string &projectFile)
{
    std::error_code error;
    if (!fs::exists(projectFile, error))
        throw std::runtime_error(projectFile + ": no such file; not a MedSeg workspace");
    fromJson(parseJson(projectFile), projectFile);
}

nlohmann::json Workspace::toJson() const
{
    nlohmann::json json = m_document;
    json["format"] = formatName;
    json["version"] = formatVersion;
    json["sources"] = m_sources;
    json["labels"] = m_labelTable;
    json["settings"] = m_settings;
    nlohmann::json series = nlohmann::json::array();
    for (const WorkspaceSeries &entry : m_series)
        series.push_back(
            {{"uid", entry.uid}, {"labelFile", entry.labelFile}, {"state", entry.state}});
    json["series"] = std::move(series);
    return json;
}

void Workspace::fromJson(const nlohmann::json &json, const std::string &source)
{
    try {
        if (!json.is_object() || json.value("format", std::string()) != formatName)
            throw std::runtime_error(source + ": not a MedSeg workspace file");
        const int version = json.at("version").get<int>();
        if (version > formatVersion)
            throw std::runtime_error(source + ": written by a newer MedSeg Studio (format " +
                                     std::to_string(version) + "; this version reads up to " +
                                     std::to_string(formatVersion) + ")");
        std::vector<std::string> sources = json.value("sources", std::vector<std::string>());
        nlohmann::json labels = json.value("labels", nlohmann::json::array());
        nlohmann::json settings = json.value("settings", nlohmann::json::object());
        std::vector<WorkspaceSeries> series;
        for (const nlohmann::json &item : json.value("series", nlohmann::json::array())) {
            WorkspaceSeries entry;
            entry.uid = item.at("uid").get<std::string>();
            entry.labelFile = item.value("labelFile", "labels/" + seriesKey(entry.uid) + ".nii.gz");
            entry.state = item.value("state", nlohmann::json::object());
            // A label file is always inside labels/: a crafted project must not make saves
            // overwrite files elsewhere.
            const fs::path relative = fs::path(entry.labelFile).lexically_normal();
            if (relative.is_absolute() || relative.empty() || *relative.begin() != "labels" ||
                relative.string().find("..") != std::string::npos)
                throw std::runtime_error(source + ": label file \"" + entry.labelFile +
                                         "\" of series " + entry.uid +
                                         " is outside the labels folder");
            series.push_back(std::move(entry));
        }
        m_document = json;
        m_sources = std::move(sources);
        m_labelTable = std::move(labels);
        m_settings = std::move(settings);
        m_series = std::move(series);
    } catch (const nlohmann::json::exception &error) {
        throw std::runtime_error(source + ": malformed workspace file (" + error.what() + ")");
    }
}

void Workspace::save()
{
    requireLock();
    AtomicFile::writeAll(projectFile(), toJson().dump(2) + "\n");
    std::error_code error;
    fs::remove(fs::path(recoveryFolder()) / projectFileName, error);
}

// --- lock -----------------------------------------------------------------------------------

void Workspace::acquireLock()
{
    const std::string lockPath = (fs::path(m_folder) / lockFileName).string();
    const std::string host = hostName();
    m_lockStatus = WorkspaceLock::Acquired;
    m_lockHolderPid = 0;
    std::error_code error;
    if (fs::exists(lockPath, error)) {
        int pid = 0;
        std::string lockHost;
        std::string lockBoot;
        std::int64_t lockStart = -1;
        try {
            const nlohmann::json lock = parseJson(lockPath);
            pid = lock.value("pid", 0);
            lockHost = lock.value("host", std::string());
            lockBoot = lock.value("boot_id", std::string());
            lockStart = lock.value("start_ticks", std::int64_t(-1));
        } catch (const std::exception &) {
            // An unreadable lock cannot name a live holder: treat it as stale.
        }
        // A lock from another host (a shared folder) cannot be checked: respect it.
        const bool otherHost = !lockHost.empty() && lockHost != host;
        if (pid == int(::getpid()) && !otherHost) {
            m_lockStatus = WorkspaceLock::HeldByOther; // this process has it open already
            m_lockHolderPid = pid;
            m_ownsLock = false;
            return;
        }
        // On this host, a lock from before a reboot, or whose PID now belongs to a process
        // that started later, has no live holder (locks without these fields: PID only).
        const std::string boot = bootId();
        const bool rebooted = !lockBoot.empty() && !boot.empty() && lockBoot != boot;
        const std::int64_t start = lockStart >= 0 ? processStartTicks(pid) : -1;
        const bool pidReused = lockStart >= 0 && start >= 0 && start != lockStart;
        if (otherHost || (!rebooted && !pidReused && processRuns(pid))) {
            m_lockStatus = WorkspaceLock::HeldByOther;
            m_lockHolderPid = pid;
            m_ownsLock = false;
            return;
        }
        m_lockStatus = WorkspaceLock::RecoveredStale;
    }
    const nlohmann::json lock = ownLock(host);
    try {
        AtomicFile::writeAll(lockPath, lock.dump() + "\n");
        m_ownsLock = true;
    } catch (const std::runtime_error &) {
        // Read-only media: the workspace opens, saves will say why they cannot write.
        m_ownsLock = false;
    }
}

void Workspace::releaseLock() noexcept
{
    if (!m_ownsLock || m_folder.empty())
        return;
    m_ownsLock = false;
    ::unlink((fs::path(m_folder) / lockFileName).c_str());
}

void Workspace::takeOverLock()
{
    const std::string lockPath = (fs::path(m_folder) / lockFileName).string();
    const nlohmann::json lock = ownLock(hostName());
    AtomicFile::writeAll(lockPath, lock.dump() + "\n");
    m_ownsLock = true;
    m_lockStatus = WorkspaceLock::Acquired;
    m_lockHolderPid = 0;
}

void Workspace::requireLock() const
{
    if (m_ownsLock)
        return;
    if (m_lockStatus == WorkspaceLock::HeldByOther)
        throw std::runtime_error(m_folder + ": open in another MedSeg Studio (process " +
                                 std::to_string(m_lockHolderPid) + "); not saved");
    throw std::runtime_error(m_folder + ": cannot write the lock file; not saved");
}

bool Workspace::needsRecovery() const
{
    return m_lockStatus == WorkspaceLock::RecoveredStale || hasRecoveryProject() ||
           !listRecovery().empty();
}

void Workspace::removeStaleTemporaryFiles() const
{
    for (const std::string &folder : {m_folder, labelsFolder(), recoveryFolder()}) {
        std::error_code error;
        for (fs::directory_iterator it(folder, error), end; !error && it != end;
             it.increment(error)) {
            if (it->is_regular_file(error) &&
                AtomicFile::isTemporaryName(it->path().filename().string()))
                fs::remove(it->path(), error);
        }
    }
}

// --- paths ----------------------------------------------------------------------------------

std::string Workspace::name() const
{
    std::string stem = fs::path(m_folder).filename().string();
    const std::string ext = extension;
    if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0)
        stem.resize(stem.size() - ext.size());
    return stem;
}

std::string Workspace::projectFile() const
{
    return (fs::path(m_folder) / projectFileName).string();
}

std::string Workspace::labelsFolder() const
{
    return (fs::path(m_folder) / "labels").string();
}

std::string Workspace::runsFolder() const
{
    return (fs::path(m_folder) / "runs").string();
}

std::string Workspace::recoveryFolder() const
{
    return (fs::path(m_folder) / "recovery").string();
}

std::string Workspace::indexCachePath(const std::string &sourcePath) const
{
    std::error_code error;
    const std::string absolute = fs::absolute(sourcePath, error).lexically_normal().string();
    const fs::path folder = fs::path(m_folder) / "cache" / "dicom-index";
    makeFolder(folder);
    return (folder / (seriesKey(absolute) + ".json")).string();
}

std::string Workspace::labelPath(const std::string &seriesUid) const
{
    if (const WorkspaceSeries *entry = findSeries(seriesUid))
        return (fs::path(m_folder) / entry->labelFile).string();
    return (fs::path(labelsFolder()) / (seriesKey(seriesUid) + ".nii.gz")).string();
}

std::string Workspace::seriesKey(const std::string &seriesUid)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (const unsigned char c : seriesUid) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

// --- content --------------------------------------------------------------------------------

void Workspace::addSource(const std::string &path)
{
    for (const std::string &source : m_sources)
        if (source == path)
            return;
    m_sources.push_back(path);
}

const WorkspaceSeries *Workspace::findSeries(const std::string &uid) const
{
    for (const WorkspaceSeries &entry : m_series)
        if (entry.uid == uid)
            return &entry;
    return nullptr;
}

WorkspaceSeries &Workspace::seriesEntry(const std::string &uid)
{
    for (WorkspaceSeries &entry : m_series)
        if (entry.uid == uid)
            return entry;
    WorkspaceSeries entry;
    entry.uid = uid;
    entry.labelFile = "labels/" + seriesKey(uid) + ".nii.gz";
    m_series.push_back(std::move(entry));
    return m_series.back();
}

void Workspace::saveLabels(const std::string &seriesUid, const std::uint16_t *labels, int width,
                           int height, int depth, const ImageGeometry &geometry)
{
    requireLock();
    seriesEntry(seriesUid);
    NiftiIo::writeLabelVolume(labelPath(seriesUid), labels, width, height, depth, geometry);
    discardRecovery(seriesUid);
}

std::optional<NiftiIo::LabelVolume> Workspace::loadLabels(const std::string &seriesUid, int width,
                                                          int height, int depth,
                                                          const ImageGeometry &geometry) const
{
    const std::string path = labelPath(seriesUid);
    std::error_code error;
    if (!fs::exists(path, error))
        return std::nullopt;
    return NiftiIo::readLabelVolume(path, width, height, depth, geometry);
}

// --- recovery -------------------------------------------------------------------------------

namespace {

void writeRecoveryVolume(const fs::path &folder, const std::string &seriesUid,
                         const std::uint16_t *labels, int width, int height, int depth,
                         const ImageGeometry &geometry)
{
    makeFolder(folder);
    const fs::path base = folder / Workspace::seriesKey(seriesUid);
    NiftiIo::writeLabelVolume(base.string() + ".nii.gz", labels, width, height, depth, geometry);
    // The sidecar names the series, for one that was never saved into project.json.
    const nlohmann::json sidecar{{"seriesUid", seriesUid}};
    AtomicFile::writeAll(base.string() + ".json", sidecar.dump() + "\n");
}

} // namespace

void Workspace::writeRecovery(const std::string &seriesUid, const std::uint16_t *labels, int width,
                              int height, int depth, const ImageGeometry &geometry)
{
    requireLock();
    writeRecoveryVolume(recoveryFolder(), seriesUid, labels, width, height, depth, geometry);
}

void Workspace::writeRecoveryProject()
{
    requireLock();
    makeFolder(recoveryFolder());
    AtomicFile::writeAll((fs::path(recoveryFolder()) / projectFileName).string(),
                         toJson().dump(2) + "\n");
}

RecoveryWrite Workspace::prepareRecovery() const
{
    requireLock();
    RecoveryWrite write;
    write.m_folder = recoveryFolder();
    write.m_projectText = toJson().dump(2) + "\n";
    return write;
}

void RecoveryWrite::addVolume(const std::string &seriesUid, std::vector<std::uint16_t> labels,
                              int width, int height, int depth, const ImageGeometry &geometry)
{
    if (labels.size() != std::size_t(width) * std::size_t(height) * std::size_t(depth))
        throw std::invalid_argument("recovery volume of " + seriesUid + ": " +
                                    std::to_string(labels.size()) + " labels for " +
                                    std::to_string(width) + "x" + std::to_string(height) + "x" +
                                    std::to_string(depth));
    m_volumes.push_back({seriesUid, std::move(labels), width, height, depth, geometry});
}

void RecoveryWrite::write() const
{
    for (const Volume &volume : m_volumes)
        writeRecoveryVolume(m_folder, volume.seriesUid, volume.labels.data(), volume.width,
                            volume.height, volume.depth, volume.geometry);
    makeFolder(m_folder);
    AtomicFile::writeAll((fs::path(m_folder) / projectFileName).string(), m_projectText);
}

std::vector<WorkspaceRecovery> Workspace::listRecovery() const
{
    std::vector<WorkspaceRecovery> result;
    std::error_code error;
    const std::string suffix = ".nii.gz";
    for (fs::directory_iterator it(recoveryFolder(), error), end; !error && it != end;
         it.increment(error)) {
        const std::string file = it->path().filename().string();
        if (file.size() != 16 + suffix.size() || file.compare(16, suffix.size(), suffix) != 0)
            continue; // temporary files, sidecars, project.json
        WorkspaceRecovery recovery;
        recovery.key = file.substr(0, 16);
        recovery.path = it->path().string();
        recovery.modifiedTime = modifiedTime(recovery.path);
        const fs::path sidecar = fs::path(recoveryFolder()) / (recovery.key + ".json");
        try {
            recovery.seriesUid = parseJson(sidecar.string()).value("seriesUid", std::string());
        } catch (const std::exception &) {
            for (const WorkspaceSeries &entry : m_series)
                if (seriesKey(entry.uid) == recovery.key)
                    recovery.seriesUid = entry.uid;
        }
        result.push_back(std::move(recovery));
    }
    std::sort(result.begin(), result.end(),
              [](const WorkspaceRecovery &a, const WorkspaceRecovery &b) { return a.key < b.key; });
    return result;
}

bool Workspace::hasRecoveryProject() const
{
    std::error_code error;
    return fs::exists(fs::path(recoveryFolder()) / projectFileName, error);
}

void Workspace::restoreRecoveryProject()
{
    const std::string path = (fs::path(recoveryFolder()) / projectFileName).string();
    fromJson(parseJson(path), path);
}

NiftiIo::LabelVolume Workspace::readRecovery(const std::string &seriesUid, int width, int height,
                                             int depth, const ImageGeometry &geometry) const
{
    const std::string path =
        (fs::path(recoveryFolder()) / (seriesKey(seriesUid) + ".nii.gz")).string();
    return NiftiIo::readLabelVolume(path, width, height, depth, geometry);
}

void Workspace::discardRecovery(const std::string &seriesUid)
{
    const fs::path base = fs::path(recoveryFolder()) / seriesKey(seriesUid);
    std::error_code error;
    fs::remove(base.string() + ".nii.gz", error);
    fs::remove(base.string() + ".json", error);
}

void Workspace::discardAllRecovery()
{
    std::error_code error;
    for (fs::directory_iterator it(recoveryFolder(), error), end; !error && it != end;
         it.increment(error)) {
        std::error_code ignored;
        if (it->is_regular_file(ignored))
            fs::remove(it->path(), ignored);
    }
}

} // namespace medseg::core
