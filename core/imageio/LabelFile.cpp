#include "core/imageio/LabelFile.h"

#include "core/imageio/ImageFile.h"

#include <cmath>
#include <stdexcept>

namespace medseg::core {

NiftiIo::LabelVolume readLabelFile(const std::string &path)
{
    if (imageFileFormatOf(path) == ImageFileFormat::Nifti)
        return NiftiIo::readLabelVolume(path);
    ImageHeader header;
    const Volume volume = readImageFile(path, 0, &header);
    if (header.volumes > 1 || header.components > 1)
        throw std::runtime_error(path + ": not a label volume (" + std::to_string(header.volumes) +
                                 " volumes of " + std::to_string(header.components) +
                                 " values per voxel)");
    NiftiIo::LabelVolume labels;
    labels.width = volume.width();
    labels.height = volume.height();
    labels.depth = volume.depth();
    labels.geometry = volume.geometry();
    labels.labels.resize(volume.voxelCount());
    for (std::size_t n = 0; n < volume.voxelCount(); ++n) {
        const float value = volume.data()[n];
        if (!(value >= 0.0f && value <= 65535.0f) || value != std::floor(value))
            throw std::runtime_error(path + ": not a label volume: voxel " + std::to_string(n) +
                                     " holds " + std::to_string(value) +
                                     ", labels are whole numbers from 0 to 65535");
        labels.labels[n] = std::uint16_t(value);
    }
    return labels;
}

} // namespace medseg::core
