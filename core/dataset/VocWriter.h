#pragma once

#include "core/dataset/LabelTable.h"
#include "core/dicom/WindowLevel.h"
#include "core/image/Volume.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

enum class VocImageFormat { Png, Jpeg };

struct VocWriterOptions
{
    VocImageFormat format = VocImageFormat::Png; // PNG is lossless; JPEG on request
    double valFraction = 0.2;                    // of the patients, not of the slices
    std::uint32_t seed = 1;
    int jpegQuality = 95;
};

// One series to export: every slice (every frame of a multi-frame instance is a slice of the
// volume) becomes one image and one mask.
struct VocSeries
{
    const Volume *image = nullptr;  // rescaled values (HU for CT), one component
    const Volume *labels = nullptr; // class indexes on the same grid, 255 = ignore
    Window window;                  // chosen by the caller
    bool invert = false;            // MONOCHROME1
    std::string seriesUid;          // names the files (hashed) and the manifest rows
    std::string patientKey;         // groups slices for the split; never written anywhere
    std::string labelSource;        // the label file, for error messages
};

// Writes a PASCAL VOC segmentation dataset:
//   JPEGImages/<name>.png|.jpg       8-bit windowed slice, 3 identical channels
//   SegmentationClass/<name>.png     palette PNG of class indexes (VOC palette, 255 = ignore)
//   ImageSets/Segmentation/{train,val,trainval}.txt   split by patient
//   class_names.txt, labels.json, manifest.csv (image, mask, series_uid, slice, split)
//   preprocessing.json   the window the slices were rendered with (center, width, invert), so
//                        that a model trained on them windows raw values the same way; when
//                        series used different windows, "windows" lists them and there is none
// <name> is a hash of the series UID plus the slice index: no patient name or ID appears in
// any file name or text file.
class VocWriter
{
public:
    using Options = VocWriterOptions;

    // Creates the folders; throws std::runtime_error naming what cannot be written.
    VocWriter(std::string outputDir, LabelTable classes, const Options &options = {});

    // Writes the slices of one series. Throws std::runtime_error naming labelSource when the
    // labels do not match the image or hold an index beyond the class table.
    void addSeries(const VocSeries &series);
    // Writes the split lists, class tables and manifest. Returns the number of slices.
    int finish();

    // The base file name of a slice (without extension).
    static std::string sliceName(const std::string &seriesUid, int slice);
    // The patients that go to the validation set for these keys (deterministic for the seed;
    // at least one patient stays in training, and one goes to validation when there are two
    // or more and valFraction > 0).
    static std::vector<std::string> validationPatients(std::vector<std::string> patientKeys,
                                                       double valFraction, std::uint32_t seed);

private:
    struct Row
    {
        std::string name;
        std::string seriesUid;
        int slice = 0;
        std::string patientKey;
    };
    std::string m_dir;
    LabelTable m_classes;
    Options m_options;
    std::vector<Row> m_rows;
    std::vector<std::pair<Window, bool>> m_windows; // per series: window, invert
};

} // namespace medseg::core
