#include "core/labels/PaintBrush.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace medseg::core {

PaintBrush::PaintBrush(const BrushSettings &settings, const ImageGeometry &geometry)
    : m_settings(settings)
{
    const double radius = std::max(0.0, settings.radius);
    std::array<double, 3> step{1.0, 1.0, 1.0};
    if (settings.radiusInMillimetres)
        for (int a = 0; a < 3; ++a)
            step[a] = geometry.spacing[a] > 0.0 ? geometry.spacing[a] : 1.0;
    std::array<bool, 3> used{true, true, true};
    if (!settings.threeD)
        used[fixedAxis(settings.axis)] = false;
    // A tiny tolerance so that a radius of exactly N voxels reaches voxel N on the axes
    // despite mm rounding (e.g. 0.7 mm spacing, radius 2.1 mm).
    const double tolerance = 1e-9 * std::max(1.0, radius);
    std::array<int, 3> extent{0, 0, 0};
    for (int a = 0; a < 3; ++a)
        if (used[a])
            extent[a] = int(std::floor((radius + tolerance) / step[a]));
    for (int dk = -extent[2]; dk <= extent[2]; ++dk)
        for (int dj = -extent[1]; dj <= extent[1]; ++dj)
            for (int di = -extent[0]; di <= extent[0]; ++di) {
                if (m_settings.shape == BrushShape::Round) {
                    const double x = di * step[0], y = dj * step[1], z = dk * step[2];
                    if (x * x + y * y + z * z > radius * radius + tolerance)
                        continue;
                }
                m_footprint.push_back({di, dj, dk});
            }
}

std::size_t PaintBrush::dab(LabelEdit &edit, const Vec3 &centre) const
{
    const int ci = int(std::lround(centre[0]));
    const int cj = int(std::lround(centre[1]));
    const int ck = int(std::lround(centre[2]));
    std::size_t changed = 0;
    for (const auto &d : m_footprint)
        changed += edit.paint(ci + d[0], cj + d[1], ck + d[2]) ? 1 : 0;
    return changed;
}

std::size_t PaintBrush::stroke(LabelEdit &edit, const Vec3 &from, const Vec3 &to) const
{
    const double span = std::max(
        {std::fabs(to[0] - from[0]), std::fabs(to[1] - from[1]), std::fabs(to[2] - from[2])});
    // One dab per voxel step: successive dab centres are neighbours, so their footprints
    // (which always contain the centre) join without gaps.
    const int steps = std::max(1, int(std::ceil(span)));
    std::size_t changed = 0;
    std::array<long, 3> previous{LONG_MIN, LONG_MIN, LONG_MIN};
    for (int s = 0; s <= steps; ++s) {
        const double t = double(s) / steps;
        const Vec3 p{from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t,
                     from[2] + (to[2] - from[2]) * t};
        const std::array<long, 3> voxel{std::lround(p[0]), std::lround(p[1]), std::lround(p[2])};
        if (voxel == previous)
            continue;
        previous = voxel;
        changed += dab(edit, p);
    }
    return changed;
}

} // namespace medseg::core
