#pragma once

// The interface PSPNet sees of a feature extractor. Concrete backbones (ResNet, MobileNetV3,
// EfficientNet, ConvNeXt) register their children under torchvision's names, so the keys of
// `named_parameters()` / `named_buffers()` are exactly those of torchvision's state dicts and
// ImageNet weight files load unchanged (see WeightImport.h).

#include <torch/nn.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace medseg::models {

struct BackboneOptions
{
    // 3 for RGB-pretrained use; 1 for gray images; k for k adjacent slices (2.5D).
    int in_channels = 3;
    // 32 is torchvision's network; 16 and 8 replace the stride of the last one or two
    // downsampling stages by dilation (as PSPNet and DeepLab do), keeping every weight shape.
    int output_stride = 32;
    // Build torchvision's ImageNet head too (`fc` / `classifier`), so a whole torchvision model
    // can be loaded and compared; segmentation leaves it out.
    bool classifier = false;
    int64_t classifier_classes = 1000;
    // Stochastic depth rate of the last block (EfficientNet, ConvNeXt); negative means
    // torchvision's default for the architecture (0.2 and 0.1).
    double stochastic_depth_prob = -1.0;
};

struct BackboneFeatures
{
    torch::Tensor stage3; // last feature map before the final downsampling stage (aux head input)
    torch::Tensor out;    // last feature map (pyramid pooling input)
};

// Runs torchvision's `features` Sequential (MobileNetV3, EfficientNet, ConvNeXt) on `x`, keeping
// the output of module `stage3Index` for the auxiliary head.
inline BackboneFeatures runFeatureStages(torch::nn::Sequential &features, const torch::Tensor &x,
                                         size_t stage3Index)
{
    BackboneFeatures result;
    result.out = x;
    size_t index = 0;
    for (auto &module : *features) {
        result.out = module.forward(result.out);
        if (index++ == stage3Index)
            result.stage3 = result.out;
    }
    return result;
}

struct BackboneImpl : torch::nn::Module
{
    BackboneImpl(std::string architecture, BackboneOptions options)
        : torch::nn::Module(architecture)
        , architecture(std::move(architecture))
        , options(options)
    {}

    virtual BackboneFeatures forwardFeatures(const torch::Tensor &x) = 0;
    // ImageNet logits; throws unless built with `options.classifier`.
    virtual torch::Tensor forwardClassifier(const torch::Tensor &x) = 0;

    torch::Tensor forward(const torch::Tensor &x) { return forwardFeatures(x).out; }

    virtual int64_t outChannels() const = 0;
    virtual int64_t stage3Channels() const = 0;
    // State-dict key of the first convolution's weight, the one adapted to `in_channels`.
    virtual std::string firstConvKey() const = 0;
    // Key prefixes of torchvision's classification head ("fc.", "classifier.").
    virtual std::vector<std::string> classifierPrefixes() const = 0;

    const std::string architecture;
    const BackboneOptions options;
};

using BackbonePtr = std::shared_ptr<BackboneImpl>;

} // namespace medseg::models
