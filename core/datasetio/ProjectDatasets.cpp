#include "core/datasetio/ProjectDatasets.h"

#include "core/common/AtomicFile.h"
#include "core/dataset/NiftiIo.h"
#include "core/dataset/detail/PngIo.h"
#include "core/datasetio/NnUnetDataset.h"
#include "core/imageio/ImageFile.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/LabelFile.h"
#include "core/imageio/SeriesReader.h"
#include "core/labels/LabelDescriptions.h"
#include "core/workspace/Workspace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace medseg::core {
namespace {

// ITK-SNAP's label description file, written beside dataset.json.
constexpr const char *ItkSnapLabelFile = "labels.txt";

namespace fs = std::filesystem;
using nlohmann::json;

void step(ProgressSink *progress, std::size_t done, std::size_t total, const std::string &stage)
{
    if (progress && (progress->isCancelled() ||
                     !progress->progress(std::int64_t(done), std::int64_t(total), stage)))
        throw CancelledError();
}

// A folder that is written under a temporary name beside its final place and renamed at the
// end; destroyed unfinished, it removes what it wrote.
class StagedFolder
{
public:
    // The staging folder is the target's name with `infix` before its extension
    // (liver.medseg -> liver.importing.medseg), so that it is of the same kind.
    StagedFolder(fs::path target, const std::string &infix)
        : m_target(std::move(target))
        , m_staging(m_target.parent_path() /
                    (m_target.stem().string() + infix + m_target.extension().string()))
    {
        std::error_code error;
        if (fs::exists(m_target, error) && !fs::is_empty(m_target, error))
            throw std::runtime_error(m_target.string() + ": already exists and is not empty");
        fs::remove_all(m_staging, error); // left by an import or export that was killed
    }
    ~StagedFolder()
    {
        if (!m_done) {
            std::error_code error;
            fs::remove_all(m_staging, error);
        }
    }
    StagedFolder(const StagedFolder &) = delete;
    StagedFolder &operator=(const StagedFolder &) = delete;

    const fs::path &path() const { return m_staging; }
    void commit()
    {
        std::error_code error;
        if (fs::exists(m_target, error))
            fs::remove(m_target, error); // empty (checked above)
        fs::rename(m_staging, m_target, error);
        if (error)
            throw std::runtime_error(m_target.string() + ": cannot be written (" + error.message() +
                                     ")");
        m_done = true;
    }

private:
    fs::path m_target;
    fs::path m_staging;
    bool m_done = false;
};

std::array<std::uint8_t, 3> defaultColour(int value)
{
    if (const LabelDescription *known = LabelDescriptions::defaults().find(value))
        return known->colour;
    return detail::vocPalette()[std::size_t(value % 256)];
}

// The dataset's label names as the project's table; colours from a previous export (its
// "medseg" block, else an ITK-SNAP label description file beside dataset.json).
LabelDescriptions labelTableOf(const NnUnetDataset &dataset, const json &colours)
{
    LabelDescriptions described;
    const fs::path itkSnap = fs::path(dataset.root) / ItkSnapLabelFile;
    if (std::error_code error; fs::is_regular_file(itkSnap, error))
        described = LabelDescriptions::loadItkSnap(itkSnap.string());
    std::vector<LabelDescription> rows;
    LabelDescription clear = *LabelDescriptions::defaults().find(0);
    rows.push_back(clear);
    for (const DatasetLabel &label : dataset.labels) {
        if (label.value == 0)
            continue;
        LabelDescription row;
        row.index = label.value;
        row.name = label.name;
        row.colour = defaultColour(label.value);
        if (const LabelDescription *same = described.find(label.value);
            same && same->name == label.name)
            row.colour = same->colour;
        const std::string key = std::to_string(label.value);
        if (colours.contains(key) && colours[key].is_array() && colours[key].size() == 3)
            for (std::size_t c = 0; c < 3; ++c)
                row.colour[c] = std::uint8_t(std::clamp(colours[key][c].get<int>(), 0, 255));
        rows.push_back(row);
    }
    return LabelDescriptions(std::move(rows));
}

json readDatasetJson(const std::string &root)
{
    std::ifstream in(fs::path(root) / "dataset.json", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str(), nullptr, false);
}

// Checks a case's labels against its image and the label table, and saves them as the label
// volume of the image's series (the first channel's, or volume 0 of a 4D file).
void importCase(Workspace &workspace, const DatasetCase &item, const std::set<int> &allowed)
{
    const std::string &image = item.channelFiles.front();
    const std::vector<DicomSeries> series = imageFileSeries(image);
    const ImageHeader header = readImageHeader(image);
    const NiftiIo::LabelVolume labels = readLabelFile(item.labelFile);
    NiftiIo::checkGeometryMatches(item.labelFile, labels, header.width, header.height, header.depth,
                                  header.geometry, 1e-3);
    for (const std::uint16_t value : labels.labels)
        if (!allowed.count(value))
            throw std::runtime_error(item.labelFile + ": holds label " + std::to_string(value) +
                                     ", which dataset.json does not name");
    const std::string uid = series.front().seriesInstanceUid;
    workspace.saveLabels(uid, labels.labels.data(), labels.width, labels.height, labels.depth,
                         header.geometry);
    json channels = json::array();
    if (item.channelsAreVolumes)
        for (const DicomSeries &volume : series)
            channels.push_back(volume.seriesInstanceUid);
    else
        for (const std::string &file : item.channelFiles)
            channels.push_back(imageFileSeries(file).front().seriesInstanceUid);
    WorkspaceSeries &entry = workspace.seriesEntry(uid);
    entry.state["case"] = item.name;
    entry.state["channelSeries"] = channels;
}

std::vector<std::string> sourceFoldersOf(const NnUnetDataset &dataset)
{
    std::set<std::string> folders;
    for (const auto *cases : {&dataset.training, &dataset.test})
        for (const DatasetCase &item : *cases)
            for (const std::string &file : item.channelFiles)
                folders.insert(fs::path(file).parent_path().string());
    return {folders.begin(), folders.end()};
}

} // namespace

DatasetImportReport importDataset(const std::string &datasetFolder,
                                  const std::string &projectFolder, ProgressSink *progress)
{
    const NnUnetDataset dataset = readNnUnetDataset(datasetFolder);
    fs::path target = fs::absolute(projectFolder).lexically_normal();
    if (target.extension() != Workspace::extension)
        target += Workspace::extension;
    StagedFolder staged(target, ".importing");
    std::set<int> allowed;
    for (const DatasetLabel &label : dataset.labels)
        allowed.insert(label.value);
    allowed.insert(0);
    const json meta = readDatasetJson(dataset.root);
    const json colours =
        meta.is_object()
            ? meta.value("medseg", json::object()).value("label_colors", json::object())
            : json::object();
    {
        Workspace workspace = Workspace::create(staged.path().string());
        workspace.setSources(sourceFoldersOf(dataset));
        workspace.setLabelTable(json::parse(labelTableOf(dataset, colours).toJson()).at("labels"));
        for (std::size_t n = 0; n < dataset.training.size(); ++n) {
            step(progress, n, dataset.training.size(), dataset.training[n].name);
            importCase(workspace, dataset.training[n], allowed);
        }
        workspace.settings()["dataset"] = {{"format", dataset.format},
                                           {"name", dataset.name},
                                           {"channelNames", dataset.channelNames},
                                           {"importedFrom", dataset.root}};
        workspace.save();
    } // releases the lock before the folder moves
    staged.commit();
    DatasetImportReport report;
    report.project = target.string();
    report.format = dataset.format;
    report.trainingCases = int(dataset.training.size());
    report.testCases = int(dataset.test.size());
    for (const DatasetLabel &label : dataset.labels)
        report.labels.push_back(label.name);
    return report;
}

// ---------------------------------------------------------------------------------------------

namespace {

struct ExportCase
{
    std::string name;
    std::vector<DicomSeries> channels; // the series of each channel
    std::string labelUid;              // the series the labels belong to
};

std::map<std::string, DicomSeries> seriesOfSources(const Workspace &workspace,
                                                   ProgressSink *progress)
{
    std::map<std::string, DicomSeries> byUid;
    for (const std::string &source : workspace.sources()) {
        if (!fs::exists(source))
            throw std::runtime_error(source + ": a source of the project is missing (moved or "
                                              "deleted); its labeled images cannot be exported");
        const DicomIndex index = indexImages(source, {}, progress);
        for (const DicomPatient &patient : index.patients)
            for (const DicomStudy &study : patient.studies)
                for (const DicomSeries &series : study.series)
                    byUid.emplace(series.seriesInstanceUid, series);
    }
    return byUid;
}

// Channel c of a case: a copy of its NIfTI file when it is one whole .nii.gz, else the volume
// written with its geometry (each image is decoded once, here).
struct WrittenChannel
{
    bool copied = false; // so that the labels copy its header
    int width = 0, height = 0, depth = 0;
    ImageGeometry geometry;
};

WrittenChannel writeChannel(const DicomSeries &series, const fs::path &file)
{
    const std::string &source = series.instances.front().path;
    const bool copy = series.isImageFile() && series.volumeCount == 1 &&
                      imageFileFormatOf(source) == ImageFileFormat::Nifti && source.size() > 7 &&
                      source.compare(source.size() - 7, 7, ".nii.gz") == 0;
    if (copy) {
        AtomicFile::write(file.string(), [&](const std::string &temp) {
            fs::copy_file(source, temp, fs::copy_options::overwrite_existing);
        });
        const ImageHeader header = readImageHeader(source);
        return {true, header.width, header.height, header.depth, header.geometry};
    }
    const std::shared_ptr<Volume> volume = SeriesReader::load(series);
    if (volume->components() != 1)
        throw std::runtime_error(source + ": a colour series; nnU-Net datasets hold grey images");
    NiftiIo::writeImage(file.string(), *volume);
    return {false, volume->width(), volume->height(), volume->depth(), volume->geometry()};
}

// A dataset label's name: background, the project's name for it, else "label N".
std::string exportedLabelName(const LabelDescriptions &table, int from, int to)
{
    const LabelDescription *row = table.find(from);
    return to == 0                     ? "background"
           : row && !row->name.empty() ? row->name
                                       : "label " + std::to_string(from);
}

std::string channelNameOf(const json &settings, std::size_t channel, const DicomSeries &series)
{
    const json names =
        settings.value("dataset", json::object()).value("channelNames", json::array());
    if (channel < names.size())
        return names[channel].get<std::string>();
    // nnU-Net normalises "CT" by the dataset's HU statistics, anything else by z-score.
    return series.modality == "CT" ? "CT" : series.modality.empty() ? "MR" : series.modality;
}

// The labeled series of a project as cases, with their channels.
std::vector<ExportCase> exportCases(const Workspace &workspace,
                                    const std::map<std::string, DicomSeries> &series,
                                    const std::string &projectFolder)
{
    std::vector<ExportCase> cases;
    std::set<std::string> names;
    for (const WorkspaceSeries &entry : workspace.series()) {
        if (!fs::exists(workspace.labelPath(entry.uid)))
            continue;
        const auto found = series.find(entry.uid);
        if (found == series.end())
            throw std::runtime_error(workspace.labelPath(entry.uid) +
                                     ": its series is in none of the project's sources");
        ExportCase item;
        item.labelUid = entry.uid;
        item.name = entry.state.value("case", std::string());
        if (item.name.empty() || names.count(item.name)) {
            char name[32];
            std::snprintf(name, sizeof name, "case_%03zu", cases.size() + 1);
            item.name = name;
        }
        names.insert(item.name);
        const json channels = entry.state.value("channelSeries", json::array({entry.uid}));
        for (const json &uid : channels) {
            const auto channel = series.find(uid.get<std::string>());
            if (channel == series.end())
                throw std::runtime_error("case " + item.name + ": channel series " +
                                         uid.get<std::string>() + " is in none of the sources");
            item.channels.push_back(channel->second);
        }
        cases.push_back(std::move(item));
    }
    if (cases.empty())
        throw std::runtime_error(projectFolder + ": no labeled volume to export (save the "
                                                 "project after labeling)");
    const std::size_t channelCount = cases.front().channels.size();
    for (const ExportCase &item : cases)
        if (item.channels.size() != channelCount)
            throw std::runtime_error(
                "case " + item.name + " has " + std::to_string(item.channels.size()) +
                " channels where the others have " + std::to_string(channelCount));
    return cases;
}

// Project label -> dataset label, 0..N without gaps (nnU-Net and the Decathlon need them).
std::map<int, int> renumbering(const std::vector<NiftiIo::LabelVolume> &labels,
                               DatasetExportReport &report)
{
    std::set<int> used{0};
    for (const NiftiIo::LabelVolume &volume : labels)
        for (const std::uint16_t value : volume.labels)
            used.insert(value);
    std::map<int, int> renumber;
    for (const int value : used)
        renumber.emplace(value, int(renumber.size()));
    for (const auto &[from, to] : renumber)
        if (from != to)
            report.notes.push_back("label " + std::to_string(from) + " is " + std::to_string(to) +
                                   " in the dataset (nnU-Net needs labels 0..N without gaps)");
    return renumber;
}

// The case's image: one file per channel (nnU-Net: CASE_0000.nii.gz, ...), or one 4D file of
// all channels (the Decathlon: CASE.nii.gz). Returns channel 0's grid.
WrittenChannel writeCaseImages(const ExportCase &item, const fs::path &images, bool decathlon)
{
    if (!decathlon || item.channels.size() == 1) {
        WrittenChannel first;
        for (std::size_t c = 0; c < item.channels.size(); ++c) {
            char suffix[40];
            std::snprintf(suffix, sizeof suffix, decathlon ? ".nii.gz" : "_%04zu.nii.gz", c);
            const WrittenChannel written =
                writeChannel(item.channels[c], images / (item.name + suffix));
            if (c == 0)
                first = written;
        }
        return first;
    }
    std::vector<std::shared_ptr<Volume>> volumes;
    std::vector<const Volume *> channels;
    for (const DicomSeries &series : item.channels) {
        volumes.push_back(SeriesReader::load(series));
        channels.push_back(volumes.back().get());
    }
    NiftiIo::writeImage((images / (item.name + ".nii.gz")).string(), channels);
    const Volume &first = *volumes.front();
    return {false, first.width(), first.height(), first.depth(), first.geometry()};
}

// dataset.json: nnU-Net v2's (channel_names, labels by name, file_ending) or the Decathlon's
// (modality, labels by value, training list), both with the label colours in a "medseg" block.
json datasetJson(const std::vector<ExportCase> &cases, const std::map<int, int> &renumber,
                 const LabelDescriptions &table, const Workspace &workspace,
                 const std::string &name, bool decathlon)
{
    json channelNames = json::object(), labelValues = json::object(), colours = json::object();
    for (std::size_t c = 0; c < cases.front().channels.size(); ++c)
        channelNames[std::to_string(c)] =
            channelNameOf(workspace.settings(), c, cases.front().channels[c]);
    for (const auto &[from, to] : renumber) {
        const std::string label = exportedLabelName(table, from, to);
        if (decathlon)
            labelValues[std::to_string(to)] = label;
        else
            labelValues[label] = to;
        if (const LabelDescription *row = table.find(from); row && to != 0)
            colours[std::to_string(to)] = {row->colour[0], row->colour[1], row->colour[2]};
    }
    json meta = {{"labels", labelValues},
                 {"numTraining", cases.size()},
                 {"name", name},
                 {"description", "Exported by MedSeg Studio from " + workspace.name()},
                 {"medseg", {{"label_colors", colours}}}};
    if (!decathlon) {
        meta["channel_names"] = channelNames;
        meta["file_ending"] = ".nii.gz";
        return meta;
    }
    meta["modality"] = channelNames;
    meta["tensorImageSize"] = cases.front().channels.size() > 1 ? "4D" : "3D";
    meta["numTest"] = 0;
    meta["test"] = json::array();
    json training = json::array();
    for (const ExportCase &item : cases)
        training.push_back({{"image", "./imagesTr/" + item.name + ".nii.gz"},
                            {"label", "./labelsTr/" + item.name + ".nii.gz"}});
    meta["training"] = training;
    return meta;
}

// The label description file for viewers (ITK-SNAP, 3D Slicer), renumbered.
void writeItkSnapLabels(const std::map<int, int> &renumber, const LabelDescriptions &table,
                        const fs::path &file)
{
    std::vector<LabelDescription> rows{*LabelDescriptions::defaults().find(0)};
    for (const auto &[from, to] : renumber) {
        if (to == 0)
            continue;
        const LabelDescription *row = table.find(from);
        LabelDescription described = row ? *row : LabelDescription{};
        described.index = to;
        described.name = exportedLabelName(table, from, to);
        if (!row)
            described.colour = defaultColour(to);
        rows.push_back(described);
    }
    LabelDescriptions(std::move(rows)).saveItkSnap(file.string());
}

DatasetExportReport exportDataset(const std::string &projectFolder, const fs::path &target,
                                  bool decathlon, ProgressSink *progress)
{
    Workspace workspace = Workspace::open(projectFolder);
    const std::map<std::string, DicomSeries> series = seriesOfSources(workspace, progress);
    const LabelDescriptions table = LabelDescriptions::fromJson(
        json{{"labels", workspace.labelTable()}}.dump(), workspace.projectFile());
    DatasetExportReport report;
    const std::vector<ExportCase> cases = exportCases(workspace, series, projectFolder);

    // Read every label volume once (the project's files, not the images): the values used
    // decide the numbering. Each is checked against its image's grid when that is written.
    std::vector<NiftiIo::LabelVolume> labels;
    for (std::size_t n = 0; n < cases.size(); ++n) {
        step(progress, n, cases.size() * 2, "reading labels");
        labels.push_back(NiftiIo::readLabelVolume(workspace.labelPath(cases[n].labelUid)));
    }
    const std::map<int, int> renumber = renumbering(labels, report);

    StagedFolder staged(target, ".partial");
    fs::create_directories(staged.path() / "imagesTr");
    fs::create_directories(staged.path() / "labelsTr");
    for (std::size_t n = 0; n < cases.size(); ++n) {
        const ExportCase &item = cases[n];
        step(progress, cases.size() + n, cases.size() * 2, item.name);
        const WrittenChannel first = writeCaseImages(item, staged.path() / "imagesTr", decathlon);
        NiftiIo::checkGeometryMatches(workspace.labelPath(item.labelUid), labels[n], first.width,
                                      first.height, first.depth, first.geometry);
        NiftiIo::LabelVolume volume = labels[n];
        for (std::uint16_t &value : volume.labels)
            value = std::uint16_t(renumber.at(value));
        const std::string labelFile =
            (staged.path() / "labelsTr" / (item.name + ".nii.gz")).string();
        if (first.copied)
            NiftiIo::writeLabelVolumeLike(labelFile, volume,
                                          item.channels.front().instances.front().path);
        else
            NiftiIo::writeLabelVolume(labelFile, volume);
    }
    const json meta =
        datasetJson(cases, renumber, table, workspace, target.filename().string(), decathlon);
    AtomicFile::writeAll((staged.path() / "dataset.json").string(), meta.dump(4) + "\n");
    writeItkSnapLabels(renumber, table, staged.path() / ItkSnapLabelFile);
    staged.commit();
    report.folder = target.string();
    report.cases = int(cases.size());
    return report;
}

} // namespace

DatasetExportReport exportNnUnetDataset(const std::string &projectFolder,
                                        const std::string &datasetFolder, ProgressSink *progress)
{
    const fs::path target = fs::absolute(datasetFolder).lexically_normal();
    if (!isNnUnetDatasetName(target.filename().string()))
        throw std::runtime_error(target.string() +
                                 ": nnU-Net needs a folder named DatasetNNN_Name (three digits "
                                 "and a name), e.g. Dataset501_Liver");
    return exportDataset(projectFolder, target, false, progress);
}

DatasetExportReport exportDecathlonDataset(const std::string &projectFolder,
                                           const std::string &datasetFolder, ProgressSink *progress)
{
    const fs::path target = fs::absolute(datasetFolder).lexically_normal();
    static const std::regex pattern(R"(^Task\d{2,3}_[A-Za-z0-9_\-]+$)");
    if (!std::regex_match(target.filename().string(), pattern))
        throw std::runtime_error(target.string() +
                                 ": the Decathlon names its folders TaskNN_Name, e.g. "
                                 "Task03_Liver");
    return exportDataset(projectFolder, target, true, progress);
}

} // namespace medseg::core
