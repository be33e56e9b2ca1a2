#include "core/imageio/detail/ItkImageIo.h"

#include <itkMetaImageIO.h>
#include <itkNrrdImageIO.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace medseg::core::detail {
namespace {

using Component = itk::IOComponentEnum;

const char *formatName(bool nrrd)
{
    return nrrd ? "NRRD" : "MetaImage";
}

itk::ImageIOBase::Pointer openIo(const std::string &path, bool nrrd)
{
    itk::ImageIOBase::Pointer io;
    if (nrrd)
        io = itk::NrrdImageIO::New();
    else
        io = itk::MetaImageIO::New();
    if (!io->CanReadFile(path.c_str()))
        throw std::runtime_error(path + ": not a readable " + formatName(nrrd) +
                                 " file (missing, damaged header, or another format)");
    io->SetFileName(path);
    try {
        io->ReadImageInformation();
    } catch (const itk::ExceptionObject &error) {
        throw std::runtime_error(path + ": cannot read the " + formatName(nrrd) + " header (" +
                                 error.GetDescription() + ")");
    }
    return io;
}

std::string typeName(Component type)
{
    switch (type) {
    case Component::UCHAR:
        return "uint8";
    case Component::CHAR:
        return "int8";
    case Component::USHORT:
        return "uint16";
    case Component::SHORT:
        return "int16";
    case Component::UINT:
        return "uint32";
    case Component::INT:
        return "int32";
    case Component::ULONG:
    case Component::ULONGLONG:
        return "uint64";
    case Component::LONG:
    case Component::LONGLONG:
        return "int64";
    case Component::FLOAT:
        return "float32";
    case Component::DOUBLE:
        return "float64";
    default:
        return itk::ImageIOBase::GetComponentTypeAsString(type);
    }
}

std::string modalityOf(itk::ImageIOBase &io)
{
    auto *meta = dynamic_cast<itk::MetaImageIO *>(&io);
    if (!meta || !meta->GetMetaImagePointer())
        return {};
    switch (meta->GetMetaImagePointer()->Modality()) {
    case MET_MOD_CT:
        return "CT";
    case MET_MOD_MR:
        return "MR";
    case MET_MOD_NM:
        return "NM";
    case MET_MOD_US:
        return "US";
    default:
        return {};
    }
}

// ITK's axes: spacing, origin and direction cosines per axis, already in LPS. Axes beyond the
// third (time) do not move a voxel in space; a 2D image gets the normal of its plane.
ImageGeometry geometryOf(itk::ImageIOBase &io)
{
    const unsigned dimensions = io.GetNumberOfDimensions();
    ImageGeometry g;
    Vec3 *axes[3] = {&g.rowDirection, &g.columnDirection, &g.normal};
    for (unsigned axis = 0; axis < 3 && axis < dimensions; ++axis) {
        const std::vector<double> direction = io.GetDirection(axis);
        Vec3 cosines{0.0, 0.0, 0.0};
        for (std::size_t r = 0; r < 3 && r < direction.size(); ++r)
            cosines[r] = direction[r];
        *axes[axis] = dot(cosines, cosines) > 0 ? normalized(cosines) : *axes[axis];
        g.spacing[axis] = io.GetSpacing(axis) > 0 ? io.GetSpacing(axis) : 1.0;
        g.origin[axis] = io.GetOrigin(axis);
    }
    if (dimensions == 2)
        g.normal = normalized(cross(g.rowDirection, g.columnDirection));
    return g;
}

ImageHeader headerOf(const std::string &path, itk::ImageIOBase &io, bool nrrd)
{
    const unsigned dimensions = io.GetNumberOfDimensions();
    if (dimensions < 2 || dimensions > 4)
        throw std::runtime_error(path + ": a " + std::to_string(dimensions) +
                                 "-dimensional image; only 2D, 3D and 4D images open");
    const auto size = [&](unsigned axis) -> std::uint64_t {
        return axis < dimensions ? io.GetDimensions(axis) : 1;
    };
    constexpr std::uint64_t maxSide = 1 << 16;
    for (unsigned axis = 0; axis < 4; ++axis)
        if (size(axis) < 1 || size(axis) > maxSide)
            throw std::runtime_error(path + ": impossible image size in the header (" +
                                     std::to_string(size(axis)) + " voxels along axis " +
                                     std::to_string(axis + 1) + ")");
    ImageHeader header;
    header.format = formatName(nrrd);
    header.width = int(size(0));
    header.height = int(size(1));
    header.depth = int(size(2));
    header.volumes = int(size(3));
    header.components = int(io.GetNumberOfComponents());
    if (header.components != 1 && header.components != 3)
        throw std::runtime_error(path + ": " + std::to_string(header.components) +
                                 " values per voxel; only grey (1) and RGB (3) images open");
    header.dataType = typeName(io.GetComponentType());
    auto *meta = dynamic_cast<itk::MetaImageIO *>(&io);
    header.bigEndian = meta && meta->GetMetaImagePointer()
                           ? meta->GetMetaImagePointer()->BinaryDataByteOrderMSB()
                           : io.GetByteOrder() == itk::IOByteOrderEnum::BigEndian;
    header.geometry = geometryOf(io);
    header.geometrySource = nrrd ? "space directions" : "transform matrix";
    header.modality = modalityOf(io);
    constexpr std::uint64_t maxVoxels = std::uint64_t(1) << 31;
    if (size(0) * size(1) * size(2) > maxVoxels)
        throw std::runtime_error(path + ": " + std::to_string(size(0)) + "x" +
                                 std::to_string(size(1)) + "x" + std::to_string(size(2)) +
                                 " voxels per volume is too large to open");
    return header;
}

template <typename T>
void convert(const char *in, std::size_t count, float *out)
{
    const T *values = reinterpret_cast<const T *>(in);
    for (std::size_t n = 0; n < count; ++n)
        out[n] = float(values[n]);
}

void convertVoxels(const std::string &path, Component type, const char *in, std::size_t count,
                   float *out)
{
    switch (type) {
    case Component::UCHAR:
        return convert<std::uint8_t>(in, count, out);
    case Component::CHAR:
        return convert<std::int8_t>(in, count, out);
    case Component::USHORT:
        return convert<std::uint16_t>(in, count, out);
    case Component::SHORT:
        return convert<std::int16_t>(in, count, out);
    case Component::UINT:
        return convert<std::uint32_t>(in, count, out);
    case Component::INT:
        return convert<std::int32_t>(in, count, out);
    case Component::ULONG:
        return convert<unsigned long>(in, count, out);
    case Component::LONG:
        return convert<long>(in, count, out);
    case Component::ULONGLONG:
        return convert<unsigned long long>(in, count, out);
    case Component::LONGLONG:
        return convert<long long>(in, count, out);
    case Component::FLOAT:
        return convert<float>(in, count, out);
    case Component::DOUBLE:
        return convert<double>(in, count, out);
    default:
        throw std::runtime_error(path + ": voxels of type " + typeName(type) + " cannot be shown");
    }
}

} // namespace

ImageHeader readItkHeader(const std::string &path, bool nrrd)
{
    itk::ImageIOBase::Pointer io = openIo(path, nrrd);
    return headerOf(path, *io, nrrd);
}

Volume readItkImage(const std::string &path, bool nrrd, int volumeIndex, ImageHeader *header)
{
    itk::ImageIOBase::Pointer io = openIo(path, nrrd);
    const ImageHeader found = headerOf(path, *io, nrrd);
    if (volumeIndex < 0 || volumeIndex >= found.volumes)
        throw std::runtime_error(path + ": has no volume " + std::to_string(volumeIndex + 1) +
                                 " (it holds " + std::to_string(found.volumes) + ")");
    const unsigned dimensions = io->GetNumberOfDimensions();
    itk::ImageIORegion region(dimensions);
    for (unsigned axis = 0; axis < dimensions; ++axis) {
        region.SetIndex(axis, 0);
        region.SetSize(axis, io->GetDimensions(axis));
    }
    io->SetIORegion(region);
    std::vector<char> buffer(std::size_t(io->GetImageSizeInBytes()));
    try {
        io->Read(buffer.data());
    } catch (const itk::ExceptionObject &error) {
        throw std::runtime_error(path + ": cannot read the voxels (" + error.GetDescription() +
                                 "); the file or its data file is missing, damaged or cut short");
    }
    Volume volume(found.width, found.height, found.depth, found.components);
    const std::size_t values = volume.voxelCount() * std::size_t(found.components);
    const std::size_t offset = values * std::size_t(volumeIndex) * io->GetComponentSize();
    convertVoxels(path, io->GetComponentType(), buffer.data() + offset, values, volume.data());
    volume.setGeometry(found.geometry);
    if (header)
        *header = found;
    return volume;
}

} // namespace medseg::core::detail
