#pragma once

// Per-class overlap metrics accumulated over whole validation slices through a confusion matrix.

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace medseg::core {

class SegmentationMetrics
{
public:
    explicit SegmentationMetrics(int classCount, int ignoreIndex = 255);

    // predictions, targets: [N, H, W] or [H, W] int64 on any device. Pixels whose target is
    // the ignore index (or outside 0..K-1) count nowhere, nor do predictions outside 0..K-1.
    void add(const torch::Tensor &predictions, const torch::Tensor &targets);
    // Adds another accumulation of the same class count (e.g. from another worker).
    void merge(const SegmentationMetrics &other);
    void reset();

    int classCount() const;
    // confusion()[t * K + p]: pixels of true class t predicted as p.
    const std::vector<std::int64_t> &confusion() const;
    // Per class, over the classes present in the ground truth, as nnU-Net and MONAI report
    // them: a class absent from the truth gets NaN (left out of the means) whatever the model
    // predicted; absentClassPixels() counts those false positives.
    std::vector<double> dice() const;
    std::vector<double> iou() const;
    // Per class: pixels predicted as a class that the ground truth does not contain (0 for
    // the classes it contains).
    std::vector<std::int64_t> absentClassPixels() const;
    double meanForegroundDice() const; // mean over classes 1..K-1 that are not NaN; NaN if none
    double meanForegroundIou() const;
    double pixelAccuracy() const; // NaN before any pixel was added
    std::int64_t pixelCount() const;

private:
    int m_classCount = 0;
    int m_ignoreIndex = 255;
    std::vector<std::int64_t> m_confusion;
};

} // namespace medseg::core
