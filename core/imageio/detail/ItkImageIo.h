#pragma once

#include "core/image/ImageHeader.h"
#include "core/image/Volume.h"

#include <string>

namespace medseg::core::detail {

// NRRD and MetaImage through ITK's ImageIO classes (itk::NrrdImageIO, itk::MetaImageIO), which
// give origin, spacing and direction in LPS whatever `space` the file declares.
ImageHeader readItkHeader(const std::string &path, bool nrrd);
Volume readItkImage(const std::string &path, bool nrrd, int volumeIndex, ImageHeader *header);

} // namespace medseg::core::detail
