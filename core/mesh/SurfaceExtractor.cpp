#include "core/mesh/SurfaceExtractor.h"

#include "core/common/Progress.h"

#include <vtkCellArray.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkIdList.h>
#include <vtkImageData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkQuadricDecimation.h>
#include <vtkSmartPointer.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

namespace medseg::core {
namespace {

struct Box
{
    std::array<int, 3> low{0, 0, 0};
    std::array<int, 3> high{-1, -1, -1};
    bool isEmpty() const { return high[0] < low[0]; }
};

std::map<int, Box> labelBoxes(const LabelGrid &labels, const std::vector<int> &wanted)
{
    std::map<int, Box> boxes;
    for (int label : wanted)
        boxes[label];
    const bool all = wanted.empty();
    labels.forEachVoxel([&](int i, int j, int k, std::size_t, int value) {
        if (value == 0)
            return;
        auto it = boxes.find(value);
        if (it == boxes.end()) {
            if (!all)
                return;
            it = boxes.emplace(value, Box{}).first;
        }
        Box &box = it->second;
        if (box.isEmpty()) {
            box.low = {i, j, k};
            box.high = {i, j, k};
            return;
        }
        const std::array<int, 3> ijk{i, j, k};
        for (int a = 0; a < 3; ++a) {
            box.low[a] = std::min(box.low[a], ijk[a]);
            box.high[a] = std::max(box.high[a], ijk[a]);
        }
    });
    return boxes;
}

// The label's voxels as a binary image in "grid mm" (index times spacing, no rotation), with
// a one-voxel margin so that the surface is closed at the volume's edges. Smoothing works in
// this frame: in index units an anisotropic grid would be smoothed unevenly.
vtkSmartPointer<vtkImageData> binaryImage(const LabelGrid &labels, int label, const Box &box)
{
    const std::array<int, 3> low{box.low[0] - 1, box.low[1] - 1, box.low[2] - 1};
    const std::array<int, 3> size{box.high[0] - box.low[0] + 3, box.high[1] - box.low[1] + 3,
                                  box.high[2] - box.low[2] + 3};
    const Vec3 &spacing = labels.geometry().spacing;
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(size[0], size[1], size[2]);
    image->SetSpacing(spacing[0], spacing[1], spacing[2]);
    image->SetOrigin(low[0] * spacing[0], low[1] * spacing[1], low[2] * spacing[2]);
    image->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
    auto *out = static_cast<unsigned char *>(image->GetScalarPointer());
    std::fill(out, out + std::size_t(size[0]) * size[1] * size[2], 0);
    for (int k = box.low[2]; k <= box.high[2]; ++k)
        for (int j = box.low[1]; j <= box.high[1]; ++j) {
            unsigned char *row =
                out + (std::size_t(k - low[2]) * size[1] + (j - low[1])) * size[0] - low[0];
            for (int i = box.low[0]; i <= box.high[0]; ++i)
                row[i] = labels.label(i, j, k) == label ? 1 : 0;
        }
    return image;
}

TriangleMesh surfaceOf(const LabelGrid &labels, int label, const Box &box,
                       const SurfaceOptions &options)
{
    if (box.isEmpty())
        return {};
    auto contour = vtkSmartPointer<vtkDiscreteFlyingEdges3D>::New();
    contour->SetInputData(binaryImage(labels, label, box));
    contour->SetValue(0, 1.0);
    contour->ComputeNormalsOff();
    contour->ComputeGradientsOff();
    contour->ComputeScalarsOff();
    contour->Update();
    vtkSmartPointer<vtkPolyData> surface = contour->GetOutput();

    if (options.smoothingIterations > 0 && surface->GetNumberOfPoints() > 0) {
        auto smoother = vtkSmartPointer<vtkWindowedSincPolyDataFilter>::New();
        smoother->SetInputData(surface);
        smoother->SetNumberOfIterations(options.smoothingIterations);
        smoother->SetPassBand(options.passBand);
        smoother->BoundarySmoothingOff();
        smoother->FeatureEdgeSmoothingOff();
        smoother->NonManifoldSmoothingOn();
        // Without it the filter is unstable on large coordinates (VTK's documentation).
        smoother->NormalizeCoordinatesOn();
        smoother->Update();
        surface = smoother->GetOutput();
    }
    if (options.decimation > 0.0 && surface->GetNumberOfPolys() > 0) {
        auto decimate = vtkSmartPointer<vtkQuadricDecimation>::New();
        decimate->SetInputData(surface);
        decimate->SetTargetReduction(std::min(options.decimation, 0.99));
        decimate->VolumePreservationOn();
        decimate->Update();
        surface = decimate->GetOutput();
    }

    // Grid mm to patient: origin + R * p, R's columns the three direction cosines.
    const ImageGeometry &geometry = labels.geometry();
    TriangleMesh mesh;
    const vtkIdType pointCount = surface->GetNumberOfPoints();
    mesh.points.resize(std::size_t(pointCount) * 3);
    for (vtkIdType p = 0; p < pointCount; ++p) {
        double local[3];
        surface->GetPoint(p, local);
        for (int c = 0; c < 3; ++c)
            mesh.points[std::size_t(p) * 3 + c] =
                float(geometry.origin[c] + geometry.rowDirection[c] * local[0] +
                      geometry.columnDirection[c] * local[1] + geometry.normal[c] * local[2]);
    }
    vtkCellArray *polys = surface->GetPolys();
    mesh.triangles.reserve(std::size_t(polys->GetNumberOfCells()) * 3);
    auto ids = vtkSmartPointer<vtkIdList>::New();
    for (polys->InitTraversal(); polys->GetNextCell(ids);) {
        // Flying edges and the decimation only make triangles; fan anything else.
        for (vtkIdType v = 1; v + 1 < ids->GetNumberOfIds(); ++v) {
            mesh.triangles.push_back(std::uint32_t(ids->GetId(0)));
            mesh.triangles.push_back(std::uint32_t(ids->GetId(v)));
            mesh.triangles.push_back(std::uint32_t(ids->GetId(v + 1)));
        }
    }
    // The winding depends on VTK's conventions and on the grid's handedness (a stack sorted
    // head to feet is left-handed); make it outward whatever they are.
    if (mesh.signedVolume() < 0.0)
        mesh.flip();
    mesh.computeNormals();
    return mesh;
}

} // namespace

TriangleMesh SurfaceExtractor::extract(const LabelGrid &labels, int label,
                                       const SurfaceOptions &options)
{
    if (label == 0)
        throw std::runtime_error("label 0 is the background and has no surface");
    const std::map<int, Box> boxes = labelBoxes(labels, {label});
    return surfaceOf(labels, label, boxes.at(label), options);
}

std::vector<LabelSurface> SurfaceExtractor::extractAll(const LabelGrid &labels,
                                                       const SurfaceOptions &options,
                                                       const std::vector<int> &wanted,
                                                       ProgressSink *progress)
{
    std::vector<int> selection;
    for (int label : wanted)
        if (label != 0)
            selection.push_back(label);
    if (!wanted.empty() && selection.empty())
        return {};
    const std::map<int, Box> boxes = labelBoxes(labels, selection);
    std::vector<LabelSurface> surfaces;
    std::int64_t done = 0;
    for (const auto &[label, box] : boxes) {
        if (progress && (progress->isCancelled() ||
                         !progress->progress(done, std::int64_t(boxes.size()), "surfaces")))
            throw CancelledError();
        ++done;
        if (box.isEmpty())
            continue;
        surfaces.push_back({label, surfaceOf(labels, label, box, options)});
    }
    if (progress)
        progress->progress(done, done, "surfaces");
    return surfaces;
}

} // namespace medseg::core
