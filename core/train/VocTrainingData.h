#pragma once

// Loads a VOC segmentation dataset (core/dataset's VocReader: ours, labelme2voc's or CVAT's)
// into memory as TrainingData. Lives in its own target, medseg_core_train_voc, so that
// medseg_core_train itself stays LibTorch + models/ only.

#include "core/common/Progress.h"
#include "core/train/TrainingData.h"

#include <cstdint>
#include <string>

namespace medseg::core {

struct VocTrainingOptions
{
    // Used only when the dataset lists no train/val split: a seeded split of the slices.
    double valFraction = 0.2;
    std::uint64_t seed = 0;
};

// Throws std::runtime_error naming the folder or file when the dataset cannot be read, and
// CancelledError when `progress` asks to cancel. Slices without an image are skipped.
// The images are the dataset's 8-bit (already windowed) slices: grey8, or the CT window that
// `medseg convert` recorded in preprocessing.json (the model then windows raw HU alike).
TrainingData loadVocTrainingData(const std::string &dir, const VocTrainingOptions &options = {},
                                 ProgressSink *progress = nullptr);

} // namespace medseg::core
