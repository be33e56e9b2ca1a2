#include "core/mesh/MeshIo.h"

#include "core/mesh/VtkPolyData.h"

#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkIdList.h>
#include <vtkOBJReader.h>
#include <vtkOBJWriter.h>
#include <vtkPLYReader.h>
#include <vtkPLYWriter.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkSTLReader.h>
#include <vtkSTLWriter.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

namespace medseg::core {
namespace {

std::string lowerExtension(const std::string &path)
{
    const std::size_t dot = path.find_last_of('.');
    const std::size_t slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string extension = path.substr(dot + 1);
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return extension;
}

} // namespace

std::optional<MeshIo::Format> MeshIo::formatOf(const std::string &path)
{
    const std::string extension = lowerExtension(path);
    if (extension == "stl")
        return Format::Stl;
    if (extension == "obj")
        return Format::Obj;
    if (extension == "ply")
        return Format::Ply;
    return std::nullopt;
}

void MeshIo::write(const TriangleMesh &mesh, const std::string &path,
                   const std::optional<std::array<std::uint8_t, 3>> &colour)
{
    const std::optional<Format> format = formatOf(path);
    if (!format)
        throw std::runtime_error(path + ": unknown mesh format (use .stl, .obj or .ply)");
    // VTK's writers report failures through its error output and an error code that not all of
    // them set; try the file first so that a bad folder is reported as ours, naming it.
    {
        std::ofstream probe(path, std::ios::binary | std::ios::trunc);
        if (!probe)
            throw std::runtime_error(path + ": cannot be written");
    }
    vtkSmartPointer<vtkPolyData> polyData = toVtkPolyData(mesh);
    int errorCode = 0;
    switch (*format) {
    case Format::Stl: {
        auto writer = vtkSmartPointer<vtkSTLWriter>::New();
        writer->SetInputData(polyData);
        writer->SetFileName(path.c_str());
        writer->SetFileTypeToBinary();
        writer->Write();
        errorCode = int(writer->GetErrorCode());
        break;
    }
    case Format::Obj: {
        auto writer = vtkSmartPointer<vtkOBJWriter>::New();
        writer->SetInputData(polyData);
        writer->SetFileName(path.c_str());
        writer->Write();
        errorCode = int(writer->GetErrorCode());
        break;
    }
    case Format::Ply: {
        auto writer = vtkSmartPointer<vtkPLYWriter>::New();
        writer->SetInputData(polyData);
        writer->SetFileName(path.c_str());
        writer->SetFileTypeToBinary();
        if (colour) {
            auto colours = vtkSmartPointer<vtkUnsignedCharArray>::New();
            colours->SetName("Colors");
            colours->SetNumberOfComponents(3);
            colours->SetNumberOfTuples(vtkIdType(mesh.vertexCount()));
            for (std::size_t p = 0; p < mesh.vertexCount(); ++p)
                for (int c = 0; c < 3; ++c)
                    colours->SetValue(vtkIdType(p * 3 + c), (*colour)[std::size_t(c)]);
            polyData->GetPointData()->SetScalars(colours);
            writer->SetArrayName("Colors");
            writer->SetColorModeToDefault();
        }
        writer->Write();
        errorCode = int(writer->GetErrorCode());
        break;
    }
    }
    if (errorCode != 0)
        throw std::runtime_error(path + ": writing the mesh failed (VTK error " +
                                 std::to_string(errorCode) + ")");
}

TriangleMesh MeshIo::read(const std::string &path)
{
    const std::optional<Format> format = formatOf(path);
    if (!format)
        throw std::runtime_error(path + ": unknown mesh format (use .stl, .obj or .ply)");
    if (!std::ifstream(path, std::ios::binary))
        throw std::runtime_error(path + ": cannot be opened");
    vtkSmartPointer<vtkPolyData> polyData;
    switch (*format) {
    case Format::Stl: {
        auto reader = vtkSmartPointer<vtkSTLReader>::New();
        reader->SetFileName(path.c_str());
        // Keep the vertices as written: merging would change the vertex count.
        reader->MergingOff();
        reader->Update();
        polyData = reader->GetOutput();
        break;
    }
    case Format::Obj: {
        auto reader = vtkSmartPointer<vtkOBJReader>::New();
        reader->SetFileName(path.c_str());
        reader->Update();
        polyData = reader->GetOutput();
        break;
    }
    case Format::Ply: {
        auto reader = vtkSmartPointer<vtkPLYReader>::New();
        reader->SetFileName(path.c_str());
        reader->Update();
        polyData = reader->GetOutput();
        break;
    }
    }
    TriangleMesh mesh;
    if (!polyData || polyData->GetNumberOfPolys() == 0)
        throw std::runtime_error(path + ": no triangles could be read");
    mesh.points.resize(std::size_t(polyData->GetNumberOfPoints()) * 3);
    for (vtkIdType p = 0; p < polyData->GetNumberOfPoints(); ++p) {
        double point[3];
        polyData->GetPoint(p, point);
        for (int c = 0; c < 3; ++c)
            mesh.points[std::size_t(p) * 3 + c] = float(point[c]);
    }
    vtkCellArray *polys = polyData->GetPolys();
    auto ids = vtkSmartPointer<vtkIdList>::New();
    for (polys->InitTraversal(); polys->GetNextCell(ids);)
        for (vtkIdType v = 1; v + 1 < ids->GetNumberOfIds(); ++v) {
            mesh.triangles.push_back(std::uint32_t(ids->GetId(0)));
            mesh.triangles.push_back(std::uint32_t(ids->GetId(v)));
            mesh.triangles.push_back(std::uint32_t(ids->GetId(v + 1)));
        }
    mesh.computeNormals();
    return mesh;
}

} // namespace medseg::core
