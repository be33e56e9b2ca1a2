#pragma once

// torchvision's resnet18 as a backbone, with output stride 8 or 16 by dilation. torchvision only
// dilates Bottleneck blocks; here BasicBlock is dilated the same way: a dilated layer loses its
// stride, its first block keeps the previous dilation and the following blocks use the new one
// (torchvision's `replace_stride_with_dilation` convention, also mmseg's `contract_dilation`).

#include "models/Backbone.h"

namespace medseg::models {

struct BasicBlockImpl : torch::nn::Module
{
    BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation,
                   bool downsample);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::Conv2d conv2{nullptr};
    torch::nn::BatchNorm2d bn2{nullptr};
    torch::nn::Sequential downsample{nullptr}; // 1x1 conv ("0") + BN ("1") when shapes change
};
TORCH_MODULE(BasicBlock);

struct ResNetImpl : BackboneImpl
{
    explicit ResNetImpl(const BackboneOptions &options = {});

    BackboneFeatures forwardFeatures(const torch::Tensor &x) override;
    torch::Tensor forwardClassifier(const torch::Tensor &x) override;
    int64_t outChannels() const override { return 512; }
    int64_t stage3Channels() const override { return 256; }
    std::string firstConvKey() const override { return "conv1.weight"; }
    std::vector<std::string> classifierPrefixes() const override { return {"fc."}; }

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::Sequential layer1{nullptr};
    torch::nn::Sequential layer2{nullptr};
    torch::nn::Sequential layer3{nullptr};
    torch::nn::Sequential layer4{nullptr};
    torch::nn::Linear fc{nullptr};

private:
    torch::nn::Sequential makeLayer(int64_t planes, int64_t blocks, int64_t stride, bool dilate);

    int64_t inplanes_ = 64;
    int64_t dilation_ = 1;
};
TORCH_MODULE(ResNet);

} // namespace medseg::models
