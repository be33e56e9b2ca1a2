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

torch::Tensor Predictor::networkInput(const torch::Tensor &unit) const
{
    return core::networkInput(unit.to(m_device, at::kFloat), m_bundle.preprocessing,
                              m_bundle.config.in_channels);
}

torch::Tensor Predictor::preprocessRaw(const torch::Tensor &values) const
{
    return networkInput(windowToUnit(values));
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

SlicePrediction Predictor::predictSlice(const float *values, int width, int height,
                                        bool probabilities)
{
    const at::Tensor raw = at::from_blob(const_cast<float *>(values), {1, height, width},
                                         at::TensorOptions().dtype(at::kFloat));
    return predictUnit(windowToUnit(raw), probabilities);
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

std::vector<std::uint8_t> Predictor::predictVolume(const float *voxels, int width, int height,
                                                   int depth, ProgressSink *progress)
{
    const std::size_t sliceSize = std::size_t(width) * std::size_t(height);
    return predictBatches(width, height, depth, progress, [&](int first, int count) {
        return windowToUnit(
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
        return at::from_blob(const_cast<std::uint8_t *>(grey + sliceSize * std::size_t(first)),
                             {count, 1, height, width}, at::TensorOptions().dtype(at::kByte))
                   .to(m_device, at::kFloat) /
               255.0;
    });
}

} // namespace medseg::core
