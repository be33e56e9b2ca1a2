#pragma once

#include "core/image/ImageGeometry.h"
#include "core/labels/LabelEdit.h"
#include "core/labels/LabelMap.h"

#include <array>
#include <cstddef>
#include <vector>

namespace medseg::core {

enum class BrushShape { Round, Square };

struct BrushSettings
{
    BrushShape shape = BrushShape::Round;
    // Half-width of the brush from the centre voxel. A round brush covers the voxels whose
    // centre lies within `radius` of the dab's centre voxel (a disc or ball); a square brush
    // those within `radius` along each axis. 0 paints a single voxel.
    double radius = 5.0;
    // Radius in millimetres (with the grid's spacing, so an anisotropic grid gets an
    // ellipse/ellipsoid in voxels) instead of voxels.
    bool radiusInMillimetres = false;
    // 3D: ball (round) or cube (square). 2D: disc or square in the plane `axis`.
    bool threeD = false;
    SliceAxis axis = SliceAxis::Axial;
};

// ITK-SNAP's paintbrush: the footprint is computed once; dabs write the edit's draw label
// through the LabelEdit (so locks, paint-over mode and threshold hold). Eraser = an edit whose
// policy has drawLabel 0.
class PaintBrush
{
public:
    PaintBrush(const BrushSettings &settings, const ImageGeometry &geometry);

    const BrushSettings &settings() const { return m_settings; }
    // Voxel offsets from the centre voxel that a dab covers.
    const std::vector<std::array<int, 3>> &footprint() const { return m_footprint; }

    // One dab centred on the voxel nearest to `centre` (continuous voxel coordinates i, j, k;
    // voxel centres at integers). Returns the voxels changed.
    std::size_t dab(LabelEdit &edit, const Vec3 &centre) const;
    // A drag from `from` to `to` (successive mouse positions): dabs at every voxel step along
    // the segment, both ends included, so a fast drag leaves no gaps. Returns voxels changed.
    std::size_t stroke(LabelEdit &edit, const Vec3 &from, const Vec3 &to) const;

private:
    BrushSettings m_settings;
    std::vector<std::array<int, 3>> m_footprint;
};

} // namespace medseg::core
