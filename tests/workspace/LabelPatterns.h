#pragma once

// The two label volumes tst_AtomicSaveKill and its child process write in turns.

#include "core/image/ImageGeometry.h"

#include <cstdint>
#include <vector>

namespace medseg::test {

inline medseg::core::ImageGeometry killTestGeometry()
{
    medseg::core::ImageGeometry g;
    g.spacing = {0.75, 0.75, 2.0};
    g.origin = {-190.0, -170.0, 25.0};
    return g;
}

// Variant 0 needs uint16 (values up to 299), variant 1 fits uint8: the two files differ in
// type and size as well as in content.
inline std::vector<std::uint16_t> killTestPattern(int width, int height, int depth, int variant)
{
    std::vector<std::uint16_t> labels(std::size_t(width) * height * depth);
    std::uint32_t state = variant ? 12345u : 777u;
    for (std::size_t n = 0; n < labels.size(); ++n) {
        // Blocks of noise compress poorly, so a save takes long enough to be killed midway.
        state = state * 1664525u + 1013904223u;
        labels[n] = std::uint16_t(variant ? (state >> 24) % 7 : (state >> 20) % 300);
    }
    return labels;
}

} // namespace medseg::test
