#pragma once

// The one place that maps architecture names (torchvision's, e.g. "resnet18") to modules, for
// training, prediction, export and the `medseg import-weights` command.

#include "models/Backbone.h"
#include "models/ModelConfig.h"
#include "models/PSPNet.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::models {

// "resnet18", "mobilenet_v3_large", "efficientnet_b0", "convnext_tiny".
std::vector<std::string> availableBackbones();
bool isBackboneAvailable(const std::string &name);

// Throws std::invalid_argument for an unknown name or unsupported options.
BackbonePtr createBackbone(const std::string &name, const BackboneOptions &options = {});

// A randomly initialised PSPNet; load ImageNet weights with importBackboneWeights().
// Throws std::invalid_argument for an invalid configuration.
PSPNet createModel(const ModelConfig &config);

// Number of parameters (trainable or not; buffers excluded), as torchvision counts them.
int64_t parameterCount(const torch::nn::Module &module);
// Re-lays every 4-D parameter out as channels_last, as PyTorch's
// `module.to(memory_format=torch.channels_last)` does: always a new NHWC-strided copy, also for
// 1x1 kernels, which count as channels_last-contiguous already and keep their NCHW strides
// under contiguous(ChannelsLast).
void toChannelsLast(torch::nn::Module &module);

} // namespace medseg::models
