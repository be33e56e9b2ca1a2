#include "core/labels/PolygonFill.h"

#include <algorithm>
#include <cmath>

namespace medseg::core {

std::vector<std::uint8_t> PolygonFill::rasterize(const std::vector<Point> &polygon, int width,
                                                 int height, FillRule rule)
{
    std::vector<std::uint8_t> mask(std::size_t(std::max(0, width)) * std::max(0, height), 0);
    if (polygon.size() < 3 || width <= 0 || height <= 0)
        return mask;
    double minY = polygon[0][1], maxY = polygon[0][1];
    for (const Point &p : polygon) {
        minY = std::min(minY, p[1]);
        maxY = std::max(maxY, p[1]);
    }
    const int v0 = std::max(0, int(std::ceil(minY)));
    const int v1 = std::min(height - 1, int(std::floor(maxY)));
    struct Crossing
    {
        double x;
        int winding;
    };
    std::vector<Crossing> crossings;
    for (int v = v0; v <= v1; ++v) {
        const double y = v;
        crossings.clear();
        for (std::size_t n = 0; n < polygon.size(); ++n) {
            const Point &a = polygon[n];
            const Point &b = polygon[(n + 1) % polygon.size()];
            // Half-open in y so that a vertex on the scanline is counted once.
            const bool down = a[1] <= y && y < b[1];
            const bool up = b[1] <= y && y < a[1];
            if (!down && !up)
                continue;
            const double x = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            crossings.push_back({x, down ? 1 : -1});
        }
        std::sort(crossings.begin(), crossings.end(),
                  [](const Crossing &a, const Crossing &b) { return a.x < b.x; });
        std::uint8_t *row = mask.data() + std::size_t(v) * width;
        // A span [xa, xb) covers the pixels whose centre u satisfies xa <= u < xb.
        auto fillSpan = [&](double xa, double xb) {
            const int ua = std::max(0, int(std::ceil(xa)));
            const int ub = std::min(width, int(std::ceil(xb)));
            for (int u = ua; u < ub; ++u)
                row[u] = 1;
        };
        if (rule == FillRule::EvenOdd) {
            for (std::size_t n = 0; n + 1 < crossings.size(); n += 2)
                fillSpan(crossings[n].x, crossings[n + 1].x);
        } else {
            int winding = 0;
            for (std::size_t n = 0; n + 1 < crossings.size(); ++n) {
                winding += crossings[n].winding;
                if (winding != 0)
                    fillSpan(crossings[n].x, crossings[n + 1].x);
            }
        }
    }
    return mask;
}

std::size_t PolygonFill::fill(LabelEdit &edit, SliceAxis axis, int slice,
                              const std::vector<Point> &polygon, FillRule rule)
{
    const LabelMap &map = edit.map();
    if (slice < 0 || slice >= map.sliceCount(axis))
        return 0;
    const int width = map.sliceWidth(axis);
    const int height = map.sliceHeight(axis);
    const std::vector<std::uint8_t> mask = rasterize(polygon, width, height, rule);
    std::size_t changed = 0;
    for (int v = 0; v < height; ++v)
        for (int u = 0; u < width; ++u)
            if (mask[std::size_t(v) * width + u]) {
                const auto ijk = sliceToVoxel(axis, u, v, slice);
                changed += edit.paint(ijk[0], ijk[1], ijk[2]) ? 1 : 0;
            }
    return changed;
}

} // namespace medseg::core
