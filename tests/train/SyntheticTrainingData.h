#pragma once

// A tiny seeded segmentation task for trainer tests: gray 64x64 slices with a bright disc
// (class 1) and a mid-gray square (class 2) on a noisy dark background. The background noise
// overlaps the square's intensity range at the edges, and the classes need two thresholds, so
// the network has to learn something beyond one intensity cut.

#include "core/train/TrainingConfig.h"
#include "core/train/TrainingData.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>

namespace medseg::test {

inline core::TrainingSample makeSyntheticSample(std::mt19937 &random, int size, int index)
{
    std::uniform_int_distribution<int> radius(size / 6, size / 4);
    std::uniform_int_distribution<int> position(size / 4, size - size / 4);
    std::normal_distribution<float> noise(0.0f, 14.0f);
    at::Tensor image = at::empty({1, size, size}, at::kFloat);
    at::Tensor mask = at::zeros({size, size}, at::kByte);
    auto img = image.accessor<float, 3>();
    auto msk = mask.accessor<std::uint8_t, 2>();
    const int cx = position(random), cy = position(random), r = radius(random);
    int sx = position(random), sy = position(random);
    const int half = radius(random);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            float value = 40.0f;
            if (std::abs(x - sx) <= half && std::abs(y - sy) <= half) {
                value = 120.0f;
                msk[y][x] = 2;
            }
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                value = 210.0f;
                msk[y][x] = 1;
            }
            img[0][y][x] = std::clamp(value + noise(random), 0.0f, 255.0f);
        }
    return {image.round().to(at::kByte), mask, "synthetic-" + std::to_string(index)};
}

inline core::TrainingData makeSyntheticData(int trainCount, int valCount, int size = 64,
                                            unsigned seed = 7)
{
    std::mt19937 random(seed);
    core::TrainingData data;
    for (int i = 0; i < trainCount; ++i)
        data.train.push_back(makeSyntheticSample(random, size, i));
    for (int i = 0; i < valCount; ++i)
        data.val.push_back(makeSyntheticSample(random, size, trainCount + i));
    data.classes = {
        {0, "background", {0, 0, 0}}, {1, "disc", {255, 0, 0}}, {2, "square", {0, 255, 0}}};
    data.preprocessing.mean = {0.5f};
    data.preprocessing.std = {0.25f};
    data.summary = "synthetic discs and squares";
    return data;
}

// A small network and plan that trains in seconds on a CPU.
inline core::TrainingConfig tinyConfig()
{
    // The three-stage fine-tune plan: these tests are about stages (freezing, resume).
    core::TrainingConfig config;
    config.recipe = core::Recipe::FineTune;
    config.stages = core::defaultStages();
    config.model.backbone = "resnet18";
    config.model.in_channels = 1;
    config.model.num_classes = 3;
    config.model.output_stride = 16;
    config.model.bins = {1, 2, 3, 6};
    config.model.bottleneck_channels = 32;
    config.model.dropout = 0.1;
    config.seed = 11;
    config.threads = 2;
    config.checkpointMinutes = 0;
    for (core::StagePlan &stage : config.stages) {
        stage.epochs = 1;
        stage.batchSize = 4;
        stage.inputSize = 32;
        stage.learningRate = 1e-3;
    }
    return config;
}

// The design's three stages from scratch on the synthetic task at 64x64, output stride 8 (an
// 8x8 map resolves the shapes' outlines): 11 epochs of 8 steps that reach a mean foreground
// Dice of 0.8 or more (tst_Trainer; medseg-bench --trainer-check runs it on a GPU).
inline core::TrainingConfig learningConfig()
{
    core::TrainingConfig config = tinyConfig();
    config.model.output_stride = 8;
    const int epochs[] = {8, 1, 2};
    const double rates[] = {3e-3, 1e-3, 5e-4};
    for (int s = 0; s < 3; ++s) {
        config.stages[s].epochs = epochs[s];
        config.stages[s].learningRate = rates[s];
        config.stages[s].dataFraction = 1.0;
        config.stages[s].inputSize = 64;
        config.stages[s].batchSize = 4;
        config.stages[s].weightDecay = 1e-4;
        config.stages[s].augmentation = core::AugmentationLevel::None;
    }
    config.stages[0].warmupSteps = 4;
    return config;
}

} // namespace medseg::test
