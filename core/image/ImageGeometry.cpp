#include "core/image/ImageGeometry.h"

#include <cmath>

namespace medseg::core {

Vec3 cross(const Vec3 &a, const Vec3 &b)
{
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

double dot(const Vec3 &a, const Vec3 &b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

Vec3 normalized(const Vec3 &v)
{
    const double length = std::sqrt(dot(v, v));
    if (length == 0.0)
        return v;
    return {v[0] / length, v[1] / length, v[2] / length};
}

Vec3 ImageGeometry::voxelToPatient(const Vec3 &ijk) const
{
    Vec3 p = origin;
    for (int axis = 0; axis < 3; ++axis) {
        p[axis] += ijk[0] * spacing[0] * rowDirection[axis] +
                   ijk[1] * spacing[1] * columnDirection[axis] + ijk[2] * spacing[2] * normal[axis];
    }
    return p;
}

Vec3 ImageGeometry::patientToVoxel(const Vec3 &patient) const
{
    // Solve M * ijk = patient - origin with M's columns the scaled axes (Cramer's rule: the axes
    // need not be orthogonal, e.g. for a gantry-tilted stack).
    const Vec3 d{patient[0] - origin[0], patient[1] - origin[1], patient[2] - origin[2]};
    const Vec3 a{rowDirection[0] * spacing[0], rowDirection[1] * spacing[0],
                 rowDirection[2] * spacing[0]};
    const Vec3 b{columnDirection[0] * spacing[1], columnDirection[1] * spacing[1],
                 columnDirection[2] * spacing[1]};
    const Vec3 c{normal[0] * spacing[2], normal[1] * spacing[2], normal[2] * spacing[2]};
    const double det = dot(a, cross(b, c));
    if (det == 0.0)
        return {0.0, 0.0, 0.0};
    return {dot(d, cross(b, c)) / det, dot(a, cross(d, c)) / det, dot(a, cross(b, d)) / det};
}

std::array<double, 16> ImageGeometry::voxelToPatientMatrix() const
{
    std::array<double, 16> m{};
    for (int row = 0; row < 3; ++row) {
        m[row * 4 + 0] = rowDirection[row] * spacing[0];
        m[row * 4 + 1] = columnDirection[row] * spacing[1];
        m[row * 4 + 2] = normal[row] * spacing[2];
        m[row * 4 + 3] = origin[row];
    }
    m[15] = 1.0;
    return m;
}

bool ImageGeometry::operator==(const ImageGeometry &other) const
{
    return origin == other.origin && spacing == other.spacing &&
           rowDirection == other.rowDirection && columnDirection == other.columnDirection &&
           normal == other.normal;
}

bool ImageGeometry::isClose(const ImageGeometry &other, double tolerance) const
{
    const auto close = [tolerance](const Vec3 &a, const Vec3 &b) {
        for (int i = 0; i < 3; ++i) {
            if (std::abs(a[i] - b[i]) > tolerance)
                return false;
        }
        return true;
    };
    return close(origin, other.origin) && close(spacing, other.spacing) &&
           close(rowDirection, other.rowDirection) &&
           close(columnDirection, other.columnDirection) && close(normal, other.normal);
}

char orientationLetter(const Vec3 &direction)
{
    int axis = 0;
    for (int i = 1; i < 3; ++i) {
        if (std::abs(direction[i]) > std::abs(direction[axis]))
            axis = i;
    }
    static const char positive[3] = {'L', 'P', 'S'};
    static const char negative[3] = {'R', 'A', 'I'};
    return direction[axis] >= 0.0 ? positive[axis] : negative[axis];
}

} // namespace medseg::core
