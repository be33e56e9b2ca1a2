#include "core/labels/LabelEdit.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace medseg::core {

LabelEdit::LabelEdit(LabelMap &map, const LabelPolicy &policy, const Volume *image)
    : m_map(map)
    , m_policy(policy)
    , m_image(image)
    , m_touched(map.tileCount(), false)
{
    if (image && (image->width() != map.width() || image->height() != map.height() ||
                  image->depth() != map.depth()))
        throw std::runtime_error("LabelEdit: the image (" + std::to_string(image->width()) + "x" +
                                 std::to_string(image->height()) + "x" +
                                 std::to_string(image->depth()) +
                                 ") is not on the label map's grid");
}

void LabelEdit::snapshot(std::size_t tile)
{
    Snapshot snap{tile, std::vector<std::uint16_t>(LabelMap::TileVoxels)};
    m_map.readTile(tile, snap.before.data());
    m_snapshots.push_back(std::move(snap));
    m_touched[tile] = true;
}

void LabelEdit::store(int i, int j, int k, LabelValue value)
{
    const std::size_t tile = m_map.tileIndex(i, j, k);
    if (tile != m_lastTile) {
        if (!m_touched[tile])
            snapshot(tile);
        m_lastTile = tile;
    }
    m_map.setValue(i, j, k, value);
    ++m_changed;
}

std::size_t LabelEdit::assignSlice(SliceAxis axis, int slice, const LabelValue *values)
{
    if (slice < 0 || slice >= m_map.sliceCount(axis))
        throw std::out_of_range("LabelEdit::assignSlice: slice " + std::to_string(slice) +
                                " outside the volume");
    const int width = m_map.sliceWidth(axis), height = m_map.sliceHeight(axis);
    std::size_t changed = 0;
    for (int v = 0; v < height; ++v)
        for (int u = 0; u < width; ++u) {
            const auto ijk = sliceToVoxel(axis, u, v, slice);
            changed += assign(ijk[0], ijk[1], ijk[2], values[std::size_t(v) * width + u]) ? 1 : 0;
        }
    return changed;
}

std::size_t LabelEdit::memoryBytes() const
{
    return sizeof(*this) + m_touched.capacity() / 8 + m_snapshots.capacity() * sizeof(Snapshot) +
           m_snapshots.size() * sizeof(std::uint16_t) * LabelMap::TileVoxels;
}

LabelDelta LabelEdit::finish()
{
    LabelDelta delta;
    delta.m_dims = m_map.dims();
    std::uint16_t after[LabelMap::TileVoxels];
    const int T = LabelMap::TileSize;
    VoxelBox box;
    box.min = {m_map.width(), m_map.height(), m_map.depth()};
    box.max = {-1, -1, -1};
    std::sort(m_snapshots.begin(), m_snapshots.end(),
              [](const Snapshot &a, const Snapshot &b) { return a.tile < b.tile; });
    for (Snapshot &snap : m_snapshots) {
        m_touched[snap.tile] = false;
        m_map.readTile(snap.tile, after);
        const std::size_t perSlice = std::size_t(m_map.tilesX()) * m_map.tilesY();
        const int k = int(snap.tile / perSlice);
        const int ty = int(snap.tile % perSlice) / m_map.tilesX();
        const int tx = int(snap.tile % perSlice) % m_map.tilesX();
        std::size_t changed = 0;
        bool anyAfter = false;
        for (int v = 0; v < LabelMap::TileVoxels; ++v) {
            anyAfter |= after[v] != 0;
            if (after[v] == snap.before[v])
                continue;
            ++changed;
            const int i = tx * T + (v & 63), j = ty * T + (v >> 6);
            box.min = {std::min(box.min[0], i), std::min(box.min[1], j), std::min(box.min[2], k)};
            box.max = {std::max(box.max[0], i), std::max(box.max[1], j), std::max(box.max[2], k)};
        }
        if (!anyAfter)
            m_map.writeTile(snap.tile, after); // releases the tile the edit emptied
        if (changed == 0)
            continue;
        delta.m_changedVoxels += changed;
        delta.m_tiles.push_back(
            {snap.tile, LabelDelta::encode(snap.before.data()), LabelDelta::encode(after)});
    }
    delta.m_tiles.shrink_to_fit();
    delta.m_changedBox = box;
    m_snapshots.clear();
    m_snapshots.shrink_to_fit();
    m_lastTile = std::size_t(-1);
    m_changed = 0;
    return delta;
}

void LabelEdit::cancel()
{
    for (const Snapshot &snap : m_snapshots) {
        m_map.writeTile(snap.tile, snap.before.data());
        m_touched[snap.tile] = false;
    }
    m_snapshots.clear();
    m_snapshots.shrink_to_fit();
    m_lastTile = std::size_t(-1);
    m_changed = 0;
}

} // namespace medseg::core
