#include "core/train/Predictor.h"

#include "core/train/NetworkInput.h"

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
    torch::NoGradGuard noGrad;
    m_model->eval();
    const InputPlacement placement =
        placementFor(unit.size(2), unit.size(3), m_bundle.preprocessing);
    const at::Tensor out = m_model->forward(networkInput(unit)).logits.to(at::kFloat);
    return logitsToSlice(out, placement);
}

SlicePrediction Predictor::predictUnit(const torch::Tensor &unit, bool probabilities)
{
    const at::Tensor out = logits(unit);
    SlicePrediction result;
    result.labels = out.argmax(1).squeeze(0).to(at::kCPU, at::kByte).contiguous();
    if (probabilities)
        result.probabilities = at::softmax(out, 1).squeeze(0).to(at::kCPU).contiguous();
    return result;
}

SlicePrediction Predictor::predictImage(const std::uint8_t *pixels, int width, int height,
                                        int channels, bool probabilities)
{
    if (channels != 1 && channels != 3)
        throw std::runtime_error("predictor: images need 1 or 3 channels");
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
        const at::Tensor out =
            logits(unit(first, count)).argmax(1).to(at::kCPU, at::kByte).contiguous();
        std::memcpy(labels.data() + sliceSize * std::size_t(first), out.data_ptr<std::uint8_t>(),
                    sliceSize * std::size_t(count));
    }
    if (progress)
        progress->progress(depth, depth, "predict");
    return labels;
}

std::vector<std::uint8_t> Predictor::predictChannels(const std::vector<const float *> &channels,
                                                     const std::vector<VolumeIntensity> &rules,
                                                     int width, int height, int count,
                                                     ProgressSink *progress)
{
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    return predictBatches(width, height, count, progress, [&](int first, int n) {
        std::vector<const float *> slices;
        for (const float *channel : channels)
            slices.push_back(channel + sliceSize * std::size_t(first));
        return normalizedSlices(rules, slices, n, height, width).to(m_device);
    });
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
    std::vector<const float *> from;
    for (const float *channel : channels)
        from.push_back(channel + sliceSize * std::size_t(first));
    return predictChannels(from, rules, width, height, count, progress);
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
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    return predictBatches(width, height, depth, progress, [&](int first, int count) {
        return at::from_blob(const_cast<std::uint8_t *>(grey + sliceSize * std::size_t(first)),
                             {count, 1, height, width}, at::TensorOptions().dtype(at::kByte))
                   .to(m_device, at::kFloat) /
               255.0;
    });
}

} // namespace medseg::core
