#include "core/train/ProjectPrediction.h"

#include "core/dataset/NiftiIo.h"
#include "core/dicom/WindowLevel.h"
#include "core/imageio/ImageFile.h"
#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"
#include "core/workspace/Workspace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace medseg::core {
namespace fs = std::filesystem;
namespace {

struct ProjectCase
{
    std::string name;
    std::vector<DicomSeries> channels; // channel 0 first
};

// A name that is safe as a file name: letters, digits, '-', '_' and '.'.
std::string fileSafe(const std::string &text)
{
    std::string name;
    for (const char c : text)
        name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'
                    ? c
                    : '_';
    return name.empty() ? std::string("case") : name;
}

// The cases of a project's sources, as `medseg predict` reads a folder: a patient of image
// files is one case (its files by name, the volumes of a 4D file: its channels), a DICOM series
// is one case.
std::vector<ProjectCase> projectCases(const Workspace &workspace, ProgressSink *progress)
{
    std::vector<ProjectCase> cases;
    std::set<std::string> names;
    const auto add = [&](std::string name, std::vector<DicomSeries> channels) {
        name = fileSafe(name);
        std::string unique = name;
        for (int n = 2; names.count(unique); ++n)
            unique = name + "_" + std::to_string(n);
        names.insert(unique);
        cases.push_back({unique, std::move(channels)});
    };
    for (const std::string &source : workspace.sources()) {
        const DicomIndex index = indexImages(source, {}, progress);
        for (const DicomPatient &patient : index.patients) {
            for (const DicomStudy &study : patient.studies)
                for (const DicomSeries &series : study.series)
                    if (!series.isImageFile() && !series.instances.empty())
                        add(patient.patientId + "_" + std::to_string(series.seriesNumber) + "_" +
                                series.description,
                            {series});
            std::vector<DicomSeries> images = caseChannels(patient);
            if (!images.empty())
                add(patient.patientId, std::move(images));
        }
    }
    return cases;
}

// The case's volumes: the model's image channels, on channel 0's grid.
std::vector<std::shared_ptr<const Volume>> readCase(const ProjectCase &item, int channels,
                                                    SeriesLayout *layout)
{
    if (int(item.channels.size()) < channels)
        throw std::runtime_error("case " + item.name + " has " +
                                 std::to_string(item.channels.size()) +
                                 " image channel(s); the model reads " + std::to_string(channels));
    std::vector<std::shared_ptr<const Volume>> volumes{
        SeriesReader::load(item.channels[0], layout)};
    std::vector<std::string> uids;
    for (int c = 0; c < channels; ++c)
        uids.push_back(item.channels[std::size_t(c)].seriesInstanceUid);
    const auto more = loadMoreChannels(
        uids, *volumes.front(), item.name, [&](const std::string &uid, std::string *file) {
            for (const DicomSeries &series : item.channels)
                if (series.seriesInstanceUid == uid) {
                    *file = series.instances.front().path;
                    return std::shared_ptr<const Volume>(SeriesReader::load(series, nullptr));
                }
            return std::shared_ptr<const Volume>();
        });
    volumes.insert(volumes.end(), more.begin(), more.end());
    return volumes;
}

NiftiIo::LabelVolume labelVolumeOf(const Volume &volume, const std::vector<std::uint8_t> &labels)
{
    NiftiIo::LabelVolume result;
    result.width = volume.width();
    result.height = volume.height();
    result.depth = volume.depth();
    result.geometry = volume.geometry();
    result.labels.assign(labels.begin(), labels.end());
    return result;
}

// A progress sink for one case of many: its slices as a share of the case's step.
class CaseProgress : public ProgressSink
{
public:
    CaseProgress(ProgressSink *outer, std::size_t index, std::size_t count, std::string name)
        : m_outer(outer)
        , m_index(index)
        , m_count(count)
        , m_name(std::move(name))
    {}
    bool progress(std::int64_t done, std::int64_t total, const std::string &) override
    {
        if (!m_outer)
            return true;
        const std::int64_t scale = 1000;
        const std::int64_t part = total > 0 ? done * scale / total : 0;
        return m_outer->progress(std::int64_t(m_index) * scale + part,
                                 std::int64_t(m_count) * scale, m_name);
    }
    bool isCancelled() const override { return m_outer && m_outer->isCancelled(); }

private:
    ProgressSink *m_outer;
    std::size_t m_index;
    std::size_t m_count;
    std::string m_name;
};

// The run's validation cases, from its config.json ("split").
std::set<std::string> validationCasesOf(const std::string &runFolder)
{
    const fs::path config = fs::path(runFolder) / "config.json";
    std::ifstream file(config);
    if (!file)
        throw std::runtime_error(config.string() + ": cannot read the run's config");
    try {
        const nlohmann::json root = nlohmann::json::parse(file);
        const auto split = root.find("split");
        if (split == root.end())
            throw std::runtime_error(
                "the run records no split of cases (it was trained on a VOC dataset or by an "
                "older version): nothing to evaluate on");
        const auto cases = split->at("validation").get<std::vector<std::string>>();
        if (cases.empty())
            throw std::runtime_error("the run validated on every fifth labeled slice of its one "
                                     "patient: there is no validation case to evaluate on");
        return {cases.begin(), cases.end()};
    } catch (const nlohmann::json::exception &error) {
        throw std::runtime_error(config.string() + ": " + error.what());
    }
}

} // namespace

std::vector<std::uint8_t>
predictCaseLabels(Predictor &predictor, const std::vector<std::shared_ptr<const Volume>> &channels,
                  const SeriesLayout &layout, ProgressSink *progress)
{
    const Volume &volume = *channels.front();
    if (volume.components() != 1)
        throw std::runtime_error("a colour series: only grey images are segmented");
    const int w = volume.width(), h = volume.height(), d = volume.depth();
    if (predictor.bundle().preprocessing.readsRawValues()) {
        std::vector<const float *> raw;
        for (const auto &channel : channels)
            raw.push_back(channel->data());
        return predictor.predictCase(raw, w, h, d, layout.invertForDisplay, 0, d, progress);
    }
    const Window window = defaultWindow(layout, volume);
    const auto [lo, hi] = volume.range();
    const WindowLut lut(window, int(std::floor(lo)), int(std::ceil(hi)), layout.invertForDisplay);
    std::vector<std::uint8_t> grey(volume.voxelCount());
    lut.apply(volume.data(), grey.size(), grey.data());
    return predictor.predictGreyVolume(grey.data(), w, h, d, progress);
}

ProjectPredictionResult predictProject(const std::string &projectFolder,
                                       const std::string &modelPath, const std::string &outFolder,
                                       ProgressSink *progress)
{
    const Workspace workspace = Workspace::open(projectFolder);
    Predictor predictor = Predictor::load(modelPath);
    const std::vector<ProjectCase> cases = projectCases(workspace, nullptr);
    std::error_code error;
    fs::create_directories(outFolder, error);
    if (error)
        throw std::runtime_error(outFolder + ": cannot create the folder: " + error.message());
    ProjectPredictionResult result;
    const int channels = predictor.bundle().preprocessing.imageChannels();
    for (std::size_t n = 0; n < cases.size(); ++n) {
        const ProjectCase &item = cases[n];
        CaseProgress caseProgress(progress, n, cases.size(), item.name);
        if (progress && progress->isCancelled())
            throw CancelledError();
        const std::string file = (fs::path(outFolder) / (item.name + ".nii.gz")).string();
        try {
            SeriesLayout layout;
            const auto volumes = readCase(item, channels, &layout);
            const NiftiIo::LabelVolume labels = labelVolumeOf(
                *volumes.front(), predictCaseLabels(predictor, volumes, layout, &caseProgress));
            const std::string &source = item.channels.front().instances.front().path;
            if (item.channels.front().isImageFile() &&
                imageFileFormatOf(source) == ImageFileFormat::Nifti)
                NiftiIo::writeLabelVolumeLike(file, labels, source);
            else
                NiftiIo::writeLabelVolume(file, labels);
            result.files.push_back(file);
        } catch (const CancelledError &) {
            throw;
        } catch (const std::exception &e) {
            result.skipped.push_back(item.name + ": " + e.what());
        }
    }
    if (progress)
        progress->progress(std::int64_t(cases.size()), std::int64_t(cases.size()), "done");
    return result;
}

EvaluationSummary evaluateRunOnProject(const std::string &projectFolder,
                                       const std::string &runFolder, const std::string &modelPath,
                                       ProgressSink *progress)
{
    const std::set<std::string> validation = validationCasesOf(runFolder);
    Predictor predictor = Predictor::load(modelPath);
    std::vector<LabeledVolume> volumes = loadProjectVolumes(projectFolder, nullptr, nullptr);
    volumes.erase(
        std::remove_if(volumes.begin(), volumes.end(),
                       [&](const LabeledVolume &v) { return !validation.count(v.caseName); }),
        volumes.end());
    if (volumes.empty())
        throw std::runtime_error("none of the run's validation cases is labeled in this project");
    EvaluationSummary summary;
    std::set<int> labels;
    for (const ModelClass &c : predictor.bundle().classes)
        if (c.index > 0)
            labels.insert(c.index);
    summary.labels.assign(labels.begin(), labels.end());
    for (std::size_t n = 0; n < volumes.size(); ++n) {
        const LabeledVolume &v = volumes[n];
        CaseProgress caseProgress(progress, n, volumes.size(), v.caseName);
        std::vector<std::shared_ptr<const Volume>> channels{v.volume};
        channels.insert(channels.end(), v.moreChannels.begin(), v.moreChannels.end());
        channels.resize(std::min<std::size_t>(
            channels.size(), std::size_t(predictor.bundle().preprocessing.imageChannels())));
        const NiftiIo::LabelVolume predicted = labelVolumeOf(
            *v.volume, predictCaseLabels(predictor, channels, v.layout, &caseProgress));
        NiftiIo::LabelVolume reference = predicted;
        reference.labels = v.labels;
        CaseEvaluation item;
        item.name = v.caseName;
        item.classes = evaluateLabels(predicted, reference, summary.labels);
        summary.cases.push_back(std::move(item));
    }
    return summary;
}

} // namespace medseg::core
