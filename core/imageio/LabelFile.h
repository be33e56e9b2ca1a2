#pragma once

#include "core/dataset/NiftiIo.h"

#include <string>

namespace medseg::core {

// A label volume from any image file MedSeg reads (NIfTI, NRRD, MetaImage): whole numbers
// 0..65535, one volume. Throws std::runtime_error naming the file and, for a value that is not
// a label, the voxel that holds it.
NiftiIo::LabelVolume readLabelFile(const std::string &path);

} // namespace medseg::core
