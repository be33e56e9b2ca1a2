#pragma once

// Labeled volumes of a project (every series with labels, from DICOM or image files, with their
// co-registered channels) as TrainingData: each labeled axial slice of each channel through the
// channel's intensity rule (core/train/Intensity.h, recorded in the model so that prediction
// applies it alike), the split made by patient, and slices of rare classes repeated so that
// each class is seen.
// Lives in its own target, medseg_core_train_project (it reads images through core/imageio),
// so that medseg_core_train itself stays LibTorch + models/ only.

#include "core/common/Progress.h"
#include "core/dicom/SeriesLoader.h"
#include "core/dicom/WindowLevel.h"
#include "core/labels/LabelDescriptions.h"
#include "core/train/TrainingData.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace medseg::core {

class Workspace;
struct WorkspaceSeries;

struct LabeledVolume
{
    std::string caseName;  // for the report: a dataset's case name, or the series' description
    std::string patient;   // what the split keeps together: the Patient ID, or the case name
    std::string seriesUid; // the labeled series (channel 0)
    std::shared_ptr<const Volume> volume; // channel 0, the one the labels belong to
    // Channels 1, 2, ... of the case (T2 and FLAIR beside T1, a second CT phase): volumes on
    // channel 0's grid.
    std::vector<std::shared_ptr<const Volume>> moreChannels;
    std::vector<std::string> channelNames; // one per channel when known (a dataset's)
    SeriesLayout layout;
    std::vector<std::uint16_t> labels; // dense, the volume's size

    int channelCount() const { return 1 + int(moreChannels.size()); }
    const Volume &channel(int c) const
    {
        return c == 0 ? *volume : *moreChannels[std::size_t(c - 1)];
    }
    // The channel's name: the dataset's, else the modality for channel 0 ("CT", "MR").
    std::string channelName(int c) const;
};

struct VolumeDataOptions
{
    double validationFraction = 0.2; // of the patients
    std::uint64_t seed = 1;
    // TrainingConfig::intensity: "auto" (nnU-Net: ct_percentiles for CT channels, zscore for
    // the others), "window", "ct_percentiles", "zscore" or "percentiles".
    std::string intensity = "auto";
    // The window of "window" for CT channels; default: abdomen 40/400.
    std::optional<Window> ctWindow;
    // Each foreground class should be in at least this share of the training samples, split
    // among the classes (nnU-Net oversamples foreground for a third of its patches): slices
    // with a rarer class are repeated.
    double foregroundFraction = 1.0 / 3.0;
    // 2.5D (TrainingConfig::adjacentSlices): each sample's channels come with their k - 1
    // nearest slices (Preprocessing::adjacentSlices); 1, 3 or 5.
    int adjacentSlices = 1;
};

// What was found and how it was split, for the Setup tab and the CLI.
struct VolumeDataReport
{
    int volumes = 0;
    int labeledSlices = 0;
    std::vector<std::string> trainCases;
    std::vector<std::string> validationCases;
    std::vector<int> slicesWithClass;  // by class index (labeled slices that contain it)
    std::vector<std::string> channels; // per image channel: "T1: z-score per volume"
    std::vector<std::string> notes;    // skipped volumes, repeated slices, one-patient split
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

// The series of each channel of a case, channel 0 first (a dataset import's "channelSeries"
// series state); empty for one-channel cases.
std::vector<std::string> channelSeriesOf(const WorkspaceSeries &entry);
// The channel names of an imported dataset, in order (nnU-Net's channel_names); may be empty.
std::vector<std::string> datasetChannelNames(const Workspace &workspace);
// Reads the volume of a series UID (null when the project's sources lack it) and names its file.
using ChannelReader =
    std::function<std::shared_ptr<const Volume>(const std::string &uid, std::string *file)>;
// Channels 1, 2, ... of a case (`channelSeries` from channelSeriesOf), each read and checked to
// lie on the grid of `first` (sizes equal, origin and spacing within 1e-3 mm). Throws
// std::runtime_error naming the file and the case.
std::vector<std::shared_ptr<const Volume>>
loadMoreChannels(const std::vector<std::string> &channelSeries, const Volume &first,
                 const std::string &caseName, const ChannelReader &read);

// Every series of a saved project that has a label volume, read from the project's sources
// (DICOM series and image files), with its patient (Patient ID, or the dataset case name).
// Throws std::runtime_error naming what is missing (a source, a series, a label file whose grid
// does not match its series).
std::vector<LabeledVolume> loadProjectVolumes(const std::string &projectFolder,
                                              LabelDescriptions *table = nullptr,
                                              ProgressSink *progress = nullptr);

} // namespace medseg::core
