#pragma once

#include "core/image/Volume.h"
#include "core/labels/LabelDelta.h"
#include "core/labels/LabelMap.h"
#include "core/labels/LabelPolicy.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace medseg::core {

// The only path by which tools change a label map undoably (ITK-SNAP's staged undo deltas,
// Krita's paint transactions): the first write into a tile snapshots the tile's content, every
// write is checked against the LabelPolicy in one place, and finish() turns the snapshots into
// one LabelDelta (one stroke = one undo step). The map is changed live, so views can repaint
// while the mouse is dragged. Memory grows with the tiles touched, never with the volume.
//
// `image` (optional) gives the intensities for the policy's threshold and must have the map's
// dimensions (std::runtime_error otherwise). Both must outlive the edit.
class LabelEdit
{
public:
    LabelEdit(LabelMap &map, const LabelPolicy &policy, const Volume *image = nullptr);
    ~LabelEdit() = default;
    LabelEdit(const LabelEdit &) = delete;
    LabelEdit &operator=(const LabelEdit &) = delete;

    LabelMap &map() { return m_map; }
    const LabelMap &map() const { return m_map; }
    const Volume *image() const { return m_image; }
    const LabelPolicy &policy() const { return m_policy; }
    // Changing the policy mid-edit is allowed (e.g. a stroke that switches to the eraser).
    void setPolicy(const LabelPolicy &policy) { m_policy = policy; }

    // Policy-checked writes; true when the voxel changed. Outside the grid: false.
    bool paint(int i, int j, int k) { return write(i, j, k, m_policy.drawLabel); }
    bool write(int i, int j, int k, LabelValue value)
    {
        if (!m_map.contains(i, j, k))
            return false;
        const LabelValue current = m_map.value(i, j, k);
        if (current == value || !m_policy.mayReplace(current))
            return false;
        if (m_policy.threshold && m_image && !m_policy.threshold->contains(m_image->value(i, j, k)))
            return false;
        store(i, j, k, value);
        return true;
    }
    // Write that honours only the locks (not the paint-over mode or threshold): for results
    // computed elsewhere (island removal, accepting a prediction). True when the voxel changed.
    bool assign(int i, int j, int k, LabelValue value)
    {
        if (!m_map.contains(i, j, k))
            return false;
        const LabelValue current = m_map.value(i, j, k);
        if (current == value || m_policy.lockedLabels.test(current))
            return false;
        store(i, j, k, value);
        return true;
    }

    // assign() of a dense slice (layout as SliceAxis says), e.g. accepting a prediction.
    // Returns voxels changed.
    std::size_t assignSlice(SliceAxis axis, int slice, const LabelValue *values);

    // Voxel writes so far (a voxel written twice counts twice; the delta counts exactly).
    std::size_t changedVoxelCount() const { return m_changed; }
    std::size_t touchedTileCount() const { return m_snapshots.size(); }
    bool hasChanges() const { return m_changed > 0; }
    // Bytes of the snapshots held while the edit is open.
    std::size_t memoryBytes() const;

    // Ends the edit: the delta holds before/after of every touched tile (empty if nothing
    // changed). The edit is empty afterwards and may be reused for the next stroke.
    LabelDelta finish();
    // Puts the map back as it was before the edit and empties the edit.
    void cancel();

private:
    void store(int i, int j, int k, LabelValue value);
    void snapshot(std::size_t tile);

    struct Snapshot
    {
        std::size_t tile;
        std::vector<std::uint16_t> before; // TileVoxels values
    };

    LabelMap &m_map;
    LabelPolicy m_policy;
    const Volume *m_image = nullptr;
    std::vector<bool> m_touched; // per tile of the map
    std::vector<Snapshot> m_snapshots;
    std::size_t m_lastTile = std::size_t(-1);
    std::size_t m_changed = 0;
};

} // namespace medseg::core
