#pragma once

#include "core/mesh/LabelGrid.h"
#include "core/mesh/TriangleMesh.h"

#include <vector>

namespace medseg::core {

class ProgressSink;

// How label surfaces are built. With the defaults a ball of radius 10 voxels or more keeps its
// analytic volume within 2% (the flying-edges surface cuts the voxels' corners, so it runs
// 0.5-1.8% small) and its area within 1% (tests/mesh/tst_SurfaceExtractor.cpp). The raw
// discrete surface is a staircase whose area is 7% too large; the windowed-sinc filter removes
// the staircase without shrinking the shape.
struct SurfaceOptions
{
    // Windowed-sinc smoothing iterations; 0 keeps the discrete (staircase) surface.
    int smoothingIterations = 20;
    // Pass band of the windowed-sinc filter (0..2; smaller smooths more).
    double passBand = 0.1;
    // Fraction of triangles to remove by quadric decimation (0 = none, at most 0.99).
    double decimation = 0.0;
};

struct LabelSurface
{
    int label = 0;
    TriangleMesh mesh;
};

// Surfaces of the labels of a label volume with VTK (discrete flying edges on the label's box
// plus a one-voxel margin, windowed-sinc smoothing in mm, optional decimation), in patient
// coordinates (LPS mm) from the grid's geometry, oblique and left-handed grids included.
class SurfaceExtractor
{
public:
    // The surface of one label (empty if the label is absent). Thread-safe: each call builds
    // its own VTK pipeline.
    static TriangleMesh extract(const LabelGrid &labels, int label,
                                const SurfaceOptions &options = {});
    // Surfaces of `wanted` labels (all non-zero labels present when empty), ascending, absent
    // ones left out. Throws CancelledError when `progress` asks to stop.
    static std::vector<LabelSurface> extractAll(const LabelGrid &labels,
                                                const SurfaceOptions &options = {},
                                                const std::vector<int> &wanted = {},
                                                ProgressSink *progress = nullptr);
};

} // namespace medseg::core
