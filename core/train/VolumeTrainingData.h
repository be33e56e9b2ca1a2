#pragma once

// Labeled volumes of a project (every series with labels, from DICOM or image files) as
// TrainingData: each labeled axial slice windowed to 8 bits the way prediction will window it,
// the split made by patient, and slices of rare classes repeated so that each class is seen.
// Lives in its own target, medseg_core_train_project (it reads images through core/imageio),
// so that medseg_core_train itself stays LibTorch + models/ only.

#include "core/common/Progress.h"
#include "core/dicom/SeriesLoader.h"
#include "core/dicom/WindowLevel.h"
#include "core/labels/LabelDescriptions.h"
#include "core/train/TrainingData.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

struct LabeledVolume
{
    std::string caseName; // for the report: a dataset's case name, or the series' description
    std::string patient;  // what the split keeps together: the Patient ID, or the case name
    std::shared_ptr<const Volume> volume;
    SeriesLayout layout;
    std::vector<std::uint16_t> labels; // dense, the volume's size
};

struct VolumeDataOptions
{
    double validationFraction = 0.2; // of the patients
    std::uint64_t seed = 1;
    // The window CT slices are read through (recorded in the model); default: abdomen 40/400.
    // Other modalities are windowed per volume as `medseg predict` does (defaultWindow()).
    std::optional<Window> ctWindow;
    // Each foreground class should be in at least this share of the training samples, split
    // among the classes (nnU-Net oversamples foreground for a third of its patches): slices
    // with a rarer class are repeated.
    double foregroundFraction = 1.0 / 3.0;
};

// What was found and how it was split, for the Setup tab and the CLI.
struct VolumeDataReport
{
    int volumes = 0;
    int labeledSlices = 0;
    std::vector<std::string> trainCases;
    std::vector<std::string> validationCases;
    std::vector<int> slicesWithClass; // by class index (labeled slices that contain it)
    std::vector<std::string> notes;   // skipped volumes, repeated slices, one-patient split
};

// The model's classes 0..max(1, largest): names and colours from the label table, class 0
// "background" unless the table names it otherwise than ITK-SNAP's "Clear Label".
std::vector<ModelClass> modelClassesOf(const LabelDescriptions &table, int largest);

// With one patient only: whether the n-th of `count` labeled slices validates (every fifth;
// with a single labeled slice, it does both jobs).
inline bool isValidationSlice(std::size_t n, std::size_t count)
{
    return count > 1 && n % 5 == (count >= 5 ? 2u : 1u);
}

// Throws std::runtime_error when nothing can be trained on (no labeled slice, a label above
// 254) with a message for the user.
TrainingData trainingDataFromVolumes(const std::vector<LabeledVolume> &volumes,
                                     const LabelDescriptions &table,
                                     const VolumeDataOptions &options = {},
                                     VolumeDataReport *report = nullptr);

// Every series of a saved project that has a label volume, read from the project's sources
// (DICOM series and image files), with its patient (Patient ID, or the dataset case name).
// Throws std::runtime_error naming what is missing (a source, a series, a label file whose grid
// does not match its series).
std::vector<LabeledVolume> loadProjectVolumes(const std::string &projectFolder,
                                              LabelDescriptions *table = nullptr,
                                              ProgressSink *progress = nullptr);

} // namespace medseg::core
