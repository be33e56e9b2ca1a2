#include "core/imageio/ImageFile.h"

#include "core/dataset/NiftiIo.h"
#include "core/imageio/detail/ItkImageIo.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <stdexcept>

namespace medseg::core {
namespace {

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ImageFileFormat requireFormat(const std::string &path)
{
    const std::optional<ImageFileFormat> format = imageFileFormatOf(path);
    if (!format)
        throw std::runtime_error(path + ": not a NIfTI, NRRD or MetaImage file name (.nii, "
                                        ".nii.gz, .nrrd, .nhdr, .mha, .mhd)");
    return *format;
}

} // namespace

std::optional<ImageFileFormat> imageFileFormatOf(const std::string &path)
{
    std::string name = path;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (endsWith(name, ".nii") || endsWith(name, ".nii.gz"))
        return ImageFileFormat::Nifti;
    if (endsWith(name, ".nrrd") || endsWith(name, ".nhdr"))
        return ImageFileFormat::Nrrd;
    if (endsWith(name, ".mha") || endsWith(name, ".mhd"))
        return ImageFileFormat::MetaImage;
    return std::nullopt;
}

ImageHeader readImageHeader(const std::string &path)
{
    switch (requireFormat(path)) {
    case ImageFileFormat::Nifti:
        return NiftiIo::readHeader(path);
    case ImageFileFormat::Nrrd:
        return detail::readItkHeader(path, true);
    case ImageFileFormat::MetaImage:
        return detail::readItkHeader(path, false);
    }
    return {};
}

Volume readImageFile(const std::string &path, int volumeIndex, ImageHeader *header)
{
    switch (requireFormat(path)) {
    case ImageFileFormat::Nifti:
        return NiftiIo::readImage(path, volumeIndex, header);
    case ImageFileFormat::Nrrd:
        return detail::readItkImage(path, true, volumeIndex, header);
    case ImageFileFormat::MetaImage:
        return detail::readItkImage(path, false, volumeIndex, header);
    }
    return {};
}

std::string guessModality(const Volume &volume, const ImageHeader &header)
{
    if (!header.modality.empty())
        return header.modality;
    if (volume.components() != 1)
        return "OT";
    // A CT in Hounsfield units has air near -1000 and nothing much lower, apart from one
    // padding value outside the scanner's field of view (-1024, -2000, -3024, ...). An MR
    // phase map, the other image with large negative values, spreads over many.
    const std::size_t count = volume.voxelCount();
    const std::size_t stride = std::max<std::size_t>(1, count / (1 << 20));
    std::size_t sampled = 0, air = 0, below = 0, aboveRange = 0;
    std::map<float, std::size_t> belowValues; // a few hundred distinct values at most
    for (std::size_t n = 0; n < count; n += stride) {
        const float v = volume.data()[n];
        if (!std::isfinite(v))
            continue;
        ++sampled;
        if (v >= -1100.0f && v <= -900.0f)
            ++air;
        else if (v < -1100.0f) {
            ++below;
            if (belowValues.size() < 256 || belowValues.count(v))
                ++belowValues[v];
        } else if (v > 5000.0f)
            ++aboveRange;
    }
    if (sampled == 0)
        return "MR";
    const bool hasAir = air * 200 >= sampled; // 0.5% of the voxels
    std::size_t padding = 0;
    for (const auto &entry : belowValues)
        padding = std::max(padding, entry.second);
    const bool paddingOnly = (below - padding) * 100 < sampled; // the rest: noise in the air
    const bool inRange = aboveRange * 1000 < sampled;
    return hasAir && paddingOnly && inRange ? "CT" : "MR";
}

} // namespace medseg::core
