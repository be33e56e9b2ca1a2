#include "core/train/VolumeTrainingData.h"

#include "core/imageio/ImageFileIndex.h"
#include "core/imageio/SeriesReader.h"
#include "core/train/NetworkInput.h"
#include "core/workspace/Workspace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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

bool isCtChannel(const LabeledVolume &v, int c)
{
    std::string name = v.channelName(c);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return char(std::toupper(ch)); });
    return name == "CT";
}

// The channel count and the modality (CT or not) most volumes have: the others are left out,
// as one model reads one kind of input.
std::vector<const LabeledVolume *> selectVolumes(const std::vector<LabeledVolume> &all,
                                                 VolumeDataReport &r)
{
    std::map<int, std::size_t> channelCounts;
    std::size_t ct = 0;
    for (const LabeledVolume &v : all) {
        ++channelCounts[v.channelCount()];
        ct += isCtChannel(v, 0);
    }
    int channels = 1;
    std::size_t most = 0;
    for (const auto &[count, volumes] : channelCounts)
        if (volumes > most) {
            channels = count;
            most = volumes;
        }
    const bool ctProject = ct * 2 > all.size();
    std::vector<const LabeledVolume *> volumes;
    for (const LabeledVolume &v : all) {
        if (v.volume->components() != 1)
            r.notes.push_back(v.caseName + ": a colour series, left out");
        else if (v.channelCount() != channels)
            r.notes.push_back(v.caseName + ": " + std::to_string(v.channelCount()) +
                              " channel(s) while most labeled cases have " +
                              std::to_string(channels) + "; left out");
        else if (isCtChannel(v, 0) != ctProject)
            r.notes.push_back(v.caseName + ": " + (ctProject ? "not CT" : "CT") +
                              " while most labeled volumes are " + (ctProject ? "CT" : "not CT") +
                              "; left out (one model reads one kind of intensities)");
        else
            volumes.push_back(&v);
    }
    return volumes;
}

// Voxels of channel c that the training cases' labels mark (nnU-Net's foreground samples), at
// most about a million in all.
std::vector<float> foregroundSamples(const std::vector<const LabeledVolume *> &volumes, int c)
{
    std::vector<float> samples;
    const std::size_t perVolume =
        std::max<std::size_t>(10000, 1000000 / std::max<std::size_t>(1, volumes.size()));
    for (const LabeledVolume *v : volumes) {
        const float *voxels = v->channel(c).data();
        const std::size_t count = v->labels.size();
        const std::size_t marked = std::size_t(std::count_if(
            v->labels.begin(), v->labels.end(), [](std::uint16_t l) { return l != 0; }));
        const std::size_t stride = std::max<std::size_t>(1, marked / perVolume);
        for (std::size_t i = 0, n = 0; i < count; ++i)
            if (v->labels[i] != 0 && n++ % stride == 0)
                samples.push_back(voxels[i]);
    }
    return samples;
}

// Each channel's rule under the user's choice, from the training cases' intensities.
std::vector<ChannelIntensity> chooseRules(const std::vector<const LabeledVolume *> &volumes,
                                          const std::vector<const LabeledVolume *> &training,
                                          const VolumeDataOptions &options)
{
    std::vector<ChannelIntensity> rules;
    const LabeledVolume &first = *volumes.front();
    for (int c = 0; c < first.channelCount(); ++c) {
        const bool ct = isCtChannel(first, c);
        const std::string &choice = options.intensity;
        ChannelIntensity rule;
        if (choice == "auto")
            rule.scheme = ct ? IntensityScheme::CtPercentiles : IntensityScheme::ZScore;
        else if (choice == "window")
            rule.scheme = ct ? IntensityScheme::Window : IntensityScheme::ZScore;
        else
            rule.scheme = intensitySchemeFromString(choice);
        if (rule.scheme == IntensityScheme::CtPercentiles)
            rule = ctPercentilesOf(foregroundSamples(training, c), first.channelName(c));
        if (rule.scheme == IntensityScheme::Window) {
            const Window window = options.ctWindow ? *options.ctWindow : findPreset("abdomen");
            rule.windowCenter = window.center;
            rule.windowWidth = window.width;
        }
        if (rule.scheme == IntensityScheme::ZScore) {
            std::size_t masked = 0;
            for (const LabeledVolume *v : volumes)
                masked += prefersNonzeroMask(v->channel(c).data(), v->labels.size());
            rule.nonzeroMask = masked * 2 > volumes.size();
        }
        rule.channel = first.channelName(c);
        rules.push_back(rule);
    }
    return rules;
}

// mean/std after the rules: ImageNet's for [0, 1] channels (grey replicated to the model's
// channels keeps all three), none after a z-score.
void setChannelStatistics(Preprocessing &p)
{
    const Preprocessing defaults;
    if (p.intensity.size() == 1 && p.intensity.front().isUnitRange() && p.adjacentSlices == 1)
        return;
    p.mean.clear();
    p.std.clear();
    // Per network channel: a channel's adjacent slices share its statistics.
    for (std::size_t c = 0; c < p.intensity.size(); ++c) {
        const bool unit = p.intensity[c].isUnitRange();
        p.mean.insert(p.mean.end(), std::size_t(p.adjacentSlices),
                      unit ? defaults.mean[c % defaults.mean.size()] : 0.0f);
        p.std.insert(p.std.end(), std::size_t(p.adjacentSlices),
                     unit ? defaults.std[c % defaults.std.size()] : 1.0f);
    }
}

// A volume's channels, each with its rule resolved on it.
std::vector<VolumeIntensity> resolveRules(const LabeledVolume &v,
                                          const std::vector<ChannelIntensity> &rules)
{
    std::vector<VolumeIntensity> resolved;
    for (int c = 0; c < v.channelCount(); ++c)
        resolved.push_back(volumeIntensity(rules[std::size_t(c)], v.channel(c).data(),
                                           v.labels.size(), c == 0 && v.layout.invertForDisplay));
    return resolved;
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

// Slice k, each channel through its resolved rule. 8 bits are stored when every rule is a
// window (its values are k / 255 exactly), floats otherwise.
TrainingSample sampleOf(const LabeledVolume &v, int k, const std::vector<VolumeIntensity> &rules,
                        bool bytes, int adjacent)
{
    const int w = v.volume->width(), h = v.volume->height();
    const std::size_t size = std::size_t(w) * h;
    std::vector<const float *> channels;
    for (int c = 0; c < v.channelCount(); ++c)
        channels.push_back(v.channel(c).data());
    TrainingSample sample;
    sample.image = caseSlices(rules, channels, v.volume->depth(), k, 1, h, w, adjacent).squeeze(0);
    if (bytes)
        sample.image = sample.image.mul(255.0).round_().to(torch::kUInt8);
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

using SeriesByUid = std::map<std::string, std::pair<DicomSeries, std::string>>; // and patient

} // namespace

std::vector<std::string> channelSeriesOf(const WorkspaceSeries &entry)
{
    std::vector<std::string> uids;
    for (const nlohmann::json &uid : entry.state.value("channelSeries", nlohmann::json::array()))
        uids.push_back(uid.is_string() ? uid.get<std::string>() : std::string());
    return uids;
}

std::vector<std::string> datasetChannelNames(const Workspace &workspace)
{
    std::vector<std::string> names;
    for (const auto &name : workspace.settings()
                                .value("dataset", nlohmann::json::object())
                                .value("channelNames", nlohmann::json::array()))
        names.push_back(name.is_string() ? name.get<std::string>() : std::string());
    return names;
}

std::vector<std::shared_ptr<const Volume>>
loadMoreChannels(const std::vector<std::string> &channelSeries, const Volume &first,
                 const std::string &caseName, const ChannelReader &read)
{
    std::vector<std::shared_ptr<const Volume>> channels;
    for (std::size_t c = 1; c < channelSeries.size(); ++c) {
        std::string file;
        std::shared_ptr<const Volume> channel = read(channelSeries[c], &file);
        if (!channel)
            throw std::runtime_error("case " + caseName + ": the series of channel " +
                                     std::to_string(c) + " is not in the project's sources");
        const ImageGeometry &a = channel->geometry(), &b = first.geometry();
        bool same = channel->width() == first.width() && channel->height() == first.height() &&
                    channel->depth() == first.depth() && channel->components() == 1;
        for (std::size_t i = 0; same && i < 3; ++i)
            same = std::abs(a.origin[i] - b.origin[i]) <= 1e-3 &&
                   std::abs(a.spacing[i] - b.spacing[i]) <= 1e-3;
        const auto size = [](const Volume &v) {
            return std::to_string(v.width()) + "x" + std::to_string(v.height()) + "x" +
                   std::to_string(v.depth());
        };
        if (!same)
            throw std::runtime_error(
                (file.empty() ? caseName : file) + ": channel " + std::to_string(c) + " of case " +
                caseName + " (" + size(*channel) + ") is not on the grid of its first channel (" +
                size(first) + ")");
        channels.push_back(std::move(channel));
    }
    return channels;
}

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

std::string LabeledVolume::channelName(int c) const
{
    if (std::size_t(c) < channelNames.size() && !channelNames[std::size_t(c)].empty())
        return channelNames[std::size_t(c)];
    if (c == 0)
        return layout.modality.empty() ? std::string("image") : layout.modality;
    return "channel " + std::to_string(c);
}

TrainingData trainingDataFromVolumes(const std::vector<LabeledVolume> &all,
                                     const LabelDescriptions &table,
                                     const VolumeDataOptions &options, VolumeDataReport *report)
{
    VolumeDataReport local;
    VolumeDataReport &r = report ? *report : local;
    r = {};
    std::vector<const LabeledVolume *> volumes = selectVolumes(all, r);
    volumes.erase(std::remove_if(volumes.begin(), volumes.end(),
                                 [](const LabeledVolume *v) {
                                     return std::none_of(v->labels.begin(), v->labels.end(),
                                                         [](std::uint16_t l) { return l; });
                                 }),
                  volumes.end());
    if (volumes.empty())
        throw std::runtime_error("no labeled slice in the project's volumes yet");

    std::vector<std::string> patients;
    for (const LabeledVolume *v : volumes)
        if (std::find(patients.begin(), patients.end(), v->patient) == patients.end())
            patients.push_back(v->patient);
    std::sort(patients.begin(), patients.end());
    const bool byPatient = patients.size() >= 2;
    const std::set<std::string> validation =
        byPatient ? validationPatients(patients, options.validationFraction, options.seed)
                  : std::set<std::string>{};
    if (!byPatient)
        r.notes.push_back("one patient only: every fifth labeled slice validates, so "
                          "validation scores are optimistic");
    std::vector<const LabeledVolume *> training;
    for (const LabeledVolume *v : volumes)
        if (!validation.count(v->patient))
            training.push_back(v);

    TrainingData data;
    data.preprocessing.intensity = chooseRules(volumes, training, options);
    data.preprocessing.adjacentSlices = options.adjacentSlices;
    setChannelStatistics(data.preprocessing);
    for (const ChannelIntensity &rule : data.preprocessing.intensity)
        r.channels.push_back(rule.channel + ": " + rule.describe());
    const bool bytes = std::all_of(
        data.preprocessing.intensity.begin(), data.preprocessing.intensity.end(),
        [](const ChannelIntensity &rule) { return rule.scheme == IntensityScheme::Window; });

    int largest = 0;
    for (const LabeledVolume *v : volumes) {
        std::vector<int> labeled;
        for (int k = 0; k < v->volume->depth(); ++k)
            if (sliceHasLabels(*v, k))
                labeled.push_back(k);
        ++r.volumes;
        const bool validates = validation.count(v->patient) > 0;
        auto &cases = validates ? r.validationCases : r.trainCases;
        if (std::find(cases.begin(), cases.end(), v->caseName) == cases.end())
            cases.push_back(v->caseName);
        const std::vector<VolumeIntensity> rules = resolveRules(*v, data.preprocessing.intensity);
        for (std::size_t n = 0; n < labeled.size(); ++n) {
            TrainingSample sample = sampleOf(*v, labeled[n], rules, bytes, options.adjacentSlices);
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
    if (data.val.empty())
        data.val.push_back(data.train.back());
    if (data.train.empty())
        data.train.push_back(data.val.front());

    data.classes = modelClassesOf(table, largest);
    oversampleRareClasses(data, data.classCount(), options.foregroundFraction, table, &r);
    data.summary = std::to_string(r.labeledSlices) + " labeled slices of " +
                   std::to_string(r.volumes) + " volumes, " + std::to_string(r.trainCases.size()) +
                   " training and " + std::to_string(r.validationCases.size()) +
                   " validation cases, " + std::to_string(data.classes.size()) + " classes";
    if (data.imageChannels() > 1)
        data.summary += ", " + std::to_string(data.imageChannels()) + " channels";
    if (options.adjacentSlices > 1)
        data.summary += ", " + std::to_string(options.adjacentSlices) + " adjacent slices each";
    for (std::size_t c = 0; c < r.channels.size(); ++c)
        data.summary += (c == 0 ? "; " : ", ") + r.channels[c];
    data.trainCases = r.trainCases;
    data.validationCases = r.validationCases;
    data.notes = r.notes;
    return data;
}

std::vector<LabeledVolume> loadProjectVolumes(const std::string &projectFolder,
                                              LabelDescriptions *table, ProgressSink *progress)
{
    const Workspace workspace = Workspace::open(projectFolder);
    if (table)
        *table = LabelDescriptions::fromJson(
            nlohmann::json{{"labels", workspace.labelTable()}}.dump(), workspace.projectFile());
    SeriesByUid byUid;
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
    const std::vector<std::string> channelNames = datasetChannelNames(workspace);
    const ChannelReader read = [&](const std::string &uid, std::string *file) {
        const auto found = byUid.find(uid);
        if (found == byUid.end())
            return std::shared_ptr<const Volume>();
        const DicomSeries &series = found->second.first;
        if (!series.instances.empty())
            *file = series.instances.front().path;
        return std::shared_ptr<const Volume>(SeriesReader::load(series, nullptr));
    };
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
        v.seriesUid = entry.uid;
        v.labels = labels->labels;
        v.volume = std::move(volume);
        v.moreChannels = loadMoreChannels(channelSeriesOf(entry), *v.volume, v.caseName, read);
        if (channelNames.size() >= std::size_t(v.channelCount()))
            v.channelNames = channelNames;
        volumes.push_back(std::move(v));
    }
    return volumes;
}

} // namespace medseg::core
