#pragma once

// The walk over our modules shared by the ONNX and the TorchScript writers: BatchNorm folded into
// the convolutions, the activations after them fused where the target can, and every module of
// the four backbones, the pyramid pooling and the head written as the writer's ops. Internal to
// core/export.

#include "models/ConvNeXt.h"
#include "models/EfficientNet.h"
#include "models/Layers.h"
#include "models/MobileNetV3.h"
#include "models/PSPNet.h"
#include "models/ResNet.h"

#include <torch/nn.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace medseg::core {

enum class ConvActivation { None, ReLU };

namespace detail {

// A convolution with its BatchNorm folded in (eval mode), in the form both writers take.
struct FoldedConv
{
    at::Tensor weight;
    at::Tensor bias;
    int64_t stride = 1;
    int64_t padding = 0;
    int64_t dilation = 1;
    int64_t groups = 1;
};

// Reads ConvNdImpl's resolved padding (protected) through a pointer to member taken in a derived
// class: the options' padding is c10::variant in LibTorch 1.13 and std::variant in 2.x.
struct PaddingAccess : torch::nn::Conv2dImpl
{
    static const std::vector<int64_t> &of(const torch::nn::Conv2dImpl &conv)
    {
        return conv.*(&PaddingAccess::_reversed_padding_repeated_twice);
    }
};

inline FoldedConv foldConv(torch::nn::Conv2dImpl &conv, torch::nn::BatchNorm2dImpl *bn)
{
    const auto &o = conv.options;
    const auto stride = (*o.stride())[0];
    const auto dilation = (*o.dilation())[0];
    const auto &padding = PaddingAccess::of(conv); // left, right, top, bottom
    if (padding.size() != 4 || padding[0] != padding[2] || padding[0] != padding[1] ||
        (*o.stride())[1] != stride || (*o.dilation())[1] != dilation)
        throw std::invalid_argument("export: only square, symmetric zero-padded convs");
    FoldedConv f;
    f.stride = stride;
    f.dilation = dilation;
    f.padding = padding[0];
    f.groups = o.groups();
    f.weight = conv.weight.detach().clone();
    f.bias = conv.bias.defined() ? conv.bias.detach().clone()
                                 : at::zeros({f.weight.size(0)}, f.weight.options());
    if (bn) {
        const at::Tensor scale =
            bn->weight.detach() / at::sqrt(bn->running_var.detach() + bn->options.eps());
        f.weight = f.weight * scale.view({-1, 1, 1, 1});
        f.bias = (f.bias - bn->running_mean.detach()) * scale + bn->bias.detach();
    }
    return f;
}

using Module = torch::nn::Module;
using ModulePtr = std::shared_ptr<Module>;

template <class Graph>
typename Graph::Value applyActivation(Graph &g, const typename Graph::Value &x,
                                      models::Activation kind)
{
    switch (kind) {
    case models::Activation::None:
        return x;
    case models::Activation::ReLU:
        return g.relu(x);
    case models::Activation::Hardswish:
        return g.hardSwish(x);
    case models::Activation::Hardsigmoid:
        return g.hardSigmoid(x);
    case models::Activation::SiLU:
        return g.silu(x);
    case models::Activation::Sigmoid:
        return g.sigmoid(x);
    case models::Activation::GELU:
        return g.gelu(x);
    }
    return x;
}

template <class Graph>
typename Graph::Value convWith(Graph &g, const typename Graph::Value &x, const FoldedConv &f,
                               models::Activation activation)
{
    const bool relu = activation == models::Activation::ReLU;
    const auto y = g.conv(x, f.weight, f.bias, f.stride, f.padding, f.dilation, f.groups,
                          relu ? ConvActivation::ReLU : ConvActivation::None);
    return relu ? y : applyActivation(g, y, activation);
}

// Walks the network module by module and has `Graph` write each: OnnxGraph (ONNX ops, also
// computed on a sample for int8 calibration) or TorchScriptGraph (TorchScript source). Graph
// has a `Value` type and one method per op; see OnnxGraph for their meaning.
template <class Graph>
class NetworkWalk
{
public:
    using Value = typename Graph::Value;

    explicit NetworkWalk(Graph &graph)
        : m_g(graph)
    {}

    // The logits of the whole network at the input's height and width.
    Value network(models::PSPNetImpl &net, const Value &input)
    {
        const Value features = backbone(*net.backbone, input);
        Value y = m_g.factorsPyramidHead()
                      ? factoredPyramidHead(net, features)
                      : sequence(net.bottleneck->children(), pyramidPooling(*net.ppm, features));
        y = convWith(m_g, y, foldConv(*net.classifier, nullptr), models::Activation::None);
        return m_g.resizeLike(y, input);
    }

    Value sequence(const std::vector<ModulePtr> &children, Value x)
    {
        for (size_t i = 0; i < children.size(); ++i) {
            const ModulePtr &child = children[i];
            if (auto *conv = child->as<torch::nn::Conv2d>()) {
                torch::nn::BatchNorm2dImpl *bn = nullptr;
                if (i + 1 < children.size())
                    bn = children[i + 1]->as<torch::nn::BatchNorm2d>();
                if (bn)
                    ++i;
                auto activation = models::Activation::None;
                if (i + 1 < children.size()) {
                    if (auto *a = children[i + 1]->as<models::ActivationLayer>()) {
                        activation = a->kind;
                        ++i;
                    } else if (children[i + 1]->as<torch::nn::ReLU>()) {
                        activation = models::Activation::ReLU;
                        ++i;
                    }
                }
                x = convWith(m_g, x, foldConv(*conv, bn), activation);
            } else {
                x = module(child, x);
            }
        }
        return x;
    }

    Value module(const ModulePtr &m, const Value &x)
    {
        if (auto *seq = m->as<torch::nn::Sequential>())
            return sequence(seq->children(), x);
        if (auto *block = m->as<models::SequentialBlock>())
            return sequence(block->children(), x);
        if (auto *a = m->as<models::ActivationLayer>())
            return applyActivation(m_g, x, a->kind);
        if (m->as<torch::nn::ReLU>())
            return m_g.relu(x);
        if (m->as<torch::nn::Dropout>() || m->as<torch::nn::Dropout2d>() ||
            m->as<models::StochasticDepth>() || m->as<torch::nn::Identity>())
            return x; // identities in eval mode
        if (auto *se = m->as<models::SqueezeExcitation>())
            return squeezeExcitation(*se, x);
        // Residual blocks read their input quantized on both paths (see basicBlock).
        if (auto *ir = m->as<models::InvertedResidual>()) {
            const Value input = ir->use_res_connect ? m_g.quantizePoint(x) : x;
            const Value y = sequence(ir->block->children(), input);
            return ir->use_res_connect ? m_g.add(y, input) : y;
        }
        if (auto *mb = m->as<models::MBConv>()) {
            const Value input = mb->use_res_connect ? m_g.quantizePoint(x) : x;
            const Value y = sequence(mb->block->children(), input);
            return mb->use_res_connect ? m_g.add(y, input) : y;
        }
        if (auto *ln = m->as<models::LayerNorm2d>())
            return m_g.layerNormChannels(x, ln->weight, ln->bias, ln->eps);
        if (auto *cn = m->as<models::CNBlock>())
            return cnBlock(*cn, x);
        if (auto *down = m->as<models::ConvNeXtDownsample>())
            return convNextDownsample(*down, x);
        if (auto *basic = m->as<models::BasicBlock>())
            return basicBlock(*basic, x);
        throw std::invalid_argument("export: unsupported module " + m->name());
    }

    // In int8 the pooling reads the quantized input and the gate is quantized, so that ONNX
    // Runtime runs the pooling and the scaling as int8 ops.
    Value squeezeExcitation(models::SqueezeExcitationImpl &se, const Value &x_in)
    {
        const Value x = m_g.quantizePoint(x_in);
        Value s = m_g.globalAveragePool(x);
        s = convWith(m_g, s, foldConv(*se.fc1, nullptr), se.activation);
        s = convWith(m_g, s, foldConv(*se.fc2, nullptr), se.scale_activation);
        return m_g.mul(m_g.quantizePoint(s), x);
    }

    Value basicBlock(models::BasicBlockImpl &b, const Value &x_in)
    {
        // The identity branch reads the quantized input too, so that in int8 ONNX Runtime runs
        // DQ, DQ -> Add -> (Relu folded into) Q as one int8 add instead of a float one.
        const Value x = m_g.quantizePoint(x_in);
        Value y = convWith(m_g, x, foldConv(*b.conv1, b.bn1.get()), models::Activation::ReLU);
        y = convWith(m_g, y, foldConv(*b.conv2, b.bn2.get()), models::Activation::None);
        const Value identity = b.downsample ? sequence(b.downsample->children(), x) : x;
        return m_g.relu(m_g.add(y, identity));
    }

    // depthwise 7x7, LayerNorm, Linear, GELU, Linear, layer scale, residual. The channels-last
    // Linears are 1x1 convolutions on NCHW (same arithmetic, no transposes), and the layer scale
    // is folded into the second one.
    Value cnBlock(models::CNBlockImpl &b, const Value &x_in)
    {
        const Value x = m_g.quantizePoint(x_in); // both paths, as in basicBlock
        const auto children = b.block->children();
        auto *dw = children.at(0)->as<torch::nn::Conv2d>();
        auto *ln = children.at(2)->as<torch::nn::LayerNorm>();
        auto *fc1 = children.at(3)->as<torch::nn::Linear>();
        auto *act = children.at(4)->as<models::ActivationLayer>();
        auto *fc2 = children.at(5)->as<torch::nn::Linear>();
        if (!dw || !ln || !fc1 || !act || !fc2)
            throw std::invalid_argument("export: unexpected ConvNeXt block layout");
        Value y = convWith(m_g, x, foldConv(*dw, nullptr), models::Activation::None);
        y = m_g.layerNormChannels(y, ln->weight, ln->bias, ln->options.eps());
        FoldedConv l1;
        l1.weight = fc1->weight.detach().unsqueeze(-1).unsqueeze(-1);
        l1.bias = fc1->bias.detach();
        y = convWith(m_g, y, l1, act->kind);
        const at::Tensor scale = b.layer_scale.detach().reshape({-1});
        FoldedConv l2;
        l2.weight = (fc2->weight.detach() * scale.view({-1, 1})).unsqueeze(-1).unsqueeze(-1);
        l2.bias = fc2->bias.detach() * scale;
        y = convWith(m_g, y, l2, models::Activation::None);
        return m_g.add(y, x);
    }

    Value convNextDownsample(models::ConvNeXtDownsampleImpl &d, const Value &x)
    {
        Value y = m_g.layerNormChannels(x, d.norm->weight, d.norm->bias, d.norm->eps);
        if (d.dilated) {
            const int64_t before = d.dilation / 2;
            const int64_t after = d.dilation - before;
            y = m_g.pad(y, before, after, before, after);
        }
        return convWith(m_g, y, foldConv(*d.conv, nullptr), models::Activation::None);
    }

    Value backbone(models::BackboneImpl &b, const Value &x)
    {
        if (auto *r = dynamic_cast<models::ResNetImpl *>(&b)) {
            Value y = convWith(m_g, x, foldConv(*r->conv1, r->bn1.get()), models::Activation::ReLU);
            y = m_g.maxPool(y, 3, 2, 1);
            for (auto *layer : {&r->layer1, &r->layer2, &r->layer3, &r->layer4})
                y = sequence((*layer)->children(), y);
            return y;
        }
        if (auto *m = dynamic_cast<models::MobileNetV3Impl *>(&b))
            return sequence(m->features->children(), x);
        if (auto *e = dynamic_cast<models::EfficientNetImpl *>(&b))
            return sequence(e->features->children(), x);
        if (auto *c = dynamic_cast<models::ConvNeXtImpl *>(&b))
            return sequence(c->features->children(), x);
        throw std::invalid_argument("export: unsupported backbone " + b.architecture);
    }

    // A 1x1 branch is broadcast rather than resized (the same values). In int8 the pyramid
    // reads and writes quantized tensors only: the features are quantized once for all their
    // consumers, so that ResNet's last residual add and ReLU stay one int8 add; every branch
    // enters the concatenation quantized (a broadcast at its grid's parameters, a resize, which
    // ONNX Runtime runs faster in float than on uint8, at its own), so that the concatenation
    // is one int8 op.
    Value pyramidPooling(models::PyramidPoolingImpl &ppm, const Value &features)
    {
        const Value x = m_g.quantizePoint(features);
        std::vector<Value> outputs{x};
        for (size_t i = 0; i < ppm.bins.size(); ++i) {
            Value y = m_g.adaptiveAveragePool(x, ppm.bins[i]);
            y = m_g.quantizePoint(module(ppm.stages[i], y));
            outputs.push_back(ppm.bins[i] == 1 ? m_g.requantizeAs(m_g.broadcastLike(y, x), y)
                                               : m_g.quantizePoint(m_g.resizeLike(y, x)));
        }
        return m_g.concat(outputs, 1);
    }

    // The bottleneck (conv, BN, ReLU) over the pyramid without upsampling its branches
    // (models/PyramidConv.h): the features' share of the convolution stays a convolution, the
    // branches' share is computed on their grids. In int8 both shares are quantized, so that
    // their sum and the ReLU are one int8 add.
    Value factoredPyramidHead(models::PSPNetImpl &net, const Value &features)
    {
        const auto children = net.bottleneck->children();
        auto *conv = children.size() == 3 ? children[0]->as<torch::nn::Conv2d>() : nullptr;
        auto *bn = conv ? children[1]->as<torch::nn::BatchNorm2d>() : nullptr;
        if (!bn || !children[2]->as<torch::nn::ReLU>())
            throw std::invalid_argument("export: unexpected PSPNet bottleneck layout");
        const FoldedConv f = foldConv(*conv, bn);
        if (f.stride != 1 || f.dilation != 1 || f.groups != 1)
            throw std::invalid_argument("export: the bottleneck must be a plain convolution");
        models::PyramidPoolingImpl &ppm = *net.ppm;
        std::vector<int64_t> widths{ppm.in_channels};
        widths.resize(ppm.bins.size() + 1, ppm.branch_channels);
        const auto parts = f.weight.split_with_sizes(widths, 1);

        const Value x = m_g.quantizePoint(features);
        std::vector<Value> grids;
        for (size_t i = 0; i < ppm.bins.size(); ++i)
            grids.push_back(module(ppm.stages[i], m_g.adaptiveAveragePool(x, ppm.bins[i])));
        const Value own = m_g.conv(x, parts[0], f.bias, 1, f.padding, 1, 1, ConvActivation::None);
        const Value shared = m_g.pyramidBranchesConv(
            grids, std::vector<at::Tensor>(parts.begin() + 1, parts.end()), own);
        return m_g.relu(m_g.add(own, m_g.quantizePoint(shared)));
    }

private:
    Graph &m_g;
};

} // namespace detail
} // namespace medseg::core
