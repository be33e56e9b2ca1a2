#pragma once

#include "core/image/ImageGeometry.h"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace medseg::core {

// A triangle surface in patient coordinates (LPS, mm), independent of VTK so that callers of
// core/mesh need not include VTK: vertices and vertex normals as xyz triplets, triangles as
// vertex index triplets wound counter-clockwise seen from outside (normals point out).
struct TriangleMesh
{
    std::vector<float> points;
    std::vector<float> normals;
    std::vector<std::uint32_t> triangles;

    std::size_t vertexCount() const { return points.size() / 3; }
    std::size_t triangleCount() const { return triangles.size() / 3; }
    bool isEmpty() const { return triangles.empty(); }

    // Surface area in mm^2.
    double area() const;
    // Enclosed volume in mm^3 (divergence theorem; positive for outward winding).
    double signedVolume() const;
    // Smallest and largest corner of the axis-aligned box in LPS mm (zeros when empty).
    std::pair<Vec3, Vec3> bounds() const;

    // Reverses every triangle's winding and negates the normals.
    void flip();
    // Area-weighted vertex normals from the triangles.
    void computeNormals();
    // Appends `other`'s vertices and triangles (for merged export).
    void append(const TriangleMesh &other);
};

} // namespace medseg::core
