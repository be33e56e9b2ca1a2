#pragma once

#include "core/common/Progress.h"
#include "core/dicom/DicomIndex.h"
#include "core/dicom/WindowLevel.h"
#include "core/image/Volume.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

// What the headers of a series say about its volume, known before any pixel is decoded.
struct SeriesLayout
{
    std::string modality;
    // Photometric interpretation of the decoded volume: MONOCHROME1, MONOCHROME2 or RGB
    // (YBR and PALETTE COLOR are converted to RGB).
    std::string photometric;
    bool invertForDisplay = false; // MONOCHROME1
    std::string rescaleType;       // "HU" for CT, else (0028,1054) or empty
    std::vector<Window> windows;   // the file's windows (center/width pairs), in file order
    std::optional<VoiLut> voiLut;  // the first VOI LUT of the sequence, if any
    // One entry per slice of the volume: the file and frame it comes from. A slice that fills
    // a gap in the series (a missing slice) has an empty path and frame -1, and stays 0.
    struct SliceSource
    {
        std::string path;
        int frame = 0;
    };
    std::vector<SliceSource> slices;
    // What is irregular about the series (missing slice, uneven spacing, gantry tilt, mixed
    // sizes, no positions, ...), in words for the user. The volume still loads.
    std::vector<std::string> warnings;
};

// Reads a series (or one single- or multi-frame file) into a Volume of rescaled values.
// Slices are ordered along the slice normal by ImagePositionPatient (InstanceNumber when
// positions are missing); slice spacing comes from the positions. prepare() reads the headers
// and allocates the volume; decode() fills it in parallel, slice by slice, so that a viewer can
// show the first slices while the rest decode.
// DICOM Segmentation objects (SEG, 1-bit frames) are indexed but are not images to window:
// prepare() refuses them with a message that says so.
class SeriesLoader
{
public:
    explicit SeriesLoader(DicomSeries series);
    // A single file: every frame of a multi-frame instance becomes a slice.
    static SeriesLoader forFile(const std::string &path);

    // Throws std::runtime_error with a message naming the file on unreadable input.
    void prepare();
    const SeriesLayout &layout() const { return m_layout; }
    // Valid after prepare(); slices are zero until decoded.
    std::shared_ptr<Volume> volume() const { return m_volume; }

    // Decodes every slice on all cores; onSliceDecoded(k) is called from worker threads as each
    // slice k is complete (also for gaps and slices that failed: their content is final).
    // Problems with single slices become warnings (the slice stays 0); throws CancelledError
    // when cancelled, and rethrows what a callback threw once the workers have stopped.
    // Slices are decoded roughly in order, first first. The layout's warnings gain the slices
    // that failed when decode() returns.
    void decode(ProgressSink *progress = nullptr,
                const std::function<void(int slice)> &onSliceDecoded = {});
    // Decodes slice k alone, on the calling thread (e.g. the slice a viewer shows first, or one
    // frame for `medseg render`). Throws std::runtime_error naming the file on failure.
    void decodeSlice(int slice);

    // prepare() and decode() in one call.
    static std::shared_ptr<Volume> load(const DicomSeries &series, SeriesLayout *layout = nullptr,
                                        ProgressSink *progress = nullptr);

private:
    DicomSeries m_series;
    SeriesLayout m_layout;
    std::shared_ptr<Volume> m_volume;
    // For each slice, the instance it comes from (-1 for a gap), to know its transfer syntax.
    std::vector<int> m_sliceInstance;
};

// The window a viewer starts with: the file's first window, else min-max of the volume;
// RGB volumes get the identity window (center 128, width 256).
Window defaultWindow(const SeriesLayout &layout, const Volume &volume);

} // namespace medseg::core
