#include "core/labels/LabelDelta.h"

#include <stdexcept>
#include <string>

namespace medseg::core {

std::vector<LabelDelta::Run> LabelDelta::encode(const std::uint16_t *voxels)
{
    std::vector<Run> runs;
    int start = 0;
    for (int v = 1; v <= LabelMap::TileVoxels; ++v) {
        if (v == LabelMap::TileVoxels || voxels[v] != voxels[start]) {
            runs.push_back({voxels[start], std::uint16_t(v - start - 1)});
            start = v;
        }
    }
    runs.shrink_to_fit();
    return runs;
}

void LabelDelta::decode(const std::vector<Run> &runs, std::uint16_t *voxels)
{
    int at = 0;
    for (const Run &run : runs) {
        const int length = int(run.length) + 1;
        for (int n = 0; n < length; ++n)
            voxels[at + n] = run.value;
        at += length;
    }
}

void LabelDelta::apply(LabelMap &map, bool after) const
{
    if (map.dims() != m_dims)
        throw std::runtime_error(
            "LabelDelta: the label map has other dimensions than the edited one");
    std::uint16_t voxels[LabelMap::TileVoxels];
    for (const TileChange &change : m_tiles) {
        decode(after ? change.after : change.before, voxels);
        map.writeTile(change.tile, voxels);
    }
}

void LabelDelta::undo(LabelMap &map) const
{
    apply(map, false);
}

void LabelDelta::redo(LabelMap &map) const
{
    apply(map, true);
}

std::size_t LabelDelta::memoryBytes() const
{
    std::size_t bytes = sizeof(*this) + m_tiles.capacity() * sizeof(TileChange);
    for (const TileChange &change : m_tiles)
        bytes += (change.before.capacity() + change.after.capacity()) * sizeof(Run);
    return bytes;
}

} // namespace medseg::core
