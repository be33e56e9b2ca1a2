#pragma once

#include "core/common/Progress.h"

#include <string>
#include <vector>

namespace medseg::core {

struct DatasetImportReport
{
    std::string project; // the folder written (NAME.medseg)
    std::string format;  // "nnU-Net v2", "Medical Segmentation Decathlon"
    int trainingCases = 0;
    int testCases = 0;
    std::vector<std::string> labels; // names by value, background first
};

// Creates the project `projectFolder` (".medseg" appended when missing; it must not exist, or be
// empty) from an nnU-Net v2 or Decathlon dataset in one step: its image folders become the
// project's sources, dataset.json's labels its label table (names; colours from a previous
// export's "medseg" block, else the default table's and the VOC palette), and each training
// case's label file the label volume of its first channel's series, checked against that
// image's grid (sizes, and affine within 1e-3 mm) and against the label table. Each case
// records its name and channels (WorkspaceSeries::state "case", "channelSeries"). Written into
// NAME.importing.medseg beside it and renamed at the end: an import that fails leaves nothing,
// and names the file and what is wrong.
DatasetImportReport importDataset(const std::string &datasetFolder,
                                  const std::string &projectFolder,
                                  ProgressSink *progress = nullptr);

struct DatasetExportReport
{
    std::string folder;
    int cases = 0;
    std::vector<std::string> notes; // in words for the user: renumbered labels, skipped series
};

// Writes the project's labeled volumes as an nnU-Net v2 raw dataset: imagesTr/CASE_0000.nii.gz
// (a NIfTI source copied byte for byte, anything else written from its volume with its
// geometry), labelsTr/CASE.nii.gz on the image's exact grid, dataset.json with channel_names,
// labels (renumbered 0..N when the project's labels have gaps, as nnU-Net requires; the notes
// say so), numTraining, file_ending and a "medseg" block with the label colours. Case names are
// those of an imported dataset, else case_001, case_002, ... (never patient names).
// `datasetFolder` must be named DatasetNNN_Name and must not exist, or be empty. Atomic like
// importDataset().
DatasetExportReport exportNnUnetDataset(const std::string &projectFolder,
                                        const std::string &datasetFolder,
                                        ProgressSink *progress = nullptr);
// The same as a Medical Segmentation Decathlon dataset: TaskNN_Name/imagesTr/CASE.nii.gz (one
// 4D image of all channels; a one-channel NIfTI source copied), labelsTr/CASE.nii.gz, and
// dataset.json with modality, labels by value and the training list. Both write labels.txt,
// ITK-SNAP's label description file, beside dataset.json.
DatasetExportReport exportDecathlonDataset(const std::string &projectFolder,
                                           const std::string &datasetFolder,
                                           ProgressSink *progress = nullptr);

} // namespace medseg::core
