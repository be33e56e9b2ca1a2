#pragma once

// Small networks for the export tests, with logits of the order of a trained model's.

#include "models/Registry.h"

#include <torch/nn.h>

#include <algorithm>
#include <string>

namespace medseg::testing {

inline models::ModelConfig tinyConfig(const std::string &backbone, int inChannels = 3)
{
    models::ModelConfig c;
    c.backbone = backbone;
    c.in_channels = inChannels;
    c.num_classes = 3;
    c.output_stride = 32;
    c.bottleneck_channels = 32;
    c.bottleneck_kernel = 3;
    return c;
}

// Random initialisation leaves some backbones with logits near 1e-15, against which a 1e-4
// tolerance proves nothing. BatchNorm statistics taken from one batch (momentum 1) make every
// layer's activations of order 1 (so the non-linearities are exercised), and the classifier is
// scaled to logits of at most 5, the order of a trained model's.
inline void makeLogitsOrderOne(models::PSPNet &model)
{
    torch::NoGradGuard no_grad;
    for (const auto &m : model->modules(false))
        if (auto *bn = m->as<torch::nn::BatchNorm2d>())
            bn->options.momentum(1.0);
    model->train();
    model->forward(at::randn({4, model->config.in_channels, 128, 128}));
    model->eval();
    const double peak = model->forward(at::randn({1, model->config.in_channels, 64, 64}))
                            .logits.abs()
                            .max()
                            .item<double>();
    model->classifier->weight.mul_(5.0 / peak);
    model->classifier->bias.mul_(5.0 / peak);
}

} // namespace medseg::testing
