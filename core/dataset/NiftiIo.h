#pragma once

#include "core/image/Volume.h"

#include <string>

namespace medseg::core {

// NIfTI-1 reading and writing of volumes (label maps above all), keeping the DICOM geometry:
// NIfTI's world space is RAS, so the LPS matrix of ImageGeometry is flipped in x and y in both
// the sform and the qform, as ITK-SNAP and 3D Slicer expect. `.nii.gz` is compressed.
class NiftiIo
{
public:
    // Writes `labels` (component 0, rounded) as uint8. Throws std::runtime_error naming the
    // file if it cannot be written or a value does not fit 0..255.
    static void writeLabels(const std::string &path, const Volume &labels);
    // Reads a 3D scalar NIfTI-1 file of any integer or float type into a float volume with
    // its geometry (from the sform, else the qform). Throws std::runtime_error naming the file.
    static Volume read(const std::string &path);
};

} // namespace medseg::core
