#include "core/dicom/DicomIndexer.h"

#include "core/common/AtomicFile.h"
#include "core/dicom/detail/DicomReading.h"
#include "core/dicom/detail/IndexJson.h"
#include "core/dicom/detail/ParallelFor.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace fs = std::filesystem;

namespace medseg::core {
namespace {

// What indexing one file gave.
struct FileResult
{
    enum Kind { Skipped, Record, Problem } kind = Skipped;
    detail::HeaderRecord record;
    DicomProblem problem;
    bool reused = false;
};

struct FileEntry
{
    std::string path;
    // A file named in a DICOMDIR that is not there: reported without being read.
    std::string missingReason;
};

std::string lower(std::string text)
{
    for (char &c : text)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

bool isDicomDirName(const fs::path &path)
{
    return lower(path.filename().string()) == "dicomdir";
}

bool isHidden(const fs::path &path)
{
    const std::string name = path.filename().string();
    return !name.empty() && name[0] == '.';
}

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What MedSeg Studio itself writes beside or inside DICOM folders, never DICOM and never a
// problem: label volumes (NIfTI), label tables and other JSON (labels.json, index caches),
// and whole project folders (NAME.medseg/).
bool isCompanionFile(const fs::path &path)
{
    std::string name = path.filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    // Image volumes of other formats (and the data files of detached headers) are indexed by
    // core/imageio, not here.
    for (const char *extension :
         {".nii", ".nii.gz", ".json", ".nrrd", ".nhdr", ".mha", ".mhd", ".raw", ".raw.gz", ".zraw"})
        if (endsWith(name, extension))
            return true;
    return false;
}

bool isProjectFolder(const fs::path &path)
{
    return endsWith(path.filename().string(), ".medseg");
}

std::int64_t nowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool statFile(const std::string &path, std::int64_t &size, std::int64_t &modified)
{
    struct stat info;
    if (::stat(path.c_str(), &info) != 0)
        return false;
    size = std::int64_t(info.st_size);
    modified = std::int64_t(info.st_mtim.tv_sec);
    return true;
}

// A DICOMDIR under another name (e.g. copied as dicomdir.dcm) is still a directory.
bool isDicomDirContent(const fs::path &path)
{
    const detail::DicomRead read = detail::readDicom(path.string(), 256);
    if (!read.file)
        return false;
    std::string sopClass =
        detail::getString(*read.file->getMetaInfo(), DCM_MediaStorageSOPClassUID);
    if (sopClass.empty())
        sopClass = detail::getString(*read.file->getDataset(), DCM_SOPClassUID);
    return detail::isMediaStorageDirectory(sopClass);
}

// DICOMDIR file IDs are upper case on the medium, but copies to Linux disks often are not.
fs::path resolveCaseInsensitive(const fs::path &base, const std::vector<std::string> &components)
{
    fs::path current = base;
    for (const std::string &component : components) {
        fs::path exact = current / component;
        std::error_code error;
        if (fs::exists(exact, error)) {
            current = exact;
            continue;
        }
        bool found = false;
        for (const auto &entry : fs::directory_iterator(current, error)) {
            if (lower(entry.path().filename().string()) == lower(component)) {
                current = entry.path();
                found = true;
                break;
            }
        }
        if (!found)
            return {};
    }
    return current;
}

std::vector<FileEntry> filesOfDicomDir(const fs::path &dicomDir,
                                       std::vector<DicomProblem> &problems)
{
    detail::DicomRead read = detail::readDicom(dicomDir.string(), 4096);
    if (!read.file) {
        problems.push_back({dicomDir.string(), "unreadable DICOMDIR: " + read.error, 0, 0});
        return {};
    }
    std::vector<FileEntry> files;
    std::set<std::string> seen;
    DcmDataset &dataset = *read.file->getDataset();
    const fs::path base = dicomDir.parent_path();
    for (unsigned long n = 0;; ++n) {
        DcmItem *record = detail::sequenceItem(dataset, DCM_DirectoryRecordSequence, n);
        if (!record)
            break;
        const std::string fileId = detail::getString(*record, DCM_ReferencedFileID);
        if (fileId.empty())
            continue;
        std::vector<std::string> components;
        std::stringstream parts(fileId);
        for (std::string part; std::getline(parts, part, '\\');) {
            while (!part.empty() && part.back() == ' ')
                part.pop_back();
            if (!part.empty())
                components.push_back(part);
        }
        fs::path resolved = resolveCaseInsensitive(base, components);
        const std::string path = resolved.string();
        if (components.empty() || path.empty()) {
            fs::path listed = base;
            for (const std::string &component : components)
                listed /= component;
            if (seen.insert(listed.string()).second)
                files.push_back({listed.string(), "listed in the DICOMDIR but missing"});
            continue;
        }
        if (seen.insert(path).second)
            files.push_back({path, {}});
    }
    return files;
}

std::vector<FileEntry> filesOfFolder(const fs::path &root, const std::string &cacheFile,
                                     ProgressSink *progress)
{
    std::vector<FileEntry> files;
    std::error_code error;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
    if (error)
        throw std::runtime_error("cannot read folder " + root.string() + ": " + error.message());
    const std::string cacheTempPrefix = cacheFile + ".tmp";
    std::size_t visited = 0;
    for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (error)
            break;
        if (progress && ++visited % 1024 == 0 && progress->isCancelled())
            throw CancelledError();
        const fs::directory_entry &entry = *it;
        if (isHidden(entry.path()) || isProjectFolder(entry.path())) {
            if (entry.is_directory(error))
                it.disable_recursion_pending();
            continue;
        }
        if (!entry.is_regular_file(error) || isCompanionFile(entry.path()))
            continue;
        const std::string path = entry.path().string();
        // The index cache may live in the folder it indexes; DICOMDIRs only point at files
        // the walk finds anyway.
        if (path == cacheFile || path.rfind(cacheTempPrefix, 0) == 0 ||
            isDicomDirName(entry.path()))
            continue;
        files.push_back({path, {}});
    }
    std::sort(files.begin(), files.end(),
              [](const FileEntry &a, const FileEntry &b) { return a.path < b.path; });
    return files;
}

// The cached outcome of each file by path, from a previous index.
struct Cache
{
    std::int64_t writtenAt = -1;
    std::unordered_map<std::string, detail::HeaderRecord> records;
    std::unordered_map<std::string, DicomProblem> problems;
};

Cache loadCache(const std::string &cacheFile)
{
    Cache cache;
    if (cacheFile.empty())
        return cache;
    std::ifstream stream(cacheFile, std::ios::binary);
    if (!stream)
        return cache;
    std::stringstream text;
    text << stream.rdbuf();
    DicomIndex index;
    try {
        index = detail::indexFromJson(text.str(), &cache.writtenAt);
    } catch (const std::exception &) {
        return Cache{}; // unreadable or foreign: start afresh, the next write replaces it
    }
    for (DicomPatient &patient : index.patients) {
        for (DicomStudy &study : patient.studies) {
            for (DicomSeries &series : study.series) {
                for (DicomInstance &instance : series.instances) {
                    detail::HeaderRecord record;
                    record.patient = patient;
                    record.patient.studies.clear();
                    record.study = study;
                    record.study.series.clear();
                    record.series = series;
                    record.series.instances.clear();
                    record.instance = std::move(instance);
                    const std::string path = record.instance.path;
                    cache.records.emplace(path, std::move(record));
                }
            }
        }
    }
    for (DicomProblem &problem : index.problems)
        cache.problems.emplace(problem.path, std::move(problem));
    return cache;
}

// Patient -> study -> series from flat records, in the order a browser lists them.
void buildTree(std::vector<detail::HeaderRecord> records, DicomIndex &index)
{
    // Indices, not pointers: the vectors grow while records are placed.
    std::map<std::string, std::size_t> patientOf; // PatientID + name -> patients
    std::map<std::string, std::pair<std::size_t, std::size_t>> studyOf;
    std::map<std::string, std::array<std::size_t, 3>> seriesOf;
    for (detail::HeaderRecord &record : records) {
        auto series = seriesOf.find(record.series.seriesInstanceUid);
        if (series == seriesOf.end()) {
            auto study = studyOf.find(record.study.studyInstanceUid);
            if (study == studyOf.end()) {
                const std::string key = record.patient.patientId + '\x1f' + record.patient.name;
                auto patient = patientOf.find(key);
                if (patient == patientOf.end()) {
                    patient = patientOf.emplace(key, index.patients.size()).first;
                    index.patients.push_back(std::move(record.patient));
                }
                std::vector<DicomStudy> &studies = index.patients[patient->second].studies;
                study = studyOf
                            .emplace(record.study.studyInstanceUid,
                                     std::make_pair(patient->second, studies.size()))
                            .first;
                studies.push_back(std::move(record.study));
            }
            const auto [patientIndex, studyIndex] = study->second;
            std::vector<DicomSeries> &seriesList =
                index.patients[patientIndex].studies[studyIndex].series;
            // A series UID met again under another study (broken data) stays where first seen.
            series = seriesOf
                         .emplace(record.series.seriesInstanceUid,
                                  std::array<std::size_t, 3>{patientIndex, studyIndex,
                                                             seriesList.size()})
                         .first;
            seriesList.push_back(std::move(record.series));
        }
        const auto [patientIndex, studyIndex, seriesIndex] = series->second;
        index.patients[patientIndex].studies[studyIndex].series[seriesIndex].instances.push_back(
            std::move(record.instance));
    }

    for (DicomPatient &patient : index.patients) {
        for (DicomStudy &study : patient.studies) {
            for (DicomSeries &series : study.series) {
                std::sort(series.instances.begin(), series.instances.end(),
                          [](const DicomInstance &a, const DicomInstance &b) {
                              if (a.instanceNumber != b.instanceNumber)
                                  return a.instanceNumber < b.instanceNumber;
                              return a.path < b.path;
                          });
            }
            std::sort(study.series.begin(), study.series.end(),
                      [](const DicomSeries &a, const DicomSeries &b) {
                          if (a.seriesNumber != b.seriesNumber)
                              return a.seriesNumber < b.seriesNumber;
                          if (a.description != b.description)
                              return a.description < b.description;
                          return a.seriesInstanceUid < b.seriesInstanceUid;
                      });
        }
        std::sort(patient.studies.begin(), patient.studies.end(),
                  [](const DicomStudy &a, const DicomStudy &b) {
                      if (a.date != b.date)
                          return a.date < b.date;
                      if (a.time != b.time)
                          return a.time < b.time;
                      return a.studyInstanceUid < b.studyInstanceUid;
                  });
    }
    std::sort(index.patients.begin(), index.patients.end(),
              [](const DicomPatient &a, const DicomPatient &b) {
                  if (a.name != b.name)
                      return a.name < b.name;
                  return a.patientId < b.patientId;
              });
}

} // namespace

DicomIndex DicomIndexer::index(const std::string &path, const Options &options,
                               ProgressSink *progress)
{
    detail::initializeDcmtk();
    std::error_code error;
    const fs::path root = fs::absolute(fs::path(path), error).lexically_normal();
    if (error || !fs::exists(root, error))
        throw std::runtime_error("no such file or folder: " + path);
    const std::string cacheFile =
        options.cacheFile.empty()
            ? std::string()
            : fs::absolute(options.cacheFile, error).lexically_normal().string();

    DicomIndex index;
    index.root = root.string();
    if (progress && !progress->progress(0, 0, "Looking for files"))
        throw CancelledError();

    std::vector<FileEntry> files;
    if (fs::is_directory(root, error)) {
        files = filesOfFolder(root, cacheFile, progress);
    } else if (isDicomDirName(root) || isDicomDirContent(root)) {
        files = filesOfDicomDir(root, index.problems);
    } else {
        files.push_back({root.string(), {}});
    }

    const Cache cache = loadCache(cacheFile);
    std::vector<FileResult> results(files.size());
    std::atomic<int> done{0};
    std::atomic<bool> cancelled{false};
    std::mutex progressErrorMutex;
    std::exception_ptr progressError;
    const int total = int(files.size());
    const auto indexOne = [&](int n) {
        const FileEntry &file = files[std::size_t(n)];
        FileResult &result = results[std::size_t(n)];
        std::int64_t size = 0;
        std::int64_t modified = 0;
        if (!file.missingReason.empty()) {
            result.kind = FileResult::Problem;
            result.problem = {file.path, file.missingReason, 0, 0};
        } else if (!statFile(file.path, size, modified)) {
            result.kind = FileResult::Problem;
            result.problem = {file.path,
                              std::string("cannot read the file: ") + std::strerror(errno), 0, 0};
        } else {
            // Reuse only what cannot have changed since the cache was written (see IndexJson.h).
            const bool settled = modified < cache.writtenAt;
            const auto cachedRecord = cache.records.find(file.path);
            const auto cachedProblem = cache.problems.find(file.path);
            if (settled && cachedRecord != cache.records.end() &&
                cachedRecord->second.instance.fileSize == size &&
                cachedRecord->second.instance.modifiedTime == modified) {
                result.kind = FileResult::Record;
                result.record = cachedRecord->second;
                result.reused = true;
            } else if (settled && cachedProblem != cache.problems.end() &&
                       cachedProblem->second.fileSize == size &&
                       cachedProblem->second.modifiedTime == modified) {
                result.kind = FileResult::Problem;
                result.problem = cachedProblem->second;
                result.reused = true;
            } else {
                std::string reason;
                try {
                    std::optional<detail::HeaderRecord> record =
                        detail::readHeaderRecord(file.path, reason);
                    if (record) {
                        result.kind = FileResult::Record;
                        result.record = std::move(*record);
                        result.record.instance.fileSize = size;
                        result.record.instance.modifiedTime = modified;
                    } else if (reason == "DICOMDIR") {
                        result.kind = FileResult::Skipped;
                    } else {
                        result.kind = FileResult::Problem;
                        result.problem = {file.path, reason, size, modified};
                    }
                } catch (const std::exception &failure) {
                    result.kind = FileResult::Problem;
                    result.problem = {file.path, std::string("cannot read: ") + failure.what(),
                                      size, modified};
                }
            }
        }
        const int finished = ++done;
        try {
            if (progress && !progress->progress(finished, total, "Reading DICOM headers"))
                cancelled = true;
        } catch (...) {
            // Rethrown on the calling thread once the workers have stopped.
            std::lock_guard<std::mutex> lock(progressErrorMutex);
            if (!progressError)
                progressError = std::current_exception();
            cancelled = true;
        }
    };
    const auto stop = [&] {
        return cancelled.load() || (progress && progress->isCancelled());
    };
    detail::parallelFor(total, detail::threadCount(options.threads, total), indexOne, stop);
    if (progressError)
        std::rethrow_exception(progressError);
    if (stop())
        throw CancelledError();

    // Files in path order, so that "duplicate of" always names the same file.
    std::vector<detail::HeaderRecord> records;
    std::vector<detail::HeaderRecord> cacheRecords; // duplicates too: they are readable files
    std::vector<DicomProblem> fileProblems;
    std::unordered_map<std::string, std::string> pathOfUid;
    for (FileResult &result : results) {
        if (result.reused)
            ++index.filesReused;
        if (result.kind == FileResult::Problem) {
            fileProblems.push_back(std::move(result.problem));
        } else if (result.kind == FileResult::Record) {
            if (!cacheFile.empty())
                cacheRecords.push_back(result.record);
            const DicomInstance &instance = result.record.instance;
            if (!instance.sopInstanceUid.empty()) {
                const auto [first, inserted] =
                    pathOfUid.emplace(instance.sopInstanceUid, instance.path);
                if (!inserted) {
                    index.problems.push_back(
                        {instance.path,
                         "duplicate of " + first->second + " (same SOP Instance UID)",
                         instance.fileSize, instance.modifiedTime});
                    continue;
                }
            }
            records.push_back(std::move(result.record));
        }
    }
    index.filesScanned = total;
    index.problems.insert(index.problems.begin(), fileProblems.begin(), fileProblems.end());
    buildTree(std::move(records), index);

    if (!cacheFile.empty()) {
        DicomIndex cached;
        cached.root = index.root;
        cached.filesScanned = index.filesScanned;
        cached.problems = std::move(fileProblems);
        buildTree(std::move(cacheRecords), cached);
        try {
            AtomicFile::writeAll(cacheFile, detail::indexToJson(cached, nowSeconds()));
        } catch (const std::exception &failure) {
            index.problems.push_back(
                {cacheFile, std::string("cannot write the index cache: ") + failure.what(), 0, 0});
        }
    }
    if (progress)
        progress->progress(total, total, "Done");
    return index;
}

std::string DicomIndexer::toJson(const DicomIndex &index)
{
    return detail::indexToJson(index);
}

DicomIndex DicomIndexer::fromJson(const std::string &json)
{
    return detail::indexFromJson(json);
}

} // namespace medseg::core
