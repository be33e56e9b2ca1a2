#pragma once

// A tiny PSPNet and its bundle for the core/train tests: ResNet-18 at output stride 32 with a
// 32-channel bottleneck, for 32-64 pixel inputs.

#include "core/train/ModelBundle.h"
#include "models/Registry.h"
#include "models/StateDictFile.h"

#include <ATen/ATen.h>
#include <torch/nn.h>

#include <string>

namespace medseg::test {

inline models::ModelConfig tinyModelConfig(int inChannels = 3, int classes = 3)
{
    models::ModelConfig config;
    config.backbone = "resnet18";
    config.in_channels = inChannels;
    config.num_classes = classes;
    config.output_stride = 32;
    config.bins = {1, 2};
    config.bottleneck_channels = 32;
    config.bottleneck_kernel = 1;
    return config;
}

// Random weights and non-trivial BatchNorm statistics, so that a lost buffer shows in the logits.
inline models::PSPNet tinyModel(const models::ModelConfig &config, std::uint64_t seed = 1)
{
    at::manual_seed(seed);
    models::PSPNet model(config);
    torch::NoGradGuard noGrad;
    for (auto &buffer : model->named_buffers()) {
        if (buffer.key().find("running_mean") != std::string::npos)
            buffer.value().uniform_(-0.2, 0.2);
        else if (buffer.key().find("running_var") != std::string::npos)
            buffer.value().uniform_(0.5, 1.5);
    }
    model->eval();
    return model;
}

inline core::ModelBundle tinyBundle(const models::ModelConfig &config)
{
    core::ModelBundle bundle;
    bundle.config = config;
    for (int c = 0; c < config.num_classes; ++c)
        bundle.classes.push_back(
            {c,
             c == 0 ? "background" : "organ " + std::to_string(c),
             {std::uint8_t(60 * c), std::uint8_t(255 - 60 * c), std::uint8_t(30 * c)}});
    bundle.preprocessing.intensity = {core::ChannelIntensity::window(40, 400)};
    bundle.version = "3";
    bundle.datasetSummary = "4 slices from 1 patient; 3 classes";
    bundle.createdAt = "2026-11-25T20:00:00Z";
    return bundle;
}

// A backbone's random weights as a torchvision-style state dict file (the key names
// torchvision's ImageNet weights have), for the pretrained-weights paths.
inline void writeBackboneWeights(const std::string &backbone, const std::string &path)
{
    models::BackbonePtr network = models::createBackbone(backbone);
    models::StateDict state;
    for (const auto &item : network->named_parameters(true))
        state[item.key()] = item.value().detach().clone();
    for (const auto &item : network->named_buffers(true))
        state[item.key()] = item.value().detach().clone();
    models::writeStateDict(state, path);
}

} // namespace medseg::test
