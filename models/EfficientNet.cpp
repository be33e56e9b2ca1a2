#include "models/EfficientNet.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace medseg::models {

namespace {

// features.5 (112 channels) is the last stage before the stride-32 stage.
constexpr size_t kStage3Index = 5;

ConvNormActOptions silu(int64_t kernel)
{
    ConvNormActOptions o;
    o.kernel_size = kernel;
    o.activation = Activation::SiLU;
    return o;
}

} // namespace

MBConvImpl::MBConvImpl(const MBConvConfig &c, double stochastic_depth_prob)
    : use_res_connect(c.stride == 1 && c.input_channels == c.out_channels)
{
    const int64_t expanded = makeDivisible(c.input_channels * c.expand_ratio, 8);
    block = torch::nn::Sequential();
    if (expanded != c.input_channels)
        block->push_back(convNormAct(c.input_channels, expanded, silu(1)));
    auto depthwise = silu(c.kernel);
    depthwise.stride = c.dilation > 1 ? 1 : c.stride;
    depthwise.dilation = c.dilation;
    depthwise.groups = expanded;
    block->push_back(convNormAct(expanded, expanded, depthwise));
    block->push_back(SqueezeExcitation(expanded, std::max<int64_t>(1, c.input_channels / 4),
                                       Activation::SiLU, Activation::Sigmoid));
    auto project = silu(1);
    project.activation = Activation::None;
    block->push_back(convNormAct(expanded, c.out_channels, project));
    register_module("block", block);
    stochastic_depth = register_module("stochastic_depth", StochasticDepth(stochastic_depth_prob));
}

torch::Tensor MBConvImpl::forward(const torch::Tensor &x)
{
    auto result = block->forward(x);
    if (use_res_connect)
        result = stochastic_depth->forward(result) + x;
    return result;
}

EfficientNetImpl::EfficientNetImpl(const BackboneOptions &opts)
    : BackboneImpl("efficientnet_b0", opts)
{
    checkOutputStride(options.output_stride);
    const double sd_prob = options.stochastic_depth_prob < 0 ? 0.2 : options.stochastic_depth_prob;
    // torchvision's _efficientnet_conf("efficientnet_b0"): expand ratio, kernel, stride, in, out,
    // layers, and the dilation stage (0: up to stride 8, 1: stride 16, 2: stride 32).
    struct Stage
    {
        double expand;
        int64_t kernel, stride, in, out, layers;
        int stage;
    };
    const Stage stages[] = {
        {1, 3, 1, 32, 16, 1, 0},   {6, 3, 2, 16, 24, 2, 0},  {6, 5, 2, 24, 40, 2, 0},
        {6, 3, 2, 40, 80, 3, 1},   {6, 5, 1, 80, 112, 3, 1}, {6, 5, 2, 112, 192, 4, 2},
        {6, 3, 1, 192, 320, 1, 2},
    };
    const int64_t stage_dilation[3] = {1, options.output_stride <= 8 ? 2 : 1,
                                       options.output_stride == 8    ? 4
                                       : options.output_stride == 16 ? 2
                                                                     : 1};
    int64_t total_blocks = 0;
    for (const auto &s : stages)
        total_blocks += s.layers;

    features = torch::nn::Sequential();
    auto stem = silu(3);
    stem.stride = 2;
    features->push_back(convNormAct(options.in_channels, 32, stem));
    int64_t block_id = 0;
    for (const auto &s : stages) {
        SequentialBlock stage;
        for (int64_t i = 0; i < s.layers; ++i) {
            const MBConvConfig config{s.expand,
                                      s.kernel,
                                      i == 0 ? s.stride : 1,
                                      i == 0 ? s.in : s.out,
                                      s.out,
                                      stage_dilation[s.stage]};
            const double p =
                sd_prob * static_cast<double>(block_id) / static_cast<double>(total_blocks);
            stage->push_back(MBConv(config, p));
            ++block_id;
        }
        features->push_back(stage);
    }
    features->push_back(convNormAct(320, 1280, silu(1)));
    register_module("features", features);

    if (options.classifier) {
        auto linear = torch::nn::Linear(1280, options.classifier_classes);
        classifier =
            register_module("classifier", torch::nn::Sequential(torch::nn::Dropout(0.2), linear));
        torch::NoGradGuard no_grad;
        const double range = 1.0 / std::sqrt(static_cast<double>(options.classifier_classes));
        linear->weight.uniform_(-range, range);
        linear->bias.zero_();
    }
    initConvNormWeights(*this);
}

BackboneFeatures EfficientNetImpl::forwardFeatures(const torch::Tensor &x)
{
    return runFeatureStages(features, x, kStage3Index);
}

torch::Tensor EfficientNetImpl::forwardClassifier(const torch::Tensor &x)
{
    if (!classifier)
        throw std::logic_error("efficientnet_b0 was built without its classifier");
    auto y = torch::adaptive_avg_pool2d(forwardFeatures(x).out, {1, 1}).flatten(1);
    return classifier->forward(y);
}

} // namespace medseg::models
