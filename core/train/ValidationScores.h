#pragma once

// Kept apart from ModelBundle.h (which brings LibTorch) for the GUI's sessions.

#include <cstdint>
#include <vector>

namespace medseg::core {

// How these weights scored on the validation slices at the epoch they come from (the trainer
// fills it; a bundle from elsewhere has none). Dice per class, NaN where the class was absent
// from the validation ground truth.
struct ValidationScores
{
    std::vector<double> dice;
    double meanForegroundDice = -1; // -1: not validated
    int stage = 0;                  // 0-based
    int epoch = 0;                  // 0-based within the stage
    std::int64_t step = 0;

    bool isValid() const { return meanForegroundDice >= 0; }
};

} // namespace medseg::core
