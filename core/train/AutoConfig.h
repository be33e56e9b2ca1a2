#pragma once

// Settings chosen from the data and the machine, as nnU-Net configures itself, each with the
// numbers behind it: the stages' input size from the slices' sizes, the output stride from the
// device. Applied by `medseg train` when the user gives neither, and by the Training dock when
// data are chosen (the user can still edit both).

#include "core/train/TrainingConfig.h"
#include "core/train/TrainingData.h"

#include <string>

namespace medseg::core {

struct AutoConfiguration
{
    int medianHeight = 0; // of the training and validation slices
    int medianWidth = 0;
    int inputSize = 0; // the median longer side rounded up to a multiple of 32, within limits
    int inputSizeCap = 0;
    bool cuda = false;
    int outputStride = 0;
};

// On a CPU the input is capped at 256 and the output stride is 16 (stride 8 trains ResNet18 2x
// slower per image on 2 cores) unless that leaves a feature map under 16 cells across (inputs
// under 256), where it is 8; on CUDA, 512 and 8. Throws on data without slices.
AutoConfiguration chooseAutoConfiguration(const TrainingData &data, bool cuda);
// Sets every stage's input size and the model's output stride.
void apply(const AutoConfiguration &choice, TrainingConfig &config);
// In English, for the CLI: "input size 128 (median slice 128 x 128); output stride 8 (a
// 16-cell feature map; stride 16 would leave 8)".
std::string describe(const AutoConfiguration &choice);

} // namespace medseg::core
