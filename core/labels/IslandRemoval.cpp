#include "core/labels/IslandRemoval.h"

#include "core/labels/detail/Neighbourhood.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace medseg::core {

namespace {

// Visits the components of `label` (0: every nonzero label) in a fixed order (tile by tile),
// calling onComponent(label, voxels) for each. Voxels of locked labels are skipped.
template <typename OnComponent>
void forEachComponent(const LabelMap &map, const LabelPolicy &policy, LabelValue label,
                      int connectivity, OnComponent onComponent)
{
    if (connectivity != 6 && connectivity != 18 && connectivity != 26)
        throw std::invalid_argument("IslandRemoval: connectivity " + std::to_string(connectivity) +
                                    " is not 6, 18 or 26");
    const auto offsets = detail::neighbourOffsets(connectivity);
    const int W = map.width(), H = map.height();
    auto linear = [&](int x, int y, int z) {
        return (std::size_t(z) * H + y) * W + x;
    };
    std::vector<bool> visited(map.voxelCount(), false);
    std::vector<std::array<int, 3>> stack, voxels;
    const int T = LabelMap::TileSize;
    for (int k = 0; k < map.depth(); ++k)
        for (int ty = 0; ty < map.tilesY(); ++ty)
            for (int tx = 0; tx < map.tilesX(); ++tx) {
                if (!map.hasTile(map.tileIndex(tx * T, ty * T, k)))
                    continue;
                const int jEnd = std::min(H, (ty + 1) * T), iEnd = std::min(W, (tx + 1) * T);
                for (int j = ty * T; j < jEnd; ++j)
                    for (int i = tx * T; i < iEnd; ++i) {
                        const LabelValue value = map.value(i, j, k);
                        if (value == 0 || (label != 0 && value != label) ||
                            policy.lockedLabels.test(value) || visited[linear(i, j, k)])
                            continue;
                        visited[linear(i, j, k)] = true;
                        stack.assign(1, {i, j, k});
                        voxels.clear();
                        while (!stack.empty()) {
                            const auto p = stack.back();
                            stack.pop_back();
                            voxels.push_back(p);
                            for (const auto &d : offsets) {
                                const int x = p[0] + d[0], y = p[1] + d[1], z = p[2] + d[2];
                                if (!map.contains(x, y, z) || map.value(x, y, z) != value)
                                    continue;
                                const std::size_t at = linear(x, y, z);
                                if (visited[at])
                                    continue;
                                visited[at] = true;
                                stack.push_back({x, y, z});
                            }
                        }
                        onComponent(value, voxels);
                    }
            }
}

} // namespace

std::size_t IslandRemoval::removeSmall(LabelEdit &edit, LabelValue label, std::size_t minVoxels,
                                       int connectivity)
{
    // Collect first, write afterwards: erasing while scanning would not change the components
    // (0 is never scanned) but keeps reads and writes apart.
    std::vector<std::array<int, 3>> doomed;
    forEachComponent(edit.map(), edit.policy(), label, connectivity,
                     [&](LabelValue, const std::vector<std::array<int, 3>> &voxels) {
                         if (voxels.size() < minVoxels)
                             doomed.insert(doomed.end(), voxels.begin(), voxels.end());
                     });
    std::size_t changed = 0;
    for (const auto &p : doomed)
        changed += edit.assign(p[0], p[1], p[2], 0) ? 1 : 0;
    return changed;
}

std::size_t IslandRemoval::keepLargest(LabelEdit &edit, LabelValue label, int connectivity)
{
    // Pass 1: the largest component's position in the visiting order, per label.
    std::map<LabelValue, std::pair<std::size_t, std::size_t>> largest; // label -> (ordinal, size)
    std::size_t ordinal = 0;
    forEachComponent(edit.map(), edit.policy(), label, connectivity,
                     [&](LabelValue value, const std::vector<std::array<int, 3>> &voxels) {
                         auto it = largest.find(value);
                         if (it == largest.end() || voxels.size() > it->second.second)
                             largest[value] = {ordinal, voxels.size()};
                         ++ordinal;
                     });
    // Pass 2: the same order again; erase every other component.
    std::vector<std::array<int, 3>> doomed;
    ordinal = 0;
    forEachComponent(edit.map(), edit.policy(), label, connectivity,
                     [&](LabelValue value, const std::vector<std::array<int, 3>> &voxels) {
                         if (largest[value].first != ordinal)
                             doomed.insert(doomed.end(), voxels.begin(), voxels.end());
                         ++ordinal;
                     });
    std::size_t changed = 0;
    for (const auto &p : doomed)
        changed += edit.assign(p[0], p[1], p[2], 0) ? 1 : 0;
    return changed;
}

} // namespace medseg::core
