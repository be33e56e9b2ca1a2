#include "models/PSPNet.h"

#include "models/Layers.h"
#include "models/PyramidConv.h"
#include "models/Registry.h"

#include <stdexcept>

namespace medseg::models {

namespace {

// The paper's auxiliary head: 3x3 conv to 256 channels, BN, ReLU, Dropout 0.1, 1x1 classifier.
constexpr int64_t kAuxChannels = 256;
constexpr double kAuxDropout = 0.1;

BackboneOptions backboneOptions(const ModelConfig &config)
{
    BackboneOptions options;
    options.in_channels = config.in_channels;
    options.output_stride = config.output_stride;
    options.stochastic_depth_prob = config.stochastic_depth_prob;
    return options;
}

} // namespace

PSPNetImpl::PSPNetImpl(const ModelConfig &config_)
    : config(config_)
{
    if (config.num_classes < 1)
        throw std::invalid_argument("num_classes must be at least 1");
    if (config.bottleneck_kernel != 1 && config.bottleneck_kernel != 3)
        throw std::invalid_argument("bottleneck kernel must be 1 or 3");
    if (config.bottleneck_channels < 1)
        throw std::invalid_argument("bottleneck channels must be positive");
    if (config.dropout < 0.0 || config.dropout > 1.0)
        throw std::invalid_argument("dropout must be in [0, 1]");

    backbone =
        register_module("backbone", createBackbone(config.backbone, backboneOptions(config)));
    ppm = register_module("ppm", PyramidPooling(backbone->outChannels(), config.bins));
    const int64_t width = config.bottleneck_channels;
    bottleneck = register_module(
        "bottleneck",
        torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(ppm->outChannels(), width,
                                                                         config.bottleneck_kernel)
                                                    .padding(config.bottleneck_kernel / 2)
                                                    .bias(false)),
                              torch::nn::BatchNorm2d(width),
                              torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true))));
    dropout = register_module("dropout", torch::nn::Dropout2d(config.dropout));
    classifier = register_module(
        "classifier", torch::nn::Conv2d(torch::nn::Conv2dOptions(width, config.num_classes, 1)));
    if (config.aux) {
        aux_head = register_module(
            "aux_head",
            torch::nn::Sequential(
                torch::nn::Conv2d(
                    torch::nn::Conv2dOptions(backbone->stage3Channels(), kAuxChannels, 3)
                        .padding(1)
                        .bias(false)),
                torch::nn::BatchNorm2d(kAuxChannels),
                torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)),
                torch::nn::Dropout2d(kAuxDropout),
                torch::nn::Conv2d(torch::nn::Conv2dOptions(kAuxChannels, config.num_classes, 1))));
    }

    // The head is new, whatever the backbone: He-normal convs, unit BatchNorm, and small
    // classifier weights (std 0.01, as mmseg's decode heads) so that training starts from
    // near-uniform class probabilities instead of saturated logits.
    torch::NoGradGuard no_grad;
    for (const auto &name_module : named_modules("", /*include_self=*/false)) {
        if (name_module.key().rfind("backbone", 0) == 0)
            continue;
        const auto &module = name_module.value();
        if (auto *conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
            if (conv->bias.defined())
                conv->bias.zero_();
        } else if (auto *bn = module->as<torch::nn::BatchNorm2d>()) {
            bn->weight.fill_(1.0);
            bn->bias.zero_();
        }
    }
    std::vector<std::shared_ptr<torch::nn::Conv2dImpl>> classifiers{classifier.ptr()};
    if (aux_head)
        classifiers.push_back(aux_head->ptr<torch::nn::Conv2dImpl>(4));
    for (const auto &conv : classifiers) {
        conv->weight.normal_(0.0, 0.01);
        conv->bias.zero_();
    }
}

void PSPNetImpl::setResampling(Resampling mode)
{
    resampling_ = mode;
    ppm->resampling = mode;
}

torch::Tensor PSPNetImpl::resize(const torch::Tensor &x, const std::vector<int64_t> &size)
{
    if (resampleWithGemms(resampling_, x))
        return resizeBilinear(x, size[0], size[1], resize_maps_);
    return interpolateBilinear(x, size[0], size[1]);
}

// The pyramid pooling and the bottleneck (conv, BN, ReLU).
torch::Tensor PSPNetImpl::head(const torch::Tensor &features)
{
    const bool factored = pyramid_head_ == PyramidHead::Factored ||
                          (pyramid_head_ == PyramidHead::Automatic && !features.is_cuda());
    if (!factored)
        return bottleneck->forward(ppm->forward(features));
    const auto &weight = bottleneck[0]->as<torch::nn::Conv2d>()->weight;
    auto y = pyramidConv(features, ppm->grids(features), weight, head_maps_,
                         gemmsAsConvolutions(features));
    for (auto layer = bottleneck->begin() + 1; layer != bottleneck->end(); ++layer)
        y = layer->forward(y);
    return y;
}

PSPNetOutput PSPNetImpl::forward(const torch::Tensor &x)
{
    const std::vector<int64_t> size{x.size(2), x.size(3)};
    const auto features = backbone->forwardFeatures(x);
    auto y = classifier->forward(dropout->forward(head(features.out)));
    PSPNetOutput output;
    output.logits = resize(y, size);
    if (aux_head && is_training())
        output.aux_logits = resize(aux_head->forward(features.stage3), size);
    return output;
}

} // namespace medseg::models
