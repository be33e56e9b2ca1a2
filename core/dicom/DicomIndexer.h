#pragma once

#include "core/common/Progress.h"
#include "core/dicom/DicomIndex.h"

#include <string>

namespace medseg::core {

struct DicomIndexerOptions
{
    // When set, the index is loaded from and saved to this file, and only files whose size
    // or modification time changed are read again. Written atomically.
    std::string cacheFile;
    int threads = 0; // 0: all cores
};

// Builds a DicomIndex from a folder (recursively), a DICOMDIR or one file, reading headers only
// (parsing stops before the pixel data). Files are read on all cores. Non-DICOM and broken
// files land in DicomIndex::problems; they never stop the scan. What MedSeg writes itself in a
// folder (NIfTI label volumes, JSON such as labels.json, NAME.medseg project folders) is left
// out of the walk: it is never DICOM, and never a problem.
class DicomIndexer
{
public:
    // Outside the class: GCC rejects `= {}` defaults of nested structs with member initializers.
    using Options = DicomIndexerOptions;

    // Throws std::runtime_error if `path` does not exist, CancelledError if cancelled.
    static DicomIndex index(const std::string &path, const Options &options = {},
                            ProgressSink *progress = nullptr);

    // The index as JSON (what `medseg info --json` prints and the cache stores).
    static std::string toJson(const DicomIndex &index);
    static DicomIndex fromJson(const std::string &json); // throws std::runtime_error
};

} // namespace medseg::core
