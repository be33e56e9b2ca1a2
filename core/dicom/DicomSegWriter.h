#pragma once

#include "core/dicom/SeriesLoader.h"
#include "core/image/ImageGeometry.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

// One label of a label map as a DICOM SEG segment.
struct DicomSegSegment
{
    int label = 0; // the label value in the label map, 1..65535
    std::string name;
    std::array<std::uint8_t, 3> colour{255, 0, 0}; // sRGB; stored as CIELab
};

struct DicomSegWriterOptions
{
    std::string seriesDescription = "MedSeg Studio labels";
    int seriesNumber = 300;
    std::string contentLabel = "MEDSEG"; // (0070,0080): CS, upper case, at most 16 characters
    std::string contentDescription = "Manual segmentation";
    std::string creatorName; // (0070,0084) PN; empty: none
    std::string softwareVersion = "1.0";
};

// Writes a label map as a binary DICOM Segmentation (DCMTK's dcmseg) on top of the series it
// was drawn on: patient, study and frame of reference are taken from the source files, every
// frame references its source image (Derivation Image functional group, purpose "Source image
// for image processing operation"), the series is listed in the Referenced Series Sequence,
// each segment carries its name, its colour (CIELab) and algorithm type MANUAL, and its label
// value as Tracking ID "MedSeg label N" so that DicomSegReader gives back the same values.
// Only slices where a segment has voxels get a frame (one frame per segment and slice).
class DicomSegWriter
{
public:
    using Options = DicomSegWriterOptions;

    // `slices`: the source of each slice of the label volume, as SeriesLoader's SeriesLayout
    // gives it (a slice without a source, filling a gap, gets frames without a reference).
    // `labels`: width x height x depth values, slice by slice; `geometry` the series' grid.
    // Labels without an entry in `segments` are exported as "Label N". Written atomically.
    // Throws std::runtime_error naming `path` (or the source file) on failure, or when the
    // volume has no labeled voxel or its size differs from the source images.
    static void write(const std::string &path, const std::vector<SeriesLayout::SliceSource> &slices,
                      const std::uint16_t *labels, int width, int height, int depth,
                      const ImageGeometry &geometry, const std::vector<DicomSegSegment> &segments,
                      const Options &options = {});
};

} // namespace medseg::core
