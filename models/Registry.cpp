#include "models/Registry.h"

#include "models/ConvNeXt.h"
#include "models/EfficientNet.h"
#include "models/Layers.h"
#include "models/MobileNetV3.h"
#include "models/ResNet.h"

#include <algorithm>
#include <stdexcept>

namespace medseg::models {

std::vector<std::string> availableBackbones()
{
    return {"resnet18", "mobilenet_v3_large", "efficientnet_b0", "convnext_tiny"};
}

bool isBackboneAvailable(const std::string &name)
{
    const auto names = availableBackbones();
    return std::find(names.begin(), names.end(), name) != names.end();
}

BackbonePtr createBackbone(const std::string &name, const BackboneOptions &options)
{
    if (options.in_channels < 1)
        throw std::invalid_argument("in_channels must be at least 1");
    checkOutputStride(options.output_stride);
    if (name == "resnet18")
        return std::make_shared<ResNetImpl>(options);
    if (name == "mobilenet_v3_large")
        return std::make_shared<MobileNetV3Impl>(options);
    if (name == "efficientnet_b0")
        return std::make_shared<EfficientNetImpl>(options);
    if (name == "convnext_tiny")
        return std::make_shared<ConvNeXtImpl>(options);
    std::string known;
    for (const auto &n : availableBackbones())
        known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown backbone '" + name + "' (available: " + known + ")");
}

PSPNet createModel(const ModelConfig &config)
{
    return PSPNet(config);
}

int64_t parameterCount(const torch::nn::Module &module)
{
    int64_t count = 0;
    for (const auto &p : module.parameters())
        count += p.numel();
    return count;
}

void toChannelsLast(torch::nn::Module &module)
{
    torch::NoGradGuard noGrad;
    for (auto &parameter : module.parameters()) {
        if (parameter.dim() != 4)
            continue;
        at::Tensor nhwc = at::empty_like(parameter, at::MemoryFormat::ChannelsLast);
        nhwc.copy_(parameter);
        parameter.set_data(nhwc);
    }
}

} // namespace medseg::models
