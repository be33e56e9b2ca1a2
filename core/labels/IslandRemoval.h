#pragma once

#include "core/labels/LabelEdit.h"
#include "core/labels/LabelMap.h"

#include <cstddef>

namespace medseg::core {

// Connected-component clean-up of a label in 3D. Removed voxels become 0 through
// LabelEdit::assign (locked labels stay). `connectivity` is 6, 18 or 26 (std::invalid_argument
// otherwise); `label` 0 means every nonzero label.
class IslandRemoval
{
public:
    // Removes components smaller than `minVoxels`. Returns voxels changed.
    static std::size_t removeSmall(LabelEdit &edit, LabelValue label, std::size_t minVoxels,
                                   int connectivity = 6);
    // Keeps only the largest component of each label (ties: the first in memory order).
    // Returns voxels changed.
    static std::size_t keepLargest(LabelEdit &edit, LabelValue label, int connectivity = 6);
};

} // namespace medseg::core
