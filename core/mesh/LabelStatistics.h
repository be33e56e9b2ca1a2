#pragma once

#include "core/image/Volume.h"
#include "core/mesh/LabelGrid.h"
#include "core/mesh/SurfaceExtractor.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace medseg::core {

// Measurements of one label. Volume is the voxel count times the voxel volume (exact, not the
// mesh's volume); the surface area comes from the smoothed surface when one was given.
struct LabelMeasurement
{
    int label = 0;
    std::int64_t voxelCount = 0;
    double volumeMm3 = 0.0;
    double volumeMl = 0.0;
    // mm^2 of the label's surface; negative when no surface was given.
    double surfaceAreaMm2 = -1.0;
    // Inclusive voxel index box (i, j, k).
    std::array<int, 3> voxelMin{0, 0, 0};
    std::array<int, 3> voxelMax{0, 0, 0};
    // Axis-aligned LPS box (mm) around the whole voxels of the index box (voxel centres +-
    // half a voxel), so that an oblique grid's box still encloses the label.
    Vec3 patientMin{0.0, 0.0, 0.0};
    Vec3 patientMax{0.0, 0.0, 0.0};
    // Mean and population standard deviation of the image inside the label (when an image
    // was given).
    bool hasImage = false;
    double mean = 0.0;
    double standardDeviation = 0.0;
};

// Per-label statistics of a label volume and their CSV form (one header row, one row per
// label, '.' decimals whatever the locale).
class LabelStatistics
{
public:
    // Every non-zero label present, ascending. `image` (component 0) must have the grid's size;
    // `surfaces` give the areas. Throws std::runtime_error on a size mismatch.
    static std::vector<LabelMeasurement>
    compute(const LabelGrid &labels, const Volume *image = nullptr,
            const std::vector<LabelSurface> *surfaces = nullptr);

    // CSV text; `names` (label -> name) fills the name column, empty when unknown.
    static std::string toCsv(const std::vector<LabelMeasurement> &measurements,
                             const std::map<int, std::string> &names = {});
    // Writes toCsv() to `path`; throws std::runtime_error naming the file on failure.
    static void writeCsv(const std::string &path, const std::vector<LabelMeasurement> &measurements,
                         const std::map<int, std::string> &names = {});
};

} // namespace medseg::core
