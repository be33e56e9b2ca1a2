#include "core/mesh/VtkPolyData.h"

#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkPointData.h>
#include <vtkPoints.h>

#include <algorithm>
#include <cstring>

namespace medseg::core {

vtkSmartPointer<vtkPolyData> toVtkPolyData(const TriangleMesh &mesh)
{
    auto points = vtkSmartPointer<vtkPoints>::New();
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(vtkIdType(mesh.vertexCount()));
    std::memcpy(points->GetVoidPointer(0), mesh.points.data(), mesh.points.size() * sizeof(float));
    auto polys = vtkSmartPointer<vtkCellArray>::New();
    polys->AllocateExact(vtkIdType(mesh.triangleCount()), vtkIdType(mesh.triangles.size()));
    for (std::size_t t = 0; t < mesh.triangleCount(); ++t) {
        const vtkIdType ids[3] = {vtkIdType(mesh.triangles[t * 3]),
                                  vtkIdType(mesh.triangles[t * 3 + 1]),
                                  vtkIdType(mesh.triangles[t * 3 + 2])};
        polys->InsertNextCell(3, ids);
    }
    auto polyData = vtkSmartPointer<vtkPolyData>::New();
    polyData->SetPoints(points);
    polyData->SetPolys(polys);
    if (mesh.normals.size() == mesh.points.size() && !mesh.normals.empty()) {
        auto normals = vtkSmartPointer<vtkFloatArray>::New();
        normals->SetName("Normals");
        normals->SetNumberOfComponents(3);
        normals->SetNumberOfTuples(vtkIdType(mesh.vertexCount()));
        std::copy(mesh.normals.begin(), mesh.normals.end(), normals->GetPointer(0));
        polyData->GetPointData()->SetNormals(normals);
    }
    return polyData;
}

} // namespace medseg::core
