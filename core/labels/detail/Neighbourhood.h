#pragma once

#include "core/labels/LabelMap.h"

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

namespace medseg::core::detail {

// Neighbour offsets for a connectivity: 4 or 8 in the plane `axis`, 6, 18 or 26 in 3D.
inline std::vector<std::array<int, 3>> neighbourOffsets(int connectivity,
                                                        SliceAxis axis = SliceAxis::Axial)
{
    std::vector<std::array<int, 3>> offsets;
    const bool planar = connectivity == 4 || connectivity == 8;
    if (!planar && connectivity != 6 && connectivity != 18 && connectivity != 26)
        throw std::invalid_argument("connectivity " + std::to_string(connectivity) +
                                    " is not 4, 8 (2D) or 6, 18, 26 (3D)");
    const int fixed = fixedAxis(axis);
    for (int dk = -1; dk <= 1; ++dk)
        for (int dj = -1; dj <= 1; ++dj)
            for (int di = -1; di <= 1; ++di) {
                const std::array<int, 3> d{di, dj, dk};
                const int nonZero = (di != 0) + (dj != 0) + (dk != 0);
                if (nonZero == 0)
                    continue;
                if (planar && d[fixed] != 0)
                    continue;
                // Face neighbours differ in one axis, edge in two, corner in three.
                const int maxNonZero = (connectivity == 4 || connectivity == 6)    ? 1
                                       : (connectivity == 8 || connectivity == 18) ? 2
                                                                                   : 3;
                if (nonZero <= maxNonZero)
                    offsets.push_back(d);
            }
    return offsets;
}

} // namespace medseg::core::detail
