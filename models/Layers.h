#pragma once

// Small building blocks shared by the backbones. Each mirrors a torchvision module so that the
// registered child and parameter names (and therefore state-dict keys) are the same as
// torchvision's: `SqueezeExcitation` has `fc1`/`fc2`, `LayerNorm2d` has `weight`/`bias`, and a
// torchvision `Conv2dNormActivation` is a `Sequential` with the convolution at "0" and the norm at
// "1" (see `convNormAct`).

#include <torch/nn.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace medseg::models {

// Parameter-free activations, one module type so that blocks can pick one at run time (LibTorch
// has no Hardswish/Hardsigmoid modules).
enum class Activation { None, ReLU, Hardswish, Hardsigmoid, SiLU, Sigmoid, GELU };

torch::Tensor applyActivation(const torch::Tensor &x, Activation kind);

struct ActivationLayerImpl : torch::nn::Module
{
    // `inplace` as torchvision's (Conv2dNormActivation's activations are in place): ReLU, Hardswish
    // and SiLU overwrite their input, the others ignore it.
    explicit ActivationLayerImpl(Activation kind = Activation::ReLU, bool inplace = false);
    torch::Tensor forward(const torch::Tensor &x);

    Activation kind;
    bool inplace;
};
TORCH_MODULE(ActivationLayer);

// Whether x's matrix products may run faster as oneDNN 1x1 convolutions: on a CPU whose LibTorch
// has no MKL. Debian's LibTorch multiplies matrices with OpenBLAS; there, with 2 threads, oneDNN's
// 1x1 convolution does the skinny products of the factored pyramid head (PyramidConv.h) in a fifth
// of the time, forward and backward, and ConvNeXt-Tiny's Linear layers up to 384 channels in half
// to nine tenths (callers decide for their shapes: at 768 channels it takes a third longer).
bool gemmsAsConvolutions(const torch::Tensor &x);

// rows [..., K] times weight [N, K] transposed, plus bias (optional): [..., N]. torch::linear, or
// with `convolution` a 1x1 convolution of the rows as the pixels of a channels_last map (no copy of
// contiguous rows; [N, H, W, K] rows keep their batch and pixels). The same values up to rounding.
torch::Tensor linearRows(const torch::Tensor &rows, const torch::Tensor &weight,
                         const torch::Tensor &bias, bool convolution);

// torchvision.ops.SqueezeExcitation: global average pool, 1x1 conv, activation, 1x1 conv, gate.
struct SqueezeExcitationImpl : torch::nn::Module
{
    SqueezeExcitationImpl(int64_t input_channels, int64_t squeeze_channels, Activation activation,
                          Activation scale_activation);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Conv2d fc1{nullptr};
    torch::nn::Conv2d fc2{nullptr};
    Activation activation;
    Activation scale_activation;
};
TORCH_MODULE(SqueezeExcitation);

// torchvision.ops.StochasticDepth in "row" mode: in training, drops the residual branch of each
// sample with probability p and rescales the survivors by 1/(1-p); the identity in eval mode.
struct StochasticDepthImpl : torch::nn::Module
{
    explicit StochasticDepthImpl(double p);
    torch::Tensor forward(const torch::Tensor &x);

    double p;
};
TORCH_MODULE(StochasticDepth);

// torchvision.models.convnext.LayerNorm2d: LayerNorm over the channels of an NCHW tensor.
struct LayerNorm2dImpl : torch::nn::Module
{
    explicit LayerNorm2dImpl(int64_t channels, double eps = 1e-6);
    torch::Tensor forward(const torch::Tensor &x);

    torch::Tensor weight;
    torch::Tensor bias;
    int64_t channels;
    double eps;
};
TORCH_MODULE(LayerNorm2d);

// torchvision.ops.misc.Permute, needed inside ConvNeXt's block so that its indices match.
struct PermuteImpl : torch::nn::Module
{
    explicit PermuteImpl(std::vector<int64_t> dims);
    torch::Tensor forward(const torch::Tensor &x);

    std::vector<int64_t> dims;
};
TORCH_MODULE(Permute);

// A Sequential that can be an element of another Sequential (LibTorch's Sequential::forward is a
// template, which AnyModule cannot store). Children are named "0", "1", ... as in PyTorch.
struct SequentialBlockImpl : torch::nn::SequentialImpl
{
    using SequentialImpl::SequentialImpl;
    torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(std::move(x)); }
};
TORCH_MODULE(SequentialBlock);

struct ConvNormActOptions
{
    int64_t kernel_size = 3;
    int64_t stride = 1;
    int64_t dilation = 1;
    int64_t groups = 1;
    Activation activation = Activation::ReLU;
    double bn_eps = 1e-5;
    double bn_momentum = 0.1;
};

// torchvision.ops.Conv2dNormActivation with BatchNorm: conv ("0", no bias, "same" padding for odd
// kernels), BatchNorm2d ("1") and, unless `activation` is None, the activation ("2").
SequentialBlock convNormAct(int64_t in_channels, int64_t out_channels,
                            const ConvNormActOptions &options);

// The first convolution's weight for `in_channels` inputs, made from RGB (ImageNet) weights: each
// new input channel gets mean(RGB kernels) * 3 / in_channels. A stack of k identical slices then
// gives the same response as a gray image replicated into RGB, so pretrained statistics carry
// over to 1-channel and 2.5D (k adjacent slices) inputs. Returns the weight unchanged for 3.
torch::Tensor adaptInputConvWeight(const torch::Tensor &rgb_weight, int64_t in_channels);

// torchvision.models._utils._make_divisible: round channels to a multiple of `divisor`, never
// more than 10 % down.
int64_t makeDivisible(double value, int64_t divisor);

// Output strides the backbones support; throws std::invalid_argument for anything else.
void checkOutputStride(int output_stride);

// Kaiming-normal (fan_out) convolutions and unit/zero norms, as torchvision initialises its CNNs.
void initConvNormWeights(torch::nn::Module &module);

} // namespace medseg::models
