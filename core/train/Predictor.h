#pragma once

// Runs a trained PSPNet (a ModelBundle) on slices: raw values such as HU from a core::Volume or
// 8-bit images go through the bundle's Preprocessing, the network runs in eval mode under
// NoGradGuard, and the argmax becomes a uint8 label map. Not thread-safe: one Predictor per
// thread (the model is touched by its owner only).

#include "core/common/Progress.h"
#include "core/train/ModelBundle.h"

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace medseg::core {

struct SlicePrediction
{
    torch::Tensor labels;        // [H, W] uint8 class indexes, on the CPU
    torch::Tensor probabilities; // [K, H, W] float softmax, on the CPU; only when asked for
};

class Predictor
{
public:
    // `model` holds the bundle's weights (e.g. from loadModelBundle); it is moved to `device`
    // and set to eval mode.
    Predictor(ModelBundle bundle, models::PSPNet model, torch::Device device = torch::kCPU);
    // loadModelBundle() and the constructor. Throws std::runtime_error naming the file.
    static Predictor load(const std::string &ptPath, torch::Device device = torch::kCPU);

    const ModelBundle &bundle() const { return m_bundle; }
    const torch::Device &device() const { return m_device; }
    models::PSPNet &model() { return m_model; }
    // Slices per forward pass in predictVolume (default 4).
    int batchSize() const { return m_batchSize; }
    void setBatchSize(int slices);

    // Raw values [N, H, W] or [N, 1, H, W] (any device, any dtype) -> [0, 1]: with a window,
    // exactly what the VOC export wrote and training read: values truncated toward zero
    // (WindowLut), DICOM's linear VOI to 0..255, floored, / 255. Without a window the values
    // are taken as 0..255 grey levels (/ 255).
    torch::Tensor windowToUnit(const torch::Tensor &values) const;
    // [N, C, H, W] in [0, 1] -> the network's input on the device, exactly as training made it
    // (core/train/NetworkInput.h): channels matched to config.in_channels, fitted into the
    // trained input size, then (x - mean[c]) / std[c].
    torch::Tensor networkInput(const torch::Tensor &unit) const;
    // Raw values [N, H, W] -> network input (windowToUnit + networkInput).
    torch::Tensor preprocessRaw(const torch::Tensor &values) const;
    // 8-bit images [N, C, H, W] uint8 (C = 1 or 3) -> network input (/ 255 + networkInput).
    torch::Tensor preprocessImages(const torch::Tensor &images) const;

    // [N, C, H, W] in [0, 1] -> logits [N, K, H, W] float on the slices: the network runs on
    // networkInput(unit) and its logits are mapped back onto the slices.
    torch::Tensor logits(const torch::Tensor &unit);

    SlicePrediction predictSlice(const float *values, int width, int height,
                                 bool probabilities = false);
    // pixels: row-major, `channels` (1 or 3) interleaved.
    SlicePrediction predictImage(const std::uint8_t *pixels, int width, int height, int channels,
                                 bool probabilities = false);
    // voxels: slice-major raw values (core::Volume's layout, one component). Returns the label
    // volume in the same layout. Reports slices done through `progress` and throws
    // CancelledError when it asks to stop.
    std::vector<std::uint8_t> predictVolume(const float *voxels, int width, int height, int depth,
                                            ProgressSink *progress = nullptr);
    // The same for slices already windowed to 8-bit grey (e.g. MONOCHROME1 series inverted as
    // the VOC export does, or a model without a window): / 255, no windowing.
    std::vector<std::uint8_t> predictGreyVolume(const std::uint8_t *grey, int width, int height,
                                                int depth, ProgressSink *progress = nullptr);

private:
    SlicePrediction predictUnit(const torch::Tensor &unit, bool probabilities);
    // Runs batches of `unit(first, count)` (slices in [0, 1]) over `depth` slices.
    std::vector<std::uint8_t>
    predictBatches(int width, int height, int depth, ProgressSink *progress,
                   const std::function<torch::Tensor(int first, int count)> &unit);

    ModelBundle m_bundle;
    models::PSPNet m_model;
    torch::Device m_device;
    int m_batchSize = 4;
};

} // namespace medseg::core
