#pragma once

// PSPNet (Zhao et al., "Pyramid Scene Parsing Network", 2017) on a torchvision-compatible
// backbone: backbone -> pyramid pooling -> 3x3 (or 1x1) conv to 512 channels, BN, ReLU ->
// Dropout2d -> 1x1 classifier -> bilinear upsampling to the input size. With `aux`, a second
// head on the stage-3 features gives deep supervision during training (loss weight
// `ModelConfig::aux_weight`, 0.4 in the paper); it is skipped in eval mode.

#include "models/Backbone.h"
#include "models/ModelConfig.h"
#include "models/PyramidPooling.h"

namespace medseg::models {

// How the bottleneck convolution reads the pyramid's branches (PyramidConv.h); the values are the
// same up to rounding.
enum class PyramidHead {
    Automatic, // factored on the CPU, upsampled on CUDA (not yet timed there)
    Upsampled, // the paper's way: upsample the branches, concatenate, convolve
    Factored,  // convolve on the branches' grids, upsample the products (pyramidConv)
};

struct PSPNetOutput
{
    torch::Tensor logits;     // [N, num_classes, H, W]
    torch::Tensor aux_logits; // same shape; defined only in training with `aux` enabled
};

struct PSPNetImpl : torch::nn::Module
{
    explicit PSPNetImpl(const ModelConfig &config);

    PSPNetOutput forward(const torch::Tensor &x);

    // How the pyramid pooling pools and upsamples and the logits are resized (SpatialMaps.h).
    void setResampling(Resampling mode);
    Resampling resampling() const { return resampling_; }

    void setPyramidHead(PyramidHead mode) { pyramid_head_ = mode; }
    PyramidHead pyramidHead() const { return pyramid_head_; }

    const ModelConfig config;
    BackbonePtr backbone;
    PyramidPooling ppm{nullptr};
    torch::nn::Sequential bottleneck{nullptr}; // conv, BN, ReLU
    torch::nn::Dropout2d dropout{nullptr};
    torch::nn::Conv2d classifier{nullptr};
    torch::nn::Sequential aux_head{nullptr}; // conv, BN, ReLU, Dropout2d, conv; null without aux

private:
    torch::Tensor resize(const torch::Tensor &x, const std::vector<int64_t> &size);
    torch::Tensor head(const torch::Tensor &features);

    Resampling resampling_ = Resampling::Automatic;
    PyramidHead pyramid_head_ = PyramidHead::Automatic;
    SpatialMapCache resize_maps_;
    SpatialMapCache head_maps_;
};
TORCH_MODULE(PSPNet);

} // namespace medseg::models
