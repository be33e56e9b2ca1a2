#pragma once

// Labeled slices in memory, as training reads them: images (8-bit, as the VOC dataset's windowed
// slices, or float: intensities already through their channels' rules) and class-index masks,
// already split into train and validation by patient.

#include "core/train/ModelBundle.h"

#include <torch/types.h>

#include <algorithm>
#include <string>
#include <vector>

namespace medseg::core {

struct TrainingSample
{
    // [C, H, W]: uint8 (C = 1 or 3; / 255, grey replicated to the model's in_channels), or
    // float, each channel through preprocessing.intensity (C = its channel count).
    torch::Tensor image;
    torch::Tensor mask; // [H, W] uint8 class indexes, 255 = ignore
    std::string name;   // de-identified file name, for messages
};

struct TrainingData
{
    std::vector<TrainingSample> train;
    std::vector<TrainingSample> val;
    std::vector<ModelClass> classes;
    Preprocessing preprocessing;
    std::string summary; // for the model card: "212 slices, 4 patients, 6 classes"
    // For the Setup tab, when the data come from a project's volumes: the cases on each side of
    // the split, and what was left out or repeated (English, as core's messages).
    std::vector<std::string> trainCases;
    std::vector<std::string> validationCases;
    std::vector<std::string> notes;

    int classCount() const { return int(classes.size()); }
    int imageChannels() const { return preprocessing.imageChannels(); }
    int networkChannels() const { return preprocessing.networkChannels(); }
};

// The network's classes, and its input channels when the data have several (image channels
// times adjacent slices; grey single slices keep the configured channels, grey replicated), as
// the data need them.
inline void fitModelToData(models::ModelConfig &model, const TrainingData &data)
{
    model.num_classes = std::max(2, data.classCount());
    if (data.networkChannels() > 1)
        model.in_channels = data.networkChannels();
}

} // namespace medseg::core
