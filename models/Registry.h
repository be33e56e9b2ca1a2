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

} // namespace medseg::models
