#pragma once

// Labeled slices in memory, as training reads them: 8-bit images (the VOC dataset's windowed
// slices) and class-index masks, already split into train and validation by patient.

#include "core/train/ModelBundle.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace medseg::core {

struct TrainingSample
{
    torch::Tensor image; // [C, H, W] uint8 (C = 1 or 3; converted to the model's in_channels)
    torch::Tensor mask;  // [H, W] uint8 class indexes, 255 = ignore
    std::string name;    // de-identified file name, for messages
};

struct TrainingData
{
    std::vector<TrainingSample> train;
    std::vector<TrainingSample> val;
    std::vector<ModelClass> classes;
    Preprocessing preprocessing;
    std::string summary; // for the model card: "212 slices, 4 patients, 6 classes"

    int classCount() const { return int(classes.size()); }
};

} // namespace medseg::core
