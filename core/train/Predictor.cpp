#include "core/train/Predictor.h"

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

torch::Tensor Predictor::windowToUnit(const torch::Tensor &values) const
{
    at::Tensor v = values.to(m_device, at::kDouble);
    if (v.dim() == 3)
        v = v.unsqueeze(1);
    const Preprocessing &p = m_bundle.preprocessing;
    if (!p.hasWindow)
        return (v / 255.0).to(at::kFloat);
    // linearVoiExact (core/dicom/WindowLevel.cpp), PS3.3 C.11.2.1.2.1, on whole tensors.
    v = at::trunc(v);
    const double width1 = std::max(1.0, p.windowWidth) - 1.0;
    const double c = p.windowCenter - 0.5;
    at::Tensor y = width1 > 0 ? ((v - c) / width1 + 0.5) * 255.0 : at::zeros_like(v);
    y = at::clamp(y, 0.0, 255.0);
    y = at::where(v <= c - width1 / 2.0, at::zeros_like(y), y);
    y = at::where(v > c + width1 / 2.0, at::full_like(y, 255.0), y);
    return (at::floor(y) / 255.0).to(at::kFloat);
}

torch::Tensor Predictor::normalize(const torch::Tensor &unit) const
{
    const int channels = m_bundle.config.in_channels;
    at::Tensor x = unit.to(m_device, at::kFloat);
    if (x.dim() != 4)
        throw std::runtime_error("predictor: input must be [N, C, H, W]");
    if (x.size(1) != channels) {
        if (x.size(1) == 1)
            x = x.expand({x.size(0), channels, x.size(2), x.size(3)});
        else if (channels == 1)
            x = x.mean(1, true);
        else
            throw std::runtime_error("predictor: " + std::to_string(x.size(1)) +
                                     "-channel input for a model of " + std::to_string(channels) +
                                     " channels");
    }
    const Preprocessing &p = m_bundle.preprocessing;
    const auto count = static_cast<std::size_t>(channels);
    std::vector<float> mean(count), scale(count);
    for (std::size_t c = 0; c < mean.size(); ++c) {
        mean[c] = p.mean.size() == 1 ? p.mean[0] : p.mean.at(c);
        scale[c] = p.std.size() == 1 ? p.std[0] : p.std.at(c);
    }
    const auto opts = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor m = at::tensor(mean, opts).to(m_device).view({1, channels, 1, 1});
    const at::Tensor s = at::tensor(scale, opts).to(m_device).view({1, channels, 1, 1});
    return ((x - m) / s).contiguous();
}

torch::Tensor Predictor::preprocessRaw(const torch::Tensor &values) const
{
    return normalize(windowToUnit(values));
}

torch::Tensor Predictor::preprocessImages(const torch::Tensor &images) const
{
    return normalize(images.to(m_device, at::kFloat) / 255.0);
}

torch::Tensor Predictor::logits(const torch::Tensor &input)
{
    torch::NoGradGuard noGrad;
    m_model->eval();
    const std::int64_t h = input.size(2);
    const std::int64_t w = input.size(3);
    const int size = m_bundle.preprocessing.inputSize;
    at::Tensor x = input.to(m_device, at::kFloat);
    const bool resize = size > 0 && (h != size || w != size);
    if (resize)
        x = at::upsample_bilinear2d(x, {size, size}, false);
    at::Tensor out = m_model->forward(x).logits.to(at::kFloat);
    if (resize)
        out = at::upsample_bilinear2d(out, {h, w}, false);
    return out;
}

SlicePrediction Predictor::predictInput(const torch::Tensor &input, bool probabilities)
{
    const at::Tensor out = logits(input);
    SlicePrediction result;
    result.labels = out.argmax(1).squeeze(0).to(at::kCPU, at::kByte).contiguous();
    if (probabilities)
        result.probabilities = at::softmax(out, 1).squeeze(0).to(at::kCPU).contiguous();
    return result;
}

SlicePrediction Predictor::predictSlice(const float *values, int width, int height,
                                        bool probabilities)
{
    const at::Tensor raw = at::from_blob(const_cast<float *>(values), {1, height, width},
                                         at::TensorOptions().dtype(at::kFloat));
    return predictInput(preprocessRaw(raw), probabilities);
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
    return predictInput(preprocessImages(image), probabilities);
}

std::vector<std::uint8_t>
Predictor::predictBatches(int width, int height, int depth, ProgressSink *progress,
                          const std::function<torch::Tensor(int first, int count)> &input)
{
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    std::vector<std::uint8_t> labels(sliceSize * std::size_t(std::max(0, depth)));
    for (int first = 0; first < depth; first += m_batchSize) {
        if (progress && (progress->isCancelled() || !progress->progress(first, depth, "predict")))
            throw CancelledError();
        const int count = std::min(m_batchSize, depth - first);
        const at::Tensor out =
            logits(input(first, count)).argmax(1).to(at::kCPU, at::kByte).contiguous();
        std::memcpy(labels.data() + sliceSize * std::size_t(first), out.data_ptr<std::uint8_t>(),
                    sliceSize * std::size_t(count));
    }
    if (progress)
        progress->progress(depth, depth, "predict");
    return labels;
}

std::vector<std::uint8_t> Predictor::predictVolume(const float *voxels, int width, int height,
                                                   int depth, ProgressSink *progress)
{
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    return predictBatches(width, height, depth, progress, [&](int first, int count) {
        return preprocessRaw(
            at::from_blob(const_cast<float *>(voxels + sliceSize * std::size_t(first)),
                          {count, height, width}, at::TensorOptions().dtype(at::kFloat)));
    });
}

std::vector<std::uint8_t> Predictor::predictGreyVolume(const std::uint8_t *grey, int width,
                                                       int height, int depth,
                                                       ProgressSink *progress)
{
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    return predictBatches(width, height, depth, progress, [&](int first, int count) {
        return preprocessImages(
            at::from_blob(const_cast<std::uint8_t *>(grey + sliceSize * std::size_t(first)),
                          {count, 1, height, width}, at::TensorOptions().dtype(at::kByte)));
    });
}

} // namespace medseg::core
