#pragma once

#include "core/image/ImageGeometry.h"

#include <string>

namespace medseg::core {

// What the header of an image volume file (NIfTI, NRRD, MetaImage) says, before any voxel is
// read: enough to list the file in a browser and for `medseg info`.
struct ImageHeader
{
    std::string format; // "NIfTI-1", "NIfTI-2", "NRRD", "MetaImage"
    int width = 0;
    int height = 0;
    int depth = 0;
    int volumes = 1;      // the fourth dimension (time points, channels of a 4D file)
    int components = 1;   // values per voxel (3 for RGB)
    std::string dataType; // as stored: "uint8", "int16", "float32", ...
    bool bigEndian = false;
    // stored value * slope + intercept = the image's value (NIfTI's scl_slope/scl_inter).
    double slope = 1.0;
    double intercept = 0.0;
    ImageGeometry geometry; // in patient space (LPS), whatever the file's convention
    // Where the geometry comes from: "sform", "qform", "voxel sizes only" (NIfTI),
    // "space directions" (NRRD), "transform matrix" (MetaImage).
    std::string geometrySource;
    // The modality the file names (MetaImage's Modality), empty when it says nothing.
    std::string modality;
    std::string description; // NIfTI's descrip
    bool isLabelMap = false; // NIfTI intent "label" (how ITK-SNAP, Slicer and MedSeg save labels)
};

} // namespace medseg::core
