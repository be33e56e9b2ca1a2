#include "core/dataset/NiftiIo.h"

#include <nifti1_io.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace medseg::core {
namespace {

struct NiftiDeleter
{
    void operator()(nifti_image *image) const { nifti_image_free(image); }
};
using NiftiPtr = std::unique_ptr<nifti_image, NiftiDeleter>;

} // namespace

void NiftiIo::writeLabels(const std::string &path, const Volume &labels)
{
    if (labels.isEmpty())
        throw std::runtime_error(path + ": empty label volume");
    int dims[8] = {3, labels.width(), labels.height(), labels.depth(), 1, 1, 1, 1};
    NiftiPtr image(nifti_make_new_nim(dims, NIFTI_TYPE_UINT8, 1));
    if (!image)
        throw std::runtime_error(path + ": cannot create NIfTI image");
    auto *out = static_cast<unsigned char *>(image->data);
    const std::size_t count = labels.voxelCount();
    for (std::size_t n = 0; n < count; ++n) {
        const float value = labels.data()[n * labels.components()];
        if (!(value >= 0.0f && value <= 255.0f))
            throw std::runtime_error(path + ": label value " + std::to_string(value) +
                                     " does not fit 8 bits");
        out[n] = static_cast<unsigned char>(std::lround(value));
    }

    const ImageGeometry &g = labels.geometry();
    const std::array<double, 16> lps = g.voxelToPatientMatrix();
    mat44 ras;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            ras.m[r][c] = float((r < 2 ? -1.0 : 1.0) * lps[std::size_t(r * 4 + c)]);
    image->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    image->sto_xyz = ras;
    image->sto_ijk = nifti_mat44_inverse(ras);
    image->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    float qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac;
    nifti_mat44_to_quatern(ras, &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac);
    image->quatern_b = qb;
    image->quatern_c = qc;
    image->quatern_d = qd;
    image->qoffset_x = qx;
    image->qoffset_y = qy;
    image->qoffset_z = qz;
    image->qfac = qfac;
    image->qto_xyz = nifti_quatern_to_mat44(qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac);
    image->qto_ijk = nifti_mat44_inverse(image->qto_xyz);
    image->dx = image->pixdim[1] = float(g.spacing[0]);
    image->dy = image->pixdim[2] = float(g.spacing[1]);
    image->dz = image->pixdim[3] = float(g.spacing[2]);
    image->xyz_units = NIFTI_UNITS_MM;
    image->intent_code = NIFTI_INTENT_LABEL;
    std::strncpy(image->descrip, "MedSeg Studio labels", sizeof image->descrip - 1);

    if (nifti_set_filenames(image.get(), path.c_str(), 0, 1) != 0)
        throw std::runtime_error(path + ": not a NIfTI file name (.nii or .nii.gz)");
    image->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    nifti_image_write(image.get());
    FILE *check = std::fopen(path.c_str(), "rb");
    if (!check)
        throw std::runtime_error(path + ": cannot write the file");
    std::fclose(check);
}

Volume NiftiIo::read(const std::string &path)
{
    // niftilib prints its own errors on stderr; ours name the file and reach the caller.
    static const bool quiet = [] {
        nifti_set_debug_level(0);
        return true;
    }();
    (void)quiet;
    NiftiPtr image(nifti_image_read(path.c_str(), 1));
    if (!image || !image->data)
        throw std::runtime_error(path + ": not a readable NIfTI file");
    if (image->ndim < 2 || image->ndim > 4 || (image->ndim == 4 && image->nt > 1) ||
        image->nu > 1 || image->nv > 1 || image->nw > 1)
        throw std::runtime_error(path + ": not a 3D scalar NIfTI volume");
    const int nx = int(image->nx), ny = int(image->ny), nz = int(std::max<int64_t>(1, image->nz));
    Volume volume(nx, ny, nz);
    const std::size_t count = volume.voxelCount();
    float *out = volume.data();
    const double slope = image->scl_slope != 0.0f ? image->scl_slope : 1.0;
    const double inter = image->scl_slope != 0.0f ? image->scl_inter : 0.0;
    auto convert = [&](auto *in) {
        for (std::size_t n = 0; n < count; ++n)
            out[n] = float(double(in[n]) * slope + inter);
    };
    switch (image->datatype) {
    case NIFTI_TYPE_UINT8:
        convert(static_cast<const std::uint8_t *>(image->data));
        break;
    case NIFTI_TYPE_INT8:
        convert(static_cast<const std::int8_t *>(image->data));
        break;
    case NIFTI_TYPE_INT16:
        convert(static_cast<const std::int16_t *>(image->data));
        break;
    case NIFTI_TYPE_UINT16:
        convert(static_cast<const std::uint16_t *>(image->data));
        break;
    case NIFTI_TYPE_INT32:
        convert(static_cast<const std::int32_t *>(image->data));
        break;
    case NIFTI_TYPE_UINT32:
        convert(static_cast<const std::uint32_t *>(image->data));
        break;
    case NIFTI_TYPE_FLOAT32:
        convert(static_cast<const float *>(image->data));
        break;
    case NIFTI_TYPE_FLOAT64:
        convert(static_cast<const double *>(image->data));
        break;
    default:
        throw std::runtime_error(path + ": unsupported NIfTI data type " +
                                 std::to_string(image->datatype));
    }

    const mat44 &ras = image->sform_code > 0 ? image->sto_xyz : image->qto_xyz;
    ImageGeometry g;
    Vec3 *axes[3] = {&g.rowDirection, &g.columnDirection, &g.normal};
    for (int c = 0; c < 3; ++c) {
        Vec3 axis;
        for (int r = 0; r < 3; ++r)
            axis[std::size_t(r)] = (r < 2 ? -1.0 : 1.0) * ras.m[r][c];
        const double length = std::sqrt(dot(axis, axis));
        g.spacing[std::size_t(c)] = length > 0 ? length : 1.0;
        *axes[c] = length > 0 ? normalized(axis)
                              : Vec3{c == 0 ? 1.0 : 0.0, c == 1 ? 1.0 : 0.0, c == 2 ? 1.0 : 0.0};
    }
    g.origin = {-double(ras.m[0][3]), -double(ras.m[1][3]), double(ras.m[2][3])};
    volume.setGeometry(g);
    return volume;
}

} // namespace medseg::core
