#pragma once

// Runs a trained PSPNet (a ModelBundle) on slices: raw values such as HU of one volume per image
// channel, or 8-bit images, go through the bundle's Preprocessing, the network runs in eval mode
// under NoGradGuard, and the argmax becomes a uint8 label map. Not thread-safe: one Predictor per
// thread (the model is touched by its owner only).

#include "core/common/Progress.h"
#include "core/train/ModelBundle.h"

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
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

    // Each image channel's rule (the bundle's preprocessing.intensity) resolved on its whole
    // volume: channels[c] points at `voxels` raw values (HU, MR signal; slice-major). `invert`:
    // MONOCHROME1, for window rules. Throws std::runtime_error when the case has another number
    // of channels than the model reads.
    std::vector<VolumeIntensity> volumeIntensities(const std::vector<const float *> &channels,
                                                   std::size_t voxels, bool invert = false) const;
    // [N, C, H, W] unit (core/train/NetworkInput.h's unitOf) -> the network's input on the
    // device, exactly as training made it: channels matched to config.in_channels, fitted into
    // the trained input size, then (x - mean[c]) / std[c].
    torch::Tensor networkInput(const torch::Tensor &unit) const;
    // 8-bit images [N, C, H, W] uint8 (C = 1 or 3) -> network input (/ 255 + networkInput).
    torch::Tensor preprocessImages(const torch::Tensor &images) const;

    // [N, C, H, W] unit -> logits [N, K, H, W] float on the slices: the network runs on
    // networkInput(unit) and its logits are mapped back onto the slices; with the bundle's flip
    // TTA (or `flipTta` given), averaged with those of the mirrored slices.
    torch::Tensor logits(const torch::Tensor &unit);
    torch::Tensor logits(const torch::Tensor &unit, bool flipTta);
    // Argmax labels [N, H, W] uint8 on the CPU of `logits`, with `refinement`'s largest regions.
    static torch::Tensor labelsOf(const torch::Tensor &logits,
                                  const InferenceRefinement &refinement);

    // pixels: row-major, `channels` (1 or 3) interleaved.
    SlicePrediction predictImage(const std::uint8_t *pixels, int width, int height, int channels,
                                 bool probabilities = false);
    // Slices [first, first + count) of a case of `depth` slices: channels[c] points at the whole
    // volume of channel c (raw values, slice-major, width x height each), each rule resolved on
    // its whole volume (`invert`: MONOCHROME1), so that a slice range predicts as the whole
    // volume would, with the model's adjacent slices (core::caseSlices). Returns the labels,
    // slice-major. Reports slices done through `progress` and throws CancelledError when it
    // asks to stop. What `medseg predict`, the Review tab and "Predict all volumes" run for
    // models that read raw values (Preprocessing::readsRawValues).
    std::vector<std::uint8_t> predictCase(const std::vector<const float *> &channels, int width,
                                          int height, int depth, bool invert, int first, int count,
                                          ProgressSink *progress = nullptr);
    // A one-channel volume (core::Volume's layout): its rule resolved on it, then every slice.
    std::vector<std::uint8_t> predictVolume(const float *voxels, int width, int height, int depth,
                                            ProgressSink *progress = nullptr);
    // Slices already windowed to 8-bit grey (a model of 8-bit grey slices, e.g. from a VOC
    // dataset, reading a series through its window): / 255.
    std::vector<std::uint8_t> predictGreyVolume(const std::uint8_t *grey, int width, int height,
                                                int depth, ProgressSink *progress = nullptr);

    // Chooses flip TTA and, per class, keep-largest-region on `validation` (slices as training
    // stored them): each is kept only when it raises the validation Dice (mean over the
    // foreground classes present for TTA, the class's own for the regions).
    InferenceRefinement chooseRefinement(const std::vector<torch::Tensor> &images,
                                         const std::vector<torch::Tensor> &masks);
    // The same choice from the logits [1, K, H, W] of each slice, plain and with flip TTA.
    static InferenceRefinement chooseRefinementFromLogits(const std::vector<torch::Tensor> &plain,
                                                          const std::vector<torch::Tensor> &flipped,
                                                          const std::vector<torch::Tensor> &masks);

private:
    void requireSingleSlices() const; // throws for 2.5D models
    // The logits without and with flip TTA, from two forward passes.
    std::pair<torch::Tensor, torch::Tensor> plainAndFlippedLogits(const torch::Tensor &unit);
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

// Chooses the refinement of the model at `ptPath` on the validation slices of `data` and
// records it in the model's .json (atomically). Does nothing without validation slices.
struct TrainingData;
void refineModel(const std::string &ptPath, const TrainingData &data);

} // namespace medseg::core
