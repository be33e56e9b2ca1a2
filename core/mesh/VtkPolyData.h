#pragma once

// TriangleMesh -> vtkPolyData (points, triangles and, when present, point normals), for the code
// that works with VTK itself: the mesh writers here and the 3D view in ui/widgets. Everything
// else in core/mesh keeps VTK out of its interface; including this header needs VTK's include
// paths (VTK::CommonDataModel).

#include "core/mesh/TriangleMesh.h"

#include <vtkPolyData.h>
#include <vtkSmartPointer.h>

namespace medseg::core {

vtkSmartPointer<vtkPolyData> toVtkPolyData(const TriangleMesh &mesh);

} // namespace medseg::core
