#pragma once

#include "core/labels/LabelEdit.h"
#include "core/labels/LabelMap.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace medseg::core {

// Which points a self-intersecting polygon covers. EvenOdd: inside where a ray crosses the
// outline an odd number of times (a figure-eight lasso's overlap is a hole). NonZero: inside
// where the outline's winding number is not zero (overlaps stay filled).
enum class FillRule { EvenOdd, NonZero };

// Polygon / freehand lasso fill by scanlines. Vertices are in slice coordinates (u, v) of the
// plane (see SliceAxis; pixel centres at integers); the polygon closes itself. A pixel is
// filled when its centre is inside by `rule`; centres exactly on a left/top edge count as
// inside, on a right/bottom edge as outside (no pixel is filled twice by adjacent polygons).
class PolygonFill
{
public:
    using Point = std::array<double, 2>;

    // Mask (width*height, 1 = inside) of the polygon, row v at v*width.
    static std::vector<std::uint8_t> rasterize(const std::vector<Point> &polygon, int width,
                                               int height, FillRule rule = FillRule::EvenOdd);
    // Paints the polygon on slice `slice` of plane `axis` with the edit's draw label (policy
    // checked). Returns voxels changed.
    static std::size_t fill(LabelEdit &edit, SliceAxis axis, int slice,
                            const std::vector<Point> &polygon, FillRule rule = FillRule::EvenOdd);
};

} // namespace medseg::core
