#pragma once

// torchvision's convnext_tiny (`features.0-7`) as a backbone. Output stride 16 and 8 follow timm's
// dilated ConvNeXt: a skipped downsampling layer keeps its 2x2 convolution at stride 1 with "same"
// padding (one extra row/column at the bottom/right at dilation 1), and the 7x7 depthwise
// convolutions after it are dilated.

#include "models/Backbone.h"
#include "models/Layers.h"

namespace medseg::models {

// How a CNBlock runs its two Linear layers; the values are the same up to rounding.
enum class PointwiseKernel {
    Automatic,   // Convolution up to 384 channels where gemmsAsConvolutions() (Layers.h)
    Gemm,        // torch::linear on the [N, H, W, C] rows, as torchvision
    Convolution, // 1x1 convolutions of the rows as a channels_last map (linearRows)
};

// torchvision.models.convnext.CNBlock: depthwise 7x7, LayerNorm, Linear MLP (GELU), layer scale,
// stochastic depth, residual.
struct CNBlockImpl : torch::nn::Module
{
    CNBlockImpl(int64_t dim, double layer_scale, double stochastic_depth_prob, int64_t dilation);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Sequential block{nullptr};
    torch::Tensor layer_scale;
    StochasticDepth stochastic_depth{nullptr};
    PointwiseKernel pointwise = PointwiseKernel::Automatic;
};
TORCH_MODULE(CNBlock);

// The LayerNorm2d ("0") + 2x2 convolution ("1") between ConvNeXt stages.
struct ConvNeXtDownsampleImpl : torch::nn::Module
{
    ConvNeXtDownsampleImpl(int64_t in_channels, int64_t out_channels, bool dilated,
                           int64_t dilation);
    torch::Tensor forward(const torch::Tensor &x);

    LayerNorm2d norm{nullptr};
    torch::nn::Conv2d conv{nullptr};
    bool dilated;
    int64_t dilation;
};
TORCH_MODULE(ConvNeXtDownsample);

struct ConvNeXtImpl : BackboneImpl
{
    explicit ConvNeXtImpl(const BackboneOptions &options = {});

    BackboneFeatures forwardFeatures(const torch::Tensor &x) override;
    torch::Tensor forwardClassifier(const torch::Tensor &x) override;
    int64_t outChannels() const override { return 768; }
    int64_t stage3Channels() const override { return 384; }
    std::string firstConvKey() const override { return "features.0.0.weight"; }
    std::vector<std::string> classifierPrefixes() const override { return {"classifier."}; }

    torch::nn::Sequential features{nullptr};
    torch::nn::Sequential classifier{nullptr};
};
TORCH_MODULE(ConvNeXt);

} // namespace medseg::models
