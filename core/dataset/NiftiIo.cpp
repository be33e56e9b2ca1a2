#include "core/dataset/NiftiIo.h"

#include "core/common/AtomicFile.h"

#include <nifti2_io.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

// niftilib prints its own errors on stderr; ours name the file and reach the caller.
void quietNiftiLib()
{
    static const bool quiet = [] {
        nifti_set_debug_level(0);
        return true;
    }();
    (void)quiet;
}

bool isCompressedName(const std::string &path)
{
    return path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

// A NIfTI-1 image of `datatype` with the geometry in the sform and the qform (RAS: x and y of
// the LPS matrix negated, as ITK-SNAP and 3D Slicer expect), intent "label".
NiftiPtr makeLabelImage(const std::string &path, int width, int height, int depth, int datatype,
                        const ImageGeometry &g, int volumes = 1)
{
    if (width <= 0 || height <= 0 || depth <= 0 || volumes <= 0)
        throw std::runtime_error(path + ": empty label volume");
    const int64_t dims[8] = {volumes > 1 ? 4 : 3, width, height, depth, volumes, 1, 1, 1};
    NiftiPtr image(nifti_make_new_nim(dims, datatype, 1));
    if (!image)
        throw std::runtime_error(path + ": cannot create NIfTI image");
    const std::array<double, 16> lps = g.voxelToPatientMatrix();
    nifti_dmat44 ras;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            ras.m[r][c] = (r < 2 ? -1.0 : 1.0) * lps[std::size_t(r * 4 + c)];
    image->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    image->sto_xyz = ras;
    image->sto_ijk = nifti_dmat44_inverse(ras);
    image->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    double qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac;
    nifti_dmat44_to_quatern(ras, &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac);
    image->quatern_b = qb;
    image->quatern_c = qc;
    image->quatern_d = qd;
    image->qoffset_x = qx;
    image->qoffset_y = qy;
    image->qoffset_z = qz;
    image->qfac = qfac;
    image->qto_xyz = nifti_quatern_to_dmat44(qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac);
    image->qto_ijk = nifti_dmat44_inverse(image->qto_xyz);
    image->dx = image->pixdim[1] = g.spacing[0];
    image->dy = image->pixdim[2] = g.spacing[1];
    image->dz = image->pixdim[3] = g.spacing[2];
    image->xyz_units = NIFTI_UNITS_MM;
    image->intent_code = NIFTI_INTENT_LABEL;
    std::strncpy(image->descrip, "MedSeg Studio labels", sizeof image->descrip - 1);
    return image;
}

// nifti_image_write() reports nothing (a full disk gives a truncated file and a line on
// stderr), so the written file is read back: every byte, through zlib when compressed.
void checkWritten(const std::string &path, const std::string &written, std::size_t expectedBytes)
{
    std::size_t total = 0;
    if (isCompressedName(path)) {
        gzFile file = gzopen(written.c_str(), "rb");
        if (!file)
            throw std::runtime_error(path + ": cannot read back the written file");
        std::vector<char> buffer(1 << 20);
        int n = 0;
        while ((n = gzread(file, buffer.data(), unsigned(buffer.size()))) > 0)
            total += std::size_t(n);
        int error = Z_OK;
        const char *message = gzerror(file, &error);
        const std::string reason = message ? message : "";
        gzclose(file);
        if (n < 0 || (error != Z_OK && error != Z_STREAM_END))
            throw std::runtime_error(path + ": the written file is damaged (" + reason +
                                     "); is the disk full?");
    } else {
        FILE *file = std::fopen(written.c_str(), "rb");
        if (!file)
            throw std::runtime_error(path + ": cannot read back the written file");
        std::fseek(file, 0, SEEK_END);
        total = std::size_t(std::max(0L, std::ftell(file)));
        std::fclose(file);
    }
    if (total != expectedBytes)
        throw std::runtime_error(path + ": the written file is incomplete (" +
                                 std::to_string(total) + " of " + std::to_string(expectedBytes) +
                                 " bytes); is the disk full?");
}

void writeNifti(const std::string &path, nifti_image *image)
{
    quietNiftiLib();
    AtomicFile file(path);
    // The temporary name keeps the extension, so niftilib compresses exactly when `path` says.
    if (nifti_set_filenames(image, file.tempPath().c_str(), 0, 1) != 0)
        throw std::runtime_error(path + ": not a NIfTI file name (.nii or .nii.gz)");
    image->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    nifti_image_write(image);
    const std::size_t expected =
        std::size_t(image->iname_offset) + std::size_t(image->nvox) * std::size_t(image->nbyper);
    checkWritten(path, file.tempPath(), expected);
    file.commit();
}

// The grid of `from` exactly as its header writes it: sform and qform with their codes, the
// quaternion, qfac, voxel sizes and units (what a viewer compares to lay files over each other).
void copySpatialHeader(const nifti_image &from, nifti_image &to)
{
    to.sform_code = from.sform_code;
    to.sto_xyz = from.sto_xyz;
    to.sto_ijk = from.sto_ijk;
    to.qform_code = from.qform_code;
    to.quatern_b = from.quatern_b;
    to.quatern_c = from.quatern_c;
    to.quatern_d = from.quatern_d;
    to.qoffset_x = from.qoffset_x;
    to.qoffset_y = from.qoffset_y;
    to.qoffset_z = from.qoffset_z;
    to.qfac = from.qfac;
    to.qto_xyz = from.qto_xyz;
    to.qto_ijk = from.qto_ijk;
    for (int n = 1; n <= 3; ++n)
        to.pixdim[n] = from.pixdim[n];
    to.dx = from.dx;
    to.dy = from.dy;
    to.dz = from.dz;
    to.xyz_units = from.xyz_units;
}

template <typename T>
void writeLabelData(const std::string &path, const T *labels, int width, int height, int depth,
                    const ImageGeometry &geometry, const nifti_image *like = nullptr)
{
    if (!labels && std::size_t(width) * std::size_t(height) * std::size_t(depth) > 0)
        throw std::runtime_error(path + ": no label data");
    const std::size_t count = std::size_t(std::max(0, width)) * std::size_t(std::max(0, height)) *
                              std::size_t(std::max(0, depth));
    const T maxLabel = count ? *std::max_element(labels, labels + count) : T(0);
    const bool eightBits = maxLabel <= 255;
    NiftiPtr image = makeLabelImage(path, width, height, depth,
                                    eightBits ? NIFTI_TYPE_UINT8 : NIFTI_TYPE_UINT16, geometry);
    if (like)
        copySpatialHeader(*like, *image);
    if (eightBits) {
        auto *out = static_cast<std::uint8_t *>(image->data);
        for (std::size_t n = 0; n < count; ++n)
            out[n] = std::uint8_t(labels[n]);
    } else {
        auto *out = static_cast<std::uint16_t *>(image->data);
        for (std::size_t n = 0; n < count; ++n)
            out[n] = std::uint16_t(labels[n]);
    }
    writeNifti(path, image.get());
}

std::string describeGrid(int width, int height, int depth, const ImageGeometry &g)
{
    const auto number = [](double value) {
        char text[32];
        std::snprintf(text, sizeof text, "%.4g", value);
        return std::string(text);
    };
    return std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(depth) +
           " voxels of " + number(g.spacing[0]) + "x" + number(g.spacing[1]) + "x" +
           number(g.spacing[2]) + " mm";
}

// nifti_clib's reader reads NIfTI-1 and NIfTI-2, compressed or not, and swaps big-endian
// files to the machine's byte order.
NiftiPtr openImage(const std::string &path)
{
    quietNiftiLib();
    NiftiPtr image(nifti_image_read(path.c_str(), 0));
    if (!image)
        throw std::runtime_error(path + ": not a readable NIfTI file (damaged or truncated " +
                                 "header, or not NIfTI at all)");
    return image;
}

std::string niftiTypeName(int datatype)
{
    switch (datatype) {
    case NIFTI_TYPE_UINT8:
        return "uint8";
    case NIFTI_TYPE_INT8:
        return "int8";
    case NIFTI_TYPE_INT16:
        return "int16";
    case NIFTI_TYPE_UINT16:
        return "uint16";
    case NIFTI_TYPE_INT32:
        return "int32";
    case NIFTI_TYPE_UINT32:
        return "uint32";
    case NIFTI_TYPE_INT64:
        return "int64";
    case NIFTI_TYPE_UINT64:
        return "uint64";
    case NIFTI_TYPE_FLOAT32:
        return "float32";
    case NIFTI_TYPE_FLOAT64:
        return "float64";
    case NIFTI_TYPE_RGB24:
        return "rgb24";
    default:
        return nifti_datatype_string(datatype);
    }
}

// The voxel-to-world matrix as nibabel and ITK choose it: the sform when its code is set,
// else the qform when its code is set, else the voxel sizes alone (nifti_clib's qto_xyz for
// qform_code 0). RAS in the file; LPS here.
ImageGeometry geometryOf(const nifti_image &image, std::string *source)
{
    const bool sform = image.sform_code > 0;
    const nifti_dmat44 &ras = sform ? image.sto_xyz : image.qto_xyz;
    *source = sform ? "sform" : image.qform_code > 0 ? "qform" : "voxel sizes only";
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
    g.origin = {-ras.m[0][3], -ras.m[1][3], ras.m[2][3]};
    return g;
}

// 1 or 2: which header the file starts with (nifti_image does not keep it).
int niftiVersionOf(const std::string &path)
{
    int version = 0;
    void *header = nifti_read_header(path.c_str(), &version, 0);
    std::free(header);
    return version;
}

ImageHeader headerOf(const std::string &path, const nifti_image &image)
{
    // A 4D file holds volumes along t; dimensions beyond that are not images we can show.
    if (image.ndim < 1 || image.ndim > 4 || image.nu > 1 || image.nv > 1 || image.nw > 1)
        throw std::runtime_error(path + ": a " + std::to_string(image.ndim) +
                                 "-dimensional NIfTI image; only 2D, 3D and 4D images open");
    constexpr int64_t maxSide = 1 << 16;
    const int64_t nz = std::max<int64_t>(1, image.nz), nt = std::max<int64_t>(1, image.nt);
    if (image.nx < 1 || image.ny < 1 || image.nx > maxSide || image.ny > maxSide || nz > maxSide ||
        nt > maxSide)
        throw std::runtime_error(path + ": impossible image size " + std::to_string(image.nx) +
                                 "x" + std::to_string(image.ny) + "x" + std::to_string(nz) +
                                 " in the header");
    ImageHeader header;
    header.format = niftiVersionOf(path) == 2 ? "NIfTI-2" : "NIfTI-1";
    header.width = int(image.nx);
    header.height = int(image.ny);
    header.depth = int(nz);
    header.volumes = int(nt);
    header.components = image.datatype == NIFTI_TYPE_RGB24 ? 3 : 1;
    header.dataType = niftiTypeName(image.datatype);
    constexpr int msbFirst = 2; // nifti_clib's MSB_FIRST, private to its sources
    header.bigEndian = image.byteorder == msbFirst;
    const bool scaled =
        image.scl_slope != 0.0 && std::isfinite(image.scl_slope) && std::isfinite(image.scl_inter);
    header.slope = scaled ? image.scl_slope : 1.0;
    header.intercept = scaled ? image.scl_inter : 0.0;
    header.geometry = geometryOf(image, &header.geometrySource);
    header.description = std::string(image.descrip, strnlen(image.descrip, sizeof image.descrip));
    header.isLabelMap = image.intent_code == NIFTI_INTENT_LABEL;
    constexpr std::size_t maxVoxels = std::size_t(1) << 31;
    if (std::size_t(header.width) * std::size_t(header.height) * std::size_t(header.depth) >
        maxVoxels)
        throw std::runtime_error(
            path + ": " + std::to_string(header.width) + "x" + std::to_string(header.height) + "x" +
            std::to_string(header.depth) + " voxels per volume is too large to open");
    return header;
}

// Stored values to floats: value * slope + intercept; RGB24 as three components 0..255.
void convertVoxels(const std::string &path, int datatype, const void *data,
                   const ImageHeader &header, Volume &volume)
{
    const std::size_t count = volume.voxelCount() * std::size_t(volume.components());
    float *out = volume.data();
    const double slope = header.slope, intercept = header.intercept;
    auto convert = [&](const auto *in) {
        for (std::size_t n = 0; n < count; ++n)
            out[n] = float(double(in[n]) * slope + intercept);
    };
    switch (datatype) {
    case NIFTI_TYPE_UINT8:
        convert(static_cast<const std::uint8_t *>(data));
        break;
    case NIFTI_TYPE_INT8:
        convert(static_cast<const std::int8_t *>(data));
        break;
    case NIFTI_TYPE_INT16:
        convert(static_cast<const std::int16_t *>(data));
        break;
    case NIFTI_TYPE_UINT16:
        convert(static_cast<const std::uint16_t *>(data));
        break;
    case NIFTI_TYPE_INT32:
        convert(static_cast<const std::int32_t *>(data));
        break;
    case NIFTI_TYPE_UINT32:
        convert(static_cast<const std::uint32_t *>(data));
        break;
    case NIFTI_TYPE_INT64:
        convert(static_cast<const std::int64_t *>(data));
        break;
    case NIFTI_TYPE_UINT64:
        convert(static_cast<const std::uint64_t *>(data));
        break;
    case NIFTI_TYPE_FLOAT32:
        convert(static_cast<const float *>(data));
        break;
    case NIFTI_TYPE_FLOAT64:
        convert(static_cast<const double *>(data));
        break;
    case NIFTI_TYPE_RGB24: {
        const auto *in = static_cast<const std::uint8_t *>(data);
        for (std::size_t n = 0; n < count; ++n)
            out[n] = float(in[n]);
        break;
    }
    default:
        throw std::runtime_error(path + ": voxels of type " + niftiTypeName(datatype) +
                                 " cannot be shown (complex or packed data)");
    }
}

} // namespace

void NiftiIo::writeLabels(const std::string &path, const Volume &labels)
{
    if (labels.isEmpty())
        throw std::runtime_error(path + ": empty label volume");
    NiftiPtr image = makeLabelImage(path, labels.width(), labels.height(), labels.depth(),
                                    NIFTI_TYPE_UINT8, labels.geometry());
    auto *out = static_cast<unsigned char *>(image->data);
    const std::size_t count = labels.voxelCount();
    for (std::size_t n = 0; n < count; ++n) {
        const float value = labels.data()[n * labels.components()];
        if (!(value >= 0.0f && value <= 255.0f))
            throw std::runtime_error(path + ": label value " + std::to_string(value) +
                                     " does not fit 8 bits");
        out[n] = static_cast<unsigned char>(std::lround(value));
    }
    writeNifti(path, image.get());
}

void NiftiIo::writeImage(const std::string &path, const Volume &image)
{
    writeImage(path, std::vector<const Volume *>{&image});
}

void NiftiIo::writeImage(const std::string &path, const std::vector<const Volume *> &volumes)
{
    if (volumes.empty() || volumes.front()->isEmpty())
        throw std::runtime_error(path + ": empty image");
    const Volume &first = *volumes.front();
    const std::size_t count = first.voxelCount();
    bool whole = true;
    for (const Volume *image : volumes) {
        if (image->width() != first.width() || image->height() != first.height() ||
            image->depth() != first.depth())
            throw std::runtime_error(path + ": the volumes of a 4D image must have one size");
        const std::size_t stride = std::size_t(image->components());
        for (std::size_t n = 0; n < count && whole; ++n) {
            const float v = image->data()[n * stride];
            whole = v == std::floor(v) && v >= -32768.0f && v <= 32767.0f;
        }
    }
    NiftiPtr nifti = makeLabelImage(path, first.width(), first.height(), first.depth(),
                                    whole ? NIFTI_TYPE_INT16 : NIFTI_TYPE_FLOAT32, first.geometry(),
                                    int(volumes.size()));
    nifti->intent_code = NIFTI_INTENT_NONE;
    std::strncpy(nifti->descrip, "MedSeg Studio image", sizeof nifti->descrip - 1);
    for (std::size_t t = 0; t < volumes.size(); ++t) {
        const Volume &image = *volumes[t];
        const std::size_t stride = std::size_t(image.components());
        for (std::size_t n = 0; n < count; ++n) {
            const float v = image.data()[n * stride];
            if (whole)
                static_cast<std::int16_t *>(nifti->data)[t * count + n] = std::int16_t(v);
            else
                static_cast<float *>(nifti->data)[t * count + n] = v;
        }
    }
    writeNifti(path, nifti.get());
}

Volume NiftiIo::read(const std::string &path)
{
    ImageHeader header;
    Volume volume = readImage(path, 0, &header);
    if (header.volumes > 1 || header.components > 1)
        throw std::runtime_error(path + ": not a 3D scalar NIfTI volume (" +
                                 std::to_string(header.volumes) + " volumes of " +
                                 std::to_string(header.components) + " values per voxel)");
    return volume;
}

ImageHeader NiftiIo::readHeader(const std::string &path)
{
    return headerOf(path, *openImage(path));
}

Volume NiftiIo::readImage(const std::string &path, int volumeIndex, ImageHeader *header)
{
    NiftiPtr image = openImage(path);
    const ImageHeader found = headerOf(path, *image);
    if (volumeIndex < 0 || volumeIndex >= found.volumes)
        throw std::runtime_error(path + ": has no volume " + std::to_string(volumeIndex + 1) +
                                 " (it holds " + std::to_string(found.volumes) + ")");
    // Only the chosen volume is read (-1: every index of that dimension).
    int64_t dims[8] = {0, -1, -1, -1, found.volumes > 1 ? volumeIndex : -1, -1, -1, -1};
    void *raw = nullptr;
    const int64_t bytes = nifti_read_collapsed_image(image.get(), dims, &raw);
    std::unique_ptr<void, decltype(&std::free)> data(raw, &std::free);
    const std::size_t expected = std::size_t(found.width) * std::size_t(found.height) *
                                 std::size_t(found.depth) * std::size_t(image->nbyper);
    if (bytes < 0 || !data || std::size_t(bytes) != expected)
        throw std::runtime_error(path + ": the voxel data is missing or cut short (truncated " +
                                 "or damaged file)");
    Volume volume(found.width, found.height, found.depth, found.components);
    convertVoxels(path, image->datatype, data.get(), found, volume);
    volume.setGeometry(found.geometry);
    if (header)
        *header = found;
    return volume;
}

void NiftiIo::writeLabelVolume(const std::string &path, const std::uint16_t *labels, int width,
                               int height, int depth, const ImageGeometry &geometry)
{
    writeLabelData(path, labels, width, height, depth, geometry);
}

void NiftiIo::writeLabelVolume(const std::string &path, const std::uint8_t *labels, int width,
                               int height, int depth, const ImageGeometry &geometry)
{
    writeLabelData(path, labels, width, height, depth, geometry);
}

void NiftiIo::writeLabelVolume(const std::string &path, const LabelVolume &volume)
{
    if (volume.labels.size() != std::size_t(std::max(0, volume.width)) *
                                    std::size_t(std::max(0, volume.height)) *
                                    std::size_t(std::max(0, volume.depth)))
        throw std::runtime_error(
            path + ": label data does not match " + std::to_string(volume.width) + "x" +
            std::to_string(volume.height) + "x" + std::to_string(volume.depth) + " voxels");
    writeLabelData(path, volume.labels.data(), volume.width, volume.height, volume.depth,
                   volume.geometry);
}

void NiftiIo::writeLabelVolumeLike(const std::string &path, const LabelVolume &volume,
                                   const std::string &imagePath)
{
    const NiftiPtr image = openImage(imagePath);
    const ImageHeader header = headerOf(imagePath, *image);
    if (header.width != volume.width || header.height != volume.height ||
        header.depth != volume.depth)
        throw std::runtime_error(
            path + ": " + describeGrid(volume.width, volume.height, volume.depth, volume.geometry) +
            " do not match " + imagePath + "'s " +
            describeGrid(header.width, header.height, header.depth, header.geometry));
    writeLabelData(path, volume.labels.data(), volume.width, volume.height, volume.depth,
                   volume.geometry, image.get());
}

NiftiIo::LabelVolume NiftiIo::readLabelVolume(const std::string &path)
{
    // read() already handles every NIfTI type, the scaling and the RAS to LPS flip; a float
    // holds every uint16 exactly, so nothing is lost on the way.
    const Volume volume = read(path);
    LabelVolume result;
    result.width = volume.width();
    result.height = volume.height();
    result.depth = volume.depth();
    result.geometry = volume.geometry();
    const std::size_t count = volume.voxelCount();
    result.labels.resize(count);
    const float *in = volume.data();
    for (std::size_t n = 0; n < count; ++n) {
        const float value = in[n];
        if (!(value >= 0.0f && value <= 65535.0f) || value != std::floor(value)) {
            const int i = int(n % std::size_t(result.width));
            const int j = int(n / std::size_t(result.width) % std::size_t(result.height));
            const int k = int(n / (std::size_t(result.width) * std::size_t(result.height)));
            throw std::runtime_error(path + ": not a label volume: voxel (" + std::to_string(i) +
                                     ", " + std::to_string(j) + ", " + std::to_string(k) +
                                     ") holds " + std::to_string(value) +
                                     ", labels are whole numbers from 0 to 65535");
        }
        result.labels[n] = std::uint16_t(value);
    }
    return result;
}

NiftiIo::LabelVolume NiftiIo::readLabelVolume(const std::string &path, int width, int height,
                                              int depth, const ImageGeometry &expected,
                                              double toleranceMm)
{
    LabelVolume volume = readLabelVolume(path);
    checkGeometryMatches(path, volume, width, height, depth, expected, toleranceMm);
    return volume;
}

void NiftiIo::checkGeometryMatches(const std::string &path, const LabelVolume &found, int width,
                                   int height, int depth, const ImageGeometry &expected,
                                   double toleranceMm)
{
    const std::string foundText =
        describeGrid(found.width, found.height, found.depth, found.geometry);
    const std::string expectedText = describeGrid(width, height, depth, expected);
    const std::string head = path + ": " + foundText + " do not match the series' " + expectedText;
    if (found.width != width || found.height != height || found.depth != depth)
        throw std::runtime_error(head);
    const auto differs = [](const Vec3 &a, const Vec3 &b, double tolerance) {
        for (std::size_t i = 0; i < 3; ++i)
            if (!(std::abs(a[i] - b[i]) <= tolerance))
                return true;
        return false;
    };
    const ImageGeometry &g = found.geometry;
    if (differs(g.spacing, expected.spacing, toleranceMm))
        throw std::runtime_error(head);
    // Directions first: a flipped or rotated grid also moves every voxel, and saying so is more
    // helpful than an origin a few hundred millimetres off.
    constexpr double directionTolerance = 1e-4;
    if (differs(g.rowDirection, expected.rowDirection, directionTolerance) ||
        differs(g.columnDirection, expected.columnDirection, directionTolerance) ||
        differs(g.normal, expected.normal, directionTolerance))
        throw std::runtime_error(
            path +
            ": the label volume is oriented differently from the "
            "series (" +
            std::string(1, orientationLetter(g.rowDirection)) +
            orientationLetter(g.columnDirection) + orientationLetter(g.normal) + " against " +
            orientationLetter(expected.rowDirection) + orientationLetter(expected.columnDirection) +
            orientationLetter(expected.normal) + ")");
    if (differs(g.origin, expected.origin, toleranceMm)) {
        const Vec3 shift{g.origin[0] - expected.origin[0], g.origin[1] - expected.origin[1],
                         g.origin[2] - expected.origin[2]};
        char text[96];
        std::snprintf(text, sizeof text, "%.3g mm", std::sqrt(dot(shift, shift)));
        throw std::runtime_error(path + ": the label volume is shifted by " + text +
                                 " from the series (same " + expectedText + ")");
    }
}

} // namespace medseg::core
