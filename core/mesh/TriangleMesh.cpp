#include "core/mesh/TriangleMesh.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace medseg::core {
namespace {

Vec3 vertex(const TriangleMesh &mesh, std::uint32_t index)
{
    const float *p = mesh.points.data() + std::size_t(index) * 3;
    return {double(p[0]), double(p[1]), double(p[2])};
}

Vec3 minus(const Vec3 &a, const Vec3 &b)
{
    return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}

} // namespace

double TriangleMesh::area() const
{
    double sum = 0.0;
    for (std::size_t t = 0; t + 2 < triangles.size(); t += 3) {
        const Vec3 a = vertex(*this, triangles[t]);
        const Vec3 n = cross(minus(vertex(*this, triangles[t + 1]), a),
                             minus(vertex(*this, triangles[t + 2]), a));
        sum += 0.5 * std::sqrt(dot(n, n));
    }
    return sum;
}

double TriangleMesh::signedVolume() const
{
    // Tetrahedra against a point inside the bounds rather than the origin: patient coordinates
    // lie hundreds of mm away from it, and the cancellation would cost digits.
    const auto [low, high] = bounds();
    const Vec3 centre{0.5 * (low[0] + high[0]), 0.5 * (low[1] + high[1]), 0.5 * (low[2] + high[2])};
    double sum = 0.0;
    for (std::size_t t = 0; t + 2 < triangles.size(); t += 3) {
        const Vec3 a = minus(vertex(*this, triangles[t]), centre);
        const Vec3 b = minus(vertex(*this, triangles[t + 1]), centre);
        const Vec3 c = minus(vertex(*this, triangles[t + 2]), centre);
        sum += dot(a, cross(b, c));
    }
    return sum / 6.0;
}

std::pair<Vec3, Vec3> TriangleMesh::bounds() const
{
    if (points.empty())
        return {};
    Vec3 low{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
             std::numeric_limits<double>::max()};
    Vec3 high{-low[0], -low[1], -low[2]};
    for (std::size_t i = 0; i + 2 < points.size(); i += 3)
        for (int a = 0; a < 3; ++a) {
            low[a] = std::min(low[a], double(points[i + a]));
            high[a] = std::max(high[a], double(points[i + a]));
        }
    return {low, high};
}

void TriangleMesh::flip()
{
    for (std::size_t t = 0; t + 2 < triangles.size(); t += 3)
        std::swap(triangles[t + 1], triangles[t + 2]);
    for (float &n : normals)
        n = -n;
}

void TriangleMesh::computeNormals()
{
    std::vector<double> sums(points.size(), 0.0);
    for (std::size_t t = 0; t + 2 < triangles.size(); t += 3) {
        const Vec3 a = vertex(*this, triangles[t]);
        // Unnormalised: the cross product's length is twice the area, which weights it.
        const Vec3 n = cross(minus(vertex(*this, triangles[t + 1]), a),
                             minus(vertex(*this, triangles[t + 2]), a));
        for (int v = 0; v < 3; ++v)
            for (int c = 0; c < 3; ++c)
                sums[std::size_t(triangles[t + v]) * 3 + c] += n[c];
    }
    normals.resize(points.size());
    for (std::size_t i = 0; i + 2 < sums.size(); i += 3) {
        const double length =
            std::sqrt(sums[i] * sums[i] + sums[i + 1] * sums[i + 1] + sums[i + 2] * sums[i + 2]);
        for (int c = 0; c < 3; ++c)
            normals[i + c] = length > 0.0 ? float(sums[i + c] / length) : 0.0f;
    }
}

void TriangleMesh::append(const TriangleMesh &other)
{
    const auto offset = std::uint32_t(vertexCount());
    points.insert(points.end(), other.points.begin(), other.points.end());
    if (other.normals.size() == other.points.size() &&
        normals.size() + other.normals.size() == points.size())
        normals.insert(normals.end(), other.normals.begin(), other.normals.end());
    else
        normals.clear();
    triangles.reserve(triangles.size() + other.triangles.size());
    for (std::uint32_t index : other.triangles)
        triangles.push_back(index + offset);
}

} // namespace medseg::core
