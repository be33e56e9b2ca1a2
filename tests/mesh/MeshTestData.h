#pragma once

// Synthetic label volumes for the core/mesh tests: balls in patient space on any grid.

#include "core/image/ImageGeometry.h"
#include "core/image/Volume.h"

#include <cmath>

namespace medseg::test {

// A grid of `size` voxels with `spacing`, origin and directions as given, holding `label` in
// every voxel whose centre lies within `radius` mm of the grid's centre voxel (patient space).
inline core::Volume ballVolume(int size[3], const core::Vec3 &spacing, double radius, int label = 1,
                               const core::ImageGeometry *base = nullptr)
{
    core::Volume volume(size[0], size[1], size[2]);
    core::ImageGeometry geometry = base ? *base : core::ImageGeometry{};
    geometry.spacing = spacing;
    volume.setGeometry(geometry);
    const core::Vec3 centre =
        geometry.voxelToPatient({(size[0] - 1) / 2.0, (size[1] - 1) / 2.0, (size[2] - 1) / 2.0});
    for (int k = 0; k < size[2]; ++k)
        for (int j = 0; j < size[1]; ++j)
            for (int i = 0; i < size[0]; ++i) {
                const core::Vec3 p = geometry.voxelToPatient({double(i), double(j), double(k)});
                const double d2 = (p[0] - centre[0]) * (p[0] - centre[0]) +
                                  (p[1] - centre[1]) * (p[1] - centre[1]) +
                                  (p[2] - centre[2]) * (p[2] - centre[2]);
                if (d2 <= radius * radius)
                    volume.value(i, j, k) = float(label);
            }
    return volume;
}

// A grid just large enough for a ball of `radius` mm plus a few voxels of margin.
inline core::Volume ball(const core::Vec3 &spacing, double radius, int label = 1,
                         const core::ImageGeometry *base = nullptr)
{
    int size[3];
    for (int a = 0; a < 3; ++a)
        size[a] = 2 * int(std::ceil(radius / spacing[std::size_t(a)])) + 5;
    return ballVolume(size, spacing, radius, label, base);
}

} // namespace medseg::test
