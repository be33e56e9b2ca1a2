#include "core/train/VolumeTrainingData.h"

#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"
#include "core/workspace/Workspace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

namespace medseg::core {
namespace {

struct Slice
{
    std::size_t volume = 0;
    int k = 0;
};

bool sliceHasLabels(const LabeledVolume &v, int k)
{
    const std::size_t size = std::size_t(v.volume->width()) * v.volume->height();
    const auto begin = v.labels.begin() + std::ptrdiff_t(size * std::size_t(k));
    return std::any_of(begin, begin + std::ptrdiff_t(size), [](std::uint16_t l) { return l; });
}

// The modality most volumes have (CT or not): the others are left out, as one model reads one
// kind of intensities.
bool isCtProject(const std::vector<LabeledVolume> &volumes)
{
    std::size_t ct = 0;
    for (const LabeledVolume &v : volumes)
        ct += v.layout.modality == "CT";
    return ct * 2 > volumes.size();
}

// Patients in a seeded order (Fisher-Yates over mt19937_64, the same on every platform); the
// first share validates.
std::set<std::string> validationPatients(const std::vector<std::string> &patients, double fraction,
                                         std::uint64_t seed)
{
    std::vector<std::string> order = patients;
    std::mt19937_64 random(seed);
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[std::size_t(random() % i)]);
    std::size_t count = std::size_t(std::lround(fraction * double(order.size())));
    count = std::clamp<std::size_t>(count, 1, order.size() - 1);
    return {order.begin(), order.begin() + std::ptrdiff_t(count)};
}

TrainingSample sampleOf(const LabeledVolume &v, int k, const WindowLut &lut)
{
    const int w = v.volume->width(), h = v.volume->height();
    const std::size_t size = std::size_t(w) * h;
    TrainingSample sample;
    sample.image = torch::empty({1, h, w}, torch::kUInt8);
    lut.apply(v.volume->slice(k), size, sample.image.data_ptr<std::uint8_t>(),
              std::size_t(v.volume->components()));
    sample.mask = torch::empty({h, w}, torch::kUInt8);
    std::uint8_t *mask = sample.mask.data_ptr<std::uint8_t>();
    const std::uint16_t *labels = v.labels.data() + size * std::size_t(k);
    for (std::size_t i = 0; i < size; ++i) {
        if (labels[i] > 254)
            throw std::runtime_error(v.caseName + ": label " + std::to_string(labels[i]) +
                                     " is above 254: training takes at most 255 classes (255 "
                                     "marks ignored pixels)");
        mask[i] = std::uint8_t(labels[i]);
    }
    sample.name = v.caseName + "-slice-" + std::to_string(k + 1);
    return sample;
}

std::vector<int> classesIn(const TrainingSample &sample)
{
    const torch::Tensor counts =
        torch::bincount(sample.mask.reshape({-1}).to(torch::kLong), {}, 256);
    std::vector<int> present;
    const auto *values = counts.data_ptr<std::int64_t>();
    for (int c = 1; c < 255; ++c)
        if (values[c] > 0)
            present.push_back(c);
    return present;
}

// Repeats training slices of the classes that are rarer than their share of
// `foregroundFraction`, so that every class is seen often (nnU-Net's foreground oversampling).
void oversampleRareClasses(TrainingData &data, int classes, double foregroundFraction,
                           const LabelDescriptions &table, VolumeDataReport *report)
{
    if (classes < 2 || foregroundFraction <= 0.0 || data.train.empty())
        return;
    std::vector<std::vector<std::size_t>> withClass(static_cast<std::size_t>(classes));
    for (std::size_t n = 0; n < data.train.size(); ++n)
        for (const int c : classesIn(data.train[n]))
            if (c < classes)
                withClass[std::size_t(c)].push_back(n);
    const double target = foregroundFraction / double(classes - 1) * double(data.train.size());
    std::vector<TrainingSample> extra;
    for (int c = 1; c < classes; ++c) {
        const std::vector<std::size_t> &slices = withClass[std::size_t(c)];
        if (slices.empty() || double(slices.size()) >= target)
            continue;
        const int repeats = int(std::ceil(target / double(slices.size()))) - 1;
        for (int r = 0; r < repeats; ++r)
            for (const std::size_t n : slices)
                extra.push_back(data.train[n]);
        if (report) {
            const LabelDescription *row = table.find(c);
            report->notes.push_back("class '" + (row ? row->name : std::to_string(c)) + "' is in " +
                                    std::to_string(slices.size()) + " of " +
                                    std::to_string(data.train.size()) +
                                    " training slices: they are used " +
                                    std::to_string(repeats + 1) + " times per epoch");
        }
    }
    for (TrainingSample &sample : extra)
        data.train.push_back(std::move(sample));
}

} // namespace

std::vector<ModelClass> modelClassesOf(const LabelDescriptions &table, int largest)
{
    std::vector<ModelClass> classes;
    for (int c = 0; c <= std::max(1, largest); ++c) {
        ModelClass entry;
        entry.index = c;
        if (const LabelDescription *label = table.find(c)) {
            entry.name = label->name;
            entry.colour = label->colour;
        } else {
            entry.name = c == 0 ? "background" : "label " + std::to_string(c);
        }
        if (c == 0 && (entry.name.empty() || entry.name == "Clear Label"))
            entry.name = "background";
        classes.push_back(entry);
    }
    return classes;
}

TrainingData trainingDataFromVolumes(const std::vector<LabeledVolume> &all,
                                     const LabelDescriptions &table,
                                     const VolumeDataOptions &options, VolumeDataReport *report)
{
    VolumeDataReport local;
    VolumeDataReport &r = report ? *report : local;
    r = {};
    const bool ct = isCtProject(all);
    std::vector<const LabeledVolume *> volumes;
    for (const LabeledVolume &v : all) {
        if (v.volume->components() != 1)
            r.notes.push_back(v.caseName + ": a colour series, left out");
        else if ((v.layout.modality == "CT") != ct)
            r.notes.push_back(v.caseName + ": " + (ct ? "not CT" : "CT") +
                              " while most labeled volumes are " + (ct ? "CT" : "not CT") +
                              "; left out (one model reads one kind of intensities)");
        else
            volumes.push_back(&v);
    }
    std::vector<std::string> patients;
    for (const LabeledVolume *v : volumes)
        if (std::find(patients.begin(), patients.end(), v->patient) == patients.end())
            patients.push_back(v->patient);
    std::sort(patients.begin(), patients.end());
    const bool byPatient = patients.size() >= 2;
    const std::set<std::string> validation =
        byPatient ? validationPatients(patients, options.validationFraction, options.seed)
                  : std::set<std::string>{};
    if (!byPatient && !volumes.empty())
        r.notes.push_back("one patient only: every fifth labeled slice validates, so "
                          "validation scores are optimistic");

    TrainingData data;
    const Window ctWindow = options.ctWindow ? *options.ctWindow : findPreset("abdomen");
    int largest = 0;
    for (const LabeledVolume *v : volumes) {
        const Window window = ct ? ctWindow : defaultWindow(v->layout, *v->volume);
        const auto [lo, hi] = v->volume->range();
        const WindowLut lut(window, int(std::floor(lo)), int(std::ceil(hi)),
                            v->layout.invertForDisplay);
        std::vector<int> labeled;
        for (int k = 0; k < v->volume->depth(); ++k)
            if (sliceHasLabels(*v, k))
                labeled.push_back(k);
        if (labeled.empty())
            continue;
        ++r.volumes;
        const bool validates = validation.count(v->patient) > 0;
        auto &cases = validates ? r.validationCases : r.trainCases;
        if (std::find(cases.begin(), cases.end(), v->caseName) == cases.end())
            cases.push_back(v->caseName);
        for (std::size_t n = 0; n < labeled.size(); ++n) {
            TrainingSample sample = sampleOf(*v, labeled[n], lut);
            for (const int c : classesIn(sample)) {
                largest = std::max(largest, c);
                if (int(r.slicesWithClass.size()) <= c)
                    r.slicesWithClass.resize(std::size_t(c) + 1, 0);
                ++r.slicesWithClass[std::size_t(c)];
            }
            ++r.labeledSlices;
            const bool toValidation = byPatient ? validates : isValidationSlice(n, labeled.size());
            (toValidation ? data.val : data.train).push_back(std::move(sample));
        }
    }
    if (r.labeledSlices == 0)
        throw std::runtime_error("no labeled slice in the project's volumes yet");
    if (data.val.empty())
        data.val.push_back(data.train.back());
    if (data.train.empty())
        data.train.push_back(data.val.front());

    data.classes = modelClassesOf(table, largest);
    oversampleRareClasses(data, data.classCount(), options.foregroundFraction, table, &r);
    if (ct) {
        data.preprocessing.hasWindow = true;
        data.preprocessing.windowCenter = ctWindow.center;
        data.preprocessing.windowWidth = ctWindow.width;
    }
    data.summary = std::to_string(r.labeledSlices) + " labeled slices of " +
                   std::to_string(r.volumes) + " volumes, " + std::to_string(r.trainCases.size()) +
                   " training and " + std::to_string(r.validationCases.size()) +
                   " validation cases, " + std::to_string(data.classes.size()) + " classes";
    return data;
}

std::vector<LabeledVolume> loadProjectVolumes(const std::string &projectFolder,
                                              LabelDescriptions *table, ProgressSink *progress)
{
    const Workspace workspace = Workspace::open(projectFolder);
    if (table)
        *table = LabelDescriptions::fromJson(
            nlohmann::json{{"labels", workspace.labelTable()}}.dump(), workspace.projectFile());
    std::map<std::string, std::pair<DicomSeries, std::string>> byUid; // series, patient
    for (const std::string &source : workspace.sources()) {
        const DicomIndex index = indexImages(source, {}, progress);
        for (const DicomPatient &patient : index.patients)
            for (const DicomStudy &study : patient.studies)
                for (const DicomSeries &series : study.series)
                    byUid.emplace(series.seriesInstanceUid,
                                  std::make_pair(series, patient.patientId.empty()
                                                             ? patient.name
                                                             : patient.patientId));
    }
    std::vector<LabeledVolume> volumes;
    for (const WorkspaceSeries &entry : workspace.series()) {
        if (progress && progress->isCancelled())
            throw CancelledError();
        const auto found = byUid.find(entry.uid);
        if (found == byUid.end())
            continue; // labels of a series whose source is gone: nothing to train on
        LabeledVolume v;
        DicomSeries series = found->second.first;
        if (series.isImageFile() && entry.state.contains("modality"))
            series.modality = entry.state.value("modality", std::string());
        auto volume = SeriesReader::load(series, &v.layout);
        const auto labels = workspace.loadLabels(entry.uid, volume->width(), volume->height(),
                                                 volume->depth(), volume->geometry());
        if (!labels)
            continue;
        v.caseName = entry.state.value("case", found->second.first.description);
        v.patient = entry.state.contains("case") ? v.caseName : found->second.second;
        v.labels = labels->labels;
        v.volume = std::move(volume);
        volumes.push_back(std::move(v));
    }
    return volumes;
}

} // namespace medseg::core
