#pragma once

#include <string>
#include <vector>

namespace medseg::core {

// One case of a dataset: its image files (one per channel; or one 4D file whose volumes are the
// channels, as the Decathlon ships them) and its label file (empty for test cases).
struct DatasetCase
{
    std::string name;
    std::vector<std::string> channelFiles; // absolute paths
    bool channelsAreVolumes = false;       // one 4D file: channel c is volume c
    std::string labelFile;                 // absolute path, empty for test cases
};

struct DatasetLabel
{
    int value = 0;
    std::string name;
};

// A segmentation dataset in nnU-Net v2's raw layout (DatasetNNN_Name/ with imagesTr/CASE_0000
// .nii.gz, labelsTr/CASE.nii.gz, imagesTs/ and a dataset.json with channel_names, labels and
// file_ending) or the Medical Segmentation Decathlon's (dataset.json with training/test lists,
// modality and labels by value; multi-modal images as 4D files).
struct NnUnetDataset
{
    std::string root;                      // absolute
    std::string format;                    // "nnU-Net v2" or "Medical Segmentation Decathlon"
    std::string name;                      // "Dataset001_Liver" or the Decathlon's "name"
    std::vector<std::string> channelNames; // by channel index: "CT", "T2", ...
    std::vector<DatasetLabel> labels;      // by value, background (0) included
    std::string fileEnding;                // ".nii.gz"
    std::vector<DatasetCase> training;
    std::vector<DatasetCase> test;
};

// Reads dataset.json and checks it against the files: every listed or expected image and
// label exists, numTraining matches, labels are whole numbers. Throws std::runtime_error naming
// the file and what is wrong (region-based labels are refused: they describe overlapping
// training targets, not a label map a project can hold).
NnUnetDataset readNnUnetDataset(const std::string &folder);

// "Dataset001_Liver"-style folder names, as nnU-Net requires them: Dataset, three digits, _Name.
bool isNnUnetDatasetName(const std::string &folderName);

} // namespace medseg::core
