#pragma once

#include "core/common/Progress.h"
#include "core/image/Volume.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace medseg::core {

struct DemoStudyOptions
{
    int patients = 3;
    int slices = 24;
    int size = 128; // rows = columns
    std::uint32_t seed = 1;
};

// One class of the demo's ground truth: 0 background, 1 liver, 2 kidneys, 3 spleen, 4 bone
// (spine and ribs). Lungs, bowel gas, fat and muscle are background.
struct DemoLabel
{
    int index = 0;
    std::string name;
    std::array<std::uint8_t, 3> colour{0, 0, 0};
};
const std::vector<DemoLabel> &demoLabels();

// One synthetic patient: a CT volume in HU (with its DICOM geometry) and the label volume on
// the same grid (class indexes as floats).
struct DemoPatient
{
    std::string patientName; // "DEMO^PATIENT01"
    std::string patientId;   // "DEMO-0001"
    std::string studyInstanceUid;
    std::string seriesInstanceUid;
    std::string folder; // where its DICOM files were written (write() only)
    std::shared_ptr<Volume> ct;
    std::shared_ptr<Volume> labels;
};

// A synthetic abdominal CT study for trying the program without patient data: body outline
// with fat and muscle, liver, kidneys, spleen, spine and ribs, air in the lungs and bowel.
// Shapes, positions and intensities vary per patient from a seeded generator, so a seed always
// gives the same voxels (UIDs are new on every run). Organ edges are partial-volume blends of
// smooth ellipsoid memberships, plus noise; liver, spleen and kidneys lie within ~10-20 HU of
// each other, so a threshold alone cannot separate them.
class DemoStudy
{
public:
    using Options = DemoStudyOptions;

    // Patient `index` (0-based) of the study, without UIDs. Deterministic for options.seed.
    static DemoPatient generate(const Options &options, int index);

    // Writes every patient as one axial CT series, one file per slice (int16, intercept -1024,
    // window 40/400) under dir/PATIENTnn/. Returns the patients with their UIDs and folders.
    // Throws std::runtime_error naming the file that could not be written.
    static std::vector<DemoPatient> write(const std::string &dir, const Options &options,
                                          ProgressSink *progress = nullptr);
};

} // namespace medseg::core
