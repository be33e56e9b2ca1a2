#include "core/train/Predictor.h"

#include "core/common/AtomicFile.h"
#include "core/train/NetworkInput.h"
#include "core/train/TrainingData.h"

#include <ATen/ATen.h>
#include <torch/nn.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace medseg::core {

Predictor::Predictor(ModelBundle bundle, models::PSPNet model, torch::Device device)
    : m_bundle(std::move(bundle))
    , m_model(std::move(model))
    , m_device(device)
{
    if (!m_model)
        throw std::runtime_error("predictor: no model");
    m_model->to(m_device);
    m_model->eval();
}

Predictor Predictor::load(const std::string &ptPath, torch::Device device)
{
    models::PSPNet model{nullptr};
    ModelBundle bundle = loadModelBundle(ptPath, &model);
    return Predictor(std::move(bundle), std::move(model), device);
}

void Predictor::setBatchSize(int slices)
{
    m_batchSize = std::max(1, slices);
}

std::vector<VolumeIntensity>
Predictor::volumeIntensities(const std::vector<const float *> &channels, std::size_t voxels,
                             bool invert) const
{
    const Preprocessing &p = m_bundle.preprocessing;
    if (int(channels.size()) != p.imageChannels())
        throw std::runtime_error("the model reads " + std::to_string(p.imageChannels()) +
                                 " image channel(s); " + std::to_string(channels.size()) +
                                 " were given");
    std::vector<VolumeIntensity> rules;
    for (std::size_t c = 0; c < channels.size(); ++c)
        rules.push_back(volumeIntensity(p.channelRule(int(c)), channels[c], voxels, invert));
    return rules;
}

torch::Tensor Predictor::networkInput(const torch::Tensor &unit) const
{
    return core::networkInput(unit.to(m_device, at::kFloat), m_bundle.preprocessing,
                              m_bundle.config.in_channels);
}

torch::Tensor Predictor::preprocessImages(const torch::Tensor &images) const
{
    return networkInput(images.to(m_device, at::kFloat) / 255.0);
}

torch::Tensor Predictor::logits(const torch::Tensor &unit)
{
    return logits(unit, m_bundle.refinement.flipTta);
}

torch::Tensor Predictor::logits(const torch::Tensor &unit, bool flipTta)
{
    if (flipTta)
        return plainAndFlippedLogits(unit).second;
    torch::NoGradGuard noGrad;
    m_model->eval();
    const InputPlacement placement =
        placementFor(unit.size(2), unit.size(3), m_bundle.preprocessing);
    return logitsToSlice(m_model->forward(networkInput(unit)).logits.to(at::kFloat), placement);
}

std::pair<torch::Tensor, torch::Tensor> Predictor::plainAndFlippedLogits(const torch::Tensor &unit)
{
    torch::NoGradGuard noGrad;
    m_model->eval();
    const InputPlacement placement =
        placementFor(unit.size(2), unit.size(3), m_bundle.preprocessing);
    const at::Tensor input = networkInput(unit);
    const at::Tensor plain = m_model->forward(input).logits.to(at::kFloat);
    // The mirror image's logits, mirrored back (the padding is symmetric enough).
    const at::Tensor mirrored = m_model->forward(input.flip({3})).logits.to(at::kFloat).flip({3});
    return {logitsToSlice(plain, placement), logitsToSlice((plain + mirrored) * 0.5, placement)};
}

torch::Tensor Predictor::labelsOf(const torch::Tensor &logits,
                                  const InferenceRefinement &refinement)
{
    at::Tensor labels = logits.argmax(1).to(at::kCPU, at::kByte).contiguous();
    if (!refinement.largestComponentClasses.empty()) {
        const auto h = int(labels.size(1)), w = int(labels.size(2));
        for (std::int64_t n = 0; n < labels.size(0); ++n)
            keepLargestComponents(labels[n].data_ptr<std::uint8_t>(), w, h,
                                  refinement.largestComponentClasses);
    }
    return labels;
}

void Predictor::requireSingleSlices() const
{
    if (m_bundle.preprocessing.adjacentSlices > 1)
        throw std::runtime_error("this model reads " +
                                 std::to_string(m_bundle.preprocessing.adjacentSlices) +
                                 " adjacent slices (2.5D): it predicts image volumes, not single "
                                 "8-bit images");
}

SlicePrediction Predictor::predictUnit(const torch::Tensor &unit, bool probabilities)
{
    const at::Tensor out = logits(unit);
    SlicePrediction result;
    result.labels = labelsOf(out, m_bundle.refinement).squeeze(0).contiguous();
    if (probabilities)
        result.probabilities = at::softmax(out, 1).squeeze(0).to(at::kCPU).contiguous();
    return result;
}

SlicePrediction Predictor::predictImage(const std::uint8_t *pixels, int width, int height,
                                        int channels, bool probabilities)
{
    if (channels != 1 && channels != 3)
        throw std::runtime_error("predictor: images need 1 or 3 channels");
    requireSingleSlices();
    const at::Tensor image =
        at::from_blob(const_cast<std::uint8_t *>(pixels), {1, height, width, channels},
                      at::TensorOptions().dtype(at::kByte))
            .permute({0, 3, 1, 2});
    return predictUnit(image.to(m_device, at::kFloat) / 255.0, probabilities);
}

std::vector<std::uint8_t>
Predictor::predictBatches(int width, int height, int depth, ProgressSink *progress,
                          const std::function<torch::Tensor(int first, int count)> &unit)
{
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    std::vector<std::uint8_t> labels(sliceSize * std::size_t(std::max(0, depth)));
    for (int first = 0; first < depth; first += m_batchSize) {
        if (progress && (progress->isCancelled() || !progress->progress(first, depth, "predict")))
            throw CancelledError();
        const int count = std::min(m_batchSize, depth - first);
        const at::Tensor out = labelsOf(logits(unit(first, count)), m_bundle.refinement);
        std::memcpy(labels.data() + sliceSize * std::size_t(first), out.data_ptr<std::uint8_t>(),
                    sliceSize * std::size_t(count));
    }
    if (progress)
        progress->progress(depth, depth, "predict");
    return labels;
}

std::vector<std::uint8_t> Predictor::predictCase(const std::vector<const float *> &channels,
                                                 int width, int height, int depth, bool invert,
                                                 int first, int count, ProgressSink *progress)
{
    if (first < 0 || count < 0 || first + count > depth)
        throw std::runtime_error("predictor: slices outside the volume");
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    const std::vector<VolumeIntensity> rules =
        volumeIntensities(channels, sliceSize * std::size_t(depth), invert);
    return predictBatches(width, height, count, progress, [&](int offset, int n) {
        return caseSlices(rules, channels, depth, first + offset, n, height, width,
                          m_bundle.preprocessing.adjacentSlices)
            .to(m_device);
    });
}

std::vector<std::uint8_t> Predictor::predictVolume(const float *voxels, int width, int height,
                                                   int depth, ProgressSink *progress)
{
    return predictCase({voxels}, width, height, depth, false, 0, depth, progress);
}

std::vector<std::uint8_t> Predictor::predictGreyVolume(const std::uint8_t *grey, int width,
                                                       int height, int depth,
                                                       ProgressSink *progress)
{
    requireSingleSlices();
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    return predictBatches(width, height, depth, progress, [&](int first, int count) {
        return at::from_blob(const_cast<std::uint8_t *>(grey + sliceSize * std::size_t(first)),
                             {count, 1, height, width}, at::TensorOptions().dtype(at::kByte))
                   .to(m_device, at::kFloat) /
               255.0;
    });
}

namespace {

// Per class: 2 TP, and FP + FN, summed over slices (pixels marked 255 ignored).
struct DiceCounts
{
    std::vector<double> overlap, total;
    explicit DiceCounts(int classes)
        : overlap(std::size_t(classes), 0.0)
        , total(std::size_t(classes), 0.0)
    {}
    void add(const at::Tensor &labels, const at::Tensor &mask)
    {
        const at::Tensor valid = mask != 255;
        for (std::size_t c = 1; c < overlap.size(); ++c) {
            const at::Tensor p = (labels == int64_t(c)) & valid;
            const at::Tensor g = (mask == int64_t(c)) & valid;
            overlap[c] += 2.0 * double((p & g).sum().item<std::int64_t>());
            total[c] += double(p.sum().item<std::int64_t>() + g.sum().item<std::int64_t>());
        }
    }
    // A class counts when the ground truth has it (nnU-Net's and MONAI's rule); -1 otherwise.
    std::vector<double> dice(const std::vector<bool> &present) const
    {
        std::vector<double> d(overlap.size(), -1.0);
        for (std::size_t c = 1; c < d.size(); ++c)
            if (present[c])
                d[c] = total[c] > 0 ? overlap[c] / total[c] : 1.0;
        return d;
    }
};

double meanOf(const std::vector<double> &dice)
{
    double sum = 0;
    int n = 0;
    for (const double d : dice)
        if (d >= 0) {
            sum += d;
            ++n;
        }
    return n ? sum / n : 0.0;
}

} // namespace

InferenceRefinement Predictor::chooseRefinement(const std::vector<torch::Tensor> &images,
                                                const std::vector<torch::Tensor> &masks)
{
    std::vector<torch::Tensor> plain, flipped;
    for (const torch::Tensor &image : images) {
        const auto [withoutFlip, withFlip] = plainAndFlippedLogits(unitOf(image).to(m_device));
        plain.push_back(withoutFlip.to(at::kCPU));
        flipped.push_back(withFlip.to(at::kCPU));
    }
    return chooseRefinementFromLogits(plain, flipped, masks);
}

InferenceRefinement Predictor::chooseRefinementFromLogits(const std::vector<torch::Tensor> &plain,
                                                          const std::vector<torch::Tensor> &flipped,
                                                          const std::vector<torch::Tensor> &masks)
{
    InferenceRefinement chosen;
    chosen.validationSlices = int(plain.size());
    if (plain.empty())
        return chosen;
    const int classes = int(plain.front().size(1));
    std::vector<bool> present(std::size_t(classes), false);
    for (const torch::Tensor &mask : masks)
        for (int c = 1; c < classes; ++c)
            present[std::size_t(c)] =
                present[std::size_t(c)] || (mask.to(at::kLong) == c).any().item<bool>();
    const auto score = [&](const std::vector<torch::Tensor> &logits,
                           const InferenceRefinement &refinement) {
        DiceCounts counts(classes);
        for (std::size_t n = 0; n < logits.size(); ++n)
            counts.add(labelsOf(logits[n], refinement).to(at::kLong),
                       masks[n].to(at::kLong).reshape({1, masks[n].size(-2), masks[n].size(-1)}));
        return counts.dice(present);
    };
    const std::vector<double> base = score(plain, {});
    const std::vector<double> withFlip = score(flipped, {});
    chosen.diceBefore = meanOf(base);
    chosen.flipTta = meanOf(withFlip) > meanOf(base);
    const std::vector<torch::Tensor> &used = chosen.flipTta ? flipped : plain;
    std::vector<double> current = chosen.flipTta ? withFlip : base;
    for (int c = 1; c < classes; ++c) {
        if (current[std::size_t(c)] < 0)
            continue;
        InferenceRefinement trial = chosen;
        trial.largestComponentClasses.push_back(c);
        std::sort(trial.largestComponentClasses.begin(), trial.largestComponentClasses.end());
        const std::vector<double> tried = score(used, trial);
        if (tried[std::size_t(c)] > current[std::size_t(c)]) {
            chosen.largestComponentClasses = trial.largestComponentClasses;
            current = tried;
        }
    }
    chosen.diceAfter = meanOf(current);
    return chosen;
}

void refineModel(const std::string &ptPath, const TrainingData &data)
{
    if (data.val.empty() || ptPath.empty())
        return;
    Predictor predictor = Predictor::load(ptPath);
    std::vector<torch::Tensor> images, masks;
    for (const TrainingSample &sample : data.val) {
        images.push_back(sample.image);
        masks.push_back(sample.mask);
    }
    ModelBundle bundle = predictor.bundle();
    bundle.refinement = predictor.chooseRefinement(images, masks);
    AtomicFile::writeAll(modelBundleJsonPath(ptPath), toJson(bundle));
}

} // namespace medseg::core
