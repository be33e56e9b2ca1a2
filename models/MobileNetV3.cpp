#include "models/MobileNetV3.h"

#include <stdexcept>

namespace medseg::models {

namespace {

constexpr double kBnEps = 0.001;
constexpr double kBnMomentum = 0.01;
// features.12 is the last block before the stride-32 stage (C4 in torchvision's comments).
constexpr size_t kStage3Index = 12;

ConvNormActOptions bnOptions(int64_t kernel, Activation activation)
{
    ConvNormActOptions o;
    o.kernel_size = kernel;
    o.activation = activation;
    o.bn_eps = kBnEps;
    o.bn_momentum = kBnMomentum;
    return o;
}

} // namespace

InvertedResidualImpl::InvertedResidualImpl(const InvertedResidualConfig &c)
    : use_res_connect(c.stride == 1 && c.input_channels == c.out_channels)
{
    block = torch::nn::Sequential();
    if (c.expanded_channels != c.input_channels)
        block->push_back(
            convNormAct(c.input_channels, c.expanded_channels, bnOptions(1, c.activation)));
    auto depthwise = bnOptions(c.kernel, c.activation);
    depthwise.stride = c.dilation > 1 ? 1 : c.stride;
    depthwise.dilation = c.dilation;
    depthwise.groups = c.expanded_channels;
    block->push_back(convNormAct(c.expanded_channels, c.expanded_channels, depthwise));
    if (c.use_se)
        block->push_back(SqueezeExcitation(c.expanded_channels,
                                           makeDivisible(c.expanded_channels / 4, 8),
                                           Activation::ReLU, Activation::Hardsigmoid));
    block->push_back(
        convNormAct(c.expanded_channels, c.out_channels, bnOptions(1, Activation::None)));
    register_module("block", block);
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor &x)
{
    auto result = block->forward(x);
    return use_res_connect ? result + x : result;
}

MobileNetV3Impl::MobileNetV3Impl(const BackboneOptions &opts)
    : BackboneImpl("mobilenet_v3_large", opts)
{
    checkOutputStride(options.output_stride);
    const auto RE = Activation::ReLU;
    const auto HS = Activation::Hardswish;
    // torchvision's _mobilenet_v3_conf("mobilenet_v3_large"); the last field is the stage
    // (0: up to stride 8, 1: the stride-16 stage, 2: the stride-32 stage) for dilation.
    struct Row
    {
        int64_t in, kernel, expanded, out;
        bool se;
        Activation act;
        int64_t stride;
        int stage;
    };
    const Row rows[] = {
        {16, 3, 16, 16, false, RE, 1, 0},   {16, 3, 64, 24, false, RE, 2, 0},
        {24, 3, 72, 24, false, RE, 1, 0},   {24, 5, 72, 40, true, RE, 2, 0},
        {40, 5, 120, 40, true, RE, 1, 0},   {40, 5, 120, 40, true, RE, 1, 0},
        {40, 3, 240, 80, false, HS, 2, 1},  {80, 3, 200, 80, false, HS, 1, 1},
        {80, 3, 184, 80, false, HS, 1, 1},  {80, 3, 184, 80, false, HS, 1, 1},
        {80, 3, 480, 112, true, HS, 1, 1},  {112, 3, 672, 112, true, HS, 1, 1},
        {112, 5, 672, 160, true, HS, 2, 2}, {160, 5, 960, 160, true, HS, 1, 2},
        {160, 5, 960, 160, true, HS, 1, 2},
    };
    const int64_t stage_dilation[3] = {1, options.output_stride <= 8 ? 2 : 1,
                                       options.output_stride == 8    ? 4
                                       : options.output_stride == 16 ? 2
                                                                     : 1};

    features = torch::nn::Sequential();
    auto stem = bnOptions(3, HS);
    stem.stride = 2;
    features->push_back(convNormAct(options.in_channels, 16, stem));
    for (const auto &r : rows) {
        features->push_back(InvertedResidual(InvertedResidualConfig{
            r.in, r.kernel, r.expanded, r.out, r.se, r.act, r.stride, stage_dilation[r.stage]}));
    }
    features->push_back(convNormAct(160, 960, bnOptions(1, HS)));
    register_module("features", features);

    if (options.classifier) {
        classifier = register_module(
            "classifier",
            torch::nn::Sequential(torch::nn::Linear(960, 1280), ActivationLayer(HS),
                                  torch::nn::Dropout(0.2),
                                  torch::nn::Linear(1280, options.classifier_classes)));
        torch::NoGradGuard no_grad;
        for (const auto &child : classifier->children()) {
            if (auto *linear = child->as<torch::nn::Linear>()) {
                linear->weight.normal_(0.0, 0.01);
                linear->bias.zero_();
            }
        }
    }
    initConvNormWeights(*this);
}

BackboneFeatures MobileNetV3Impl::forwardFeatures(const torch::Tensor &x)
{
    return runFeatureStages(features, x, kStage3Index);
}

torch::Tensor MobileNetV3Impl::forwardClassifier(const torch::Tensor &x)
{
    if (!classifier)
        throw std::logic_error("mobilenet_v3_large was built without its classifier");
    auto y = torch::adaptive_avg_pool2d(forwardFeatures(x).out, {1, 1}).flatten(1);
    return classifier->forward(y);
}

} // namespace medseg::models
