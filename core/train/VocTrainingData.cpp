#include "core/train/VocTrainingData.h"

#include "core/dataset/VocReader.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace medseg::core {
namespace fs = std::filesystem;

namespace {

// Without a split in the dataset: a seeded share of the slices validates (mt19937_64 keeps it
// the same on every platform).
std::vector<bool> seededValidation(std::size_t count, const VocTrainingOptions &options)
{
    std::vector<bool> toVal(count, false);
    if (count < 2)
        return toVal;
    std::vector<std::size_t> order(count);
    for (std::size_t i = 0; i < count; ++i)
        order[i] = i;
    std::mt19937_64 generator(options.seed);
    for (std::size_t i = count - 1; i > 0; --i)
        std::swap(order[i], order[generator() % (i + 1)]);
    const auto valCount = std::clamp<std::size_t>(
        std::size_t(std::lround(options.valFraction * double(count))), 1, count - 1);
    for (std::size_t i = 0; i < valCount; ++i)
        toVal[order[i]] = true;
    return toVal;
}

// The rendering window, when convert recorded one (preprocessing.json): the model then windows
// raw values (HU) the same way at prediction time. Empty otherwise.
std::vector<ChannelIntensity> recordedWindow(const std::string &dir)
{
    std::ifstream file(fs::path(dir) / "preprocessing.json");
    if (!file)
        return {};
    try {
        const auto j = nlohmann::json::parse(file);
        if (!j.contains("window_center") || !j.contains("window_width") || j.value("invert", false))
            return {};
        const ChannelIntensity window = ChannelIntensity::window(
            j.at("window_center").get<double>(), j.at("window_width").get<double>());
        window.check();
        return {window};
    } catch (const nlohmann::json::exception &error) {
        throw std::runtime_error(dir + "/preprocessing.json: " + error.what());
    }
}

} // namespace

TrainingData loadVocTrainingData(const std::string &dir, const VocTrainingOptions &options,
                                 ProgressSink *progress)
{
    const VocDataset dataset = VocReader::open(dir);
    TrainingData data;
    const int maxIndex = dataset.classes.maxIndex();
    if (maxIndex < 1)
        throw std::runtime_error(dir + ": the dataset's class table needs a background and at "
                                       "least one structure");
    for (int index = 0; index <= maxIndex; ++index) {
        ModelClass entry;
        entry.index = index;
        if (const LabelClass *label = dataset.classes.find(index)) {
            entry.name = label->name;
            entry.colour = label->colour;
        } else {
            entry.name = "class " + std::to_string(index);
        }
        data.classes.push_back(entry);
    }

    bool anySplit = false;
    for (const VocSample &sample : dataset.samples)
        anySplit = anySplit || !sample.split.empty();
    const std::vector<bool> toVal = anySplit ? std::vector<bool>(dataset.samples.size(), false)
                                             : seededValidation(dataset.samples.size(), options);

    const std::int64_t total = std::int64_t(dataset.samples.size());
    for (std::size_t i = 0; i < dataset.samples.size(); ++i) {
        const VocSample &sample = dataset.samples[i];
        if (progress) {
            if (progress->isCancelled() || !progress->progress(std::int64_t(i), total, "loading"))
                throw CancelledError();
        }
        if (sample.imagePath.empty() || sample.maskPath.empty())
            continue;
        int width = 0, height = 0, channels = 0;
        const std::vector<std::uint8_t> pixels =
            VocReader::readImage(sample.imagePath, &width, &height, &channels);
        const VocMask mask = VocReader::readMask(dataset, sample);
        if (mask.width != width || mask.height != height)
            throw std::runtime_error(sample.maskPath + ": the mask is " +
                                     std::to_string(mask.width) + "x" +
                                     std::to_string(mask.height) + ", its image " +
                                     std::to_string(width) + "x" + std::to_string(height));
        TrainingSample item;
        // Row-major interleaved [H, W, C] -> [C, H, W].
        item.image = at::empty({height, width, channels}, at::kByte);
        std::memcpy(item.image.data_ptr(), pixels.data(), pixels.size());
        item.image = item.image.permute({2, 0, 1}).contiguous();
        item.mask = at::empty({height, width}, at::kByte);
        std::memcpy(item.mask.data_ptr(), mask.indexes.data(), mask.indexes.size());
        item.name = sample.name;
        const bool val = anySplit ? sample.split == "val" : toVal[i];
        if (anySplit && sample.split != "train" && sample.split != "val")
            continue;
        (val ? data.val : data.train).push_back(std::move(item));
    }
    if (progress)
        progress->progress(total, total, "loading");

    data.preprocessing.intensity = recordedWindow(dir);
    data.notes = dataset.notes;
    data.summary = std::to_string(data.train.size() + data.val.size()) + " slices (" +
                   std::to_string(data.train.size()) + " train, " +
                   std::to_string(data.val.size()) + " val); " +
                   std::to_string(data.classes.size()) + " classes";
    return data;
}

} // namespace medseg::core
