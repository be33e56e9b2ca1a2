#pragma once

// What prediction adds to the network's argmax, chosen per model on its validation slices and
// kept only where it helps (nnU-Net's rule): test-time flip augmentation (the logits of the
// slice and of its mirror image averaged) and, per class, keeping only the largest connected
// region of that class on each slice (the rest becomes background). The model records what was
// kept (ModelBundle::refinement, its .json's "inference"); the Predictor applies it, so
// `medseg predict`, the Review tab and "Predict all volumes" use it alike.

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

struct InferenceRefinement
{
    bool flipTta = false;
    std::vector<int> largestComponentClasses; // sorted
    // How it was chosen: validation slices and mean foreground Dice without and with it
    // (negative: not measured).
    int validationSlices = 0;
    double diceBefore = -1.0;
    double diceAfter = -1.0;

    bool isEmpty() const { return !flipTta && largestComponentClasses.empty(); }
    bool keepsLargestComponent(int c) const;
};

// Keeps, for each class of `classes`, only its largest 8-connected region on a slice of class
// indexes (row-major, width x height); the other regions of that class become 0.
void keepLargestComponents(std::uint8_t *labels, int width, int height,
                           const std::vector<int> &classes);

} // namespace medseg::core
