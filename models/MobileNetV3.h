#pragma once

// torchvision's mobilenet_v3_large (`features.0-16`) as a backbone. Output stride 16 and 8 follow
// torchvision's `dilated=True` (used by its DeepLabV3/LR-ASPP): the stage's first block loses its
// stride and every depthwise convolution of the stage, the first included, is dilated.

#include "models/Backbone.h"
#include "models/Layers.h"

namespace medseg::models {

struct InvertedResidualConfig
{
    int64_t input_channels;
    int64_t kernel;
    int64_t expanded_channels;
    int64_t out_channels;
    bool use_se;
    Activation activation;
    int64_t stride;
    int64_t dilation;
};

// torchvision.models.mobilenetv3.InvertedResidual: expand (unless 1x), depthwise, SE, project,
// all in the Sequential `block`.
struct InvertedResidualImpl : torch::nn::Module
{
    explicit InvertedResidualImpl(const InvertedResidualConfig &config);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Sequential block{nullptr};
    bool use_res_connect;
};
TORCH_MODULE(InvertedResidual);

struct MobileNetV3Impl : BackboneImpl
{
    explicit MobileNetV3Impl(const BackboneOptions &options = {});

    BackboneFeatures forwardFeatures(const torch::Tensor &x) override;
    torch::Tensor forwardClassifier(const torch::Tensor &x) override;
    int64_t outChannels() const override { return 960; }
    int64_t stage3Channels() const override { return 112; }
    std::string firstConvKey() const override { return "features.0.0.weight"; }
    std::vector<std::string> classifierPrefixes() const override { return {"classifier."}; }

    torch::nn::Sequential features{nullptr};
    torch::nn::Sequential classifier{nullptr};
};
TORCH_MODULE(MobileNetV3);

} // namespace medseg::models
