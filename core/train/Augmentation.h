#pragma once

// The source design's medical augmentation pipeline, on batched tensors on the training device
// (CPU or CUDA). One geometric transform per sample is applied to the image (bilinear) and to
// its mask (nearest neighbour, so classes never blend); intensity changes touch the image only.
// Reproducible: the same seed and the same input give the same output.
//
// Choices (see Augmentation.cpp for the maths):
// - Images are expected in [0, 1] (before mean/std normalisation), and brightness/contrast
//   clamps to [0, 1]; z-scored images (unitRange false) are not clamped.
// - Each transform is drawn independently with its probability (albumentations' Compose), in
//   the order brightness/contrast, rotate, elastic, grid distortion, flip. Rotate, elastic and
//   grid distortion are composed into ONE sampling grid per sample, so a sample is resampled
//   once however many of them apply; samples with none of them are not resampled at all, and
//   the flip is an exact index flip.
// - Pixels that come from outside the image are 0 in the image and `ignoreIndex` in the mask
//   (no made-up anatomy, and the losses skip them).
// - All random numbers come from the Augmenter's own CPU generator (then move to the device),
//   so a seed gives the same augmentation on the CPU and on CUDA.

#include <torch/types.h>

#include <ATen/core/Generator.h>

#include <cstdint>
#include <string>

namespace medseg::core {

enum class AugmentationLevel { None, Low, Medium, High };

std::string toString(AugmentationLevel level);
AugmentationLevel augmentationLevelFromString(const std::string &name); // throws on unknown

struct AugmentationOptions
{
    // Probabilities and strengths; forLevel() fills them for none / low / medium / high: the
    // strengths stay the source design's (15 degrees, alpha 34 / sigma 4, 5 steps / 0.3,
    // +-0.1), the levels change how often each transform applies:
    //            rotate  elastic  grid  brightness/contrast  flip
    //   low       0.3     0       0       0.3                0.5
    //   medium    0.5     0.2     0.2     0.5                0.5
    //   high      0.7     0.4     0.4     0.7                0.5
    //   none: every probability 0 (the identity).
    double rotateProbability = 0.5;
    double rotateDegrees = 15.0; // uniform in [-rotateDegrees, rotateDegrees]
    double elasticProbability = 0.0;
    double elasticAlpha = 34.0; // albumentations' meaning: displacement scale in pixels
    double elasticSigma = 4.0;  // Gaussian smoothing of the random field, in pixels
    double gridProbability = 0.0;
    int gridSteps = 5; // albumentations' num_steps
    double gridDistortLimit = 0.3;
    double brightnessContrastProbability = 0.5;
    double brightnessLimit = 0.1; // additive, in units of the image's [0, 1] range
    double contrastLimit = 0.1;   // multiplicative: 1 +- limit
    double flipProbability = 0.5; // horizontal
    int ignoreIndex = 255;        // mask value for pixels that come from outside the image
    // Images in [0, 1]: brightness/contrast clamps to it. False for z-scored intensities (no
    // clamp; the brightness shift is then in standard deviations).
    bool unitRange = true;

    static AugmentationOptions forLevel(AugmentationLevel level);
};

// images: [N, C, H, W] float; masks: [N, H, W] int64 (class indexes). Both on the same device.
// The output has the input's shapes, dtypes and device.
struct AugmentedBatch
{
    torch::Tensor images;
    torch::Tensor masks;
};

class Augmenter
{
public:
    explicit Augmenter(AugmentationOptions options = {}, std::uint64_t seed = 0);
    // Copies get their own generator in the same state (at::Generator alone would be shared).
    Augmenter(const Augmenter &other);
    Augmenter &operator=(const Augmenter &other);
    Augmenter(Augmenter &&) = default;
    Augmenter &operator=(Augmenter &&) = default;

    AugmentedBatch operator()(const torch::Tensor &images, const torch::Tensor &masks);

    // The generator's state, for checkpoints (a resumed run continues the same sequence): the
    // bytes of the CPU generator's get_state(). setState() throws std::runtime_error on bytes
    // that are not such a state.
    std::string state() const;
    void setState(const std::string &state);

    const AugmentationOptions &options() const;
    void setOptions(const AugmentationOptions &options);


private:
    AugmentationOptions m_options;
    mutable at::Generator m_generator; // state() locks its mutex
};

} // namespace medseg::core
