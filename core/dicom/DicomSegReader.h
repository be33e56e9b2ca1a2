#pragma once

#include "core/dicom/DicomSegWriter.h"
#include "core/image/ImageGeometry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

// A DICOM SEG turned back into a label map on the grid of its source series.
struct DicomSegContent
{
    int width = 0;
    int height = 0;
    int depth = 0;
    std::vector<std::uint16_t> labels;       // width x height x depth, slice by slice
    std::vector<DicomSegSegment> segments;   // by segment number
    std::string seriesInstanceUid;           // of the SEG
    std::string referencedSeriesInstanceUid; // the source series (Referenced Series Sequence)
    int frames = 0;
};

// Reads a binary or fractional DICOM Segmentation (any writer; DCMTK's dcmseg) into a dense
// label map on a given grid: each frame is placed by its Image Position (Patient). A segment's
// label value is its Tracking ID "MedSeg label N" when DicomSegWriter wrote it, else its
// segment number. Where segments overlap the higher segment number wins; fractional frames
// count as set from half their maximum value.
class DicomSegReader
{
public:
    // Throws std::runtime_error naming `path` when the file is not a readable SEG, its frames
    // are not width x height, or a frame lies off the grid or is rotated against it.
    static DicomSegContent read(const std::string &path, int width, int height, int depth,
                                const ImageGeometry &geometry);
};

} // namespace medseg::core
