#pragma once

// torchvision's efficientnet_b0 (`features.0-8`) as a backbone. Output stride 16 and 8 dilate the
// stride-32 (and stride-16) stages the way torchvision dilates MobileNetV3: the stage's first
// block loses its stride and all of the stage's depthwise convolutions are dilated.

#include "models/Backbone.h"
#include "models/Layers.h"

namespace medseg::models {

struct MBConvConfig
{
    double expand_ratio;
    int64_t kernel;
    int64_t stride;
    int64_t input_channels;
    int64_t out_channels;
    int64_t dilation;
};

// torchvision.models.efficientnet.MBConv: expand (unless 1x), depthwise, SE, project in `block`;
// the residual branch goes through stochastic depth.
struct MBConvImpl : torch::nn::Module
{
    MBConvImpl(const MBConvConfig &config, double stochastic_depth_prob);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Sequential block{nullptr};
    StochasticDepth stochastic_depth{nullptr};
    bool use_res_connect;
};
TORCH_MODULE(MBConv);

struct EfficientNetImpl : BackboneImpl
{
    explicit EfficientNetImpl(const BackboneOptions &options = {});

    BackboneFeatures forwardFeatures(const torch::Tensor &x) override;
    torch::Tensor forwardClassifier(const torch::Tensor &x) override;
    int64_t outChannels() const override { return 1280; }
    int64_t stage3Channels() const override { return 112; }
    std::string firstConvKey() const override { return "features.0.0.weight"; }
    std::vector<std::string> classifierPrefixes() const override { return {"classifier."}; }

    torch::nn::Sequential features{nullptr};
    torch::nn::Sequential classifier{nullptr};
};
TORCH_MODULE(EfficientNet);

} // namespace medseg::models
