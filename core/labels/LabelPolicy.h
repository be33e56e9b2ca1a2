#pragma once

#include "core/labels/LabelMap.h"

#include <bitset>
#include <optional>

namespace medseg::core {

// A set of label values (8 KB); bit v set = label v is in the set.
using LabelSet = std::bitset<MaxLabelValue + 1>;

// Which existing labels a write may replace (ITK-SNAP's "paint over" selector).
enum class PaintOverMode {
    AllLabels,      // any voxel (except locked labels)
    BackgroundOnly, // only voxels that are 0
    SingleLabel     // only voxels equal to overLabel
};

// Closed intensity interval [lo, hi] in the image's units (HU for CT).
struct IntensityRange
{
    float lo = 0.0f;
    float hi = 0.0f;
    bool contains(float value) const { return value >= lo && value <= hi; }
};

// The one rule every tool's voxel write is checked against (LabelEdit applies it): a voxel
// currently holding `current`, with image intensity `intensity`, may become `value` when
//  - `current` is not locked (locked labels never change, whatever the tool), and
//  - the paint-over mode allows replacing `current`, and
//  - the intensity lies in `threshold` when one is set (Slicer's editable intensity range;
//    ignored when the edit has no image).
// The eraser is a policy with drawLabel 0; it obeys the same rules (with BackgroundOnly it
// erases nothing). Writing a locked label's value onto other voxels is allowed.
struct LabelPolicy
{
    LabelValue drawLabel = 1;
    PaintOverMode overMode = PaintOverMode::AllLabels;
    LabelValue overLabel = 0; // for SingleLabel
    LabelSet lockedLabels;
    std::optional<IntensityRange> threshold;

    bool mayReplace(LabelValue current) const
    {
        if (lockedLabels.test(current))
            return false;
        switch (overMode) {
        case PaintOverMode::AllLabels:
            return true;
        case PaintOverMode::BackgroundOnly:
            return current == 0;
        case PaintOverMode::SingleLabel:
            return current == overLabel;
        }
        return false;
    }
};

} // namespace medseg::core
