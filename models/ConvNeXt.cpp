#include "models/ConvNeXt.h"

#include <stdexcept>

namespace medseg::models {

namespace {

constexpr double kLayerNormEps = 1e-6;
constexpr double kLayerScale = 1e-6;
// features.5 (384 channels, 9 blocks) is the stage before the stride-32 stage.
constexpr size_t kStage3Index = 5;
// Up to this width oneDNN's 1x1 convolution beats OpenBLAS's GEMM for the blocks' Linear layers
// (2 threads, fc1 forward and backward at 2x32x32 pixels: 26 against 56 ms at 96 channels, 77
// against 86 at 384); at 768 it loses (337 against 251).
constexpr int64_t kMaxConvolutionWidth = 384;

} // namespace

CNBlockImpl::CNBlockImpl(int64_t dim, double layer_scale_init, double stochastic_depth_prob,
                         int64_t dilation)
{
    block = register_module(
        "block", torch::nn::Sequential(
                     torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, dim, 7)
                                           .padding(3 * dilation)
                                           .dilation(dilation)
                                           .groups(dim)
                                           .bias(true)),
                     Permute(std::vector<int64_t>{0, 2, 3, 1}),
                     torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(kLayerNormEps)),
                     torch::nn::Linear(dim, 4 * dim), ActivationLayer(Activation::GELU),
                     torch::nn::Linear(4 * dim, dim), Permute(std::vector<int64_t>{0, 3, 1, 2})));
    layer_scale = register_parameter("layer_scale", torch::full({dim, 1, 1}, layer_scale_init));
    stochastic_depth = register_module("stochastic_depth", StochasticDepth(stochastic_depth_prob));
}

torch::Tensor CNBlockImpl::forward(const torch::Tensor &x)
{
    // torchvision's layer_scale * block(x). The scale multiplies whichever is smaller: the block's
    // output (rows x dim) or, folded in as the ONNX exporter does, the second Linear's weight
    // (dim x 4 dim) and bias; autograd reaches fc2 and layer_scale either way. Large inputs (a GPU
    // batch) save a pass over the activations per block; small ones keep torchvision's product.
    // `block` keeps torchvision's layout and names.
    auto *dwconv = block[0]->as<torch::nn::Conv2d>();
    auto *norm = block[2]->as<torch::nn::LayerNorm>();
    auto *fc1 = block[3]->as<torch::nn::Linear>();
    auto *activation = block[4]->as<ActivationLayer>();
    auto *fc2 = block[5]->as<torch::nn::Linear>();
    if (!dwconv || !norm || !fc1 || !activation || !fc2)
        throw std::logic_error("CNBlock: unexpected layout of its block");
    const bool convolutions = pointwise == PointwiseKernel::Convolution ||
                              (pointwise == PointwiseKernel::Automatic && gemmsAsConvolutions(x) &&
                               fc1->weight.size(1) <= kMaxConvolutionWidth);
    const auto linear = [convolutions](const torch::Tensor &pixels, const torch::Tensor &weight,
                                       const torch::Tensor &bias) {
        return linearRows(pixels, weight, bias, convolutions);
    };
    auto y = norm->forward(dwconv->forward(x).permute({0, 2, 3, 1}));
    y = activation->forward(linear(y, fc1->weight, fc1->bias));
    const auto scale = layer_scale.reshape({-1});
    const int64_t rows = y.numel() / y.size(-1);
    if (rows > fc2->weight.size(1))
        y = linear(y, fc2->weight * scale.unsqueeze(1), fc2->bias * scale);
    else
        y = linear(y, fc2->weight, fc2->bias) * scale;
    // In place, as torchvision's `result += input`: nothing autograd keeps is overwritten.
    auto out = stochastic_depth->forward(y.permute({0, 3, 1, 2}));
    out += x;
    return out;
}

ConvNeXtDownsampleImpl::ConvNeXtDownsampleImpl(int64_t in_channels, int64_t out_channels,
                                               bool dilated, int64_t dilation)
    : dilated(dilated)
    , dilation(dilation)
{
    norm = register_module("0", LayerNorm2d(in_channels, kLayerNormEps));
    conv = register_module("1",
                           torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 2)
                                                 .stride(dilated ? 1 : 2)
                                                 .dilation(dilated ? dilation : 1)));
}

torch::Tensor ConvNeXtDownsampleImpl::forward(const torch::Tensor &x)
{
    auto y = norm->forward(x);
    if (dilated) {
        // "same" padding of a 2x2 kernel: `dilation` rows/columns in all, the odd one at the end.
        const int64_t before = dilation / 2;
        const int64_t after = dilation - before;
        y = torch::constant_pad_nd(y, {before, after, before, after});
    }
    return conv->forward(y);
}

ConvNeXtImpl::ConvNeXtImpl(const BackboneOptions &opts)
    : BackboneImpl("convnext_tiny", opts)
{
    checkOutputStride(options.output_stride);
    const double sd_prob = options.stochastic_depth_prob < 0 ? 0.1 : options.stochastic_depth_prob;
    const int64_t dims[4] = {96, 192, 384, 768};
    const int64_t depths[4] = {3, 3, 9, 3};
    // Dilation of each stage's blocks; stage 2 (stride 16) and 3 (stride 32) may be dilated.
    const int64_t stage_dilation[4] = {1, 1, options.output_stride <= 8 ? 2 : 1,
                                       options.output_stride == 8    ? 4
                                       : options.output_stride == 16 ? 2
                                                                     : 1};
    const int64_t total_blocks = 3 + 3 + 9 + 3;

    features = torch::nn::Sequential();
    features->push_back(SequentialBlock(
        torch::nn::Conv2d(
            torch::nn::Conv2dOptions(options.in_channels, dims[0], 4).stride(4).bias(true)),
        LayerNorm2d(dims[0], kLayerNormEps)));
    int64_t block_id = 0;
    for (int stage = 0; stage < 4; ++stage) {
        SequentialBlock blocks;
        for (int64_t i = 0; i < depths[stage]; ++i) {
            const double p =
                sd_prob * static_cast<double>(block_id) / static_cast<double>(total_blocks - 1);
            blocks->push_back(CNBlock(dims[stage], kLayerScale, p, stage_dilation[stage]));
            ++block_id;
        }
        features->push_back(blocks);
        if (stage < 3) {
            const bool dilated = stage_dilation[stage + 1] > 1;
            features->push_back(
                ConvNeXtDownsample(dims[stage], dims[stage + 1], dilated, stage_dilation[stage]));
        }
    }
    register_module("features", features);

    if (options.classifier) {
        classifier = register_module(
            "classifier",
            torch::nn::Sequential(LayerNorm2d(dims[3], kLayerNormEps), torch::nn::Flatten(),
                                  torch::nn::Linear(dims[3], options.classifier_classes)));
    }

    // torchvision: trunc_normal_(std=0.02) with cut-offs at +-2, i.e. 100 standard deviations,
    // which is a plain normal distribution in practice.
    torch::NoGradGuard no_grad;
    for (const auto &child : modules(/*include_self=*/false)) {
        if (auto *conv = child->as<torch::nn::Conv2d>()) {
            conv->weight.normal_(0.0, 0.02);
            conv->bias.zero_();
        } else if (auto *linear = child->as<torch::nn::Linear>()) {
            linear->weight.normal_(0.0, 0.02);
            linear->bias.zero_();
        }
    }
}

BackboneFeatures ConvNeXtImpl::forwardFeatures(const torch::Tensor &x)
{
    return runFeatureStages(features, x, kStage3Index);
}

torch::Tensor ConvNeXtImpl::forwardClassifier(const torch::Tensor &x)
{
    if (!classifier)
        throw std::logic_error("convnext_tiny was built without its classifier");
    auto y = torch::adaptive_avg_pool2d(forwardFeatures(x).out, {1, 1});
    return classifier->forward(y);
}

} // namespace medseg::models
