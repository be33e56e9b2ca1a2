#pragma once

#include "core/labels/LabelEdit.h"
#include "core/labels/LabelMap.h"
#include "core/labels/LabelPolicy.h"

#include <cstddef>
#include <optional>

namespace medseg::core {

struct FloodFillOptions
{
    // 4 or 8: 2D in the plane `axis` through the seed; 6, 18 or 26: 3D.
    int connectivity = 4;
    SliceAxis axis = SliceAxis::Axial;
    // Region growing: only voxels whose intensity lies in the range join the region (needs the
    // edit's image; ignored without one).
    std::optional<IntensityRange> intensityRange;
};

// Bucket fill: the connected region of voxels with the seed's label (and intensity in range)
// is painted with the edit's draw label, each write checked by the policy. The region is found
// first, then written, so the fill never leaks through what it paints.
class FloodFill
{
public:
    // Returns the voxels changed; throws std::invalid_argument for a bad connectivity.
    static std::size_t fill(LabelEdit &edit, int i, int j, int k,
                            const FloodFillOptions &options = {});
};

} // namespace medseg::core
