#pragma once

#include "core/labels/LabelEdit.h"
#include "core/labels/LabelMap.h"

#include <cstddef>

namespace medseg::core {

// "Fill between slices" by signed-distance interpolation (a simpler cousin of ITK-SNAP's
// morphological contour interpolation): for label L along the plane `axis`, every run of
// slices without L between two slices that hold L is filled by interpolating the two slices'
// signed distance maps linearly (2D Euclidean distance in millimetres with the in-plane
// spacing, negative inside, measured between pixel boundaries) and taking the voxels where the
// interpolated distance is <= 0. A disc of radius 10 and one of radius 20 ten slices apart give
// a disc of radius ~15 halfway. Shapes that do not overlap fade out and in rather than move.
class SliceInterpolation
{
public:
    // Interpolates label `label` (or every nonzero label present, for 0) and writes it through
    // the edit (policy checked with the interpolated label as value: use BackgroundOnly to keep
    // other labels). Returns voxels changed.
    static std::size_t interpolate(LabelEdit &edit, SliceAxis axis, LabelValue label);
};

} // namespace medseg::core
