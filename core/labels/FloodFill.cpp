#include "core/labels/FloodFill.h"

#include "core/labels/detail/Neighbourhood.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace medseg::core {

std::size_t FloodFill::fill(LabelEdit &edit, int i, int j, int k, const FloodFillOptions &options)
{
    const std::vector<std::array<int, 3>> offsets =
        detail::neighbourOffsets(options.connectivity, options.axis);
    const LabelMap &map = edit.map();
    if (!map.contains(i, j, k))
        return 0;
    const LabelValue seedLabel = map.value(i, j, k);
    const Volume *image = edit.image();
    const bool useRange = options.intensityRange && image;
    auto belongs = [&](int x, int y, int z) {
        return map.value(x, y, z) == seedLabel &&
               (!useRange || options.intensityRange->contains(image->value(x, y, z)));
    };
    if (!belongs(i, j, k))
        return 0;
    // The region is found before anything is written, so painting cannot change what belongs.
    // A 2D fill marks visits on its plane only (a 512x512 mask, not the volume).
    const bool planar = options.connectivity == 4 || options.connectivity == 8;
    const auto axes = planeAxes(options.axis);
    const int W = map.width(), H = map.height();
    const int planeWidth = map.sliceWidth(options.axis);
    auto linear = [&](int x, int y, int z) {
        if (planar) {
            const int p[3] = {x, y, z};
            return std::size_t(p[axes[1]]) * planeWidth + p[axes[0]];
        }
        return (std::size_t(z) * H + y) * W + x;
    };
    std::vector<bool> visited(
        planar ? std::size_t(planeWidth) * map.sliceHeight(options.axis) : map.voxelCount(), false);
    std::vector<std::array<int, 3>> stack{{i, j, k}};
    std::vector<std::array<int, 3>> region;
    visited[linear(i, j, k)] = true;
    while (!stack.empty()) {
        const auto p = stack.back();
        stack.pop_back();
        region.push_back(p);
        for (const auto &d : offsets) {
            const int x = p[0] + d[0], y = p[1] + d[1], z = p[2] + d[2];
            if (!map.contains(x, y, z))
                continue;
            const std::size_t at = linear(x, y, z);
            if (visited[at] || !belongs(x, y, z))
                continue;
            visited[at] = true;
            stack.push_back({x, y, z});
        }
    }
    std::size_t changed = 0;
    for (const auto &p : region)
        changed += edit.paint(p[0], p[1], p[2]) ? 1 : 0;
    return changed;
}

} // namespace medseg::core
