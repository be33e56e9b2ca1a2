#pragma once

#include "core/mesh/TriangleMesh.h"

#include <array>
#include <optional>
#include <string>

namespace medseg::core {

// Mesh files through VTK's readers and writers; the format follows the extension (.stl binary,
// .obj, .ply binary), case-insensitive. Coordinates are written as they are (LPS mm), as
// ITK-SNAP and 3D Slicer's "LPS" export do.
class MeshIo
{
public:
    enum class Format { Stl, Obj, Ply };

    // The format for `path`'s extension; nullopt for anything else.
    static std::optional<Format> formatOf(const std::string &path);

    // Writes `mesh` to `path`; `colour` (RGB 0..255) is stored per vertex where the format
    // has colours (PLY). Throws std::runtime_error naming the file on an unknown extension or a
    // write failure.
    static void write(const TriangleMesh &mesh, const std::string &path,
                      const std::optional<std::array<std::uint8_t, 3>> &colour = std::nullopt);
    // Reads triangles back (polygons are fanned into triangles; normals recomputed). Throws
    // std::runtime_error naming the file if it is missing, unreadable or has no triangles.
    static TriangleMesh read(const std::string &path);
};

} // namespace medseg::core
