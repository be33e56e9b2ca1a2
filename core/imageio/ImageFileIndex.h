#pragma once

#include "core/common/Progress.h"
#include "core/dicom/DicomIndex.h"
#include "core/dicom/DicomIndexer.h"

#include <string>

namespace medseg::core {

// Adds the image volume files (NIfTI, NRRD, MetaImage) at `path` (one file, or a folder searched
// recursively) to `index`, beside the DICOM series DicomIndexer found there. Only headers are
// read. Each file is a patient named after its case (nnU-Net's `CASE_0000.nii.gz` channels
// of one case are one patient, with one series per channel file); every volume of a 4D file
// is a series of its own (volumeIndex), so that the browser chooses the volume. Series UIDs
// are derived from the file's name, size and grid ("2.25." + a hash), so labels saved for an
// image find it again after the folder moves. Label maps are left out (NIfTI intent "label",
// files in labels/, labelsTr/ or labelsTs/ folders, names such as `*_seg.nii.gz`), as are
// project folders. Unreadable files land in index.problems with the reason. Throws
// CancelledError when cancelled.
void addImageFiles(DicomIndex &index, const std::string &path, ProgressSink *progress = nullptr);

// Everything at `path` the workstation opens, as one index: DICOM (DicomIndexer with `options`)
// and image files (addImageFiles). A single image file is not read as DICOM. What the GUI's
// browser, `medseg info` and every other command index a source with.
DicomIndex indexImages(const std::string &path, const DicomIndexerOptions &options = {},
                       ProgressSink *progress = nullptr);

// The image files addImageFiles() would read at `path` (label maps by folder or name left
// out; headers are not read), sorted.
std::vector<std::string> imageFilePaths(const std::string &path);

// The series of a single image file (every volume), as addImageFiles() lists it; throws
// std::runtime_error naming the file when it cannot be read.
std::vector<DicomSeries> imageFileSeries(const std::string &path);

// The image channels of a case (a patient of an image-file index) in order: its files by name
// (nnU-Net's CASE_0000, CASE_0001, ...), then the volumes of a 4D file (a Decathlon case).
std::vector<DicomSeries> caseChannels(const DicomPatient &patient);
// The channels of the case the image file `file` belongs to, from an index of its folder.
std::vector<DicomSeries> caseChannelsOfFile(const std::string &file);

} // namespace medseg::core
