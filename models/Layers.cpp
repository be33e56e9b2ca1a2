#include "models/Layers.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace medseg::models {

torch::Tensor applyActivation(const torch::Tensor &x, Activation kind)
{
    switch (kind) {
    case Activation::None:
        return x;
    case Activation::ReLU:
        return torch::relu(x);
    case Activation::Hardswish:
        return torch::hardswish(x);
    case Activation::Hardsigmoid:
        return torch::hardsigmoid(x);
    case Activation::SiLU:
        return torch::silu(x);
    case Activation::Sigmoid:
        return torch::sigmoid(x);
    case Activation::GELU:
        // torchvision's ConvNeXt uses the exact (erf) GELU, LibTorch's default.
        return torch::gelu(x);
    }
    return x;
}

ActivationLayerImpl::ActivationLayerImpl(Activation kind, bool inplace)
    : kind(kind)
    , inplace(inplace)
{}

torch::Tensor ActivationLayerImpl::forward(const torch::Tensor &x)
{
    if (inplace) {
        auto y = x; // shares x's storage: the in-place ops below overwrite x, as torchvision's do
        switch (kind) {
        case Activation::ReLU:
            return torch::relu_(y);
        case Activation::Hardswish:
            return torch::hardswish_(y);
        case Activation::SiLU:
            return torch::silu_(y);
        default:
            break;
        }
    }
    return applyActivation(x, kind);
}

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t input_channels, int64_t squeeze_channels,
                                             Activation activation, Activation scale_activation)
    : activation(activation)
    , scale_activation(scale_activation)
{
    fc1 = register_module(
        "fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(input_channels, squeeze_channels, 1)));
    fc2 = register_module(
        "fc2", torch::nn::Conv2d(torch::nn::Conv2dOptions(squeeze_channels, input_channels, 1)));
}

torch::Tensor SqueezeExcitationImpl::forward(const torch::Tensor &x)
{
    auto scale = torch::adaptive_avg_pool2d(x, {1, 1});
    scale = applyActivation(fc1->forward(scale), activation);
    scale = applyActivation(fc2->forward(scale), scale_activation);
    return scale * x;
}

StochasticDepthImpl::StochasticDepthImpl(double p)
    : p(p)
{
    if (p < 0.0 || p > 1.0)
        throw std::invalid_argument("stochastic depth probability must be in [0, 1], got " +
                                    std::to_string(p));
}

torch::Tensor StochasticDepthImpl::forward(const torch::Tensor &x)
{
    if (!is_training() || p == 0.0)
        return x;
    const double survival = 1.0 - p;
    std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
    shape[0] = x.size(0);
    auto noise = torch::empty(shape, x.options()).bernoulli_(survival);
    if (survival > 0.0)
        noise.div_(survival);
    return x * noise;
}

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps)
    : channels(channels)
    , eps(eps)
{
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor &x)
{
    auto y = torch::layer_norm(x.permute({0, 2, 3, 1}), {channels}, weight, bias, eps);
    return y.permute({0, 3, 1, 2});
}

PermuteImpl::PermuteImpl(std::vector<int64_t> dims)
    : dims(std::move(dims))
{}

torch::Tensor PermuteImpl::forward(const torch::Tensor &x)
{
    return x.permute(dims);
}

SequentialBlock convNormAct(int64_t in_channels, int64_t out_channels,
                            const ConvNormActOptions &options)
{
    const int64_t padding = (options.kernel_size - 1) / 2 * options.dilation;
    SequentialBlock seq;
    seq->push_back(
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, options.kernel_size)
                              .stride(options.stride)
                              .padding(padding)
                              .dilation(options.dilation)
                              .groups(options.groups)
                              .bias(false)));
    seq->push_back(torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels)
                                              .eps(options.bn_eps)
                                              .momentum(options.bn_momentum)));
    // In place, as torchvision's Conv2dNormActivation: BatchNorm's backward needs its input, not
    // its output, so the activation may overwrite it.
    if (options.activation != Activation::None)
        seq->push_back(ActivationLayer(options.activation, /*inplace=*/true));
    return seq;
}

torch::Tensor adaptInputConvWeight(const torch::Tensor &rgb_weight, int64_t in_channels)
{
    if (rgb_weight.dim() != 4 || rgb_weight.size(1) != 3)
        throw std::invalid_argument(
            "adaptInputConvWeight expects an RGB conv weight [O, 3, kH, kW]");
    if (in_channels < 1)
        throw std::invalid_argument("in_channels must be positive");
    if (in_channels == 3)
        return rgb_weight;
    const auto mean = rgb_weight.mean(1, /*keepdim=*/true);
    return (mean * (3.0 / static_cast<double>(in_channels))).repeat({1, in_channels, 1, 1});
}

int64_t makeDivisible(double value, int64_t divisor)
{
    int64_t rounded =
        std::max(divisor, static_cast<int64_t>(value + divisor / 2.0) / divisor * divisor);
    if (static_cast<double>(rounded) < 0.9 * value)
        rounded += divisor;
    return rounded;
}

void checkOutputStride(int output_stride)
{
    if (output_stride != 8 && output_stride != 16 && output_stride != 32)
        throw std::invalid_argument("output stride must be 8, 16 or 32, got " +
                                    std::to_string(output_stride));
}

void initConvNormWeights(torch::nn::Module &module)
{
    torch::NoGradGuard no_grad;
    for (const auto &child : module.modules(/*include_self=*/false)) {
        if (auto *conv = child->as<torch::nn::Conv2d>()) {
            torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
            if (conv->bias.defined())
                conv->bias.zero_();
        } else if (auto *bn = child->as<torch::nn::BatchNorm2d>()) {
            bn->weight.fill_(1.0);
            bn->bias.zero_();
        }
    }
}

bool gemmsAsConvolutions(const torch::Tensor &x)
{
    return x.is_cpu() && !at::globalContext().hasMKL();
}

torch::Tensor linearRows(const torch::Tensor &rows, const torch::Tensor &weight,
                         const torch::Tensor &bias, bool convolution)
{
    if (!convolution)
        return torch::linear(rows, weight, bias);
    const int64_t k = rows.size(-1);
    TORCH_CHECK(weight.dim() == 2 && weight.size(1) == k, "linearRows: weight ", weight.sizes(),
                " for rows of ", k);
    // [N, H, W, K] rows are the channels_last memory of an [N, K, H, W] map (batch and pixels keep
    // oneDNN's parallelism: flattened, ConvNeXt's layers ran 40% slower); other ranks become one
    // [1, K, M, 1] map, which suits the skinny products.
    const auto map = (rows.dim() == 4 ? rows : rows.reshape({1, -1, 1, k})).permute({0, 3, 1, 2});
    const auto out =
        torch::conv2d(map, weight.reshape({weight.size(0), k, 1, 1}), bias).permute({0, 2, 3, 1});
    auto sizes = rows.sizes().vec();
    sizes.back() = weight.size(0);
    return out.reshape(sizes);
}

} // namespace medseg::models
