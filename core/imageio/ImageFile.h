#pragma once

#include "core/image/ImageHeader.h"
#include "core/image/Volume.h"

#include <optional>
#include <string>

namespace medseg::core {

enum class ImageFileFormat {
    Nifti,     // .nii, .nii.gz (NIfTI-1 and NIfTI-2)
    Nrrd,      // .nrrd, .nhdr (detached data)
    MetaImage, // .mha, .mhd (detached data)
};

// The format a file name says, case-insensitively; nothing for any other name (DICOM files
// have no reliable extension and are recognised by content in core/dicom).
std::optional<ImageFileFormat> imageFileFormatOf(const std::string &path);
inline bool isImageFileName(const std::string &path)
{
    return imageFileFormatOf(path).has_value();
}

// What the file's header says; throws std::runtime_error naming the file and what is wrong
// (not that format, damaged header, detached data file missing, impossible size).
ImageHeader readImageHeader(const std::string &path);

// Volume `volumeIndex` (0-based) of the file as floats in the image's units (NIfTI scaling
// applied), with its geometry in patient space (LPS) exactly as the header gives it (NIfTI:
// sform, else qform; NRRD: space directions and origin in any `space`; MetaImage:
// TransformMatrix and Offset). Throws std::runtime_error naming the file.
Volume readImageFile(const std::string &path, int volumeIndex = 0, ImageHeader *header = nullptr);

// The modality an image file's values suggest: the file's own word when it has one, "CT" when
// the values look like Hounsfield units (air near -1000 and no values far below it), "OT" for
// colour images, else "MR" (MR and other modalities without a fixed intensity scale).
std::string guessModality(const Volume &volume, const ImageHeader &header);

} // namespace medseg::core
