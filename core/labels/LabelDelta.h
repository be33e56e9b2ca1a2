#pragma once

#include "core/labels/LabelMap.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace medseg::core {

// Voxel bounds [min, max] (inclusive) of what an edit changed; empty when min > max.
struct VoxelBox
{
    std::array<int, 3> min{0, 0, 0};
    std::array<int, 3> max{-1, -1, -1};
    bool isEmpty() const { return min[0] > max[0] || min[1] > max[1] || min[2] > max[2]; }
};

// One undo step: the before and after content of every tile an edit touched, run-length
// encoded, so it costs a few bytes per uniform run, never the volume. Built by
// LabelEdit::finish(); the Qt side wraps it in one QUndoCommand.
class LabelDelta
{
public:
    LabelDelta() = default;

    bool isEmpty() const { return m_tiles.empty(); }
    // Puts every touched voxel back to its content before (undo) or after (redo) the edit.
    // Throws std::runtime_error if `map` has other dimensions than the edited one.
    void undo(LabelMap &map) const;
    void redo(LabelMap &map) const;

    std::size_t tileCount() const { return m_tiles.size(); }
    std::size_t changedVoxelCount() const { return m_changedVoxels; }
    // What changed, for repainting: the voxel box and the touched tiles' slice range.
    const VoxelBox &changedBox() const { return m_changedBox; }
    std::size_t memoryBytes() const;

private:
    friend class LabelEdit;
    // Runs of (value, length) over the tile's 4096 voxels in memory order.
    struct Run
    {
        std::uint16_t value;
        std::uint16_t length; // 1..4096 stored as length-1
    };
    struct TileChange
    {
        std::size_t tile;
        std::vector<Run> before;
        std::vector<Run> after;
    };
    static std::vector<Run> encode(const std::uint16_t *voxels);
    static void decode(const std::vector<Run> &runs, std::uint16_t *voxels);
    void apply(LabelMap &map, bool after) const;

    std::array<int, 3> m_dims{0, 0, 0};
    std::vector<TileChange> m_tiles;
    std::size_t m_changedVoxels = 0;
    VoxelBox m_changedBox;
};

} // namespace medseg::core
