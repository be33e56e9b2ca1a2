#include "models/ResNet.h"

#include "models/Layers.h"

#include <stdexcept>

namespace medseg::models {

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride, int64_t dilation)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3)
                                 .stride(stride)
                                 .padding(dilation)
                                 .dilation(dilation)
                                 .bias(false));
}

} // namespace

BasicBlockImpl::BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation,
                               bool with_downsample)
{
    conv1 = register_module("conv1", conv3x3(inplanes, planes, stride, dilation));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
    conv2 = register_module("conv2", conv3x3(planes, planes, 1, dilation));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
    if (with_downsample) {
        downsample = register_module(
            "downsample",
            torch::nn::Sequential(
                torch::nn::Conv2d(
                    torch::nn::Conv2dOptions(inplanes, planes, 1).stride(stride).bias(false)),
                torch::nn::BatchNorm2d(planes)));
    }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor &x)
{
    // In place where torchvision's BasicBlock is: the BatchNorm outputs are fresh tensors that
    // nothing else holds, and in-place ReLU keeps their memory format.
    auto out = bn1->forward(conv1->forward(x)).relu_();
    out = bn2->forward(conv2->forward(out));
    out += downsample ? downsample->forward(x) : x;
    return out.relu_();
}

ResNetImpl::ResNetImpl(const BackboneOptions &opts)
    : BackboneImpl("resnet18", opts)
{
    checkOutputStride(options.output_stride);
    conv1 = register_module(
        "conv1",
        torch::nn::Conv2d(
            torch::nn::Conv2dOptions(options.in_channels, 64, 7).stride(2).padding(3).bias(false)));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    layer1 = register_module("layer1", makeLayer(64, 2, 1, false));
    layer2 = register_module("layer2", makeLayer(128, 2, 2, false));
    layer3 = register_module("layer3", makeLayer(256, 2, 2, options.output_stride <= 8));
    layer4 = register_module("layer4", makeLayer(512, 2, 2, options.output_stride <= 16));
    if (options.classifier)
        fc = register_module("fc", torch::nn::Linear(512, options.classifier_classes));
    initConvNormWeights(*this);
}

torch::nn::Sequential ResNetImpl::makeLayer(int64_t planes, int64_t blocks, int64_t stride,
                                            bool dilate)
{
    const int64_t previous_dilation = dilation_;
    if (dilate) {
        dilation_ *= stride;
        stride = 1;
    }
    torch::nn::Sequential layer;
    // The downsample branch stays (stride 1) when a dilated layer changes the width, so the
    // state dict keeps torchvision's `layerN.0.downsample.*` keys.
    layer->push_back(BasicBlock(inplanes_, planes, stride, previous_dilation,
                                stride != 1 || inplanes_ != planes));
    inplanes_ = planes;
    for (int64_t i = 1; i < blocks; ++i)
        layer->push_back(BasicBlock(inplanes_, planes, 1, dilation_, false));
    return layer;
}

BackboneFeatures ResNetImpl::forwardFeatures(const torch::Tensor &x)
{
    auto y = bn1->forward(conv1->forward(x)).relu_();
    y = torch::max_pool2d(y, {3, 3}, {2, 2}, {1, 1});
    y = layer2->forward(layer1->forward(y));
    BackboneFeatures features;
    features.stage3 = layer3->forward(y);
    features.out = layer4->forward(features.stage3);
    return features;
}

torch::Tensor ResNetImpl::forwardClassifier(const torch::Tensor &x)
{
    if (!fc)
        throw std::logic_error("resnet18 was built without its classifier");
    auto y = torch::adaptive_avg_pool2d(forwardFeatures(x).out, {1, 1}).flatten(1);
    return fc->forward(y);
}

} // namespace medseg::models
