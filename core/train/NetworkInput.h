#pragma once

// The one rule by which a slice becomes the network's input, and the network's output becomes
// labels on that slice: training, validation, the live preview, prediction (Predictor, the
// Review tab, `medseg predict`) and the export's calibration and checks all call these.
//
//   raw values of each channel -> normalizedSlices (core/train/Intensity.h's rule per channel,
//   with its volume's statistics), or 8-bit images -> unitOf (/ 255)
//   unit [N, C, H, W] (in [0, 1], or z-scores)
//     -> matchChannels   grey replicated to the model's channels, colour averaged to grey
//     -> placeImage      resized (bilinear) into the square input, zero (black) padding
//     -> (training only: augmentation)
//     -> normalizeChannels   (x - mean[c]) / std[c], the statistics cycled over the channels
//   logits [N, K, S, S] -> logitsToSlice: the slice's region, resized (bilinear) back to H x W

#include "core/train/InputGeometry.h"
#include "core/train/Intensity.h"
#include "core/train/ModelBundle.h"

#include <torch/types.h>

namespace medseg::core {

// Training images as stored ([C, H, W] or [H, W], or batched [N, C, H, W]): 8-bit ones / 255,
// float ones (already normalised intensities) as they are -> [N, C, H, W] float.
torch::Tensor unitOf(const torch::Tensor &image);
// `count` slices of each channel (channels[c] points at the first, slice-major H x W) through
// their volume's rule -> [count, C, H, W] float on the CPU.
torch::Tensor normalizedSlices(const std::vector<VolumeIntensity> &rules,
                               const std::vector<const float *> &channels, std::int64_t count,
                               std::int64_t height, std::int64_t width);

// Slices first .. first + count - 1 of a case: each channel (volumes[c], `depth` slices of
// H x W) through its volume's rule, with `adjacent` (k, odd) slices per channel for 2.5D
// models: slice z's neighbours z - (k - 1) / 2 .. z + (k - 1) / 2, the volume's end slices
// repeated, channel-major -> [count, C x k, H, W] float on the CPU. Training, prediction, the
// preview and the export's checks all build a case's input here.
torch::Tensor caseSlices(const std::vector<VolumeIntensity> &rules,
                         const std::vector<const float *> &volumes, std::int64_t depth,
                         std::int64_t first, std::int64_t count, std::int64_t height,
                         std::int64_t width, int adjacent);

// The placement of an H x W slice under `preprocessing` (its inputSize and resize).
InputPlacement placementFor(std::int64_t height, std::int64_t width,
                            const Preprocessing &preprocessing);

torch::Tensor matchChannels(const torch::Tensor &unit, int inChannels);
// [N, C, H, W] float -> [N, C, S, S] (or unchanged for an identity placement).
torch::Tensor placeImage(const torch::Tensor &image, const InputPlacement &placement);
// [N, H, W] or [H, W] class indexes -> int64 of the input's size: nearest-neighbour resize,
// `padLabel` (the loss's ignore index) outside the slice.
torch::Tensor placeMask(const torch::Tensor &mask, const InputPlacement &placement,
                        std::int64_t padLabel);
torch::Tensor normalizeChannels(const torch::Tensor &x, const Preprocessing &preprocessing);
// matchChannels + placeImage + normalizeChannels: unit [N, C, H, W] -> the network's input.
torch::Tensor networkInput(const torch::Tensor &unit, const Preprocessing &preprocessing,
                           int inChannels);
// [N, K, S, S] logits -> [N, K, H, W] on the slice.
torch::Tensor logitsToSlice(const torch::Tensor &logits, const InputPlacement &placement);

} // namespace medseg::core
