#pragma once

#include <array>

namespace medseg::core {

using Vec3 = std::array<double, 3>;

// Where the voxels of a volume lie in the patient coordinate system (DICOM LPS, millimetres).
// Voxel (i, j, k) = (column, row, slice) has its centre at
//   origin + i*spacing[0]*rowDirection + j*spacing[1]*columnDirection + k*spacing[2]*normal.
// rowDirection is the direction in which i (the column index) grows, as in DICOM's
// ImageOrientationPatient (first triplet); columnDirection the second triplet; normal is the
// direction of increasing slice index (row x column for a right-handed stack, but kept as measured
// so that a stack sorted the other way round stays exact).
struct ImageGeometry
{
    Vec3 origin{0.0, 0.0, 0.0};
    Vec3 spacing{1.0, 1.0, 1.0};
    Vec3 rowDirection{1.0, 0.0, 0.0};
    Vec3 columnDirection{0.0, 1.0, 0.0};
    Vec3 normal{0.0, 0.0, 1.0};

    Vec3 voxelToPatient(const Vec3 &ijk) const;
    Vec3 patientToVoxel(const Vec3 &patient) const;
    // 4x4 affine (row-major) from voxel index to LPS millimetres, as NIfTI's sform needs
    // (after the LPS to RAS flip).
    std::array<double, 16> voxelToPatientMatrix() const;
    double voxelVolume() const { return spacing[0] * spacing[1] * spacing[2]; }

    bool operator==(const ImageGeometry &other) const;
    bool operator!=(const ImageGeometry &other) const { return !(*this == other); }
    // Same grid within `tolerance` mm (or unitless for directions).
    bool isClose(const ImageGeometry &other, double tolerance = 1e-3) const;
};

Vec3 cross(const Vec3 &a, const Vec3 &b);
double dot(const Vec3 &a, const Vec3 &b);
Vec3 normalized(const Vec3 &v);

// The anatomical letter (R, L, A, P, S, I) a direction points to most, as viewers print at the
// edges of a slice. LPS: +x is left, +y posterior, +z superior.
char orientationLetter(const Vec3 &direction);

} // namespace medseg::core
