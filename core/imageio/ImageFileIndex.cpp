#include "core/imageio/ImageFileIndex.h"

#include "core/imageio/ImageFile.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <stdexcept>

namespace medseg::core {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

// The file name without its image extension (".nii.gz" counts as one).
std::string stemOf(const fs::path &path)
{
    std::string name = path.filename().string();
    for (const char *extension : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd"}) {
        const std::string ext = extension;
        if (lower(name).size() > ext.size() &&
            lower(name).compare(name.size() - ext.size(), ext.size(), ext) == 0)
            return name.substr(0, name.size() - ext.size());
    }
    return name;
}

bool isLabelFolder(const fs::path &folder)
{
    const std::string name = lower(folder.filename().string());
    return name == "labels" || name == "labelstr" || name == "labelsts" || name == "masks";
}

// Names datasets give their label maps: KiTS' segmentation.nii.gz, BraTS' *_seg.nii.gz, ...
bool hasLabelName(const fs::path &path)
{
    static const std::regex pattern(R"((^|[_\-.])(seg|segmentation|label|labels|labelmap|mask)$)",
                                    std::regex::icase);
    return std::regex_search(stemOf(path), pattern);
}

bool isImagesFolder(const fs::path &folder)
{
    const std::string name = lower(folder.filename().string());
    return name == "imagestr" || name == "imagests";
}

// nnU-Net's case name: CASE of CASE_0000 (the channel suffix) in imagesTr/ and imagesTs/.
std::string caseOf(const fs::path &path)
{
    const std::string stem = stemOf(path);
    static const std::regex channel(R"(^(.+)_\d{4}$)");
    std::smatch match;
    if (isImagesFolder(path.parent_path()) && std::regex_match(stem, match, channel))
        return match[1].str();
    return stem;
}

std::string uidOf(const fs::path &path, const ImageHeader &header, int volumeIndex)
{
    std::error_code error;
    const auto size = fs::file_size(path, error);
    char grid[512];
    const ImageGeometry &g = header.geometry;
    std::snprintf(grid, sizeof grid, "|%ju|%dx%dx%dx%d|%.3f,%.3f,%.3f|%.3f,%.3f,%.3f|%d",
                  std::uintmax_t(error ? 0 : size), header.width, header.height, header.depth,
                  header.volumes, g.origin[0], g.origin[1], g.origin[2], g.spacing[0], g.spacing[1],
                  g.spacing[2], volumeIndex);
    return derivedUid(path.filename().string() + grid);
}

std::int64_t modifiedTimeOf(const std::string &path)
{
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 ? std::int64_t(info.st_mtime) : 0;
}

std::vector<DicomSeries> seriesOf(const fs::path &path, const ImageHeader &header)
{
    std::vector<DicomSeries> list;
    for (int volume = 0; volume < header.volumes; ++volume) {
        DicomSeries series;
        series.seriesInstanceUid = uidOf(path, header, volume);
        series.modality = header.modality;
        series.description = path.filename().string();
        series.seriesNumber = volume + 1;
        series.imageFormat = header.format;
        series.volumeIndex = volume;
        series.volumeCount = header.volumes;
        DicomInstance instance;
        instance.path = path.string();
        instance.sopInstanceUid = series.seriesInstanceUid;
        instance.instanceNumber = volume + 1;
        instance.frames = header.depth;
        instance.rows = header.height;
        instance.columns = header.width;
        instance.hasPixelData = true;
        instance.photometricInterpretation = header.components == 3 ? "RGB" : "MONOCHROME2";
        instance.pixelSpacing =
            std::array<double, 2>{header.geometry.spacing[1], header.geometry.spacing[0]};
        instance.imagePosition = header.geometry.origin;
        const ImageGeometry &g = header.geometry;
        instance.imageOrientation =
            std::array<double, 6>{g.rowDirection[0],    g.rowDirection[1],    g.rowDirection[2],
                                  g.columnDirection[0], g.columnDirection[1], g.columnDirection[2]};
        std::error_code error;
        instance.fileSize = std::int64_t(fs::file_size(path, error));
        instance.modifiedTime = modifiedTimeOf(instance.path);
        series.instances.push_back(std::move(instance));
        list.push_back(std::move(series));
    }
    return list;
}

std::vector<fs::path> imageFilesAt(const fs::path &root, ProgressSink *progress)
{
    std::vector<fs::path> files;
    std::error_code error;
    if (!fs::is_directory(root, error)) {
        if (isImageFileName(root.string()))
            files.push_back(root);
        return files;
    }
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
    std::size_t visited = 0;
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (progress && ++visited % 1024 == 0 && progress->isCancelled())
            throw CancelledError();
        const fs::path &path = it->path();
        const std::string name = path.filename().string();
        const bool hidden = !name.empty() && name[0] == '.';
        if (it->is_directory(error)) {
            const std::string folder = lower(name);
            const bool project = folder.size() > 7 && folder.rfind(".medseg") == folder.size() - 7;
            if (hidden || project || isLabelFolder(path))
                it.disable_recursion_pending();
            continue;
        }
        if (!hidden && isImageFileName(name) && !hasLabelName(path) && it->is_regular_file(error))
            files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

std::vector<std::string> imageFilePaths(const std::string &path)
{
    std::vector<std::string> paths;
    for (const fs::path &file : imageFilesAt(fs::absolute(path).lexically_normal(), nullptr))
        paths.push_back(file.string());
    return paths;
}

DicomIndex indexImages(const std::string &path, const DicomIndexerOptions &options,
                       ProgressSink *progress)
{
    DicomIndex index;
    if (isImageFileName(path) && !fs::is_directory(path)) {
        if (!fs::exists(path))
            throw std::runtime_error(path + ": no such file");
        index.root = fs::absolute(path).lexically_normal().string();
    } else {
        index = DicomIndexer::index(path, options, progress);
    }
    addImageFiles(index, path, progress);
    return index;
}

std::vector<DicomSeries> imageFileSeries(const std::string &path)
{
    return seriesOf(fs::path(path), readImageHeader(path));
}

std::vector<DicomSeries> caseChannels(const DicomPatient &patient)
{
    std::vector<DicomSeries> channels;
    for (const DicomStudy &study : patient.studies)
        for (const DicomSeries &series : study.series)
            if (series.isImageFile() && !series.instances.empty())
                channels.push_back(series);
    std::sort(channels.begin(), channels.end(), [](const DicomSeries &a, const DicomSeries &b) {
        return std::make_pair(a.instances.front().path, a.volumeIndex) <
               std::make_pair(b.instances.front().path, b.volumeIndex);
    });
    return channels;
}

std::vector<DicomSeries> caseChannelsOfFile(const std::string &file)
{
    const DicomIndex index = indexImages(fs::path(file).parent_path().string());
    std::error_code error;
    for (const DicomPatient &patient : index.patients) {
        std::vector<DicomSeries> channels = caseChannels(patient);
        for (const DicomSeries &series : channels)
            if (fs::equivalent(series.instances.front().path, file, error))
                return channels;
    }
    return imageFileSeries(file);
}

void addImageFiles(DicomIndex &index, const std::string &path, ProgressSink *progress)
{
    const std::vector<fs::path> files =
        imageFilesAt(fs::absolute(path).lexically_normal(), progress);
    std::map<std::string, std::size_t> patientOfCase;
    for (std::size_t n = 0; n < files.size(); ++n) {
        if (progress &&
            (progress->isCancelled() ||
             !progress->progress(std::int64_t(n), std::int64_t(files.size()), "image files")))
            throw CancelledError();
        ImageHeader header;
        try {
            header = readImageHeader(files[n].string());
        } catch (const std::exception &error) {
            const std::string prefix = files[n].string() + ": ";
            std::string reason = error.what();
            if (reason.rfind(prefix, 0) == 0)
                reason = reason.substr(prefix.size());
            index.problems.push_back({files[n].string(), reason, 0, 0});
            continue;
        }
        ++index.filesScanned;
        if (header.isLabelMap)
            continue;
        const std::string caseName = caseOf(files[n]);
        auto found = patientOfCase.find(caseName);
        if (found == patientOfCase.end()) {
            DicomPatient patient;
            patient.patientId = caseName;
            patient.name = caseName;
            DicomStudy study;
            study.studyInstanceUid = derivedUid("study|" + caseName);
            study.description = files[n].parent_path().filename().string();
            patient.studies.push_back(std::move(study));
            found = patientOfCase.emplace(caseName, index.patients.size()).first;
            index.patients.push_back(std::move(patient));
        }
        DicomStudy &study = index.patients[found->second].studies.front();
        for (DicomSeries &series : seriesOf(files[n], header)) {
            series.seriesNumber = int(study.series.size()) + 1;
            study.series.push_back(std::move(series));
        }
    }
}

} // namespace medseg::core
