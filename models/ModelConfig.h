#pragma once

// Everything needed to build a segmentation model; what training, prediction and export store
// next to the weights to rebuild the same network.

#include <string>
#include <vector>

namespace medseg::models {

struct ModelConfig
{
    std::string backbone = "resnet18"; // one of availableBackbones()
    int in_channels = 3;               // 1 (gray), 3 (RGB) or k adjacent slices (2.5D)
    int num_classes = 2;               // including background
    int output_stride = 8;             // 8 (original PSPNet), 16 or 32
    std::vector<int> bins{1, 3, 5, 7}; // pyramid pooling grid sizes
    bool aux = false;                  // auxiliary head on the stage-3 features (training only)
    float aux_weight = 0.4f; // its loss weight in the original PSPNet; used by the trainer
    int bottleneck_channels = 512;
    int bottleneck_kernel = 3;         // 3 (original PSPNet) or 1 (cheaper)
    double dropout = 0.2;              // Dropout2d before the classifier
    double stochastic_depth_prob = -1; // negative: torchvision's default for the backbone
};

} // namespace medseg::models
